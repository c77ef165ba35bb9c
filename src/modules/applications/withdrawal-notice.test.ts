import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../db/schema.js';
import type { LearnerActor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { makeUser } from '../../test/app.js';
import {
  codeOf,
  learnerActor,
  makeApplication,
  makeHubWithProgramme,
  startApplication,
  submitThroughForm,
} from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { makeProgramme } from '../../test/factories.js';
import { MAIL_SEND_JOB } from '../notifications/mail.service.js';
import { renderMail } from '../notifications/mail.templates.js';
import { withdrawApplication } from './my-applications.service.js';

// An applicant's withdrawal is told to the running organisation's desk (admins and staff), in the same
// transaction as the status change, with the application number and links but no personal data.

const BASE = 'https://dxq.example.jp';
const SEAT_FREED = '【マナビDX Quest】合格者の辞退がありました(補欠繰り上げのご確認)';
const WITHDRAWN = '【マナビDX Quest】申込みの取下げがありました';

describe('the withdrawal notice to the desk (template)', () => {
  const base = {
    number: 'DXQ-2026-000123',
    programmeTitle: '地域企業協働プログラム\r\nBcc: x',
    previousStatusLabel: '合格',
    withdrawnAt: new Date('2026-04-08T00:00:00Z'),
    detailUrl: 'https://dxq.example/admin/applications/a',
  };

  it('renders each effect with a fixed subject, values kept on their line', () => {
    const freed = renderMail('application_withdrawn', {
      ...base,
      effect: { kind: 'seat_freed', listUrl: 'https://dxq.example/admin/applications/programmes/p' },
    });
    expect(freed.subject).toBe(SEAT_FREED);
    expect(freed.text).toContain('「地域企業協働プログラム Bcc: x」');
    expect(freed.text).not.toContain('\r');
    expect(freed.text).toContain('申込番号: DXQ-2026-000123');
    expect(freed.text).toContain('取下げ前の状態: 合格');
    expect(freed.text).toContain('取下げ日時: 2026/04/08 09:00');
    expect(freed.text).toContain('補欠の先頭を繰り上げて合格にできます');
    expect(freed.text).toContain('https://dxq.example/admin/applications/programmes/p');
    expect(freed.text).toContain('https://dxq.example/admin/applications/a');
    expect(freed.text).toContain('マナビDX Quest 事務局');

    const waitlist = renderMail('application_withdrawn', {
      ...base,
      previousStatusLabel: '補欠',
      effect: { kind: 'left_waitlist' },
    });
    expect(waitlist.subject).toBe(WITHDRAWN);
    expect(waitlist.text).toContain('補欠の順番から外れました');
    expect(waitlist.text).not.toContain('繰り上げ');

    const plain = renderMail('application_withdrawn', { ...base, effect: { kind: 'none' } });
    expect(plain.subject).toBe(WITHDRAWN);
    expect(plain.text).not.toContain('補欠');
    expect(() =>
      renderMail('application_withdrawn', {
        ...base,
        detailUrl: 'javascript:alert(1)',
        effect: { kind: 'none' },
      }),
    ).toThrow();
  });
});

describe.each(dbKinds())('the withdrawal notice to the desk on %s', (kind) => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: BASE });
  });
  afterAll(async () => {
    await env?.close();
  });

  /** A hub with one member in each role, a disabled admin, and an admin of another organisation. */
  async function hub() {
    const { orgId, programmeId } = await makeHubWithProgramme(env);
    const member = async (role: Role, o: { orgId?: string } = {}) =>
      (await makeUser(env, { orgId: o.orgId ?? orgId, role })).email;
    const desk = [await member('admin'), await member('staff')].sort();
    const others = [await member('reviewer'), await member('viewer')];
    const disabled = await member('admin');
    await env.db.updateTable('users').set({ status: 'disabled' }).where('email', '=', disabled).execute();
    const foreign = await member('admin', { orgId: (await makeHubWithProgramme(env)).orgId });
    const programme = await env.db
      .selectFrom('programmes')
      .select('title')
      .where('id', '=', programmeId)
      .executeTakeFirstOrThrow();
    return { orgId, programmeId, title: programme.title, desk, notDesk: [...others, disabled, foreign] };
  }

  const notices = (number: string) =>
    env.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('template', '=', 'application_withdrawn')
      .where('body_text', 'like', `%${number}%`)
      .execute();
  const recipients = async (number: string) => (await notices(number)).map((m) => m.to_address).sort();
  const allNotices = async () =>
    (
      await env.db
        .selectFrom('mail_outbox')
        .select('id')
        .where('template', '=', 'application_withdrawn')
        .execute()
    ).length;

  /** An application of the learner in the given status, made directly (the desk's decisions have their tests). */
  async function applicationIn(a: LearnerActor, programmeId: string, status: 'accepted' | 'waitlisted') {
    return makeApplication(env, programmeId, {
      status,
      applicantUserId: a.userId,
      fullName: '辞退 次郎',
      furigana: 'ジタイ ジロウ',
      email: a.email,
      affiliation: '株式会社ひみつ',
    });
  }

  it('mails the desk (admins and staff, active, of this organisation) when an accepted applicant withdraws', async () => {
    const h = await hub();
    const a = await learnerActor(env);
    const app = await applicationIn(a, h.programmeId, 'accepted');
    const now = env.clock.now();
    await withdrawApplication(env, a, app.id);

    const mails = await notices(app.number);
    expect(await recipients(app.number)).toEqual(h.desk);
    for (const m of mails) {
      expect(h.notDesk).not.toContain(m.to_address);
      expect(m.status).toBe('queued');
      expect(m.subject).toBe(SEAT_FREED);
      expect(m.body_text).toContain(`「${h.title}」への申込みが、申込者本人により取り下げられました`);
      expect(m.body_text).toContain(`申込番号: ${app.number}`);
      expect(m.body_text).toContain('取下げ前の状態: 合格');
      expect(m.body_text).toContain(`取下げ日時: ${formatJst(now)} (日本時間)`);
      expect(m.body_text).toContain('補欠の先頭を繰り上げて合格にできます');
      expect(m.body_text).toContain(`${BASE}/admin/applications/programmes/${h.programmeId}`);
      expect(m.body_text).toContain(`${BASE}/admin/applications/${app.id}`);
      // Data minimisation: nothing that names or reaches the applicant.
      for (const personal of ['辞退 次郎', 'ジタイ ジロウ', '株式会社ひみつ', a.email]) {
        expect(m.body_text).not.toContain(personal);
        expect(m.subject).not.toContain(personal);
      }
    }
    // Each mail has its sending job, queued with it.
    const jobs = await env.db.selectFrom('jobs').selectAll().where('name', '=', MAIL_SEND_JOB).execute();
    const queuedFor = new Set(jobs.map((j) => (j.payload as { mailId?: string }).mailId));
    for (const m of mails) expect(queuedFor.has(m.id)).toBe(true);
    const row = await env.db
      .selectFrom('applications')
      .select(['status', 'withdrawn_at'])
      .where('id', '=', app.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'withdrawn', withdrawn_at: now });
  });

  it('says a waitlisted applicant left the queue, and a submitted one only withdrew', async () => {
    const h = await hub();
    const waiting = await learnerActor(env);
    const w = await applicationIn(waiting, h.programmeId, 'waitlisted');
    await withdrawApplication(env, waiting, w.id);
    const wMails = await notices(w.number);
    expect(await recipients(w.number)).toEqual(h.desk);
    expect(wMails[0]?.subject).toBe(WITHDRAWN);
    expect(wMails[0]?.body_text).toContain('取下げ前の状態: 補欠');
    expect(wMails[0]?.body_text).toContain('補欠の順番から外れました');
    expect(wMails[0]?.body_text).not.toContain('/programmes/');

    const applicant = await learnerActor(env);
    const s = await submitThroughForm(env, applicant, h.programmeId);
    await withdrawApplication(env, applicant, s.applicationId);
    const sMails = await notices(s.number);
    expect(await recipients(s.number)).toEqual(h.desk);
    expect(sMails[0]?.subject).toBe(WITHDRAWN);
    expect(sMails[0]?.body_text).toContain('取下げ前の状態: 申込み済み');
    expect(sMails[0]?.body_text).not.toContain('補欠');
    expect(sMails[0]?.body_text).toContain(`${BASE}/admin/applications/${s.applicationId}`);
    expect(sMails[0]?.body_text).not.toContain('山田 太郎');
  });

  it('skips a desk address that cannot be a recipient rather than refusing the withdrawal', async () => {
    const { orgId, programmeId } = await makeHubWithProgramme(env);
    await makeUser(env, { orgId, role: 'admin', email: `not-an-address-${Date.now()}` });
    const valid = (await makeUser(env, { orgId, role: 'staff' })).email;
    const a = await learnerActor(env);
    const app = await applicationIn(a, programmeId, 'accepted');
    expect(await codeOf(withdrawApplication(env, a, app.id))).toBe('ok');
    expect(await recipients(app.number)).toEqual([valid]);
  });

  it('tells nobody when a draft is withdrawn: the organisation never received it', async () => {
    const h = await hub();
    const a = await learnerActor(env);
    const draftId = await startApplication(env, a, h.programmeId);
    const before = await allNotices();
    await withdrawApplication(env, a, draftId);
    expect(await allNotices()).toBe(before);
  });

  it('queues nothing when the withdrawal is refused', async () => {
    const h = await hub();
    const owner = await learnerActor(env);
    // One application per person and programme: the rejected one is to a second programme of the hub.
    const rejected = await makeApplication(env, await makeProgramme(env, h.orgId), {
      status: 'rejected',
      applicantUserId: owner.userId,
    });
    const accepted = await applicationIn(owner, h.programmeId, 'accepted');
    const intruder = await learnerActor(env);
    const before = await allNotices();

    expect(await codeOf(withdrawApplication(env, owner, rejected.id))).toBe('INVALID_STATE');
    expect(await codeOf(withdrawApplication(env, intruder, accepted.id))).toBe('NOT_FOUND');
    expect(await allNotices()).toBe(before);

    // Two withdrawals at once (two tabs): one moves the application, the other is refused and its
    // transaction leaves nothing behind, so the desk hears once.
    const results = await Promise.all([
      codeOf(withdrawApplication(env, owner, accepted.id)),
      codeOf(withdrawApplication(env, owner, accepted.id)),
    ]);
    expect(results.sort()).toEqual(['INVALID_STATE', 'ok']);
    expect(await recipients(accepted.number)).toEqual(h.desk);
    expect(await codeOf(withdrawApplication(env, owner, accepted.id))).toBe('INVALID_STATE');
    expect(await allNotices()).toBe(before + h.desk.length);
  });
});
