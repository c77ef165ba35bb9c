import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { normalizeMultiline } from '../../lib/text.js';
import { audit } from '../audit/audit.service.js';
import { findPublishedVersionId, findVersionForIssue } from './achievement.repository.js';
import * as badges from './badge.repository.js';
import { findScoped } from './badges.scope.js';
import { isDuplicateIssue, issueInTx, issuingContext, recipientFields } from './issue.service.js';
import { setStatus } from './status-list.service.js';

/**
 * Revocation and correction (issue 4 §7, OPEN-BADGES.md §Status and lifecycle). Revoking records a reason,
 * sets the credential's bit in its status list (the list credential is re-signed when next served, so
 * verification says "revoked" at once) and is audited. Nothing signed is changed: a correction issues a new
 * credential (new id, same awardedDate) and revokes the old one with the reason 'corrected'.
 */

export const CORRECTED = 'corrected';

const reasonSchema = z
  .string()
  .transform(normalizeMultiline)
  .pipe(z.string().min(1, '取り消しの理由を入力してください').max(500, '500文字以内で入力してください'));

/** The credential's issuing organisation: all the scope check needs to read. */
async function findOwner(db: Database, credentialId: string) {
  const orgId = await badges.findOwner(db, credentialId);
  return orgId === undefined ? undefined : { organisation_id: orgId };
}

/** The issuing organisation of a credential the actor may revoke or correct (badges.scope.ts steps 1–4). */
async function scopeOf(deps: Deps, actor: Actor, credentialId: string): Promise<{ orgId: string }> {
  const owner = await findScoped(
    deps,
    actor,
    'badges.revoke',
    { type: 'credential', id: credentialId, what: 'バッジ' },
    findOwner,
  );
  return { orgId: owner.organisation_id };
}

function invalid(field: string, error: z.ZodError): AppError {
  const message = error.issues[0]?.message ?? '入力内容を確認してください';
  return new AppError('VALIDATION', message, { fields: { [field]: message } });
}

/** Revokes a badge. INVALID_STATE when it is already revoked. */
export async function revokeBadge(
  deps: Deps,
  actor: Actor,
  input: { credentialId: string; reason: string },
): Promise<void> {
  await scopeOf(deps, actor, input.credentialId);
  const reason = reasonSchema.safeParse(input.reason);
  if (!reason.success) throw invalid('reason', reason.error);
  await transaction(deps, async (tx) => {
    const entry = await badges.revoke(tx, input.credentialId, {
      at: deps.clock.now(),
      reason: reason.data,
      by: actorUserId(actor),
    });
    if (!entry) throw new AppError('INVALID_STATE', 'このバッジは既に取り消されています');
    await setStatus(tx, entry.status_list_id, entry.status_index);
    await audit(
      deps,
      tx,
      actor,
      'badges.credential.revoked',
      { type: 'credential', id: input.credentialId },
      {
        reason: reason.data,
      },
    );
  });
}

export const correctBadgeSchema = z.object({
  credentialId: z.uuid(),
  /** Only what changes; anything left out is copied from the badge being corrected. */
  email: recipientFields.email.optional(),
  name: recipientFields.name.optional(),
  evidenceUrl: recipientFields.evidenceUrl,
  narrative: recipientFields.narrative,
  /** Re-issue from the achievement's current published version instead of the one the badge had. */
  useCurrentVersion: z.boolean().default(false),
  /** Why, for the audit log (the revocation reason itself is always 'corrected'). */
  note: z.string().transform(normalizeMultiline).pipe(z.string().max(500)).optional(),
});
export type CorrectBadgeInput = z.input<typeof correctBadgeSchema>;

/**
 * Corrects a badge: issues its replacement (new id, same awardedDate, the changes applied, mailed to the
 * earner) and revokes the original with the reason 'corrected', in one transaction.
 */
export async function correctBadge(
  deps: Deps,
  actor: Actor,
  input: CorrectBadgeInput,
): Promise<{ credentialId: string; replaces: string }> {
  const scope = await scopeOf(deps, actor, input.credentialId);
  const parsed = correctBadgeSchema.safeParse(input);
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
    throw new AppError('VALIDATION', '入力内容を確認してください', { fields });
  }
  const data = parsed.data;
  try {
    return await transaction(deps, async (tx) => {
      const old = await badges.findForCorrection(tx, data.credentialId);
      if (!old) throw new AppError('NOT_FOUND', 'バッジが見つかりません');
      if (old.revoked_at) throw new AppError('INVALID_STATE', '取り消されたバッジは訂正できません');
      let versionId = old.achievement_version_id;
      if (data.useCurrentVersion) {
        const current = await findVersionForIssue(tx, versionId);
        const published = current ? await findPublishedVersionId(tx, current.achievement_id) : null;
        if (!published) throw new AppError('INVALID_STATE', 'このバッジの公開中の版がありません');
        versionId = published;
      }
      const version = await findVersionForIssue(tx, versionId);
      if (!version) throw new AppError('NOT_FOUND', 'バッジが見つかりません');
      const now = deps.clock.now();
      const entry = await badges.revoke(tx, old.id, { at: now, reason: CORRECTED, by: actorUserId(actor) });
      if (!entry) throw new AppError('INVALID_STATE', 'このバッジは既に取り消されています');
      await setStatus(tx, entry.status_list_id, entry.status_index);
      const email = data.email ?? old.recipient_email;
      const ctx = await issuingContext(deps, tx, actor, scope.orgId);
      const result = await issueInTx(deps, tx, actor, ctx, {
        version,
        email,
        name: data.name ?? old.recipient_name,
        userId: email === old.recipient_email ? old.recipient_user_id : null,
        evidenceUrl: data.evidenceUrl === undefined ? old.evidence_url : data.evidenceUrl,
        narrative: data.narrative === undefined ? old.narrative : data.narrative,
        format: old.format,
        batchId: old.batch_id,
        awardedAt: old.awarded_at,
        replacesId: old.id,
        issuedBy: actorUserId(actor),
      });
      if (result.kind !== 'issued') {
        throw new AppError('CONFLICT', 'このメールアドレスには同じバッジが既に発行されています');
      }
      await badges.setReplacedBy(tx, old.id, result.credentialId);
      await audit(
        deps,
        tx,
        actor,
        'badges.credential.corrected',
        { type: 'credential', id: old.id },
        {
          replacedBy: result.credentialId,
          note: data.note ?? null,
          recipientChanged: email !== old.recipient_email,
        },
      );
      return { credentialId: result.credentialId, replaces: old.id };
    });
  } catch (e) {
    if (isDuplicateIssue(e)) {
      throw new AppError('CONFLICT', 'このメールアドレスには同じバッジが既に発行されています');
    }
    throw e;
  }
}
