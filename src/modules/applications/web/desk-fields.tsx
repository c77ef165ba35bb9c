import { AppError } from '../../../lib/errors.js';
import type { AppContext } from '../../../web/context.js';
import { isUuid } from '../desk.scope.js';

// Small pieces shared by the desk pages (the form controls are the shared ones in web/components/form.tsx).

/** Path ids are checked before they reach a query: a malformed one is simply "not found". */
export function idParam(c: AppContext, name: string): string {
  const v = c.req.param(name) ?? '';
  if (!isUuid(v)) throw new AppError('NOT_FOUND', '見つかりません');
  return v;
}

/** ?done=… → a fixed message (never text from the URL itself); ?n= only as a number. */
export function doneMessage(c: AppContext, table: Record<string, string>): string | undefined {
  const msg = table[c.req.query('done') ?? ''];
  if (!msg) return undefined;
  const n = Number.parseInt(c.req.query('n') ?? '', 10);
  return msg.replace('{n}', Number.isSafeInteger(n) && n >= 0 ? String(n) : '');
}

export const DESK_BASE = '/admin/applications';
export const programmePath = (id: string) => `${DESK_BASE}/programmes/${id}`;
export const applicationPath = (id: string) => `${DESK_BASE}/${id}`;

export function ProgrammeNav(p: {
  programmeId: string;
  current: 'list' | 'rubric' | 'ranking' | null;
  templates?: boolean;
}) {
  const base = programmePath(p.programmeId);
  const items = [
    { key: 'list', href: base, label: '申込み一覧' },
    { key: 'rubric', href: `${base}/rubric`, label: '評価基準' },
    { key: 'ranking', href: `${base}/ranking`, label: '評価ランキング' },
  ];
  return (
    <nav class="desk-nav" aria-label="このプログラムの申込み管理">
      <ul>
        <li>
          <a href={DESK_BASE}>プログラムの一覧</a>
        </li>
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={i.key === p.current ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
        {p.templates ? (
          <li>
            <a href={`${DESK_BASE}/templates`}>決定通知メールの文面</a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
