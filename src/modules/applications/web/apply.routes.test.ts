import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, learnerClient, makeOrg, staffClient, type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';
import { PRIVACY_NOTICE_VERSION } from '../application.schema.js';

const FILLED = {
  fullName: '山田 太郎',
  furigana: 'やまだ たろう',
  email: 'taro@example.jp',
  prefectureCode: '13',
  occupation: 'student',
  affiliation: 'テスト大学',
  pledge: 'yes',
  consentPurpose: 'yes',
  consentProvision: 'yes',
  q_motivation: '地域の企業と DX に取り組みたい。',
  q_track: '業務改善',
};

const keyOf = (html: string) => /name="idempotencyKey" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? '';

describe.each(dbKinds())('apply pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let orgId: string;
  let pid: string;
  const path = (s = '') => `/programmes/${pid}/apply${s}`;

  async function count(table: 'applications' | 'audit_log') {
    return (
      await env.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()
    ).n;
  }
  /** A signed-in learner with a draft, and the form page's HTML. */
  async function withDraft() {
    const l = await learnerClient(app, env);
    expect((await l.client.post(path('/eligibility'), { e_age: 'yes' })).status).toBe(303);
    const res = await l.client.get(path());
    return { ...l, html: await res.text() };
  }

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: 'https://dxq.example.jp' });
    app = testApp(env);
    orgId = await makeOrg(env, 'regional_hub');
    pid = await makeProgramme(env, orgId);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('sends an anonymous visitor to the sign-in link and brings them back after it', async () => {
    const anon = new Client(app, env);
    const res = await anon.get(path());
    expect(res.status).toBe(303);
    const to = res.headers.get('location') ?? '';
    expect(to).toBe(`/login/link?next=${encodeURIComponent(path())}`);
    expect(await (await anon.get(to)).text()).toContain(`name="next" value="${path()}"`);
    expect((await anon.post('/login/link', { email: 'new-applicant@example.jp', next: path() })).status).toBe(
      303,
    );
    const mail = await env.db
      .selectFrom('mail_outbox')
      .select('body_text')
      .where('to_address', '=', 'new-applicant@example.jp')
      .executeTakeFirstOrThrow();
    const token = /\/login\/link\/([A-Za-z0-9_-]+)/.exec(mail.body_text)?.[1];
    const back = await anon.post(`/login/link/${token}`, {});
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(path());
    expect((await anon.get(path())).status).toBe(200);
  });

  it('asks eligibility first; an ineligible answer explains why and stores nothing', async () => {
    const { client } = await learnerClient(app, env);
    const page = await (await client.get(path())).text();
    expect(page).toContain('<h1>応募資格の確認</h1>');
    expect(page).toContain('name="e_age"');
    const before = { apps: await count('applications'), audit: await count('audit_log') };
    const res = await client.post(path('/eligibility'), { e_age: 'no' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('このプログラムは18歳以上の方が対象です。');
    expect({ apps: await count('applications'), audit: await count('audit_log') }).toEqual(before);
    const missing = await client.post(path('/eligibility'), {});
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('error-summary');
  });

  it('renders the form with its limits, the notice before the button, and the autosave script with the nonce', async () => {
    const { html, user } = await withDraft();
    expect(html).toContain(`value="${user.email}"`); // prefilled from the account
    expect(html).toMatch(/name="fullName"[^>]*maxlength="100"/);
    expect(html).toMatch(/name="q_motivation"[^>]*maxlength="800"/);
    expect(html).toContain('800文字以内');
    expect(html.match(/※必須/g)?.length).toBeGreaterThanOrEqual(10);
    expect(html.indexOf('個人情報の取扱いについて')).toBeLessThan(html.indexOf('>申し込む<'));
    expect(html).toContain(PRIVACY_NOTICE_VERSION);
    expect(html).toMatch(/<script src="\/assets\/apply.js" nonce="[^"]+" defer/);
    expect(html).toContain(`data-autosave="${path('/draft')}"`);
    expect(keyOf(html)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('saves drafts from the button (303) and from apply.js (JSON with the CSRF header)', async () => {
    const { client } = await withDraft();
    const saved = await client.post(path('/draft'), { fullName: '髙橋 𠮷子 😀', q_motivation: '途中まで' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${path()}?saved=1`);
    const page = await (await client.get(`${path()}?saved=1`)).text();
    expect(page).toContain('一時保存しました');
    expect(page).toContain('value="髙橋 𠮷子 😀"');
    expect(page).toContain('途中まで</textarea>');

    const fetchLike = (body: Record<string, string>, token: string | null) =>
      app.request(path('/draft'), {
        method: 'POST',
        body: new URLSearchParams(body),
        headers: {
          cookie: client.cookieHeader(),
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          ...(token ? { 'x-csrf-token': token } : {}),
        },
      });
    const ok = await fetchLike({ fullName: '自動 保存' }, await client.csrfToken());
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, message: expect.stringMatching(/^保存しました/) });
    const tooLong = await fetchLike({ fullName: 'あ'.repeat(101) }, await client.csrfToken());
    expect(tooLong.status).toBe(422);
    expect(await tooLong.json()).toMatchObject({ ok: false, errors: { fullName: expect.any(String) } });
    expect((await fetchLike({ fullName: 'x' }, null)).status).toBe(403);
    const form = await client.post(path('/draft'), { fullName: 'あ'.repeat(101) });
    expect(form.status).toBe(422);
    expect(await form.text()).toContain('氏名は100文字以内で入力してください');
  });

  it('answers a bad submission with 422, messages at the fields and the values kept', async () => {
    const { client, html } = await withDraft();
    const key = keyOf(html);
    const res = await client.post(path('/submit'), { ...FILLED, fullName: '', idempotencyKey: key });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain('入力内容に誤りがあります');
    expect(body).toContain('href="#f-fullName"');
    expect(body).toMatch(/id="f-fullName"[^>]*aria-invalid="true"/);
    expect(body).toContain('value="テスト大学"');
    expect(keyOf(body)).toBe(key);
  });

  it('submits once: a repeat shows the same success page, another form is told it is already done', async () => {
    const { client, html, user } = await withDraft();
    const key = keyOf(html);
    const form = { ...FILLED, email: user.email, idempotencyKey: key };
    const first = await client.post(path('/submit'), form);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(path('/complete'));
    const done = await (await client.get(path('/complete'))).text();
    const number = /DXQ-2026-\d{6}/.exec(done)?.[0];
    expect(number).toBeDefined();
    expect(done).toContain('申込みを受け付けました');

    const again = await client.post(path('/submit'), form);
    expect(again.headers.get('location')).toBe(path('/complete'));
    const other = await client.post(path('/submit'), { ...form, idempotencyKey: 'x'.repeat(43) });
    expect(other.status).toBe(409);
    const otherHtml = await other.text();
    expect(otherHtml).toContain('既に申し込み済みです');
    expect(otherHtml).toContain(number);
    const mails = await env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', user.email)
      .execute();
    expect(mails.filter((m) => m.template === 'application_received')).toHaveLength(1);
    expect((await client.get(path())).status).toBe(200);
  });

  it('stores script and SQL text as typed and shows it escaped', async () => {
    const { client, html, user } = await withDraft();
    const evil = "<script>alert('x')</script>";
    const sqlText = "'; drop table applications; --";
    const res = await client.post(path('/submit'), {
      ...FILLED,
      email: user.email,
      fullName: evil,
      affiliation: sqlText,
      idempotencyKey: keyOf(html),
    });
    expect(res.status).toBe(303);
    const row = await env.db
      .selectFrom('applications')
      .selectAll()
      .where('applicant_user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.full_name).toBe(evil);
    expect(row.affiliation).toBe(sqlText);
    const detail = await (await client.get(`/my/applications/${row.id}`)).text();
    expect(detail).not.toContain(evil);
    expect(detail).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(detail).toContain('drop table applications');
  });

  it('refuses a submission at the closing second and keeps the draft', async () => {
    const real = env.clock.now();
    const closesAt = new Date(Math.floor(real.getTime() / 1000) * 1000 + 60_000);
    const closing = await makeProgramme(env, orgId, { closes_at: closesAt });
    const { client, user } = await learnerClient(app, env);
    await client.post(`/programmes/${closing}/apply/eligibility`, { e_age: 'yes' });
    const html = await (await client.get(`/programmes/${closing}/apply`)).text();
    try {
      env.clock.set(closesAt);
      const res = await client.post(`/programmes/${closing}/apply/submit`, {
        ...FILLED,
        email: user.email,
        idempotencyKey: keyOf(html),
      });
      expect(res.status).toBe(409);
      const text = await res.text();
      expect(text).toContain('締め切りました');
      expect(text).toContain('下書きとして残っています');
    } finally {
      env.clock.set(real);
    }
    const row = await env.db
      .selectFrom('applications')
      .select(['status', 'number'])
      .where('applicant_user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'draft', number: null });
  });

  it("acts only on the signed-in learner's own draft: another learner cannot reach it", async () => {
    const owner = await withDraft();
    await owner.client.post(path('/draft'), { fullName: '本人 の 下書き' });
    const other = await learnerClient(app, env);
    // No application id travels in these forms: the other learner's posts find no draft of their own.
    const submitted = await other.client.post(path('/submit'), {
      ...FILLED,
      idempotencyKey: keyOf(owner.html),
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(path());
    expect((await other.client.post(path('/draft'), { fullName: '乗っ取り' })).status).toBe(303);
    const row = await env.db
      .selectFrom('applications')
      .select(['full_name', 'status'])
      .where('applicant_user_id', '=', owner.user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ full_name: '本人 の 下書き', status: 'draft' });
    const mine = await env.db
      .selectFrom('applications')
      .select('id')
      .where('applicant_user_id', '=', other.user.id)
      .execute();
    expect(mine).toEqual([]);
  });

  it('lets no staff account apply, and refuses every POST without the CSRF token', async () => {
    const { client: staff } = await staffClient(app, env, 'regional_hub');
    expect((await staff.get(path())).status).toBe(403);
    expect((await staff.post(path('/eligibility'), { e_age: 'yes' })).status).toBe(403);
    expect((await staff.post(path('/submit'), FILLED)).status).toBe(403);
    const anon = new Client(app, env);
    expect((await anon.post(path('/eligibility'), { e_age: 'yes' })).status).toBe(401);
    const { client } = await withDraft();
    for (const step of ['/eligibility', '/draft', '/submit']) {
      expect((await client.post(path(step), { ...FILLED, e_age: 'yes' }, { csrf: false })).status).toBe(403);
    }
  });
});
