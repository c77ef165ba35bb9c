import { BarChart, ColumnChart } from '../../../web/components/charts.js';
import { SelectField } from '../../../web/components/form.js';
import { conversions, type Funnel, type Overview, type ProgrammeFunnel } from '../secretariat.service.js';

// The secretariat's overview: funnel overall and per programme, submissions per day, and applicant accounts
// with applications to several programmes. Each chart comes with the table it is drawn from: the table is
// the accessible equivalent (JIS X 8341-3 / WCAG 1.1.1) and has the full programme titles.

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);

/** The programme chart shows this many programmes, most submissions first; the table lists them all. */
const PROGRAMME_CHART_MAX = 30;

function FunnelChart(p: { f: Funnel }) {
  const { f } = p;
  if (f.started === 0) return <p>申込みがまだないため、グラフはありません。</p>;
  const r = conversions(f);
  const steps = [
    { label: '開始(下書き含む)', value: f.started, rate: null, before: '' },
    { label: '申込み', value: f.submitted, rate: r.submitted, before: '開始' },
    { label: '合格', value: f.accepted, rate: r.accepted, before: '申込み' },
    { label: '受講確定', value: f.enrolled, rate: r.enrolled, before: '合格' },
  ];
  const said = steps.map(
    (s) => `${s.label}${s.value}件${s.rate === null ? '' : `(${s.before}の${pct(s.rate)})`}`,
  );
  return (
    <BarChart
      caption="申込みの流れ(件数。括弧内は前の段階に対する割合)"
      summary={`申込みの流れの横棒グラフ。${said.join('、')}。`}
      data={steps.map((s) => ({
        label: s.label,
        value: s.value,
        valueText: `${s.value}件${s.rate === null ? '' : `(${pct(s.rate)})`}`,
      }))}
    />
  );
}

function ProgrammeChart(p: { programmes: ProgrammeFunnel[] }) {
  if (p.programmes.length === 0) return <p>対象のプログラムはありません。</p>;
  const ranked = [...p.programmes].sort((a, b) => b.submitted - a.submitted);
  if ((ranked[0]?.submitted ?? 0) === 0)
    return <p>申込みのあるプログラムはまだないため、グラフはありません。</p>;
  const shown = ranked.slice(0, PROGRAMME_CHART_MAX);
  const more = ranked.length - shown.length;
  const withCapacity = shown.some((x) => x.capacity !== null);
  const total = ranked.reduce((n, x) => n + x.submitted, 0);
  const top3 = shown
    .slice(0, 3)
    .filter((x) => x.submitted > 0)
    .map((x) => `「${x.title}」${x.submitted}件${x.capacity === null ? '' : `(定員${x.capacity})`}`)
    .join('、');
  const capped = more > 0 ? `申込みの多い${shown.length}件を表示し、ほかの${more}件は表にあります。` : '';
  return (
    <BarChart
      caption={`プログラム別の申込み数(申込みの多い順${more > 0 ? `、上位${shown.length}件` : ''}${withCapacity ? '。縦線は定員' : ''})`}
      summary={`プログラム別の申込み数の横棒グラフ。${ranked.length}件のプログラムに合計${total}件。多い順に${top3}。${capped}`}
      markerLegend="定員"
      data={shown.map((x) => ({
        label: x.title,
        fullLabel: `${x.title}(${x.organisationName})`,
        value: x.submitted,
        valueText: `${x.submitted}件${x.capacity === null ? '' : `/定員${x.capacity}`}`,
        marker: x.capacity,
      }))}
    />
  );
}

function DailyChart(p: { o: Overview }) {
  const { daily } = p.o;
  const first = daily[0];
  const last = daily.at(-1);
  if (!first || !last) return null;
  const total = daily.reduce((n, d) => n + d.n, 0);
  const peak = daily.reduce((a, b) => (b.n > a.n ? b : a), first);
  const md = (day: string) => `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}`;
  // Filtered to one programme (the form above): the chart says which.
  const only = p.o.programmes.find((x) => x.id === p.o.filter.programmeId);
  const of = only ? `「${only.title}」の` : '';
  return (
    <ColumnChart
      caption={`${of}日別の申込み数(日本時間、${first.day}〜${last.day}${p.o.dailyTruncated ? '。それより前は表にあります' : ''})`}
      summary={`${of}日別の申込み数の棒グラフ。${first.day}から${last.day}までの${daily.length}日間に合計${total}件。最も多い日は${peak.day}の${peak.n}件。`}
      data={daily.map((d) => ({ label: md(d.day), value: d.n, title: `${d.day}: ${d.n}件` }))}
    />
  );
}

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
          label="日別のグラフと表のプログラム"
          options={programmeOptions}
          placeholder="すべて"
          value={o.filter.programmeId ?? ''}
        />
        <button type="submit" class="button button-secondary">
          表示する
        </button>
      </form>

      <h2>申込みの流れ(全体)</h2>
      <FunnelChart f={o.total} />
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
      <ProgrammeChart programmes={o.programmes} />
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
      <DailyChart o={o} />
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
                  <PlainList items={d.byProgramme.map((b) => `${b.title}: ${b.n}件`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {o.days.length === 0 ? <p>申込みはまだありません。</p> : null}

      <h2>複数のプログラムに申し込んだ人</h2>
      {o.showsPeople ? (
        <>
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
                      <PlainList
                        items={m.applications.map((a) => `${a.title}(${a.organisation}): ${a.status}`)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {o.multi.length === 0 ? <p>複数のプログラムに申し込んだ人はいません。</p> : null}
        </>
      ) : (
        <p>{o.multiCount}人。個人を特定できる情報(氏名・メールアドレス)は事務局だけが見られます。</p>
      )}
    </>
  );
}

/** A list without bullets inside a table cell (programmes of a day, applications of a person). */
function PlainList(p: { items: string[] }) {
  return (
    <ul class="plain-list">
      {p.items.map((item) => (
        <li>{item}</li>
      ))}
    </ul>
  );
}
