import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.js';
import { enqueue, findJob } from '../../jobs/queue.js';
import { runDueJobs } from '../../jobs/runner.js';
import type { LearnerActor, StaffActor } from '../../lib/actor.js';
import { isAppError } from '../../lib/errors.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { findMail } from './mail.repository.js';
import {
  getOutboxMail,
  listOutbox,
  MAIL_MAX_ATTEMPTS,
  MAIL_SEND_JOB,
  mailHandlers,
  queueMail,
  sendMail,
} from './mail.service.js';
import { maskEmail, renderMail, templateNames } from './mail.templates.js';

type Received = { mailFrom: string; rcptTo: string[]; raw: string };

/** A real SMTP server on 127.0.0.1 (no TLS, no auth) that keeps what it receives. */
async function startSmtp(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({
          mailFrom: from ? from.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / ?Q?), adjacent words joined before decoding UTF-8. */
function decodeWords(value: string): string {
  const words = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;
  const joined = value.replace(/\?=\s+=\?/g, '?==?');
  let out = '';
  let last = 0;
  let pending: Buffer[] = [];
  const flush = () => {
    out += Buffer.concat(pending).toString('utf8');
    pending = [];
  };
  for (const m of joined.matchAll(words)) {
    if (m.index > last) {
      flush();
      out += joined.slice(last, m.index);
    }
    const text = m[3] ?? '';
    pending.push(
      m[2]?.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' ')),
    );
    last = m.index + m[0].length;
  }
  flush();
  return out + joined.slice(last);
}

function qpBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes);
}

/** Just enough MIME for a single-part text/plain message as nodemailer writes it. */
function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const body =
    cte === 'base64'
      ? Buffer.from(encoded, 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? qpBytes(encoded.replace(/=\r\n/g, '')).toString('utf8')
        : encoded;
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

const secretariatStaff: StaffActor = {
  type: 'staff',
  userId: '00000000-0000-4000-8000-000000000001',
  email: 'staff@secretariat.example.jp',
  displayName: '事務局 職員',
  org: { id: '00000000-0000-4000-8000-0000000000a1', kind: 'secretariat', name: '事務局' },
  role: 'staff',
  ip: '127.0.0.1',
  requestId: 'req-1',
};
const hubStaff: StaffActor = {
  ...secretariatStaff,
  userId: '00000000-0000-4000-8000-000000000002',
  org: { id: '00000000-0000-4000-8000-0000000000b1', kind: 'regional_hub', name: '地域拠点' },
  role: 'admin',
};
const secretariatViewer: StaffActor = { ...secretariatStaff, role: 'viewer' };
const learner: LearnerActor = {
  type: 'learner',
  userId: '00000000-0000-4000-8000-000000000003',
  email: 'learner@example.jp',
  displayName: '受講 太郎',
  ip: null,
  requestId: null,
};

describe('mail templates', () => {
  it('render every template with a fixed subject, the signature and the automatic-mail note', () => {
    const data = {
      invitation: {
        orgName: '東京拠点\r\nBcc: x',
        roleLabel: '職員',
        acceptUrl: 'https://dxq.example/i/t',
        expiresAt: new Date('2026-04-08T00:00:00Z'),
      },
      magic_link: { url: 'https://dxq.example/m/t', minutes: 15 },
      password_reset: { url: 'https://dxq.example/r/t', minutes: 30 },
      password_changed: {},
      email_change_verify: { url: 'https://dxq.example/e/t' },
      email_changed_notice: { newEmail: 'taro.new@example.jp' },
      mfa_reset_notice: {},
      role_changed: { orgName: '東京拠点', fromLabel: '管理者', toLabel: '閲覧者' },
      membership_removed: { orgName: '東京拠点' },
      application_received: {
        number: 'DXQ-2026-000123',
        programmeTitle: '地域企業協働プログラム\r\nBcc: x',
        organisationName: '東京拠点',
        submittedAt: new Date('2026-04-08T00:00:00Z'),
        detailUrl: 'https://dxq.example/my/applications/a',
      },
      application_withdrawn: {
        number: 'DXQ-2026-000123',
        programmeTitle: '地域企業協働プログラム\r\nBcc: z',
        previousStatusLabel: '合格',
        withdrawnAt: new Date('2026-04-09T00:00:00Z'),
        detailUrl: 'https://dxq.example/admin/applications/a',
        effect: { kind: 'seat_freed', listUrl: 'https://dxq.example/admin/applications/programmes/p' },
      },
      programme_approved: {
        orgName: '東京拠点',
        programmeTitle: '<script>x</script>\r\nBcc: y',
        url: 'https://dxq.example/admin/programmes/p',
      },
      programme_returned: {
        orgName: '東京拠点',
        programmeTitle: '地域DX',
        comment: '募集期間を見直してください。\r\n定員も記入してください。',
        url: 'https://dxq.example/admin/programmes/p',
      },
      application_decision: {
        kind: 'accepted',
        text: '{氏名} 様\r\n「{プログラム名}」に合格しました。{不明}',
        values: {
          氏名: '<script>alert(1)</script>\r\nBcc: x {申込番号}',
          プログラム名: '地域DX',
          申込番号: 'DXQ-2026-000123',
          組織名: '東京拠点',
        },
      },
      badge_issued: {
        recipientName: '受講 太郎\r\nBcc: x',
        achievementName: '地域企業協働プログラム 修了',
        issuerName: '東京拠点',
        claimUrl: 'https://dxq.example/badges/b?claim=t',
        corrected: false,
      },
    } as const;
    for (const name of templateNames) {
      const m = renderMail(name, data[name] as never);
      expect(m.subject).toMatch(/^【マナビDX Quest】/);
      expect(m.text).toContain('マナビDX Quest 事務局');
      expect(m.text).toContain('自動で送信');
    }
    const inv = renderMail('invitation', data.invitation);
    expect(inv.subject).not.toContain('東京拠点');
    expect(inv.text).toContain('「東京拠点 Bcc: x」の職員');
    expect(inv.text).toContain('2026/04/08 09:00');
    const notice = renderMail('email_changed_notice', data.email_changed_notice);
    expect(notice.text).toContain('t***@example.jp');
    expect(notice.text).not.toContain('taro.new');
    expect(maskEmail('a@b.example')).toBe('a***@b.example');
    const received = renderMail('application_received', data.application_received);
    expect(received.subject).toBe('【マナビDX Quest】お申込みを受け付けました');
    expect(received.text).toContain('申込番号: DXQ-2026-000123');
    expect(received.text).toContain('「地域企業協働プログラム Bcc: x」');
    expect(received.text).toContain('2026/04/08 09:00:00');
    const approved = renderMail('programme_approved', data.programme_approved);
    expect(approved.subject).toBe('【マナビDX Quest】プログラムの公開が承認されました');
    expect(approved.text).toContain('「<script>x</script> Bcc: y」');
    const returned = renderMail('programme_returned', data.programme_returned);
    expect(returned.subject).not.toContain('地域DX');
    expect(returned.text).toContain('募集期間を見直してください。\n定員も記入してください。');
    expect(returned.text).toContain('https://dxq.example/admin/programmes/p');
    expect(() => renderMail('magic_link', { url: 'javascript:alert(1)', minutes: 15 })).toThrow();
    const decided = renderMail('application_decision', data.application_decision);
    expect(decided.subject).toBe('【マナビDX Quest】選考結果のお知らせ');
    expect(decided.subject).not.toContain('合格');
    // Filled once, on one line each: a value that looks like a placeholder is not expanded again.
    expect(decided.text).toContain(
      '<script>alert(1)</script> Bcc: x {申込番号} 様\n「地域DX」に合格しました。{不明}',
    );
    expect(decided.text).toContain('申込番号: DXQ-2026-000123\nプログラム: 地域DX\n運営: 東京拠点');
    const enrolled = renderMail('application_decision', { ...data.application_decision, kind: 'enrolled' });
    expect(enrolled.subject).toBe('【マナビDX Quest】受講確定のお知らせ');
    const badge = renderMail('badge_issued', data.badge_issued);
    expect(badge.subject).toBe('【マナビDX Quest】デジタルバッジ(修了証)が発行されました');
    expect(badge.subject).not.toContain('地域企業協働');
    expect(badge.text).toContain('受講 太郎 Bcc: x 様');
    expect(badge.text).toContain('「東京拠点」から「地域企業協働プログラム 修了」のデジタルバッジ');
    expect(badge.text).toContain('https://dxq.example/badges/b?claim=t');
    const corrected = renderMail('badge_issued', { ...data.badge_issued, corrected: true });
    expect(corrected.subject).toBe('【マナビDX Quest】デジタルバッジ(修了証)を再発行しました');
    expect(() =>
      renderMail('badge_issued', { ...data.badge_issued, claimUrl: 'javascript:alert(1)' }),
    ).toThrow();
  });
});

describe.each(dbKinds())('mail outbox on %s', (kind) => {
  let env: TestEnv;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const withSmtp = (url: string | undefined): Deps => ({ ...env, config: { ...env.config, smtpUrl: url } });
  const run = (deps: Deps) => runDueJobs(deps, mailHandlers, { workerId: 'test', names: [MAIL_SEND_JOB] });
  const queue = (deps: Deps, to: string) =>
    deps.db.transaction().execute((tx) =>
      queueMail(deps, tx, {
        to,
        template: 'magic_link',
        data: { url: 'https://dxq.example/m/abc', minutes: 15 },
      }),
    );

  beforeAll(async () => {
    env = await createTestEnv(kind);
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    await env.db.deleteFrom('jobs').execute();
    await env.db.deleteFrom('mail_outbox').execute();
  });

  it('sends through SMTP with From, To, Subject and body from the template, and only once', async () => {
    const deps = withSmtp(smtp.url);
    const id = await queue(deps, ' Taro@Example.JP ');
    expect(await run(deps)).toBe(1);
    expect(smtp.received).toHaveLength(1);
    const got = smtp.received[0] as Received;
    expect(got.mailFrom).toBe('no-reply@dxq.test');
    expect(got.rcptTo).toEqual(['taro@example.jp']);
    const { headers, body } = parseMessage(got.raw);
    expect(headers.from).toBe('no-reply@dxq.test');
    expect(headers.to).toBe('taro@example.jp');
    expect(headers.subject).toBe('【マナビDX Quest】ログイン用リンクのお知らせ');
    expect(headers['content-type']).toMatch(/^text\/plain; charset=utf-8/i);
    expect(body).toContain('https://dxq.example/m/abc');
    expect(body).toContain('有効期限は 15 分');
    expect(body).toContain('マナビDX Quest 事務局');
    const row = await findMail(env.db, id);
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      message_id: headers['message-id'],
    });
    expect(row?.sent_at).toBeInstanceOf(Date);

    // Running the job again (a second job for the same mail, or the handler directly) sends nothing.
    await enqueue(env.db, MAIL_SEND_JOB, { mailId: id });
    expect(await run(deps)).toBe(1);
    await sendMail(deps, { mailId: id }, { id: 0, attempts: 1, maxAttempts: 1 });
    expect(smtp.received).toHaveLength(1);
  });

  it('refuses an address with CR/LF (header injection) or a second recipient, and stores nothing', async () => {
    const bad = [
      'taro@example.jp\r\nBcc: evil@example.com',
      'taro@example.jp\nSubject: hi',
      'taro@example.jp,evil@example.com',
      'Taro <taro@example.jp>',
      `${'a'.repeat(250)}@example.jp`,
      '',
    ];
    for (const to of bad) {
      const e = await queue(env, to).catch((err: unknown) => err);
      expect(isAppError(e, 'VALIDATION'), JSON.stringify(to)).toBe(true);
    }
    const n = await env.db
      .selectFrom('mail_outbox')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirst();
    expect(n?.n).toBe(0);
  });

  it('writes the outbox row and its job only if the caller’s transaction commits', async () => {
    await expect(
      env.db.transaction().execute(async (tx) => {
        await queueMail(env, tx, { to: 'taro@example.jp', template: 'password_changed', data: {} });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const jobs = await env.db.selectFrom('jobs').select('id').execute();
    const mails = await env.db.selectFrom('mail_outbox').select('id').execute();
    expect([jobs.length, mails.length]).toEqual([0, 0]);
  });

  it('keeps the mail in the outbox as "stored" when no SMTP server is configured', async () => {
    const deps = withSmtp(undefined);
    const id = await queue(deps, 'taro@example.jp');
    expect(await run(deps)).toBe(1);
    expect(await findMail(env.db, id)).toMatchObject({ status: 'stored', sent_at: null });
  });

  it('retries while the SMTP server is down, then marks the mail failed', async () => {
    const down = await startSmtp();
    await down.close(); // the port is now closed: connections are refused
    const deps = withSmtp(down.url);
    const id = await queue(deps, 'taro@example.jp');
    expect(await run(deps)).toBe(1);
    let row = await findMail(env.db, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row?.last_error).toMatch(/ECONNREFUSED|connect/i);
    const job = await env.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'queued', attempts: 1, max_attempts: MAIL_MAX_ATTEMPTS });
    for (let i = 1; i < MAIL_MAX_ATTEMPTS; i++) {
      env.clock.advance(3_600_000 + 1000);
      expect(await run(deps)).toBe(1);
    }
    row = await findMail(env.db, id);
    expect(row).toMatchObject({ status: 'failed', attempts: MAIL_MAX_ATTEMPTS });
    expect(await findJob(env.db, job.id)).toMatchObject({ status: 'failed', attempts: MAIL_MAX_ATTEMPTS });
    env.clock.advance(24 * 3_600_000);
    expect(await run(deps)).toBe(0);
  });

  it('lets only secretariat admins and staff read the outbox, and audits each mail read', async () => {
    const id = await queue(env, 'hanako@example.jp');
    await queue(env, 'jiro@example.jp');
    for (const actor of [hubStaff, learner, secretariatViewer]) {
      const list = await listOutbox(env, actor, {}).catch((e: unknown) => e);
      expect(isAppError(list, 'FORBIDDEN')).toBe(true);
      const one = await getOutboxMail(env, actor, id).catch((e: unknown) => e);
      expect(isAppError(one, 'FORBIDDEN')).toBe(true);
    }
    const page = await listOutbox(env, secretariatStaff, { page: '1', q: 'HANAKO' });
    expect(page).toMatchObject({ total: 1, page: 1, pageCount: 1 });
    expect(page.items.map((m) => m.to)).toEqual(['hanako@example.jp']);
    expect(page.items[0]).not.toHaveProperty('body');
    expect((await listOutbox(env, secretariatStaff, { page: 'x' })).total).toBe(2);
    expect((await listOutbox(env, secretariatStaff, { q: '%' })).total).toBe(0);

    const mail = await getOutboxMail(env, secretariatStaff, id);
    expect(mail.body).toContain('https://dxq.example/m/abc');
    const audits = await env.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'notifications.outbox.view')
      .where('subject_id', '=', id)
      .execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor_user_id: secretariatStaff.userId, subject_type: 'mail' });
    const missing = await getOutboxMail(env, secretariatStaff, 'not-a-uuid').catch((e: unknown) => e);
    expect(isAppError(missing, 'NOT_FOUND')).toBe(true);
  });
});
