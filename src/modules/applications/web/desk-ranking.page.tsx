import { Notice } from '../../../web/components/form.js';
import type { Ranking } from '../rubric.ranking.service.js';
import { formatTotal } from '../rubric.scoring.js';
import { applicationPath, ProgrammeNav } from './desk-fields.js';

// The ranking by computed total. Reviewers see only the totals of applications they have scored.

const OWN_LABEL = { none: '未採点', submitted: '採点済み', conflict: '利益相反' } as const;

export function RankingPage(p: { programmeId: string; title: string; ranking: Ranking; templates: boolean }) {
  const { ranking } = p;
  return (
    <>
      <h1>{p.title}: 評価ランキング</h1>
      <ProgrammeNav programmeId={p.programmeId} current="ranking" templates={p.templates} />
      {ranking.reviewerOnly ? (
        <Notice>評価の独立性のため、合計点はご自身が採点した申込みについてのみ表示されます。</Notice>
      ) : (
        <Notice kind="warning">
          ご自身も採点する場合は、このランキングを見る前に採点を済ませてください(他の評価を見てからの採点は独立性を損ないます)。
        </Notice>
      )}
      {ranking.criteria === 0 ? <p>評価基準が設定されていないため、合計点はまだありません。</p> : null}
      <div class="table-scroll">
        <table class="data-table">
          <caption>合計点の高い順({ranking.items.length}件)</caption>
          <thead>
            <tr>
              <th scope="col" class="number">
                順位
              </th>
              <th scope="col">申込番号</th>
              <th scope="col">氏名</th>
              <th scope="col">状況</th>
              <th scope="col" class="number">
                合計点
              </th>
              <th scope="col" class="number">
                評価者数
              </th>
              <th scope="col" class="number">
                利益相反
              </th>
              <th scope="col" class="number">
                要再採点
              </th>
              <th scope="col">あなたの採点</th>
            </tr>
          </thead>
          <tbody>
            {ranking.items.map((i) => (
              <tr>
                <td class="number">{i.rank ?? '—'}</td>
                <th scope="row">
                  <a href={applicationPath(i.id)}>{i.number || '(番号なし)'}</a>
                </th>
                <td>{i.fullName}</td>
                <td>{i.statusLabel}</td>
                <td class="number">{i.hidden ? '(採点後に表示)' : formatTotal(i.total) || '—'}</td>
                <td class="number">{i.hidden ? '—' : i.counted}</td>
                <td class="number">{i.hidden ? '—' : i.conflicts}</td>
                <td class="number">{i.hidden ? '—' : i.incomplete}</td>
                <td>{OWN_LABEL[i.own]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
