import type { Role } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { requireRecentAuth } from '../identity/identity.service.js';
import { hit, LIMITS } from '../identity/rate-limit.js';
import { queueMail } from '../notifications/mail.service.js';
import * as invitations from './invitation.repository.js';
import { ROLE_LABEL } from './organisation.labels.js';
import * as repo from './organisation.repository.js';
import type { InvitationInput } from './organisation.schema.js';
import { orgNotFound, orgScope } from './organisation.scope.js';

// Use cases about who belongs to an organisation. Each: authorise → one transaction → audit → mail.

export const INVITATION_DAYS = 7;

/** The session's re-authentication time; null only for the system actor (CLI), which has no session. */
export type RecentAuth = { reauth_at: Date | null } | null;

/**
 * SECURITY.md (IPA #6): changing someone's role or taking their access away needs a recent password + TOTP
 * confirmation, so a session left open on a shared desk cannot be used to hand out or remove access.
 */
function requireReauth(deps: Deps, actor: Actor, current: RecentAuth): void {
  if (actor.type === 'system') return;
  requireRecentAuth(deps, current ?? { reauth_at: null });
}

const fieldError = (field: string, message: string) =>
  new AppError('VALIDATION', message, { fields: { [field]: message } });
const lastAdmin = () =>
  new AppError('INVALID_STATE', '組織には管理者が1人以上必要です。先に別の方を管理者にしてください。');
const memberNotFound = () => new AppError('NOT_FOUND', 'メンバーが見つかりません');

/**
 * Invites an address to an organisation with a role. The link's token is stored only as a hash; it is valid
 * for 7 days; an earlier open invitation of the same address to the same organisation is revoked, so only
 * the newest link works.
 */
export async function inviteMember(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: InvitationInput,
): Promise<{ invitationId: string; expiresAt: Date }> {
  const scope = await orgScope(deps, actor, 'memberships.invite', orgId);
  // Mails to one address are limited, whoever sends them (identity/rate-limit.ts: invitations included).
  await hit(deps, LIMITS.mailPerAddress, input.email);
  const token = newToken();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 24 * 3_600_000);
  return transaction(deps, async (tx) => {
    const org = await repo.findOrganisation(tx, scope);
    if (!org) throw orgNotFound();
    if (org.status !== 'active') throw new AppError('INVALID_STATE', 'この組織は利用を終了しています');
    if (await repo.isMemberByEmail(tx, scope, input.email)) {
      throw fieldError('email', 'このメールアドレスの方は既にこの組織のメンバーです');
    }
    const account = await repo.findAccountByEmail(tx, input.email);
    if (account && account.kind !== 'staff') {
      // One address, one account: a learner account cannot become a staff account by invitation.
      throw fieldError(
        'email',
        'このメールアドレスは受講生アカウントで使われているため、職員として招待できません',
      );
    }
    const replaced = await invitations.revokeOpenInvitationsFor(tx, scope, input.email, now);
    const invitationId = await invitations.insertInvitation(tx, scope, {
      email: input.email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: actorUserId(actor),
      now,
      expiresAt,
    });
    await audit(
      deps,
      tx,
      actor,
      'memberships.invited',
      { type: 'invitation', id: invitationId },
      {
        organisationId: scope.orgId,
        email: input.email,
        role: input.role,
        replaced,
      },
    );
    await queueMail(deps, tx, {
      to: input.email,
      template: 'invitation',
      data: {
        orgName: org.name,
        roleLabel: ROLE_LABEL[input.role],
        acceptUrl: `${deps.config.baseUrl}/invitations/${token}`,
        expiresAt,
      },
    });
    return { invitationId, expiresAt };
  });
}

export async function revokeInvitation(
  deps: Deps,
  actor: Actor,
  orgId: string,
  invitationId: string,
): Promise<void> {
  // Whoever may invite may also take an open invitation back.
  const scope = await orgScope(deps, actor, 'memberships.invite', orgId);
  await transaction(deps, async (tx) => {
    const revoked = await invitations.revokeInvitation(tx, scope, invitationId, deps.clock.now());
    if (!revoked) throw new AppError('NOT_FOUND', '取り消せる招待が見つかりません');
    await audit(
      deps,
      tx,
      actor,
      'memberships.invitation_revoked',
      { type: 'invitation', id: invitationId },
      {
        organisationId: scope.orgId,
        email: revoked.email,
        role: revoked.role,
      },
    );
  });
}

export async function changeRole(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: { userId: string; role: Role },
  current: RecentAuth,
): Promise<void> {
  const scope = await orgScope(deps, actor, 'memberships.changeRole', orgId);
  requireReauth(deps, actor, current);
  await transaction(deps, async (tx) => {
    // The lock makes "count the admins, then demote one" safe against two admins demoting each other at once.
    if (!(await repo.lockOrganisation(tx, scope))) throw orgNotFound();
    const m = await repo.findMembership(tx, scope, input.userId);
    if (!m) throw memberNotFound();
    if (m.role === input.role) return;
    if (m.role === 'admin' && (await repo.countAdmins(tx, scope)) <= 1) throw lastAdmin();
    await repo.setMemberRole(tx, scope, input.userId, input.role);
    await audit(
      deps,
      tx,
      actor,
      'memberships.role_changed',
      { type: 'user', id: input.userId },
      {
        organisationId: scope.orgId,
        from: m.role,
        to: input.role,
      },
    );
    const org = await repo.findOrganisation(tx, scope);
    await queueMail(deps, tx, {
      to: m.email,
      template: 'role_changed',
      data: { orgName: org?.name ?? '', fromLabel: ROLE_LABEL[m.role], toLabel: ROLE_LABEL[input.role] },
    });
  });
}

export async function removeMember(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: { userId: string },
  current: RecentAuth,
): Promise<void> {
  const scope = await orgScope(deps, actor, 'memberships.remove', orgId);
  requireReauth(deps, actor, current);
  await transaction(deps, async (tx) => {
    if (!(await repo.lockOrganisation(tx, scope))) throw orgNotFound();
    const m = await repo.findMembership(tx, scope, input.userId);
    if (!m) throw memberNotFound();
    if (m.role === 'admin' && (await repo.countAdmins(tx, scope)) <= 1) throw lastAdmin();
    await repo.deleteMembership(tx, scope, input.userId);
    await audit(
      deps,
      tx,
      actor,
      'memberships.removed',
      { type: 'user', id: input.userId },
      {
        organisationId: scope.orgId,
        role: m.role,
      },
    );
    const org = await repo.findOrganisation(tx, scope);
    await queueMail(deps, tx, {
      to: m.email,
      template: 'membership_removed',
      data: { orgName: org?.name ?? '' },
    });
  });
}
