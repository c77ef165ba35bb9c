import { raw } from 'hono/html';
import type { Deps } from '../../../deps.js';
import { formatJst } from '../../../lib/clock.js';
import { markdownToText, renderMarkdown } from '../../../lib/markdown.js';
import type { PublicBuilder } from '../../../web/pages/public-page.js';
import { describeSkills } from '../../credentials/skill-framework.service.js';
import { DX_STAGE_LABEL, FORMAT_LABEL, feeLabel, LAYER_LABEL } from '../programme.labels.js';
import type { ProgrammeView } from '../programme.presenter.js';
import { getPublicProgramme } from '../programme.read.service.js';
import { nextWindowChange } from '../public-cache.js';
import {
  regionsLabel,
  scheduleLabel,
  WindowBadge,
  type WindowState,
  windowLabel,
  windowState,
} from './public-components.js';

/** The call to action: a link to the applying pages only while the server's clock says the window is open. */
function CallToAction(props: { p: ProgrammeView; state: WindowState }) {
  const { p, state } = props;
  if (state === 'open') {
    return (
      <div class="cta">
        <p>
          <a class="button" href={`/programmes/${p.id}/apply`}>
            申し込む
          </a>
        </p>
        <p class="hint">締切: {formatJst(p.closesAt)}(日本時間)</p>
      </div>
    );
  }
  return (
    <div class="cta cta-unavailable">
      <p class="cta-message">{state === 'upcoming' ? '募集開始前です' : '募集は終了しました'}</p>
      <p class="hint">募集期間: {windowLabel(p)}</p>
    </div>
  );
}

function Fact(props: { term: string; value: string | number | null | undefined }) {
  if (props.value === null || props.value === undefined || props.value === '') return null;
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.value}</dd>
    </>
  );
}

/** Multi-line text typed by staff: shown as text with its line breaks kept (CSS), never as HTML. */
function Prose(props: { text: string }) {
  return <p class="prose-text">{props.text}</p>;
}

function summaryFor(p: ProgrammeView): string {
  const text = p.summary || markdownToText(p.descriptionMd);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** `/programmes/:id`: a published or closed programme; anything else is NOT_FOUND (from the read service). */
export function buildProgrammePage(deps: Deps, id: string): PublicBuilder {
  return async (now) => {
    const p = await getPublicProgramme(deps, id);
    const state = windowState(p, now);
    const skills = await describeSkills(deps, p.skillFrameworkId, p.skillCodes);
    const named = new Map(skills.map((s) => [s.code, s.name]));
    const schedule = scheduleLabel(p);
    return {
      title: p.title,
      description: summaryFor(p),
      path: `/programmes/${p.id}`,
      ogType: 'article',
      validUntil: nextWindowChange([p], now),
      body: (
        <article class="programme-page" aria-labelledby="h-programme">
          <p class="programme-kicker">
            {LAYER_LABEL[p.layer]} / {p.organisationName}
          </p>
          <h1 id="h-programme">{p.title}</h1>
          <p>
            <WindowBadge state={state} />
          </p>
          {p.summary ? <p class="lead">{p.summary}</p> : null}
          <CallToAction p={p} state={state} />

          <section aria-labelledby="h-outline">
            <h2 id="h-outline">募集要項</h2>
            <dl class="summary-list">
              <Fact term="区分" value={LAYER_LABEL[p.layer]} />
              <Fact term="運営団体" value={p.organisationName} />
              <Fact term="年度" value={`${p.fiscalYear}年度`} />
              <Fact term="実施形式" value={FORMAT_LABEL[p.format]} />
              <Fact term="実施地域" value={regionsLabel(p)} />
              <Fact term="会場" value={p.venue} />
              <Fact term="実施期間" value={schedule} />
              <Fact term="募集期間" value={windowLabel(p)} />
              <Fact term="定員" value={p.capacity === null ? null : `${p.capacity}名`} />
              <Fact term="受講料" value={feeLabel(p.feeYen)} />
              <Fact
                term="学習時間の目安"
                value={p.weeklyHours === null ? null : `1週間あたり ${p.weeklyHours}時間`}
              />
              {p.dxStage ? <Fact term="協働先企業のDXの段階" value={DX_STAGE_LABEL[p.dxStage]} /> : null}
            </dl>
            {p.scheduleNote ? (
              <>
                <h3>日程</h3>
                <Prose text={p.scheduleNote} />
              </>
            ) : null}
            {p.targetLearners ? (
              <>
                <h3>対象者</h3>
                <Prose text={p.targetLearners} />
              </>
            ) : null}
            {p.commitmentRequired ? (
              <>
                <h3>受講にあたってのお約束</h3>
                <p>
                  申込みの際、最後まで受講し途中で辞退しないことをお約束いただきます。
                  {p.weeklyHours !== null
                    ? `1週間あたり${p.weeklyHours}時間程度の学習時間を確保してください。`
                    : ''}
                </p>
              </>
            ) : null}
          </section>

          {p.descriptionMd ? (
            <section aria-labelledby="h-description">
              <h2 id="h-description">プログラムの内容</h2>
              {/* renderMarkdown is the sanitiser: no raw HTML, allow-listed links, no images (lib/markdown.ts). */}
              <div class="markdown">{raw(renderMarkdown(p.descriptionMd, { headingOffset: 2 }))}</div>
            </section>
          ) : null}

          {p.skillCodes.length ? (
            <section aria-labelledby="h-skills">
              <h2 id="h-skills">身につくスキル(デジタルスキル標準 DSS-P)</h2>
              <ul>
                {p.skillCodes.map((code) => (
                  <li>
                    {code} {named.get(code) ?? ''}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section aria-labelledby="h-eligibility">
            <h2 id="h-eligibility">申込みの条件と流れ</h2>
            {p.eligibilityQuestions.length ? (
              <>
                <p>
                  申込みの最初に、次の点を確認します。条件に合わない場合、個人情報は入力いただかずに終了します。
                </p>
                <ul>
                  {p.eligibilityQuestions.map((q) => (
                    <li>{q.label}</li>
                  ))}
                </ul>
              </>
            ) : (
              <p>申込みにあたっての事前の条件はありません。</p>
            )}
            <p>
              申込みにはメールアドレスによるログインが必要です。申込み内容はこのプログラムを運営する
              {p.organisationName} に提供され、選考が行われます。詳しくは<a href="/faq">よくある質問</a>と
              <a href="/privacy">プライバシーポリシー</a>をご覧ください。
            </p>
          </section>
          <p>
            <a href="/programmes">プログラム一覧へ戻る</a>
          </p>
        </article>
      ),
    };
  };
}
