import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { Client, makeUser, testApp } from '../../test/app.js';
import { codeOf, learnerActor, makeApplication, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { decideApplication } from './decision.service.js';
import { conversions, dailySeries, getOverview } from './secretariat.service.js';

/** Attributes of every tag named `tag` (with `class="chart-bar"` etc. as written) inside `html`. */
function tags(html: string, pattern: RegExp): Record<string, string>[] {
  return [...html.matchAll(pattern)].map((m) =>
    Object.fromEntries([...m[0].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}
/** The overview's charts: each <figure>'s caption, the svg's role and name, and its bars. */
function charts(html: string) {
  return [...html.matchAll(/<figure class="chart">([\s\S]*?)<\/figure>/g)].map(([, body = '']) => ({
    caption: /<figcaption>([^<]*)<\/figcaption>/.exec(body)?.[1] ?? '',
    svg: tags(body, /<svg [^>]*>/g)[0] ?? {},
    bars: tags(body, /<rect class="chart-bar"[^>]*>/g).map((a) => ({
      value: Number(a['data-value']),
      width: Number(a.width),
      height: Number(a.height),
    })),
    markers: tags(body, /<line class="chart-marker"[^>]*data-marker[^>]*>/g).map((a) =>
      Number(a['data-marker']),
    ),
    texts: [...body.matchAll(/<text [^>]*>([^<]*)/g)].map((m) => m[1]),
    titles: [...body.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]),
  }));
}

describe('dailySeries', () => {
  it('turns newest-first rows into an oldest-first series with the days between as 0', () => {
    const rows = [
      { day: '2026-03-02', total: 4 },
      { day: '2026-02-27', total: 1 },
    ];
    expect(dailySeries(rows)).toEqual({
      series: [
        { day: '2026-02-27', n: 1 },
        { day: '2026-02-28', n: 0 },
        { day: '2026-03-01', n: 0 },
        { day: '2026-03-02', n: 4 },
      ],
      truncated: false,
    });
    expect(dailySeries([])).toEqual({ series: [], truncated: false });
  });

  it('keeps only the last maxDays days and says so', () => {
    const r = dailySeries(
      [
        { day: '2027-01-10', total: 2 },
        { day: '2026-12-31', total: 9 },
      ],
      5,
    );
    expect(r.series.map((d) => [d.day, d.n])).toEqual([
      ['2027-01-06', 0],
      ['2027-01-07', 0],
      ['2027-01-08', 0],
      ['2027-01-09', 0],
      ['2027-01-10', 2],
    ]);
    expect(r.truncated).toBe(true);
  });
});

describe.each(dbKinds())('secretariat overview on %s', (kind) => {
  let env: TestEnv;
  let sec: StaffActor;
  let hubA: StaffActor;
  let pA: string;
  let pB: string;
  let person: string;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    sec = await staffActor(env, 'secretariat', 'staff');
    hubA = await staffActor(env, 'regional_hub', 'admin');
    const hubB = await staffActor(env, 'case_study_operator', 'admin');
    pA = await makeProgramme(env, hubA.org.id, { title: 'A 地域DX' });
    pB = await makeProgramme(env, hubB.org.id, { title: 'B ケーススタディ', layer: 2 });
    person = (await makeUser(env, { kind: 'learner', email: 'multi@example.jp' })).id;
    // 2026-04-01 23:30 JST and 2026-04-02 00:30 JST: two days in Japan, one day in UTC.
    const day1 = new Date('2026-04-01T14:30:00Z');
    const day2 = new Date('2026-04-01T15:30:00Z');
    const a1 = await makeApplication(env, pA, { applicantUserId: person, submittedAt: day1 });
    await makeApplication(env, pB, { applicantUserId: person, submittedAt: day2, status: 'accepted' });
    await makeApplication(env, pA, { submittedAt: day2, status: 'enrolled' });
    await makeApplication(env, pA, { status: 'draft' });
    await makeApplication(env, pB, { status: 'draft' });
    // Accepted, then declined: still counts as reached "accepted" in the funnel.
    await decideApplication(env, hubA, { applicationId: a1.id, to: 'accepted' });
    await decideApplication(env, hubA, { applicationId: a1.id, to: 'withdrawn' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('counts the funnel per programme and overall, with drafts as started', async () => {
    const o = await getOverview(env, sec, {});
    const a = o.programmes.find((p) => p.id === pA);
    const b = o.programmes.find((p) => p.id === pB);
    expect(a).toMatchObject({
      started: 3,
      submitted: 2,
      accepted: 2,
      enrolled: 1,
      withdrawn: 1,
      layer: '3層',
    });
    expect(b).toMatchObject({ started: 2, submitted: 1, accepted: 1, enrolled: 0, layer: '2層' });
    expect(o.total).toEqual({ started: 5, submitted: 3, accepted: 3, enrolled: 1 });
    expect(conversions(o.total)).toEqual({ submitted: 60, accepted: 100, enrolled: 33.3 });
    expect(conversions({ started: 0, submitted: 0, accepted: 0, enrolled: 0 }).submitted).toBeNull();
  });

  it('counts submissions per day in Japan time', async () => {
    const o = await getOverview(env, sec, {});
    expect(o.days.map((d) => [d.day, d.total])).toEqual([
      ['2026-04-02', 2],
      ['2026-04-01', 1],
    ]);
    expect(o.daily).toEqual([
      { day: '2026-04-01', n: 1 },
      { day: '2026-04-02', n: 2 },
    ]);
    expect(o.dailyTruncated).toBe(false);
    expect(o.days[0]?.byProgramme.map((p) => [p.title, p.n])).toEqual([
      ['A 地域DX', 1],
      ['B ケーススタディ', 1],
    ]);
    const onlyB = await getOverview(env, sec, { programmeId: pB });
    expect(onlyB.days.map((d) => [d.day, d.total])).toEqual([['2026-04-02', 1]]);
  });

  it('lists people who applied to several programmes, by account', async () => {
    const o = await getOverview(env, sec, {});
    expect(o.multi).toEqual([
      {
        email: 'multi@example.jp',
        displayName: 'テスト learner',
        count: 2,
        applications: [
          { title: 'A 地域DX', organisation: expect.any(String), status: '辞退・取下げ' },
          { title: 'B ケーススタディ', organisation: expect.any(String), status: '合格' },
        ],
      },
    ]);
    const none = await getOverview(env, sec, { fiscalYear: 2030 });
    expect([none.programmes.length, none.multi.length, none.days.length]).toEqual([0, 0, 0]);
    const audited = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'applications.overview_viewed')
      .execute();
    expect(audited.length).toBeGreaterThanOrEqual(4);
    expect(audited.at(-1)?.details).toMatchObject({ fiscalYear: 2030, multiApplicants: 0 });
  });

  it('gives METI the figures but not the people behind them', async () => {
    const meti = await staffActor(env, 'ministry', 'viewer');
    const o = await getOverview(env, meti, {});
    const full = await getOverview(env, sec, {});
    expect(o.total).toEqual(full.total);
    expect(o.programmes).toEqual(full.programmes);
    expect(o.days).toEqual(full.days);
    expect([o.showsPeople, o.multi, o.multiCount]).toEqual([false, [], 1]);
    expect([full.showsPeople, full.multiCount]).toEqual([true, 1]);
    const client = await new Client(testApp(env), env).signInAs(meti.userId, meti.org.id);
    const res = await client.get('/admin/applications/overview');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('A 地域DX');
    expect(html).toContain('個人を特定できる情報(氏名・メールアドレス)は事務局だけが見られます');
    expect(html).not.toContain('multi@example.jp');
  });

  it('is for secretariat admins and staff, and METI, only', async () => {
    for (const actor of [hubA, await staffActor(env, 'secretariat', 'reviewer'), await learnerActor(env)])
      expect(await codeOf(getOverview(env, actor, {}))).toBe('FORBIDDEN');
    expect(await codeOf(getOverview(env, anonymous(), {}))).toBe('UNAUTHENTICATED');
    expect(await codeOf(getOverview(env, await staffActor(env, 'secretariat', 'admin'), {}))).toBe('ok');
  });

  // The page: three charts (funnel, per programme, per day), each a figure with a caption around an svg
  // role="img" named by a summary; the tables stay. These tests add data, so they run last.
  const overviewHtml = async (query = '') => {
    const client = await new Client(testApp(env), env).signInAs(sec.userId, sec.org.id);
    const res = await client.get(`/admin/applications/overview${query}`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('draws the funnel, the programmes and the days as SVG charts with proportional bars', async () => {
    const html = await overviewHtml();
    const [funnel, programmes, daily, ...rest] = charts(html);
    expect(rest).toEqual([]);
    for (const c of [funnel, programmes, daily]) {
      expect(c?.svg.role).toBe('img');
      expect(c?.svg['aria-label']).toBeTruthy();
      expect(c?.titles[0]).toBe(c?.svg['aria-label']);
    }

    // Funnel: started 5 → submitted 3 → accepted 3 → enrolled 1; the longest bar is "started".
    expect(funnel?.bars.map((b) => b.value)).toEqual([5, 3, 3, 1]);
    const full = funnel?.bars[0]?.width ?? 0;
    expect(full).toBeGreaterThan(0);
    for (const b of funnel?.bars ?? []) expect(b.width).toBeCloseTo((full * b.value) / 5, 1);
    expect(funnel?.texts).toEqual(
      expect.arrayContaining(['開始(下書き含む)', '5件', '3件(60.0%)', '1件(33.3%)']),
    );
    expect(funnel?.svg['aria-label']).toBe(
      '申込みの流れの横棒グラフ。開始(下書き含む)5件、申込み3件(開始の60.0%)、合格3件(申込みの100.0%)、受講確定1件(合格の33.3%)。',
    );

    // Per programme, most submissions first, scaled to the larger of submissions and capacity (30).
    expect(programmes?.caption).toBe('プログラム別の申込み数(申込みの多い順。縦線は定員)');
    expect(programmes?.bars.map((b) => b.value)).toEqual([2, 1]);
    expect(programmes?.markers).toEqual([30, 30]);
    const [a, b] = programmes?.bars ?? [];
    expect(a?.width).toBeCloseTo(2 * (b?.width ?? 0), 1);
    expect(programmes?.texts).toEqual(expect.arrayContaining(['A 地域DX', 'B ケーススタディ', '2件/定員30']));
    expect(programmes?.svg['aria-label']).toContain(
      '2件のプログラムに合計3件。多い順に「A 地域DX」2件(定員30)、「B ケーススタディ」1件(定員30)。',
    );

    // Per day in JST, oldest first: 4/1 one, 4/2 two; the taller column is twice the shorter.
    expect(daily?.bars.map((b) => b.value)).toEqual([1, 2]);
    expect(daily?.bars[1]?.height).toBeCloseTo(2 * (daily?.bars[0]?.height ?? 0), 1);
    expect(daily?.texts).toEqual(expect.arrayContaining(['4/1', '4/2']));
    expect(daily?.caption).toBe('日別の申込み数(日本時間、2026-04-01〜2026-04-02)');
    expect(daily?.svg['aria-label']).toBe(
      '日別の申込み数の棒グラフ。2026-04-01から2026-04-02までの2日間に合計3件。最も多い日は2026-04-02の2件。',
    );

    const onlyB = charts(await overviewHtml(`?programme=${pB}`))[2];
    expect(onlyB?.caption).toBe('「B ケーススタディ」の日別の申込み数(日本時間、2026-04-02〜2026-04-02)');
    expect(onlyB?.bars.map((b) => b.value)).toEqual([1]);

    // The tables are still there: the charts are an addition, not a replacement.
    expect(html.match(/<table class="data-table">/g)).toHaveLength(4);
  });

  it('says so in words instead of drawing empty charts', async () => {
    const none = await overviewHtml('?year=2030');
    expect(none).not.toContain('<svg');
    expect(none).toContain('申込みがまだないため、グラフはありません。');
    expect(none).toContain('対象のプログラムはありません。');
    expect(none).toContain('申込みはまだありません。');

    // A programme with a draft only: the funnel has a "started" bar, the other charts have nothing to show.
    const p = await makeProgramme(env, hubA.org.id, { fiscal_year: 2028, title: '下書きだけ' });
    await makeApplication(env, p, { status: 'draft' });
    const drafts = await overviewHtml('?year=2028');
    expect(charts(drafts).map((c) => c.bars.map((b) => b.value))).toEqual([[1, 0, 0, 0]]);
    expect(drafts).toContain('申込みのあるプログラムはまだないため、グラフはありません。');
  });

  it('shortens long titles in the chart, shows the top 30 programmes and keeps every full title in the table', async () => {
    const long = (i: number) =>
      `北海道・東北ブロック合同 地域企業協働プログラム(製造業のデータ活用と業務改善)第${i}期`;
    const ids: string[] = [];
    for (let i = 1; i <= 32; i++)
      ids.push(await makeProgramme(env, hubA.org.id, { fiscal_year: 2029, title: long(i), capacity: null }));
    for (const [i, n] of [
      [0, 3],
      [1, 2],
      [2, 1],
    ] as const)
      for (let k = 0; k < n; k++)
        await makeApplication(env, ids[i] ?? '', { submittedAt: new Date('2029-05-01T03:00:00Z') });
    const html = await overviewHtml('?year=2029');
    const programmes = charts(html)[1];
    expect(programmes?.caption).toBe('プログラム別の申込み数(申込みの多い順、上位30件)');
    expect(programmes?.bars).toHaveLength(30);
    expect(programmes?.bars.slice(0, 4).map((b) => b.value)).toEqual([3, 2, 1, 0]);
    expect(programmes?.markers).toEqual([]);
    expect(programmes?.svg['aria-label']).toContain('32件のプログラムに合計6件。');
    expect(programmes?.svg['aria-label']).toContain('ほかの2件は表にあります。');
    const label = programmes?.texts[0] ?? '';
    expect(label.endsWith('…')).toBe(true);
    expect(long(1).startsWith(label.slice(0, -1))).toBe(true);
    // The full title (with the organisation) is the label's tooltip.
    expect(programmes?.titles.some((t) => t?.startsWith(`${long(1)}(`))).toBe(true);
    for (let i = 1; i <= 32; i++) expect(html).toContain(`<th scope="row">${long(i)}</th>`);
  });
});
