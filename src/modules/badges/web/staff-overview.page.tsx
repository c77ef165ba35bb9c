import { SelectField } from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { ORG_KIND_LABEL } from '../../organisations/organisation.labels.js';
import type { BadgeCounts, BadgeOverview } from '../badge-overview.service.js';

// /admin/badges/overview: badges issued and revoked across every organisation, for METI (which oversees and
// issues nothing) and the secretariat. Figures only: no earner, no single badge, no link into a record.
// Tables with a caption, column headers and a row header per row (JIS X 8341-3 / WCAG 1.3.1); the numbers
// right-aligned; a table with nothing to count says so in a paragraph instead of an empty table.

export const OVERVIEW_PATH = '/admin/badges/overview';

function CountHead() {
  return (
    <>
      <th scope="col" class="number">
        発行数
      </th>
      <th scope="col" class="number">
        うち取り消し
      </th>
    </>
  );
}

function CountCells(p: { c: BadgeCounts }) {
  return (
    <>
      <td class="number">{p.c.issued}</td>
      <td class="number">{p.c.revoked}</td>
    </>
  );
}

export function BadgeOverviewPage(p: { o: BadgeOverview }) {
  const { o } = p;
  const period = o.fiscalYear ? `${o.fiscalYear}年度` : 'すべての年度';
  return (
    <>
      <h1>バッジの発行状況</h1>
      <p>
        すべての組織が発行したオープンバッジの件数です。受領者を特定できる情報は表示しません。発行数は、訂正による再発行を1件として数えます(訂正前のバッジは数えません)。「うち取り消し」は、発行後に取り消されたバッジの数です。年度は授与日(日本時間)の4月から翌年3月までです。
      </p>
      <FilterForm action={OVERVIEW_PATH} submit="表示する">
        <SelectField
          name="fy"
          label="年度(授与日)"
          options={o.years.map((y) => ({ value: String(y), label: `${y}年度` }))}
          placeholder="すべての年度"
          value={o.fiscalYear ? String(o.fiscalYear) : ''}
        />
      </FilterForm>

      <h2>組織別({period})</h2>
      {o.byOrganisation.length === 0 ? (
        <p>{period}に発行されたバッジはありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              組織別の発行数と取り消し数({period}、{o.byOrganisation.length}組織)
            </caption>
            <thead>
              <tr>
                <th scope="col">組織</th>
                <th scope="col">種別</th>
                <CountHead />
              </tr>
            </thead>
            <tbody>
              {o.byOrganisation.map((r) => (
                <tr>
                  <th scope="row">{r.name}</th>
                  <td>{ORG_KIND_LABEL[r.kind]}</td>
                  <CountCells c={r} />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colspan={2}>
                  合計
                </th>
                <CountCells c={o.total} />
              </tr>
            </tfoot>
          </table>
        </div>
      )}

      <h2>バッジ(達成基準)別({period})</h2>
      {o.byAchievement.length === 0 ? (
        <p>{period}に発行されたバッジはありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              バッジ別の発行数と取り消し数({period}、{o.byAchievement.length}件)
            </caption>
            <thead>
              <tr>
                <th scope="col">バッジ</th>
                <th scope="col">発行した組織</th>
                <CountHead />
              </tr>
            </thead>
            <tbody>
              {o.byAchievement.map((r) => (
                <tr>
                  <th scope="row">{r.name}</th>
                  <td>{r.organisationName}</td>
                  <CountCells c={r} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>年度別</h2>
      {o.byFiscalYear.length === 0 ? (
        <p>発行されたバッジはまだありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>年度別の発行数と取り消し数(すべての組織、新しい年度から)</caption>
            <thead>
              <tr>
                <th scope="col">年度</th>
                <CountHead />
              </tr>
            </thead>
            <tbody>
              {o.byFiscalYear.map((r) => (
                <tr>
                  <th scope="row">{r.fiscalYear}年度</th>
                  <CountCells c={r} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
