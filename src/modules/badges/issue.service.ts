import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import type { CredentialFormat } from '../../db/schema-badges.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { normalizeMultiline, normalizeText } from '../../lib/text.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { queueMail, recipientSchema } from '../notifications/mail.service.js';
import {
  findAchievement,
  findPublishedVersionId,
  findVersionForIssue,
  type VersionForIssue,
} from './achievement.repository.js';
import * as badges from './badge.repository.js';
import { recordScope } from './badges.scope.js';
import { bakePng, bakeSvg } from './baking.js';
import {
  buildOpenBadgeCredential,
  type OpenBadgeCredential,
  type OpenBadgeInput,
  type SignedOpenBadgeCredential,
  signOpenBadge,
  signOpenBadgeJwt,
} from './credential.js';
import { ensureIssuerKey, issuerForCredential, signingKeyOf } from './issuer.service.js';
import type { SigningKey } from './keys.js';
import { pngSize } from './png-image.js';
import { BadgePoolError, type SigningKeyMaterial } from './pool/index.js';
import { MIN_STATUS_LIST_SIZE, secureRandomInt } from './status-list.js';
import * as statusLists from './status-list.repository.js';
import {
  allocateStatusEntry,
  STATUS_LIST_MAX_FILL,
  type StatusEntry,
  statusListUrl,
} from './status-list.service.js';
import { svgWrappingPng } from './svg-image.js';
import { credentialUrn, isUuid, paths, siteUrl } from './urls.js';

/**
 * Issuing one badge (issue 4 §4), the step single issuance, bulk issuance and corrections share: idempotent per
 * (achievement version, e-mail) — an earner who already holds a live badge of that version gets nothing new —
 * then a random status-list index, the credential built and signed (eddsa-rdfc-2022; VC-JWT as well on
 * request), PNG and SVG baked, the row stored, the claim mail queued and the issuance audited; storing, mail and
 * audit commit together or not at all.
 *
 * Signing (~4 ms of CPU) happens in the process's worker pool when it has one (`deps.badgePool`, decision 0020),
 * else in-process, by the same code path (`signBadge`). It happens *outside* the status list's row lock, which
 * serialises every issuance of an organisation: `prepareIssue` (no transaction) draws a candidate index in the
 * open list and signs with it; `storeIssue` (the caller's transaction) locks the list only to confirm that the
 * list is still the open one and the index still free — drawing again and signing again under the lock in the
 * rare case it is not (the list filled up, or another issuance took that index meanwhile) — then stores. The
 * unique (list, index) constraint stays the last word. `issueInTx` does both in one transaction (corrections,
 * which revoke the old badge in that same transaction), signing under the lock.
 */

/** What issuing needs from the issuer for a whole batch: its profile and its signing key. */
export type IssuingContext = {
  orgId: string;
  keyId: string;
  /** The key unsealed in this thread, for signing in-process. */
  key: SigningKey;
  /** The same key as the pool's workers take it: as stored, opened inside the worker (pool/protocol.ts). */
  keyMaterial: SigningKeyMaterial;
  issuer: OpenBadgeInput['issuer'];
};

/** Ensures the organisation's key (first issuance) and unseals it, in the caller's transaction. */
export async function issuingContext(
  deps: Deps,
  tx: Database,
  actor: Actor,
  orgId: string,
): Promise<IssuingContext> {
  const row = await ensureIssuerKey(deps, tx, actor, orgId);
  const key = await signingKeyOf(deps, row);
  return {
    orgId,
    keyId: row.id,
    key,
    keyMaterial: {
      kind: 'sealed',
      stored: { publicKey: key.publicKey(), sealedSecretKey: row.sealed_secret_key },
      serverSecret: deps.config.secretKey,
    },
    issuer: await issuerForCredential(deps, tx, orgId),
  };
}

export type IssueOne = {
  version: VersionForIssue;
  /** Normalised (recipientSchema). */
  email: string;
  name: string;
  userId?: string | null;
  evidenceUrl?: string | null;
  narrative?: string | null;
  format: CredentialFormat;
  batchId?: string | null;
  /** Corrections keep the original's awardedDate. */
  awardedAt?: Date;
  replacesId?: string | null;
  issuedBy: string | null;
};

export type IssueResult =
  | { kind: 'issued'; credentialId: string }
  | { kind: 'existing'; credentialId: string };

const DAY_MS = 86_400_000;

function credentialInput(
  deps: Deps,
  ctx: IssuingContext,
  one: IssueOne,
  id: string,
  now: Date,
  listUrl: string,
  index: number,
): OpenBadgeInput {
  const v = one.version;
  const base = deps.config.baseUrl;
  const evidence =
    one.evidenceUrl || one.narrative
      ? [
          {
            ...(one.evidenceUrl ? { id: one.evidenceUrl } : {}),
            ...(one.narrative ? { narrative: one.narrative } : {}),
          },
        ]
      : undefined;
  return {
    id: credentialUrn(id),
    issuer: ctx.issuer,
    validFrom: now,
    ...(v.valid_days ? { validUntil: new Date(now.getTime() + v.valid_days * DAY_MS) } : {}),
    awardedDate: one.awardedAt ?? now,
    recipient: { email: one.email },
    achievement: {
      id: siteUrl(base, paths.achievement(v.achievement_id, v.version)),
      name: v.name,
      description: v.description,
      criteria: { narrative: v.criteria_narrative },
      image: { id: siteUrl(base, paths.achievementImage(v.achievement_id, v.version, 'png')) },
      achievementType: v.achievement_type,
      inLanguage: v.in_language,
      version: String(v.version),
      alignments: v.alignments.map((a) => ({
        framework: { name: a.frameworkName, version: a.frameworkVersion },
        code: a.code,
        name: a.name,
        url: a.url,
      })),
    },
    ...(evidence ? { evidence } : {}),
    status: { statusListCredential: listUrl, statusListIndex: index },
  };
}

type Signed = { signed: SignedOpenBadgeCredential; jwt: string | null };

/** Signs in the worker pool if the process has one (and it works), else here: the same core functions. */
async function signBadge(
  deps: Deps,
  ctx: IssuingContext,
  unsigned: OpenBadgeCredential,
  created: Date,
  format: CredentialFormat,
): Promise<Signed> {
  const pool = deps.badgePool?.get() ?? null;
  if (pool) {
    try {
      const [signed, jwt] = await Promise.all([
        pool.sign(unsigned, ctx.keyMaterial, { created }),
        format === 'jwt' ? pool.sign(unsigned, ctx.keyMaterial, { format: 'jwt' }) : null,
      ]);
      return { signed, jwt };
    } catch (e) {
      // The pool itself failed (closed, workers that cannot start or died): sign here instead. A signing
      // error (bad credential, wrong key) comes back as itself and is the row's error, as in-process.
      if (!(e instanceof BadgePoolError)) throw e;
      deps.log.warn('badge pool unavailable: signing in-process', { error: e.message });
    }
  }
  const signed = await signOpenBadge(unsigned, ctx.key, { created });
  const jwt = format === 'jwt' ? await signOpenBadgeJwt(unsigned, ctx.key) : null;
  return { signed, jwt };
}

/** A badge built, signed and baked for a status entry, not stored yet. */
export type PreparedBadge = {
  one: IssueOne;
  id: string;
  now: Date;
  entry: StatusEntry;
  unsigned: OpenBadgeCredential;
  /** The exact signed text stored and served. */
  json: string;
  jwt: string | null;
  salt: string;
  bakedPng: Uint8Array;
  bakedSvg: string;
};

function checkIssuer(ctx: IssuingContext, one: IssueOne): void {
  if (one.version.organisation_id !== ctx.orgId)
    throw new Error('issuing: the achievement belongs to another issuer');
}

async function prepareBadge(
  deps: Deps,
  ctx: IssuingContext,
  one: IssueOne,
  entry: StatusEntry,
): Promise<PreparedBadge> {
  const v = one.version;
  if (!v.image_png) throw new AppError('INVALID_STATE', 'バッジ画像(PNG)がありません');
  const id = randomUUID();
  const now = deps.clock.now();
  const unsigned = buildOpenBadgeCredential(
    credentialInput(deps, ctx, one, id, now, entry.listUrl, entry.index),
  );
  const { signed, jwt } = await signBadge(deps, ctx, unsigned, now, one.format);
  // Baked images carry the form the earner asked for: the JWT when issued so, else the signed JSON.
  const json = JSON.stringify(signed);
  const baked = jwt ?? json;
  const svgBase = v.image_svg ?? svgWrappingPng(v.image_png, pngSize(v.image_png));
  return {
    one,
    id,
    now,
    entry,
    unsigned,
    json,
    jwt,
    salt: signed.credentialSubject.identifier[0]?.salt ?? '',
    bakedPng: bakePng(v.image_png, baked),
    bakedSvg: bakeSvg(svgBase, baked),
  };
}

/** Stores a prepared badge whose status entry is secured, queues the claim mail, audits: the caller's tx. */
async function storeBadge(
  deps: Deps,
  tx: Database,
  actor: Actor,
  ctx: IssuingContext,
  p: PreparedBadge,
): Promise<IssueResult> {
  const { one, id, now } = p;
  const v = one.version;
  const claimToken = newToken();
  await badges.insertCredential(tx, {
    id,
    organisation_id: ctx.orgId,
    achievement_version_id: v.id,
    issuer_key_id: ctx.keyId,
    recipient_user_id: one.userId ?? null,
    recipient_email: one.email,
    recipient_name: one.name,
    salt: p.salt,
    format: one.format,
    credential: p.json,
    jwt: p.jwt,
    status_list_id: p.entry.listId,
    status_index: p.entry.index,
    evidence_url: one.evidenceUrl ?? null,
    narrative: one.narrative ?? null,
    valid_from: now,
    valid_until: p.unsigned.validUntil ? new Date(p.unsigned.validUntil) : null,
    awarded_at: one.awardedAt ?? now,
    issued_at: now,
    issued_by: one.issuedBy,
    replaces_id: one.replacesId ?? null,
    claim_token_hash: hashToken(claimToken),
    batch_id: one.batchId ?? null,
    baked_png: p.bakedPng,
    baked_svg: p.bakedSvg,
  });
  await queueMail(deps, tx, {
    to: one.email,
    template: 'badge_issued',
    data: {
      recipientName: one.name,
      achievementName: v.name,
      issuerName: ctx.issuer.name,
      claimUrl: `${siteUrl(deps.config.baseUrl, paths.badge(id))}?claim=${claimToken}`,
      corrected: !!one.replacesId,
    },
  });
  await audit(
    deps,
    tx,
    actor,
    'badges.credential.issued',
    { type: 'credential', id },
    {
      achievementVersionId: v.id,
      format: one.format,
      batchId: one.batchId ?? null,
      replaces: one.replacesId ?? null,
    },
  );
  return { kind: 'issued', credentialId: id };
}

/** Issues one badge in the caller's transaction, signing under the status list's lock (corrections). */
export async function issueInTx(
  deps: Deps,
  tx: Database,
  actor: Actor,
  ctx: IssuingContext,
  one: IssueOne,
): Promise<IssueResult> {
  checkIssuer(ctx, one);
  const existing = await badges.findLive(tx, one.version.id, one.email);
  if (existing) return { kind: 'existing', credentialId: existing };
  if (!one.version.image_png) throw new AppError('INVALID_STATE', 'バッジ画像(PNG)がありません');
  const entry = await allocateStatusEntry(deps, tx, ctx.orgId);
  return storeBadge(deps, tx, actor, ctx, await prepareBadge(deps, ctx, one, entry));
}

// ——— issuing in two steps: sign outside the status list's lock ———

const CANDIDATE_TRIES = 16;

/**
 * `count` candidate entries in the organisation's open revocation list (opened now if there is none), drawn at
 * random, distinct, and unused when looked at. Nothing is reserved: `storeIssue` confirms each under the lock.
 */
export async function drawStatusEntries(deps: Deps, orgId: string, count: number): Promise<StatusEntry[]> {
  // A short transaction, only to find (or open) the list: its row lock is released at once.
  const list = await transaction(
    deps,
    async (tx) =>
      (await statusLists.lockOpenList(tx, orgId, 'revocation', STATUS_LIST_MAX_FILL)) ??
      (await statusLists.insertList(tx, orgId, 'revocation', MIN_STATUS_LIST_SIZE)),
  );
  const drawn = new Set<number>();
  const entries: StatusEntry[] = [];
  for (let n = 0; n < count; n++) {
    let index = secureRandomInt(list.size);
    for (let i = 0; i < CANDIDATE_TRIES; i++) {
      if (!drawn.has(index) && !(await statusLists.isIndexUsed(deps.db, list.id, index))) break;
      index = secureRandomInt(list.size); // a list half full: about one draw in two is taken
    }
    drawn.add(index);
    entries.push({ listId: list.id, index, listUrl: statusListUrl(deps, list.id) });
  }
  return entries;
}

/** Under the list's lock: the entry is still in the open list and unused; counted as used if so. */
async function confirmStatusEntry(tx: Database, orgId: string, entry: StatusEntry): Promise<boolean> {
  const list = await statusLists.lockOpenList(tx, orgId, 'revocation', STATUS_LIST_MAX_FILL);
  if (list?.id !== entry.listId || (await statusLists.isIndexUsed(tx, list.id, entry.index))) return false;
  await statusLists.countUsed(tx, list.id);
  return true;
}

export type PreparedIssue =
  | { kind: 'existing'; credentialId: string }
  | { kind: 'prepared'; badge: PreparedBadge };

/**
 * Step 1, outside any transaction (never call it inside one: PGlite has a single connection): the idempotency
 * check, then the badge built, signed (pool or in-process) and baked for a candidate entry (`drawStatusEntries`).
 */
export async function prepareIssue(
  deps: Deps,
  ctx: IssuingContext,
  one: IssueOne,
  entry?: StatusEntry,
): Promise<PreparedIssue> {
  checkIssuer(ctx, one);
  const existing = await badges.findLive(deps.db, one.version.id, one.email);
  if (existing) return { kind: 'existing', credentialId: existing };
  const candidate = entry ?? (await drawStatusEntries(deps, ctx.orgId, 1))[0];
  if (!candidate) throw new Error('issuing: no status entry drawn');
  return { kind: 'prepared', badge: await prepareBadge(deps, ctx, one, candidate) };
}

/**
 * Step 2, in the caller's transaction: the idempotency check again (the unique index decides a race), the
 * candidate entry confirmed under the list's lock — or, if the list filled up or the index was taken meanwhile,
 * a fresh one drawn and the badge signed again under the lock — then stored, mailed and audited.
 */
export async function storeIssue(
  deps: Deps,
  tx: Database,
  actor: Actor,
  ctx: IssuingContext,
  prepared: PreparedIssue,
): Promise<IssueResult> {
  if (prepared.kind === 'existing') return prepared;
  const { one } = prepared.badge;
  const existing = await badges.findLive(tx, one.version.id, one.email);
  if (existing) return { kind: 'existing', credentialId: existing };
  let badge = prepared.badge;
  if (!(await confirmStatusEntry(tx, ctx.orgId, badge.entry))) {
    badge = await prepareBadge(deps, ctx, one, await allocateStatusEntry(deps, tx, ctx.orgId));
  }
  return storeBadge(deps, tx, actor, ctx, badge);
}

/** A unique violation of the one-live-credential index: another transaction issued the same badge first. */
export function isDuplicateIssue(e: unknown): boolean {
  const err = e as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  return (
    err?.code === '23505' &&
    (err.constraint === 'credentials_one_live_per_recipient' ||
      String(err.message ?? '').includes('credentials_one_live_per_recipient'))
  );
}

const optionalUrl = z
  .string()
  .trim()
  .max(2000, 'URL が長すぎます')
  .refine(
    (v) => v === '' || (/^https?:\/\/\S+$/i.test(v) && URL.canParse(v)),
    'http(s) の URL を入力してください',
  )
  .transform((v) => v || null);

export const recipientFields = {
  email: recipientSchema,
  name: z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, '必須です').max(100, '100文字以内で入力してください')),
  evidenceUrl: optionalUrl.optional(),
  narrative: z
    .string()
    .transform(normalizeMultiline)
    .pipe(z.string().max(2000, '2000文字以内で入力してください'))
    .transform((v) => v || null)
    .optional(),
};

export const issueBadgeSchema = z.object({
  achievementId: z.uuid('バッジを選んでください'),
  ...recipientFields,
  format: z.enum(['ldp', 'jwt']).default('ldp'),
});
export type IssueBadgeInput = z.input<typeof issueBadgeSchema>;

function invalid(error: z.ZodError): AppError {
  const fields = Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message]));
  return new AppError('VALIDATION', '入力内容を確認してください', { fields });
}

/**
 * Issues one badge of an achievement's published version to one earner. Idempotent: if the earner already
 * holds a live badge of that version, nothing is issued and `created` is false.
 */
export async function issueBadge(
  deps: Deps,
  actor: Actor,
  input: IssueBadgeInput,
): Promise<{ credentialId: string; created: boolean }> {
  const parsed = issueBadgeSchema.safeParse(input);
  const achievementId = typeof input.achievementId === 'string' ? input.achievementId : '';
  const achievement = isUuid(achievementId) ? await findAchievement(deps.db, achievementId) : undefined;
  const scope = await recordScope(
    deps,
    actor,
    'badges.issue',
    { type: 'achievement', id: achievementId, what: 'バッジ(達成基準)' },
    achievement?.organisation_id,
  );
  if (!parsed.success) throw invalid(parsed.error);
  const data = parsed.data;
  const versionId = await findPublishedVersionId(deps.db, achievementId);
  if (!versionId) throw new AppError('INVALID_STATE', 'このバッジはまだ公開されていません');
  const published = async (db: Database) => {
    const version = await findVersionForIssue(db, versionId);
    if (version?.status !== 'published')
      throw new AppError('CONFLICT', 'バッジの版が変わりました。もう一度お試しください');
    return version;
  };
  // The issuer's key (made on the first issuance) first, then the badge signed outside any transaction, then
  // stored in one (see the top of this file).
  const version = await published(deps.db);
  const ctx = await transaction(deps, (tx) => issuingContext(deps, tx, actor, scope.orgId));
  const one: IssueOne = {
    version,
    email: data.email,
    name: data.name,
    evidenceUrl: data.evidenceUrl ?? null,
    narrative: data.narrative ?? null,
    format: data.format,
    issuedBy: actorUserId(actor),
  };
  let result: IssueResult;
  try {
    const prepared = await prepareIssue(deps, ctx, one);
    result = await transaction(deps, async (tx) => {
      await published(tx);
      return storeIssue(deps, tx, actor, ctx, prepared);
    });
  } catch (e) {
    if (!isDuplicateIssue(e)) throw e;
    const existing = await badges.findLive(deps.db, versionId, data.email);
    if (!existing) throw e;
    result = { kind: 'existing', credentialId: existing };
  }
  return { credentialId: result.credentialId, created: result.kind === 'issued' };
}
