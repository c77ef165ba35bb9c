import { SelectField } from '../../../web/components/form.js';
import { conversions, type Funnel, type Overview } from '../secretariat.service.js';

// The secretariat's overview: funnel overall and per programme, submissions per day (a table; charts later),
// and applicant accounts with applications to several programmes.

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);

function FunnelCells(p: { f: Funnel }) {
  const r = conversions(p.f);
  return (
    <>
      <td class="number">{p.f.started}</td>
      <td class="number">{p.f.submitted}</td>
      <td class="number">{pct(r.submitted)}</td>
      <td class="number">{p.f.accepted}</td>
      <td class="number">{pct(r.accepted)}</td>
      <td class="number">{p.f.enrolled}</td>
      <td class="number">{pct(r.enrolled)}</td>
    </>
  );
}

function FunnelHead() {
  return (
    <>
      <th scope="col" class="number">
        開始(下書き含む)
      </th>
      <th scope="col" class="number">
        申込み
      </th>
      <th scope="col" class="number">
        申込み率
      </th>
      <th scope="col" class="number">
        合格
      </th>
      <th scope="col" class="number">
        合格率
      </th>
      <th scope="col" class="number">
        受講確定
      </th>
      <th scope="col" class="number">
        確定率
      </th>
    </>
  );
}

export function OverviewPage(p: { o: Overview }) {
  const { o } = p;
  const programmeOptions = o.programmes.map((x) => ({
    value: x.id,
    label: `${x.title}(${x.organisationName})`,
  }));
  return (
    <>
      <h1>募集状況の全体像</h1>
      <p>
        すべての運営団体・地域ハブ団体のプログラムの申込み状況です。この画面の表示は監査ログに記録されます。
      </p>
      <form method="get" action="/admin/applications/overview" class="filter-form">
        <SelectField
          name="year"
          label="年度"
          options={o.years.map((y) => ({ value: String(y), label: `${y}年度` }))}
          placeholder="すべて"
          value={o.filter.fiscalYear ? String(o.filter.fiscalYear) : ''}
        />
        <SelectField
          name="programme"
          label="日別の表のプログラム"
          options={programmeOptions}
          placeholder="すべて"
          value={o.filter.programmeId ?? ''}
        />
        <button type="submit" class="button button-secondary">
          表示する
        </button>
      </form>

      <h2>申込みの流れ(全体)</h2>
      <div class="table-scroll">
        <table class="data-table">
          <caption>開始 → 申込み → 合格 → 受講確定(率は前の段階に対する割合)</caption>
          <thead>
            <tr>
              <th scope="col">対象</th>
              <FunnelHead />
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">すべてのプログラム</th>
              <FunnelCells f={o.total} />
            </tr>
          </tbody>
        </table>
      </div>

      <h2>プログラム別</h2>
      <div class="table-scroll">
        <table class="data-table">
          <caption>プログラム別の申込み({o.programmes.length}件)</caption>
          <thead>
            <tr>
              <th scope="col">プログラム</th>
              <th scope="col">運営</th>
              <th scope="col">年度・層</th>
              <th scope="col">状態</th>
              <th scope="col" class="number">
                定員
              </th>
              <FunnelHead />
              <th scope="col" class="number">
                申込み後の辞退
              </th>
            </tr>
          </thead>
          <tbody>
            {o.programmes.map((x) => (
              <tr>
                <th scope="row">{x.title}</th>
                <td>{x.organisationName}</td>
                <td>
                  {x.fiscalYear}年度 {x.layer}
                </td>
                <td>{x.status}</td>
                <td class="number">{x.capacity ?? '—'}</td>
                <FunnelCells f={x} />
                <td class="number">{x.withdrawn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>日別の申込み数</h2>
      <div class="table-scroll">
        <table class="data-table">
          <caption>申込み日(日本時間)ごとの件数(新しい順)</caption>
          <thead>
            <tr>
              <th scope="col">日付</th>
              <th scope="col" class="number">
                申込み数
              </th>
              <th scope="col">プログラム別の内訳</th>
            </tr>
          </thead>
          <tbody>
            {o.days.map((d) => (
              <tr>
                <th scope="row">{d.day}</th>
                <td class="number">{d.total}</td>
                <td>
                  <ul class="plain-list">
                    {d.byProgramme.map((b) => (
                      <li>
                        {b.title}: {b.n}件
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {o.days.length === 0 ? <p>申込みはまだありません。</p> : null}

      <h2>複数のプログラムに申し込んだ人</h2>
      <div class="table-scroll">
        <table class="data-table">
          <caption>申込者アカウントごと({o.multi.length}人)</caption>
          <thead>
            <tr>
              <th scope="col">アカウント</th>
              <th scope="col" class="number">
                プログラム数
              </th>
              <th scope="col">申込み先と状況(申込み順)</th>
            </tr>
          </thead>
          <tbody>
            {o.multi.map((m) => (
              <tr>
                <th scope="row">
                  {m.displayName}
                  <br />
                  {m.email}
                </th>
                <td class="number">{m.count}</td>
                <td>
                  <ul class="plain-list">
                    {m.applications.map((a) => (
                      <li>
                        {a.title}({a.organisation}): {a.status}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {o.multi.length === 0 ? <p>複数のプログラムに申し込んだ人はいません。</p> : null}
    </>
  );
}
