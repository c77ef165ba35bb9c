import { formatJst } from '../../../lib/clock.js';
import { prefectureName } from '../../organisations/prefectures.js';
import { FORMAT_LABEL, feeLabel, LAYER_LABEL } from '../programme.labels.js';
import { isOpen, type ProgrammeView } from '../programme.presenter.js';

/** Where a programme's application window stands at `now`, as the public sees it. */
export type WindowState = 'open' | 'upcoming' | 'closed';

export function windowState(p: ProgrammeView, now: Date): WindowState {
  if (isOpen(p, now)) return 'open';
  if (p.status === 'published' && p.opensAt && now.getTime() < p.opensAt.getTime()) return 'upcoming';
  return 'closed';
}

export const WINDOW_LABEL: Record<WindowState, string> = {
  open: '募集中',
  upcoming: '募集開始前',
  closed: '募集終了',
};

/** The state in words (WCAG 1.4.1: colour is never the only signal); the class only adds colour. */
export function WindowBadge(props: { state: WindowState }) {
  return <span class={`badge badge-${props.state}`}>{WINDOW_LABEL[props.state]}</span>;
}

export function regionsLabel(p: Pick<ProgrammeView, 'prefectureCodes' | 'format'>): string {
  const names = p.prefectureCodes.map(prefectureName).filter(Boolean);
  if (names.length > 0) return names.join('、');
  return p.format === 'online' ? '全国(オンライン)' : '未定';
}

/** The application window in Japan time, whatever the server's zone (issue 3, item 7). */
export function windowLabel(p: Pick<ProgrammeView, 'opensAt' | 'closesAt'>): string {
  if (!p.opensAt && !p.closesAt) return '未定';
  return `${formatJst(p.opensAt) || '未定'} 〜 ${formatJst(p.closesAt) || '未定'}(日本時間)`;
}

export function scheduleLabel(p: Pick<ProgrammeView, 'startsOn' | 'endsOn'>): string {
  if (!p.startsOn && !p.endsOn) return '';
  const d = (s: string | null) => (s ? s.replaceAll('-', '/') : '未定');
  return `${d(p.startsOn)} 〜 ${d(p.endsOn)}`;
}

export function layerLabel(layer: 2 | 3): string {
  return LAYER_LABEL[layer];
}

/** One result in the catalogue or on the top page. `level` keeps the heading outline right on each page. */
export function ProgrammeCard(props: { p: ProgrammeView; now: Date; level?: 2 | 3 }) {
  const { p } = props;
  const state = windowState(p, props.now);
  const titleId = `p-${p.id}`;
  const Heading = props.level === 2 ? 'h2' : 'h3';
  return (
    <li class="programme-card">
      <Heading id={titleId} class="programme-card-title">
        <a href={`/programmes/${p.id}`}>{p.title}</a>
      </Heading>
      {/* Layer and format as tags, so the facts below need not repeat them. */}
      <p class="programme-card-tags">
        <WindowBadge state={state} /> <span class="tag">{LAYER_LABEL[p.layer]}</span>{' '}
        <span class="tag">{FORMAT_LABEL[p.format]}</span>
      </p>
      {p.summary ? <p class="programme-card-summary">{p.summary}</p> : null}
      <dl class="programme-facts">
        <dt>運営</dt>
        <dd>{p.organisationName}</dd>
        <dt>地域</dt>
        <dd>{regionsLabel(p)}</dd>
        <dt>受講料</dt>
        <dd>{feeLabel(p.feeYen)}</dd>
        <dt>募集期間</dt>
        <dd>{windowLabel(p)}</dd>
      </dl>
    </li>
  );
}
