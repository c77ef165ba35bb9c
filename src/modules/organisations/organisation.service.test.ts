import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganisationKind, Role } from '../../db/schema.js';
import { anonymous, type StaffActor, systemActor } from '../../lib/actor.js';
import { type ErrorCode, isAppError } from '../../lib/errors.js';
import { hashToken } from '../../lib/tokens.js';
import { makeOrg, makeUser } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { acceptInvitation, viewInvitation } from './invitation.service.js';
import { changeRole, inviteMember, removeMember, revokeInvitation } from './membership.service.js';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  updateOrganisation,
} from './organisation.service.js';

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok' | 'other'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
}

let seq = 0;
const mail = (p: string) => `${p}-${Date.now().toString(36)}-${seq++}@example.jp`;

describe.each(dbKinds())('organisation services on %s', (kind) => {
  let env: TestEnv;
  let secAdmin: StaffActor;
  const fresh = { reauth_at: new Date() };

  async function staff(orgKind: OrganisationKind, role: Role, orgId?: string): Promise<StaffActor> {
    const id = orgId ?? (await makeOrg(env, orgKind));
    const u = await makeUser(env, { orgId: id, role });
    return {
      type: 'staff',
      userId: u.id,
      email: u.email,
      displayName: 'テスト',
      org: { id, kind: orgKind, name: 'x' },
      role,
      ip: '192.0.2.1',
      requestId: 'req-1',
    };
  }

  async function auditRows(action: string) {
    return env.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  }

  async function tokenFromOutbox(to: string): Promise<string> {
    const m = await env.db
      .selectFrom('mail_outbox')
      .select('body_text')
      .where('to_address', '=', to)
      .where('template', '=', 'invitation')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const t = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(m.body_text)?.[1];
    if (!t) throw new Error('no invitation link in the mail');
    return t;
  }

  beforeAll(async () => {
    env = await createTestEnv(kind, { baseUrl: 'https://dxq.example.jp' });
    fresh.reauth_at = env.clock.now();
    secAdmin = await staff('secretariat', 'admin');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('creates and updates an organisation with audit rows', async () => {
    const id = await createOrganisation(env, secAdmin, {
      name: '北海道DXハブ',
      nameEn: null,
      kind: 'regional_hub',
      prefectureCode: 1,
    });
    const created = await auditRows('organisations.created');
    expect(created.at(-1)).toMatchObject({ subject_id: id, actor_user_id: secAdmin.userId, ip: '192.0.2.1' });
    expect(created.at(-1)?.details).toMatchObject({ name: '北海道DXハブ', prefecture: 1 });

    await updateOrganisation(env, secAdmin, id, {
      name: '北海道DXハブ協議会',
      nameEn: 'Hokkaido DX Hub',
      kind: 'regional_hub',
      prefectureCode: 1,
    });
    const d = await getOrganisation(env, secAdmin, id);
    expect(d.org).toMatchObject({
      name: '北海道DXハブ協議会',
      nameEn: 'Hokkaido DX Hub',
      prefectureName: '北海道',
    });
    const updated = await auditRows('organisations.updated');
    expect(updated.at(-1)?.details).toEqual({
      changed: {
        name: { from: '北海道DXハブ', to: '北海道DXハブ協議会' },
        nameEn: { from: null, to: 'Hokkaido DX Hub' },
      },
    });
  });

  it('refuses a duplicate name as a field error', async () => {
    const input = { name: `重複-${seq++}`, nameEn: null, kind: 'ministry' as const, prefectureCode: null };
    await createOrganisation(env, secAdmin, input);
    await expect(createOrganisation(env, secAdmin, input)).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { name: expect.any(String) },
    });
  });

  it('lets only secretariat admins create organisations', async () => {
    const input = { name: `新規-${seq++}`, nameEn: null, kind: 'ministry' as const, prefectureCode: null };
    expect(await codeOf(createOrganisation(env, await staff('secretariat', 'staff'), input))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(createOrganisation(env, await staff('regional_hub', 'admin'), input))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(createOrganisation(env, anonymous(), input))).toBe('UNAUTHENTICATED');
    expect(await codeOf(createOrganisation(env, systemActor('cli'), input))).toBe('ok');
  });

  it('lists organisations with member counts, filtered by kind', async () => {
    const hub = await staff('regional_hub', 'admin');
    const all = await listOrganisations(env, secAdmin);
    expect(all.find((o) => o.id === hub.org.id)).toMatchObject({ memberCount: 1, canView: true });
    const hubs = await listOrganisations(env, secAdmin, { kind: 'regional_hub' });
    expect(hubs.every((o) => o.kind === 'regional_hub')).toBe(true);
    const ministry = await staff('ministry', 'viewer');
    const seen = await listOrganisations(env, ministry);
    expect(seen.find((o) => o.id === hub.org.id)?.canView).toBe(false);
    expect(await codeOf(listOrganisations(env, hub))).toBe('FORBIDDEN');
  });

  it('invites: hashed token, 7 days, mail with the accept URL, earlier invitation revoked', async () => {
    const hub = await staff('regional_hub', 'admin');
    const to = mail('invitee');
    const first = await inviteMember(env, hub, hub.org.id, { email: to, role: 'staff' });
    const firstToken = await tokenFromOutbox(to);
    const second = await inviteMember(env, hub, hub.org.id, { email: to, role: 'admin' });
    const token = await tokenFromOutbox(to);
    expect(token).not.toBe(firstToken);
    expect(second.expiresAt.getTime() - env.clock.now().getTime()).toBe(7 * 24 * 3_600_000);

    const rows = await env.db
      .selectFrom('invitations')
      .selectAll()
      .where('email', '=', to)
      .orderBy('created_at')
      .execute();
    expect(rows.find((r) => r.id === first.invitationId)?.revoked_at).not.toBeNull();
    const open = rows.find((r) => r.id === second.invitationId);
    expect(open?.token_hash).toBe(hashToken(token));
    expect(open?.token_hash).not.toBe(token);

    const outbox = await env.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).execute();
    expect(outbox).toHaveLength(2);
    expect(outbox[0]?.body_text).toContain('https://dxq.example.jp/invitations/');
    const jobs = await env.db
      .selectFrom('jobs')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('name', '=', 'mail.send')
      .executeTakeFirstOrThrow();
    expect(jobs.n).toBeGreaterThanOrEqual(2);
    const audited = await auditRows('memberships.invited');
    expect(audited.at(-1)?.details).toMatchObject({
      email: to,
      role: 'admin',
      replaced: [first.invitationId],
    });
    expect(JSON.stringify(audited)).not.toContain(token);

    expect(await viewInvitation(env, anonymous(), firstToken)).toMatchObject({ state: 'revoked' });
    expect(await viewInvitation(env, anonymous(), token)).toMatchObject({
      state: 'pending',
      account: 'none',
      role: 'admin',
    });
  });

  it('refuses to invite an existing member or a learner address', async () => {
    const hub = await staff('regional_hub', 'admin');
    await expect(
      inviteMember(env, hub, hub.org.id, { email: hub.email, role: 'staff' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', fields: { email: expect.any(String) } });
    const learner = await makeUser(env, { kind: 'learner' });
    await expect(
      inviteMember(env, hub, hub.org.id, { email: learner.email, role: 'staff' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('answers a cross-organisation attempt with NOT_FOUND and audits it', async () => {
    const a = await staff('regional_hub', 'admin');
    const b = await staff('regional_hub', 'admin');
    const before = (await auditRows('security.cross_org_denied')).length;
    expect(await codeOf(getOrganisation(env, b, a.org.id))).toBe('NOT_FOUND');
    expect(await codeOf(inviteMember(env, b, a.org.id, { email: mail('x'), role: 'admin' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(changeRole(env, b, a.org.id, { userId: a.userId, role: 'viewer' }, fresh))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(removeMember(env, b, a.org.id, { userId: a.userId }, fresh))).toBe('NOT_FOUND');
    expect(
      await codeOf(
        updateOrganisation(env, b, a.org.id, {
          name: 'x',
          nameEn: null,
          kind: 'regional_hub',
          prefectureCode: 1,
        }),
      ),
    ).toBe('NOT_FOUND');
    const rows = await auditRows('security.cross_org_denied');
    expect(rows.length - before).toBe(5);
    expect(rows.at(-1)).toMatchObject({
      actor_user_id: b.userId,
      actor_organisation_id: b.org.id,
      subject_id: a.org.id,
    });
    // Nothing changed in A.
    expect((await getOrganisation(env, a, a.org.id)).members).toEqual([
      expect.objectContaining({ userId: a.userId, role: 'admin' }),
    ]);
  });

  it('keeps at least one admin, changes roles and removes members', async () => {
    const admin = await staff('case_study_operator', 'admin');
    const other = await staff('case_study_operator', 'staff', admin.org.id);
    expect(
      await codeOf(changeRole(env, admin, admin.org.id, { userId: admin.userId, role: 'staff' }, fresh)),
    ).toBe('INVALID_STATE');
    expect(await codeOf(removeMember(env, admin, admin.org.id, { userId: admin.userId }, fresh))).toBe(
      'INVALID_STATE',
    );
    await changeRole(env, admin, admin.org.id, { userId: other.userId, role: 'admin' }, fresh);
    await changeRole(env, admin, admin.org.id, { userId: admin.userId, role: 'viewer' }, fresh);
    expect((await auditRows('memberships.role_changed')).at(-1)?.details).toMatchObject({
      from: 'admin',
      to: 'viewer',
      organisationId: admin.org.id,
    });
    // SECURITY.md: the person whose role changed is told by mail.
    const notice = await env.db
      .selectFrom('mail_outbox')
      .select(['template', 'body_text'])
      .where('to_address', '=', admin.email)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    expect(notice?.template).toBe('role_changed');
    expect(notice?.body_text).toContain('「管理者」から「閲覧者」');
    await removeMember(env, secAdmin, admin.org.id, { userId: admin.userId }, fresh);
    const d = await getOrganisation(env, secAdmin, admin.org.id);
    expect(d.members.map((m) => [m.userId, m.role])).toEqual([[other.userId, 'admin']]);
    expect(await codeOf(removeMember(env, secAdmin, admin.org.id, { userId: admin.userId }, fresh))).toBe(
      'NOT_FOUND',
    );
  });

  it('keeps one admin when two admins demote each other at the same time', async () => {
    const one = await staff('regional_hub', 'admin');
    const two = await staff('regional_hub', 'admin', one.org.id);
    const results = await Promise.all([
      codeOf(changeRole(env, one, one.org.id, { userId: two.userId, role: 'staff' }, fresh)),
      codeOf(changeRole(env, two, one.org.id, { userId: one.userId, role: 'staff' }, fresh)),
    ]);
    expect(results.sort()).toEqual(['INVALID_STATE', 'ok']);
    const d = await getOrganisation(env, secAdmin, one.org.id);
    expect(d.members.filter((m) => m.role === 'admin')).toHaveLength(1);
  });

  it('asks for re-authentication before role changes', async () => {
    const admin = await staff('regional_hub', 'admin');
    const other = await staff('regional_hub', 'staff', admin.org.id);
    expect(
      await codeOf(
        changeRole(env, admin, admin.org.id, { userId: other.userId, role: 'viewer' }, { reauth_at: null }),
      ),
    ).toBe('REAUTH_REQUIRED');
    expect(await codeOf(removeMember(env, admin, admin.org.id, { userId: other.userId }, null))).toBe(
      'REAUTH_REQUIRED',
    );
    expect(
      await codeOf(
        changeRole(env, systemActor('cli'), admin.org.id, { userId: other.userId, role: 'viewer' }, null),
      ),
    ).toBe('ok');
  });

  it('revokes an invitation within the scope only', async () => {
    const a = await staff('regional_hub', 'admin');
    const b = await staff('regional_hub', 'admin');
    const { invitationId } = await inviteMember(env, a, a.org.id, { email: mail('r'), role: 'viewer' });
    // B names A's invitation under B's own organisation: the scoped query finds nothing.
    expect(await codeOf(revokeInvitation(env, b, b.org.id, invitationId))).toBe('NOT_FOUND');
    await revokeInvitation(env, a, a.org.id, invitationId);
    expect(await codeOf(revokeInvitation(env, a, a.org.id, invitationId))).toBe('NOT_FOUND');
    expect((await auditRows('memberships.invitation_revoked')).at(-1)?.subject_id).toBe(invitationId);
  });

  it('accepts an invitation once, creating the account and membership', async () => {
    const hub = await staff('regional_hub', 'admin');
    const to = mail('new');
    await inviteMember(env, hub, hub.org.id, { email: to, role: 'staff' });
    const token = await tokenFromOutbox(to);
    const r = await acceptInvitation(env, anonymous(), token, {
      displayName: '新人 花子',
      password: 'a-long-passphrase-9',
    });
    expect(r).toEqual({ orgId: hub.org.id, newAccount: true });
    const d = await getOrganisation(env, hub, hub.org.id);
    expect(d.members.find((m) => m.email === to)).toMatchObject({ role: 'staff', displayName: '新人 花子' });
    expect(d.invitations).toEqual([]);
    expect(
      await codeOf(
        acceptInvitation(env, anonymous(), token, { displayName: 'x', password: 'a-long-passphrase-9' }),
      ),
    ).toBe('INVALID_STATE');
    expect((await auditRows('memberships.invitation_accepted')).at(-1)?.details).toMatchObject({
      organisationId: hub.org.id,
      newAccount: true,
    });
  });

  it('lets an existing staff account join when signed in as the invitee, and no one else', async () => {
    const hub = await staff('regional_hub', 'admin');
    const elsewhere = await staff('case_study_operator', 'staff');
    await inviteMember(env, hub, hub.org.id, { email: elsewhere.email, role: 'reviewer' });
    const token = await tokenFromOutbox(elsewhere.email);
    expect(await viewInvitation(env, anonymous(), token)).toMatchObject({
      account: 'staff',
      viewer: 'anonymous',
    });
    expect(
      await codeOf(
        acceptInvitation(env, anonymous(), token, { displayName: 'x', password: 'a-long-passphrase-9' }),
      ),
    ).toBe('CONFLICT');
    expect(await codeOf(acceptInvitation(env, hub, token, null))).toBe('FORBIDDEN');
    expect(await acceptInvitation(env, elsewhere, token, null)).toEqual({
      orgId: hub.org.id,
      newAccount: false,
    });
    const d = await getOrganisation(env, hub, hub.org.id);
    expect(d.members.find((m) => m.userId === elsewhere.userId)?.role).toBe('reviewer');
  });

  it('refuses expired and unknown tokens', async () => {
    const hub = await staff('regional_hub', 'admin');
    const to = mail('late');
    await inviteMember(env, hub, hub.org.id, { email: to, role: 'staff' });
    const token = await tokenFromOutbox(to);
    env.clock.advance(7 * 24 * 3_600_000 + 1);
    try {
      expect(await viewInvitation(env, anonymous(), token)).toMatchObject({ state: 'expired' });
      expect(
        await codeOf(
          acceptInvitation(env, anonymous(), token, { displayName: 'x', password: 'a-long-passphrase-9' }),
        ),
      ).toBe('INVALID_STATE');
    } finally {
      env.clock.advance(-(7 * 24 * 3_600_000 + 1));
    }
    expect(await viewInvitation(env, anonymous(), 'A'.repeat(43))).toBeUndefined();
    expect(await viewInvitation(env, anonymous(), '../../etc')).toBeUndefined();
    expect(await codeOf(acceptInvitation(env, anonymous(), 'nope', null))).toBe('NOT_FOUND');
  });
});
