import type { Database } from '../../db/client.js';
import type { TokenPurpose, UserKind } from '../../db/schema.js';

export type UserRow = {
  id: string;
  email: string;
  display_name: string;
  kind: UserKind;
  password_hash: string | null;
  totp_secret_enc: string | null;
  totp_enrolled_at: Date | null;
  totp_last_step: number | null;
  status: 'active' | 'disabled';
};

const userColumns = [
  'id',
  'email',
  'display_name',
  'kind',
  'password_hash',
  'totp_secret_enc',
  'totp_enrolled_at',
  'totp_last_step',
  'status',
] as const;

export function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(userColumns).where('email', '=', email).executeTakeFirst();
}

export function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export async function insertUser(
  db: Database,
  u: { email: string; displayName: string; kind: UserKind; passwordHash: string | null; now: Date },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      email: u.email,
      display_name: u.displayName,
      kind: u.kind,
      password_hash: u.passwordHash,
      password_changed_at: u.passwordHash ? u.now : null,
      totp_secret_enc: null,
      totp_enrolled_at: null,
      totp_last_step: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setPassword(
  db: Database,
  userId: string,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

export async function setPendingTotp(db: Database, userId: string, secretEnc: string | null): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret_enc: secretEnc, totp_enrolled_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute();
}

export async function confirmTotp(db: Database, userId: string, step: number, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_enrolled_at: now, totp_last_step: step, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** Records the used step only if it is newer than the last one: a code cannot be replayed. */
export async function useTotpStep(db: Database, userId: string, step: number): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setEmail(db: Database, userId: string, email: string, now: Date): Promise<void> {
  await db.updateTable('users').set({ email, updated_at: now }).where('id', '=', userId).execute();
}

export async function setDisplayName(db: Database, userId: string, name: string, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ display_name: name, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

export async function insertToken(
  db: Database,
  t: {
    purpose: TokenPurpose;
    tokenHash: string;
    userId: string | null;
    email: string;
    data?: Record<string, unknown>;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('one_time_tokens')
    .values({
      purpose: t.purpose,
      token_hash: t.tokenHash,
      user_id: t.userId,
      email: t.email,
      data: JSON.stringify(t.data ?? {}),
      created_at: t.now,
      expires_at: t.expiresAt,
    })
    .execute();
}

export type TokenRow = {
  id: string;
  purpose: TokenPurpose;
  user_id: string | null;
  email: string;
  data: Record<string, unknown>;
  expires_at: Date;
};

/** A token that is unused and unexpired, without using it (to show a confirmation page). */
export function peekToken(
  db: Database,
  purpose: TokenPurpose,
  tokenHash: string,
  now: Date,
): Promise<TokenRow | undefined> {
  return db
    .selectFrom('one_time_tokens')
    .select(['id', 'purpose', 'user_id', 'email', 'data', 'expires_at'])
    .where('purpose', '=', purpose)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Uses a token exactly once: the WHERE clause is the guard against two concurrent uses. */
export function consumeToken(
  db: Database,
  purpose: TokenPurpose,
  tokenHash: string,
  now: Date,
): Promise<TokenRow | undefined> {
  return db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('purpose', '=', purpose)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'purpose', 'user_id', 'email', 'data', 'expires_at'])
    .executeTakeFirst();
}

/** Earlier unused tokens of the same purpose stop working when a new one is issued. */
export async function invalidateTokens(
  db: Database,
  purpose: TokenPurpose,
  email: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('purpose', '=', purpose)
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .execute();
}

export async function deleteExpiredTokens(db: Database, before: Date): Promise<number> {
  const r = await db.deleteFrom('one_time_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
