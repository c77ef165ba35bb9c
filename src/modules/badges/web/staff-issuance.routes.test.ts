import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '../../../jobs/runner.js';
import { type TestApp, testApp } from '../../../test/app.js';
import { makeApplication } from '../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { makeProgramme } from '../../../test/factories.js';
import type { AchievementView } from '../achievement.presenter.js';
import { publishedAchievement } from '../badges.test-support.js';
import { badgeHandlers } from '../issuance.jobs.js';
import { ISSUE_BATCH_JOB } from '../issuance.service.js';
import { idIn, location, postMultipart, type StaffUser, staffUser, textOf } from './staff-test-support.js';

/**
 * The issuing pages (issue 4 §4) through the real app on a real database: one badge by form, the completion
 * list's templates, a dry run from a CSV and from a programme's enrolled learners with every row's status,
 * starting the job, the progress page (refreshing itself only when asked to) and the final report, the
 * validation errors (422) and tenancy (another organisation's batch or organisation is 404).
 */
describe.each(dbKinds())('staff issuing pages on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let other: StaffUser;
  let achievement: AchievementView;
  const runJobs = () => runDueJobs(env, badgeHandlers, { workerId: 'test', names: [ISSUE_BATCH_JOB] });

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    other = await staffUser(app, env, 'regional_hub', 'admin');
    achievement = await publishedAchievement(env, hub.actor, { key: 'regional-2026' });
  });
  afterAll(async () => {
    await env?.close();
  });

  const page = async (u: StaffUser, path: string, status = 200) => {
    const res = await u.client.get(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };
  const org = () => hub.actor.org.id;

  it('issues one badge from the form; the same again issues nothing new', async () => {
    const form = await page(hub, '/admin/badges/issue');
    expect(form).toContain(`<option value="${achievement.id}">`);
    const fields = {
      orgId: org(),
      achievementId: achievement.id,
      email: 'Single@Example.jp',
      name: '髙橋 𠮷子',
      evidenceUrl: 'https://example.jp/works/1',
      narrative: '最終提案を行った',
      format: 'jwt',
    };
    const res = await hub.client.post('/admin/badges/issue', fields);
    const to = location(res);
    expect(to).toMatch(/^\/admin\/badges\/credentials\/[0-9a-f-]{36}\?done=issued$/);
    const shown = await page(hub, to);
    expect(shown).toContain('バッジを発行し、受領者に受け取り用のリンクをメールで送りました');
    expect(shown).toContain('髙橋 𠮷子');
    expect(shown).toContain('single@example.jp');
    expect(shown).toContain(`/badges/${idIn(to)}.jwt`);
    const mail = await env.db
      .selectFrom('mail_outbox')
      .select(['template', 'body_text'])
      .where('to_address', '=', 'single@example.jp')
      .executeTakeFirstOrThrow();
    expect(mail.template).toBe('badge_issued');
    expect(mail.body_text).toContain(`/badges/${idIn(to)}?claim=`);

    const again = await hub.client.post('/admin/badges/issue', fields);
    expect(location(again)).toBe(`/admin/badges/credentials/${idIn(to)}?done=existing`);
  });

  it('answers 422 with every field’s message', async () => {
    const res = await hub.client.post('/admin/badges/issue', {
      orgId: org(),
      achievementId: '',
      email: 'not-an-email',
      name: '',
      evidenceUrl: 'ftp://example.jp/x',
      format: 'ldp',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const f of ['achievementId', 'email', 'name', 'evidenceUrl'])
      expect(html).toContain(`href="#f-${f}"`);
    expect(html).toContain('value="not-an-email"');
    // Another organisation's achievement is not on offer: the same field error, nothing issued.
    const foreign = await publishedAchievement(env, other.actor);
    const res2 = await hub.client.post('/admin/badges/issue', {
      orgId: org(),
      achievementId: foreign.id,
      email: 'x@example.jp',
      name: '他 太郎',
      format: 'ldp',
    });
    expect(res2.status).toBe(422);
    expect(await res2.text()).toContain('公開中のバッジだけ発行できます');
  });

  it('offers the completion list templates in the right columns', async () => {
    const bulk = await page(hub, '/admin/badges/bulk');
    expect(bulk).toContain(`/admin/badges/bulk/template.xlsx?org=${org()}`);
    const xlsx = await hub.client.get(`/admin/badges/bulk/template.xlsx?org=${org()}`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const header = wb.worksheets[0]?.getRow(1).values as unknown[];
    expect(header.slice(1)).toEqual(['メールアドレス', '氏名', 'バッジ', '根拠URL', '所見']);
    expect(wb.worksheets[0]?.rowCount).toBe(1);
    expect(JSON.stringify(wb.worksheets[1]?.getSheetValues())).toContain('regional-2026');
    const csv = await hub.client.get(`/admin/badges/bulk/template.csv?org=${org()}`);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs (Response.text() drops it)
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(
      '\uFEFF"メールアドレス","氏名","バッジ","根拠URL","所見"\r\n',
    );
    expect((await other.client.get(`/admin/badges/bulk/template.xlsx?org=${org()}`)).status).toBe(404);
  });

  it('dry-runs a CSV, reports each row, issues the good rows and shows the progress and the result', async () => {
    const csv = [
      'メールアドレス,氏名,バッジ',
      'bulk1@example.jp,山田 太郎,regional-2026',
      'not-an-email,佐藤 次郎,regional-2026',
      'bulk2@example.jp,髙橋 𠮷子,',
    ].join('\r\n');
    const res = await postMultipart(
      hub.client,
      '/admin/badges/bulk/upload',
      { orgId: org(), achievementId: achievement.id, format: 'ldp' },
      { file: { name: 'completion.csv', bytes: new TextEncoder().encode(csv) } },
    );
    const batch = location(res);
    expect(batch).toMatch(/^\/admin\/badges\/batches\/[0-9a-f-]{36}$/);
    const report = await page(hub, batch);
    const text = textOf(report);
    expect(report).toContain('<h1>一括発行の確認結果</h1>');
    expect(text).toContain('3行目 not-an-email 佐藤 次郎');
    expect(text).toContain('メールアドレスの形式が正しくありません。');
    expect(text).toMatch(/4行目 bulk2@example\.jp 髙橋 𠮷子 地域企業協働プログラム 修了\(第1版\) 発行予定/);
    expect(report).toContain('>発行する</button>');
    expect(report).not.toContain('http-equiv="refresh"');
    const problems = textOf(await page(hub, `${batch}?rows=problems`));
    expect(problems).toContain('not-an-email');
    expect(problems).not.toContain('bulk1@example.jp');

    // Another organisation can neither see nor start it.
    await page(other, batch, 404);
    expect((await other.client.post(`${batch}/start`, {})).status).toBe(404);

    const started = await hub.client.post(`${batch}/start`, { auto: 'yes' });
    expect(location(started)).toBe(`${batch}?done=started&auto=1`);
    const progress = await page(hub, location(started));
    expect(progress).toContain('<h1>一括発行の進み具合</h1>');
    expect(progress).toContain(`<meta http-equiv="refresh" content="5;url=${batch}?auto=1"/>`);
    expect(progress).toContain('自動更新を止める');
    expect(await page(hub, batch)).not.toContain('http-equiv="refresh"');
    expect((await hub.client.post(`${batch}/start`, {})).status).toBe(409);

    expect(await runJobs()).toBe(1);
    const done = await page(hub, `${batch}?auto=1`);
    expect(done).toContain('<h1>一括発行の結果</h1>');
    expect(done).not.toContain('http-equiv="refresh"');
    expect(textOf(done)).toContain('発行済み2件');
    expect(textOf(done)).toMatch(/2行目 bulk1@example\.jp 山田 太郎 .* 発行済み/);
    expect(done).toMatch(/href="\/admin\/badges\/credentials\/[0-9a-f-]{36}">発行済み</);
    for (const to of ['bulk1@example.jp', 'bulk2@example.jp']) {
      const mail = await env.db
        .selectFrom('mail_outbox')
        .select('body_text')
        .where('to_address', '=', to)
        .executeTakeFirstOrThrow();
      expect(mail.body_text).toMatch(/\/badges\/[0-9a-f-]{36}\?claim=/);
    }
    const list = textOf(await page(hub, '/admin/badges/batches'));
    expect(list).toContain('completion.csv 完了 3 2 1');
    await page(other, `/admin/badges/batches?org=${org()}`, 404);
  });

  it('answers 422 for an upload without a file and reports a file with wrong columns', async () => {
    const none = await postMultipart(hub.client, '/admin/badges/bulk/upload', {
      orgId: org(),
      format: 'ldp',
    });
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('ファイルを選んでください');
    const wrong = await postMultipart(
      hub.client,
      '/admin/badges/bulk/upload',
      { orgId: org(), format: 'ldp' },
      { file: { name: 'x.csv', bytes: new TextEncoder().encode('a,b\r\n1,2\r\n') } },
    );
    const report = await page(hub, location(wrong));
    expect(report).toContain('ファイルに問題があるため、発行できません');
    expect(report).toContain('必須の列「メールアドレス」がありません');
    expect(report).not.toContain('>発行する</button>');
    const forged = await postMultipart(
      other.client,
      '/admin/badges/bulk/upload',
      { orgId: org(), format: 'ldp' },
      { file: { name: 'x.csv', bytes: new TextEncoder().encode('email,name\r\na@example.jp,A\r\n') } },
    );
    expect(forged.status).toBe(404);
  });

  it('dry-runs the enrolled learners of a programme', async () => {
    const programmeId = await makeProgramme(env, org(), { title: '東北 受講者プログラム' });
    await makeApplication(env, programmeId, {
      status: 'enrolled',
      fullName: '受講 一郎',
      email: 'e1@example.jp',
    });
    await makeApplication(env, programmeId, {
      status: 'enrolled',
      fullName: '受講 二郎',
      email: 'e2@example.jp',
    });
    await makeApplication(env, programmeId, {
      status: 'accepted',
      fullName: '合格 三郎',
      email: 'e3@example.jp',
    });
    const bulk = await page(hub, '/admin/badges/bulk');
    expect(bulk).toContain('東北 受講者プログラム');
    const none = await hub.client.post('/admin/badges/bulk/programme', { orgId: org(), 'p-format': 'ldp' });
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('href="#f-p-programmeId"');
    // No achievement is linked to the programme: the form says to choose one.
    const unlinked = await hub.client.post('/admin/badges/bulk/programme', {
      orgId: org(),
      'p-programmeId': programmeId,
      'p-format': 'ldp',
    });
    expect(unlinked.status).toBe(422);
    expect(await unlinked.text()).toContain('発行するバッジを選んでください');
    const res = await hub.client.post('/admin/badges/bulk/programme', {
      orgId: org(),
      'p-programmeId': programmeId,
      'p-achievementId': achievement.id,
      'p-format': 'ldp',
    });
    const report = textOf(await page(hub, location(res)));
    expect(report).toContain('プログラム「東北 受講者プログラム」の受講確定者');
    expect(report).toContain('受講 一郎');
    expect(report).toContain('受講 二郎');
    expect(report).not.toContain('合格 三郎');
    const forged = await other.client.post('/admin/badges/bulk/programme', {
      orgId: other.actor.org.id,
      'p-programmeId': programmeId,
      'p-achievementId': achievement.id,
      'p-format': 'ldp',
    });
    expect(forged.status).toBe(422);
  });
});
