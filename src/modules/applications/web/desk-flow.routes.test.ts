import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOM } from '../../../lib/csv.js';
import { Client, makeUser, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { makeApplication } from '../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';

// The desk's pages doing their work: list, detail, decide (with the confirmation step), score, export,
// templates, and the secretariat's overview. Applicants' text is shown escaped everywhere.

const B = '/admin/applications';
const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const RARE = '髙橋 𠮷子 😀';

describe.each(dbKinds())('desk pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: Client;
  let orgId: string;
  let pid: string;
  let x: Awaited<ReturnType<typeof makeApplication>>;
  let y: Awaited<ReturnType<typeof makeApplication>>;

  const h1Count = (html: string) => html.match(/<h1[\s>]/g)?.length ?? 0;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    const s = await staffClient(app, env, 'regional_hub', 'staff');
    hub = s.client;
    orgId = s.orgId;
    pid = await makeProgramme(env, orgId, { title: '地域DX 北海道' });
    x = await makeApplication(env, pid, {
      fullName: XSS,
      affiliation: '"><img src=x onerror=alert(1)>',
      answers: { motivation: `${XSS}\n二行目`, track: '業務改善' },
    });
    y = await makeApplication(env, pid, { fullName: RARE, affiliation: '=cmd|calc' });
  });
  afterAll(() => env.close());

  it('lists and shows applications with applicant text escaped, one h1 per page', async () => {
    const list = await hub.get(`${B}/programmes/${pid}`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(ESCAPED);
    expect(html).not.toContain(XSS);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(RARE);
    expect(html).toContain('申込み済み 2件');
    expect(h1Count(html)).toBe(1);
    const detail = await (await hub.get(`${B}/${x.id}`)).text();
    expect(detail).toContain(ESCAPED);
    expect(detail).toContain(`${ESCAPED}\n二行目`);
    expect(detail).not.toContain(XSS);
    expect(h1Count(detail)).toBe(1);
    const filtered = await (await hub.get(`${B}/programmes/${pid}?q=${encodeURIComponent('𠮷')}`)).text();
    expect(filtered).toContain(RARE);
    expect(filtered).not.toContain(ESCAPED);
    const tooLong = await hub.get(`${B}/programmes/${pid}?q=${'x'.repeat(101)}`);
    expect(tooLong.status).toBe(422);
    expect(await tooLong.text()).toContain('キーワードは100文字以内で入力してください');
    const index = await (await hub.get(B)).text();
    expect(index).toContain('地域DX 北海道');
  });

  it('accepts through the confirmation page, which names who is e-mailed; the mail carries the name as typed', async () => {
    const bad = await hub.post(`${B}/programmes/${pid}/decisions/preview`, { to: 'accepted' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('申込みを1件以上選択してください');
    const confirm = await hub.post(`${B}/programmes/${pid}/decisions/preview`, {
      to: 'accepted',
      ids: [x.id],
    });
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain(x.email);
    expect(page).toContain(ESCAPED);
    expect(page).toContain(`value="${x.id}:submitted"`);
    expect(await env.db.selectFrom('mail_outbox').select('id').execute()).toHaveLength(0); // nothing yet
    const done = await hub.post(`${B}/programmes/${pid}/decisions`, {
      to: 'accepted',
      items: [`${x.id}:submitted`],
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${B}/${x.id}?done=decided`);
    const mail = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', x.email)
      .executeTakeFirstOrThrow();
    expect(mail.template).toBe('application_decision');
    expect(mail.body_text).toContain(`${XSS} 様`); // plain text: as typed, nothing to interpret
    const after = await (await hub.get(`${B}/${x.id}?done=decided`)).text();
    expect(after).toContain('状況を変更しました。');
    // The same confirmation sent again: reported, not applied twice (409, no second mail).
    const again = await hub.post(`${B}/programmes/${pid}/decisions`, {
      to: 'accepted',
      items: [`${x.id}:submitted`],
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('「合格」に変わっていました');
    expect(
      await env.db.selectFrom('mail_outbox').select('id').where('to_address', '=', x.email).execute(),
    ).toHaveLength(1);
  });

  it('scores on the application page; a second reviewer sees the first only after scoring', async () => {
    const add = await hub.post(`${B}/programmes/${pid}/rubric`, {
      label: '熱意',
      description: '',
      scaleMax: '１０',
      weight: '2',
    });
    expect(add.status).toBe(303);
    const bad = await hub.post(`${B}/programmes/${pid}/rubric`, {
      label: '',
      description: '',
      scaleMax: '11',
      weight: '0',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('段階は1から10の整数で入力してください');
    const c = await env.db
      .selectFrom('rubric_criteria')
      .select('id')
      .where('programme_id', '=', pid)
      .executeTakeFirstOrThrow();
    const r1 = await new Client(app, env).signInAs(
      (await makeUser(env, { orgId, role: 'reviewer' })).id,
      orgId,
    );
    const r2 = await new Client(app, env).signInAs(
      (await makeUser(env, { orgId, role: 'reviewer' })).id,
      orgId,
    );
    const missing = await r1.post(`${B}/${y.id}/review`, { comment: 'x' });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('「熱意」を0から10の中から選んでください');
    expect(
      (await r1.post(`${B}/${y.id}/review`, { [`s_${c.id}`]: '8', comment: '独自の視点 <b>' })).status,
    ).toBe(303);
    let seen = await (await r2.get(`${B}/${y.id}`)).text();
    expect(seen).not.toContain('独自の視点');
    expect(seen).toContain('ご自身の採点を送信すると表示されます');
    expect((await r2.post(`${B}/${y.id}/review`, { [`s_${c.id}`]: '6', comment: '' })).status).toBe(303);
    seen = await (await r2.get(`${B}/${y.id}?done=reviewed`)).text();
    expect(seen).toContain('独自の視点 &lt;b&gt;');
    expect(seen).toContain('合計点: 70.0 / 100');
    const ranking = await (await hub.get(`${B}/programmes/${pid}/ranking`)).text();
    expect(ranking).toContain('70.0');
    expect(h1Count(ranking)).toBe(1);
    expect((await r1.post(`${B}/${x.id}/review`, { [`s_${c.id}`]: '1' })).status).toBe(409); // already decided
  });

  it('exports CSV and XLSX with the headers a download needs and the names intact', async () => {
    const csv = await hub.get(`${B}/programmes/${pid}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="applications-[0-9a-f]{8}-\d{12}\.csv"$/,
    );
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes); // keep the BOM to see it
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toContain('\r\n');
    expect(text).toContain(`"${RARE}"`);
    expect(text).toContain(`"'=cmd|calc"`);
    const xlsx = await hub.get(`${B}/programmes/${pid}/export.xlsx?status=accepted`);
    expect(xlsx.headers.get('content-disposition')).toMatch(/filename="accepted-/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.rowCount).toBe(2);
    expect(ws?.getRow(2).getCell(3).value).toBe(XSS);
    expect(xlsx.headers.get('x-export-rows')).toBe('1');
  });

  it('edits the organisation’s decision texts, refusing unknown placeholders', async () => {
    const page = await hub.get(`${B}/templates`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('既定の文面を使っています。');
    const bad = await hub.post(`${B}/templates/waitlisted`, { body: '{氏名} 様 {電話番号}' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('使用できない差し込み項目があります: {電話番号}');
    expect(badHtml).toContain('aria-invalid="true"');
    const ok = await hub.post(`${B}/templates/waitlisted`, { body: '{氏名} 様\n補欠です({プログラム名})' });
    expect(ok.headers.get('location')).toBe(`${B}/templates?done=saved`);
    const z = await makeApplication(env, pid, { fullName: RARE });
    await hub.post(`${B}/programmes/${pid}/decisions`, { to: 'waitlisted', items: [`${z.id}:submitted`] });
    const mail = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', z.email)
      .executeTakeFirstOrThrow();
    expect(mail.body_text).toContain(`${RARE} 様\n補欠です(地域DX 北海道)`);
    // The list now offers promotion of the first on the waitlist.
    const list = await (await hub.get(`${B}/programmes/${pid}`)).text();
    expect(list).toContain('補欠の先頭を繰り上げて合格にする');
    const promoted = await hub.post(`${B}/programmes/${pid}/waitlist/promote`, { expected: z.id });
    expect(promoted.headers.get('location')).toBe(`${B}/programmes/${pid}?done=promoted`);
    expect((await hub.post(`${B}/programmes/${pid}/waitlist/promote`, { expected: z.id })).status).toBe(409);
  });

  it('shows the secretariat the overview with funnels and people who applied more than once', async () => {
    const { client: sec } = await staffClient(app, env, 'secretariat', 'staff');
    const other = await makeProgramme(env, orgId, { title: '二つ目のプログラム' });
    await makeApplication(env, other, { applicantUserId: y.applicantUserId });
    const res = await sec.get(`${B}/overview`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('地域DX 北海道');
    expect(html).toContain('複数のプログラムに申し込んだ人');
    expect(html).toContain('二つ目のプログラム');
    expect(h1Count(html)).toBe(1);
    expect((await sec.get(`${B}/overview?year=abc&programme=zzz`)).status).toBe(200);
    // The secretariat's own desk front page links to it.
    expect(await (await sec.get(B)).text()).toContain(`${B}/overview`);
  });
});
