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
  type OpenBadgeInput,
  signOpenBadge,
  signOpenBadgeJwt,
} from './credential.js';
import { ensureIssuerKey, issuerForCredential, signingKeyOf } from './issuer.service.js';
import type { SigningKey } from './keys.js';
import { pngSize } from './png-image.js';
import { allocateStatusEntry } from './status-list.service.js';
import { svgWrappingPng } from './svg-image.js';
import { credentialUrn, isUuid, paths, siteUrl } from './urls.js';

/**
 * Issuing one badge (issue 4 §4), the step single issuance, bulk issuance and corrections share: in the
 * caller's transaction, idempotent per (achievement version, e-mail) — an earner who already holds a live
 * badge of that version gets nothing new — then a random status-list index, the credential built and signed
 * (eddsa-rdfc-2022; VC-JWT as well on request), PNG and SVG baked, the row stored, the claim mail queued and
 * the issuance audited. All of it commits together or not at all.
 */

/** What issuing needs from the issuer for a whole batch: its profile and its unsealed signing key. */
export type IssuingContext = {
  orgId: string;
  keyId: string;
  key: SigningKey;
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
  return {
    orgId,
    keyId: row.id,
    key: await signingKeyOf(deps, row),
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

/** Issues one badge in the caller's transaction (see the top of this file). */
export async function issueInTx(
  deps: Deps,
  tx: Database,
  actor: Actor,
  ctx: IssuingContext,
  one: IssueOne,
): Promise<IssueResult> {
  const v = one.version;
  if (v.organisation_id !== ctx.orgId)
    throw new Error('issueInTx: the achievement belongs to another issuer');
  const existing = await badges.findLive(tx, v.id, one.email);
  if (existing) return { kind: 'existing', credentialId: existing };
  if (!v.image_png) throw new AppError('INVALID_STATE', 'バッジ画像(PNG)がありません');

  const entry = await allocateStatusEntry(deps, tx, ctx.orgId);
  const id = randomUUID();
  const now = deps.clock.now();
  const unsigned = buildOpenBadgeCredential(
    credentialInput(deps, ctx, one, id, now, entry.listUrl, entry.index),
  );
  const signed = await signOpenBadge(unsigned, ctx.key, { created: now });
  const jwt = one.format === 'jwt' ? await signOpenBadgeJwt(unsigned, ctx.key) : null;
  // Baked images carry the form the earner asked for: the JWT when issued so, else the signed JSON.
  const json = JSON.stringify(signed);
  const baked = jwt ?? json;
  const svgBase = v.image_svg ?? svgWrappingPng(v.image_png, pngSize(v.image_png));
  const claimToken = newToken();

  await badges.insertCredential(tx, {
    id,
    organisation_id: ctx.orgId,
    achievement_version_id: v.id,
    issuer_key_id: ctx.keyId,
    recipient_user_id: one.userId ?? null,
    recipient_email: one.email,
    recipient_name: one.name,
    salt: signed.credentialSubject.identifier[0]?.salt ?? '',
    format: one.format,
    credential: json,
    jwt,
    status_list_id: entry.listId,
    status_index: entry.index,
    evidence_url: one.evidenceUrl ?? null,
    narrative: one.narrative ?? null,
    valid_from: now,
    valid_until: unsigned.validUntil ? new Date(unsigned.validUntil) : null,
    awarded_at: one.awardedAt ?? now,
    issued_at: now,
    issued_by: one.issuedBy,
    replaces_id: one.replacesId ?? null,
    claim_token_hash: hashToken(claimToken),
    batch_id: one.batchId ?? null,
    baked_png: bakePng(v.image_png, baked),
    baked_svg: bakeSvg(svgBase, baked),
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
  const run = () =>
    transaction(deps, async (tx) => {
      const version = await findVersionForIssue(tx, versionId);
      if (version?.status !== 'published')
        throw new AppError('CONFLICT', 'バッジの版が変わりました。もう一度お試しください');
      const ctx = await issuingContext(deps, tx, actor, scope.orgId);
      return issueInTx(deps, tx, actor, ctx, {
        version,
        email: data.email,
        name: data.name,
        evidenceUrl: data.evidenceUrl ?? null,
        narrative: data.narrative ?? null,
        format: data.format,
        issuedBy: actorUserId(actor),
      });
    });
  let result: IssueResult;
  try {
    result = await run();
  } catch (e) {
    if (!isDuplicateIssue(e)) throw e;
    const existing = await badges.findLive(deps.db, versionId, data.email);
    if (!existing) throw e;
    result = { kind: 'existing', credentialId: existing };
  }
  return { credentialId: result.credentialId, created: result.kind === 'issued' };
}

/** The credential's issuing organisation, for scope checks of revoke/correct; NOT_FOUND for unknown ids. */
export async function credentialOwner(deps: Deps, credentialId: string): Promise<string | undefined> {
  if (!isUuid(credentialId)) return undefined;
  return badges.findOwner(deps.db, credentialId);
}
