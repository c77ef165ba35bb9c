import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, anonymous } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { decryptSecret, encryptSecret, hashToken, newToken } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { queueMail } from '../notifications/mail.service.js';
import {
  confirmTotp,
  consumeToken,
  findUserByEmail,
  findUserById,
  insertToken,
  insertUser,
  invalidateTokens,
  peekToken,
  setPassword,
  setPendingTotp,
  useTotpStep,
} from './identity.repository.js';
import { hashPassword, verifyPassword } from './password.js';
import { count, hit, isOver, LIMITS, reset } from './rate-limit.js';
import { deleteSession, deleteUserSessions, listMemberships, updateSession } from './session.repository.js';
import { type NewSession, startSession } from './session.service.js';
import { newTotpSecret, verifyTotp } from './totp.js';

const TOTP_PURPOSE = 'totp';
const RESET_MINUTES = 30;
export const REAUTH_WINDOW_MS = 5 * 60_000;

type Client = {
  ip: string | null;
  requestId: string | null;
  userAgent: string | null;
  currentToken?: string | undefined;
};

const loginFailed = () =>
  new AppError(
    'UNAUTHENTICATED',
    'メールアドレスまたはパスワードが正しくないか、しばらくログインできない状態です。',
    {
      fields: { _form: 'メールアドレスまたはパスワードが正しくないか、しばらくログインできない状態です。' },
    },
  );

/**
 * Staff sign-in, step 1: e-mail + password. Generic answers whether or not the account exists; failures are
 * counted per address and per account, and five failures in 15 minutes hold the account back (lock-out delay).
 * Success starts a session that can do nothing until MFA is passed (or enrolled, the first time).
 */
export async function passwordLogin(
  deps: Deps,
  client: Client,
  input: { email: string; password: string },
): Promise<NewSession & { stage: 'mfa_required' | 'mfa_enrol' }> {
  const actor = anonymous(client);
  await hit(deps, LIMITS.loginPerIp, client.ip ?? 'unknown');
  const locked = await isOver(deps, LIMITS.loginFailuresPerAccount, input.email);
  const user = await findUserByEmail(deps.db, input.email);
  const staff = user && user.kind === 'staff' && user.status === 'active' ? user : undefined;
  const ok = (await verifyPassword(staff?.password_hash ?? null, input.password)) && !locked;
  if (!ok || !staff) {
    await transaction(deps, async (tx) => {
      await audit(deps, tx, actor, 'identity.login.failure', staff ? { type: 'user', id: staff.id } : null, {
        email: input.email,
        reason: locked ? 'locked' : 'bad_credentials',
      });
    });
    await count(deps, LIMITS.loginFailuresPerAccount, input.email);
    throw loginFailed();
  }
  const stage = staff.totp_enrolled_at ? 'mfa_required' : 'mfa_enrol';
  return transaction(deps, async (tx) => {
    const s = await startSession(deps, tx, {
      userId: staff.id,
      stage,
      activeOrganisationId: null,
      replacesToken: client.currentToken,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    await audit(deps, tx, actor, 'identity.login.password_ok', { type: 'user', id: staff.id });
    return { ...s, stage };
  });
}

/** Staff sign-in, step 2: a TOTP code. Success rotates the session id again and opens the session fully. */
export async function verifyLoginMfa(
  deps: Deps,
  client: Client & { currentToken: string },
  session: { user_id: string; stage: string },
  code: string,
): Promise<NewSession> {
  if (session.stage !== 'mfa_required') throw new AppError('FORBIDDEN', 'この操作はできません');
  await hit(deps, LIMITS.loginPerIp, client.ip ?? 'unknown');
  const user = await findUserById(deps.db, session.user_id);
  if (!user?.totp_secret_enc || !user.totp_enrolled_at)
    throw new AppError('FORBIDDEN', 'この操作はできません');
  const now = deps.clock.now();
  const step = verifyTotp(
    decryptSecret(deps.config.secretKey, TOTP_PURPOSE, user.totp_secret_enc),
    code,
    now,
  );
  const subject = { type: 'user', id: user.id };
  if (step === null || !(await useTotpStep(deps.db, user.id, step))) {
    await count(deps, LIMITS.loginFailuresPerAccount, `mfa:${user.id}`);
    const tooMany = await isOver(deps, LIMITS.loginFailuresPerAccount, `mfa:${user.id}`);
    await transaction(deps, async (tx) => {
      await audit(deps, tx, anonymous(client), 'identity.mfa.failure', subject, { locked: tooMany });
      // Too many wrong codes end this half-open session: the password has to be given again.
      if (tooMany) await deleteSession(tx, hashToken(client.currentToken));
    });
    throw new AppError('VALIDATION', '確認コードが正しくありません', {
      fields: { code: '確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください' },
    });
  }
  await reset(deps, LIMITS.loginFailuresPerAccount, user.email);
  await reset(deps, LIMITS.loginFailuresPerAccount, `mfa:${user.id}`);
  return transaction(deps, (tx) => openStaffSession(deps, tx, client, user.id, 'password+totp'));
}

/** The last step of staff sign-in: a new full session (id rotated) on the first organisation, audited. */
async function openStaffSession(
  deps: Deps,
  tx: Database,
  client: Client & { currentToken: string },
  userId: string,
  method: string,
): Promise<NewSession> {
  const memberships = await listMemberships(tx, userId);
  const s = await startSession(deps, tx, {
    userId,
    stage: 'full',
    activeOrganisationId: memberships[0]?.organisation_id ?? null,
    replacesToken: client.currentToken,
    ip: client.ip,
    userAgent: client.userAgent,
    reauth: true,
  });
  await audit(
    deps,
    tx,
    anonymous(client),
    'identity.login.success',
    { type: 'user', id: userId },
    { method },
  );
  return s;
}

/** MFA enrolment: a new secret is kept (encrypted) as pending until the first code proves the app has it. */
export async function beginTotpEnrolment(
  deps: Deps,
  session: { user_id: string; stage: string },
): Promise<string> {
  if (session.stage !== 'mfa_enrol') throw new AppError('FORBIDDEN', 'この操作はできません');
  const user = await findUserById(deps.db, session.user_id);
  if (!user) throw new AppError('FORBIDDEN', 'この操作はできません');
  if (user.totp_secret_enc && !user.totp_enrolled_at) {
    return decryptSecret(deps.config.secretKey, TOTP_PURPOSE, user.totp_secret_enc);
  }
  const secret = newTotpSecret();
  await setPendingTotp(deps.db, user.id, encryptSecret(deps.config.secretKey, TOTP_PURPOSE, secret));
  return secret;
}

export async function confirmTotpEnrolment(
  deps: Deps,
  client: Client & { currentToken: string },
  session: { user_id: string; stage: string },
  code: string,
): Promise<NewSession> {
  if (session.stage !== 'mfa_enrol') throw new AppError('FORBIDDEN', 'この操作はできません');
  await hit(deps, LIMITS.loginPerIp, client.ip ?? 'unknown');
  const user = await findUserById(deps.db, session.user_id);
  if (!user?.totp_secret_enc || user.totp_enrolled_at)
    throw new AppError('FORBIDDEN', 'この操作はできません');
  const now = deps.clock.now();
  const step = verifyTotp(
    decryptSecret(deps.config.secretKey, TOTP_PURPOSE, user.totp_secret_enc),
    code,
    now,
  );
  if (step === null) {
    throw new AppError('VALIDATION', '確認コードが正しくありません', {
      fields: { code: '確認コードが正しくありません。アプリに登録した後に表示される6桁を入力してください' },
    });
  }
  return transaction(deps, async (tx) => {
    await confirmTotp(tx, user.id, step, now);
    await audit(deps, tx, anonymous(client), 'identity.mfa.enrolled', { type: 'user', id: user.id });
    return openStaffSession(deps, tx, client, user.id, 'password+totp_enrolment');
  });
}

/**
 * Learners and alumni: a single-use sign-in link valid for MAGIC_LINK_MINUTES (≤ 15). The answer is the same
 * whether or not the address is known; staff addresses get no link (staff sign in with password + MFA).
 */
export async function requestMagicLink(
  deps: Deps,
  client: Client,
  email: string,
  opts: { reauth?: boolean; next?: string | undefined } = {},
) {
  await hit(deps, LIMITS.mailPerIp, client.ip ?? 'unknown');
  const user = await findUserByEmail(deps.db, email);
  if (user && (user.kind !== 'learner' || user.status !== 'active')) return;
  await hit(deps, LIMITS.mailPerAddress, email);
  const token = newToken();
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    await invalidateTokens(tx, 'magic_link', email, now);
    await insertToken(tx, {
      purpose: 'magic_link',
      tokenHash: hashToken(token),
      userId: user?.id ?? null,
      email,
      // `next` (a local path, checked by the route) brings the learner back to where they were, e.g. applying.
      data: { ...(opts.reauth ? { reauth: true } : {}), ...(opts.next ? { next: opts.next } : {}) },
      now,
      expiresAt: new Date(now.getTime() + deps.config.magicLinkMs),
    });
    await queueMail(deps, tx, {
      to: email,
      template: 'magic_link',
      data: {
        url: `${deps.config.baseUrl}/login/link/${token}`,
        minutes: Math.round(deps.config.magicLinkMs / 60_000),
      },
    });
    await audit(
      deps,
      tx,
      anonymous(client),
      'identity.magic_link.requested',
      user ? { type: 'user', id: user.id } : null,
    );
  });
}

export async function magicLinkIsValid(deps: Deps, token: string): Promise<boolean> {
  return !!(await peekToken(deps.db, 'magic_link', hashToken(token), deps.clock.now()));
}

/** Uses the link once and signs the learner in, creating the learner account on first use. */
export async function consumeMagicLink(
  deps: Deps,
  client: Client,
  token: string,
): Promise<NewSession & { next: string | null }> {
  const now = deps.clock.now();
  return transaction(deps, async (tx) => {
    const t = await consumeToken(tx, 'magic_link', hashToken(token), now);
    if (!t)
      throw new AppError(
        'NOT_FOUND',
        'このリンクは無効か、有効期限が切れています。もう一度ログイン用リンクを請求してください。',
      );
    let user = await findUserByEmail(tx, t.email);
    if (user && (user.kind !== 'learner' || user.status !== 'active')) {
      throw new AppError('NOT_FOUND', 'このリンクは無効か、有効期限が切れています。');
    }
    const actor: Actor = anonymous(client);
    if (!user) {
      const id = await insertUser(tx, {
        email: t.email,
        displayName: t.email.split('@')[0] ?? t.email,
        kind: 'learner',
        passwordHash: null,
        now,
      });
      user = await findUserById(tx, id);
      if (!user) throw new Error('user vanished');
      await audit(deps, tx, actor, 'identity.learner.created', { type: 'user', id });
    }
    const s = await startSession(deps, tx, {
      userId: user.id,
      stage: 'full',
      activeOrganisationId: null,
      replacesToken: client.currentToken,
      ip: client.ip,
      userAgent: client.userAgent,
      reauth: t.data.reauth === true,
    });
    await audit(
      deps,
      tx,
      actor,
      'identity.login.success',
      { type: 'user', id: user.id },
      { method: 'magic_link' },
    );
    return { ...s, next: typeof t.data.next === 'string' ? t.data.next : null };
  });
}

export async function logout(deps: Deps, actor: Actor, token: string, userId: string | null): Promise<void> {
  await transaction(deps, async (tx) => {
    await deleteSession(tx, hashToken(token));
    if (userId) await audit(deps, tx, actor, 'identity.logout', { type: 'user', id: userId });
  });
}

/** Password reset by e-mail (staff). Generic answer; the link only sets a new password — MFA still applies. */
export async function requestPasswordReset(deps: Deps, client: Client, email: string): Promise<void> {
  await hit(deps, LIMITS.mailPerIp, client.ip ?? 'unknown');
  const user = await findUserByEmail(deps.db, email);
  if (user?.kind !== 'staff' || user.status !== 'active') return;
  await hit(deps, LIMITS.mailPerAddress, email);
  const token = newToken();
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    await invalidateTokens(tx, 'password_reset', email, now);
    await insertToken(tx, {
      purpose: 'password_reset',
      tokenHash: hashToken(token),
      userId: user.id,
      email,
      now,
      expiresAt: new Date(now.getTime() + RESET_MINUTES * 60_000),
    });
    await queueMail(deps, tx, {
      to: email,
      template: 'password_reset',
      data: { url: `${deps.config.baseUrl}/password/reset/${token}`, minutes: RESET_MINUTES },
    });
    await audit(deps, tx, anonymous(client), 'identity.password_reset.requested', {
      type: 'user',
      id: user.id,
    });
  });
}

export async function passwordResetIsValid(deps: Deps, token: string): Promise<boolean> {
  return !!(await peekToken(deps.db, 'password_reset', hashToken(token), deps.clock.now()));
}

export async function resetPassword(
  deps: Deps,
  client: Client,
  token: string,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    const t = await consumeToken(tx, 'password_reset', hashToken(token), now);
    if (!t?.user_id)
      throw new AppError(
        'NOT_FOUND',
        'このリンクは無効か、有効期限が切れています。もう一度お手続きください。',
      );
    await setPassword(tx, t.user_id, passwordHash, now);
    // Every session of the account ends; signing in again still asks for the TOTP code.
    await deleteUserSessions(tx, t.user_id);
    await queueMail(deps, tx, { to: t.email, template: 'password_changed', data: {} });
    await audit(deps, tx, anonymous(client), 'identity.password.reset', { type: 'user', id: t.user_id });
  });
}

/** Re-authentication before sensitive changes: password + a fresh TOTP code, valid for 5 minutes. */
export async function reauthenticate(
  deps: Deps,
  actor: Actor,
  client: Client & { currentToken: string },
  input: { password: string; code: string },
): Promise<void> {
  if (actor.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作はできません');
  await hit(deps, LIMITS.loginPerIp, client.ip ?? 'unknown');
  const user = await findUserById(deps.db, actor.userId);
  if (!user?.totp_secret_enc) throw new AppError('FORBIDDEN', 'この操作はできません');
  const passOk = await verifyPassword(user.password_hash, input.password);
  const step = verifyTotp(
    decryptSecret(deps.config.secretKey, TOTP_PURPOSE, user.totp_secret_enc),
    input.code,
    deps.clock.now(),
  );
  if (!passOk || step === null || !(await useTotpStep(deps.db, user.id, step))) {
    await transaction(deps, (tx) =>
      audit(deps, tx, actor, 'identity.reauth.failure', { type: 'user', id: user.id }),
    );
    throw new AppError('VALIDATION', 'パスワードまたは確認コードが正しくありません', {
      fields: { _form: 'パスワードまたは確認コードが正しくありません' },
    });
  }
  await transaction(deps, async (tx) => {
    await updateSession(tx, hashToken(client.currentToken), { reauth_at: deps.clock.now() });
    await audit(deps, tx, actor, 'identity.reauth.success', { type: 'user', id: user.id });
  });
}

export function requireRecentAuth(deps: Deps, session: { reauth_at: Date | null }): void {
  const at = session.reauth_at?.getTime() ?? 0;
  if (deps.clock.now().getTime() - at > REAUTH_WINDOW_MS) {
    throw new AppError('REAUTH_REQUIRED', '続けるには、もう一度本人確認をしてください');
  }
}
