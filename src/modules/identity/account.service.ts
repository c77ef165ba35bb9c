import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { queueMail } from '../notifications/mail.service.js';
import {
  consumeToken,
  findUserByEmail,
  findUserById,
  insertToken,
  insertUser,
  invalidateTokens,
  setDisplayName,
  setEmail,
  setPassword,
  setPendingTotp,
} from './identity.repository.js';
import { requireRecentAuth } from './identity.service.js';
import { hashPassword } from './password.js';
import { hit, LIMITS } from './rate-limit.js';
import { deleteUserSessions, listMemberships, updateSession } from './session.repository.js';

type SignedIn = Extract<Actor, { type: 'staff' | 'learner' }>;
type Current = { token: string; reauth_at: Date | null; id_hash: string };

function signedIn(actor: Actor): SignedIn {
  if (actor.type !== 'staff' && actor.type !== 'learner')
    throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  return actor;
}

export async function getAccount(deps: Deps, actor: Actor) {
  const a = signedIn(actor);
  const user = await findUserById(deps.db, a.userId);
  if (!user) throw new AppError('NOT_FOUND', 'アカウントが見つかりません');
  return {
    email: user.email,
    displayName: user.display_name,
    kind: user.kind,
    mfaEnrolled: !!user.totp_enrolled_at,
  };
}

/**
 * Staff who belong to several organisations choose which one they act for; the choice is kept in the
 * server-side session (never a request parameter on later requests) and audited.
 */
export async function switchOrganisation(deps: Deps, actor: Actor, current: Current, orgId: string) {
  const a = signedIn(actor);
  if (a.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
  await transaction(deps, async (tx) => {
    const memberships = await listMemberships(tx, a.userId);
    if (!memberships.some((m) => m.organisation_id === orgId)) {
      throw new AppError('FORBIDDEN', 'この組織のメンバーではありません');
    }
    await updateSession(tx, current.id_hash, { active_organisation_id: orgId });
    await audit(
      deps,
      tx,
      a,
      'identity.organisation.switched',
      { type: 'organisation', id: orgId },
      { from: a.org.id },
    );
  });
}

export async function updateProfile(deps: Deps, actor: Actor, input: { displayName: string }) {
  const a = signedIn(actor);
  await transaction(deps, async (tx) => {
    await setDisplayName(tx, a.userId, input.displayName, deps.clock.now());
    await audit(deps, tx, a, 'identity.profile.updated', { type: 'user', id: a.userId });
  });
}

/** Needs re-authentication; other sessions end; the address gets a notice (SECURITY.md, IPA #6). */
export async function changePassword(
  deps: Deps,
  actor: Actor,
  current: Current,
  input: { password: string },
) {
  const a = signedIn(actor);
  if (a.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
  requireRecentAuth(deps, current);
  const passwordHash = await hashPassword(input.password);
  await transaction(deps, async (tx) => {
    await setPassword(tx, a.userId, passwordHash, deps.clock.now());
    await deleteUserSessions(tx, a.userId, current.id_hash);
    await queueMail(deps, tx, { to: a.email, template: 'password_changed', data: {} });
    await audit(deps, tx, a, 'identity.password.changed', { type: 'user', id: a.userId });
  });
}

/** Step 1 of an e-mail change: a link to the new address proves it is theirs. */
export async function requestEmailChange(
  deps: Deps,
  actor: Actor,
  current: Current,
  input: { email: string },
) {
  const a = signedIn(actor);
  requireRecentAuth(deps, current);
  await hit(deps, LIMITS.mailPerAddress, input.email);
  if (input.email === a.email) {
    throw new AppError('VALIDATION', '現在と同じメールアドレスです', {
      fields: { email: '現在と同じメールアドレスです' },
    });
  }
  const token = newToken();
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    await invalidateTokens(tx, 'email_change', input.email, now);
    await insertToken(tx, {
      purpose: 'email_change',
      tokenHash: hashToken(token),
      userId: a.userId,
      email: input.email,
      now,
      expiresAt: new Date(now.getTime() + 60 * 60_000),
    });
    // The answer does not say whether the new address is already someone's; the link will refuse then.
    await queueMail(deps, tx, {
      to: input.email,
      template: 'email_change_verify',
      data: { url: `${deps.config.baseUrl}/account/email/confirm/${token}` },
    });
    await audit(deps, tx, a, 'identity.email_change.requested', { type: 'user', id: a.userId });
  });
}

export async function confirmEmailChange(deps: Deps, actor: Actor, token: string) {
  const a = signedIn(actor);
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    const t = await consumeToken(tx, 'email_change', hashToken(token), now);
    if (!t || t.user_id !== a.userId)
      throw new AppError('NOT_FOUND', 'このリンクは無効か、有効期限が切れています。');
    if (await findUserByEmail(tx, t.email)) {
      throw new AppError('CONFLICT', 'このメールアドレスは既に使われています。');
    }
    const user = await findUserById(tx, a.userId);
    if (!user) throw new AppError('NOT_FOUND', 'アカウントが見つかりません');
    await setEmail(tx, a.userId, t.email, now);
    await queueMail(deps, tx, {
      to: user.email,
      template: 'email_changed_notice',
      data: { newEmail: maskEmail(t.email) },
    });
    await audit(deps, tx, a, 'identity.email.changed', { type: 'user', id: a.userId });
  });
}

/** Replaces the authenticator: clears the secret and sends this session back to enrolment. */
export async function resetOwnMfa(deps: Deps, actor: Actor, current: Current) {
  const a = signedIn(actor);
  if (a.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
  requireRecentAuth(deps, current);
  await transaction(deps, async (tx) => {
    await setPendingTotp(tx, a.userId, null);
    await deleteUserSessions(tx, a.userId, current.id_hash);
    await updateSession(tx, current.id_hash, { stage: 'mfa_enrol' });
    await queueMail(deps, tx, { to: a.email, template: 'mfa_reset_notice', data: {} });
    await audit(deps, tx, a, 'identity.mfa.reset', { type: 'user', id: a.userId });
  });
}

/**
 * Creates a staff account (invitation acceptance, CLI, seed) inside the caller's transaction. The account
 * must enrol TOTP at its first sign-in.
 */
export async function createStaffAccount(
  deps: Deps,
  tx: Database,
  input: { email: string; displayName: string; password: string },
): Promise<string> {
  if (await findUserByEmail(tx, input.email)) {
    throw new AppError('CONFLICT', 'このメールアドレスのアカウントは既にあります', {
      fields: { email: 'このメールアドレスのアカウントは既にあります' },
    });
  }
  return insertUser(tx, {
    email: input.email,
    displayName: input.displayName,
    kind: 'staff',
    passwordHash: await hashPassword(input.password),
    now: deps.clock.now(),
  });
}

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 2)}${'*'.repeat(Math.max(1, local.length - 2))}@${domain}`;
}
