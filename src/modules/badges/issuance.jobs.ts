import { z } from 'zod';
import { type Deps, transaction } from '../../deps.js';
import { errorMessage } from '../../jobs/queue.js';
import type { Handlers } from '../../jobs/runner.js';
import { systemActor } from '../../lib/actor.js';
import { isAppError, isDatabaseUnavailable } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { findVersionForIssue, type VersionForIssue } from './achievement.repository.js';
import * as badges from './badge.repository.js';
import * as repo from './issuance.repository.js';
import { ISSUE_BATCH_JOB } from './issuance.service.js';
import { type IssuingContext, isDuplicateIssue, issueInTx, issuingContext } from './issue.service.js';

/**
 * The issuing job of a bulk batch (issue 4 §4). Each row is its own transaction — lock the pending row, issue
 * (issue.service.ts: sign, status index, bake, store, claim mail, audit), mark the row and count it — so a
 * crash loses at most the row in flight, and the next attempt resumes with the rows still pending. Rows
 * already issued are never issued again: their status says so, and the one-live-credential index refuses a
 * second badge even if a row were replayed. A row that cannot be issued is marked failed with its reason and
 * the batch goes on; only an outage (database away, key unreadable) stops it, to be retried by the queue.
 */

const actor = systemActor(ISSUE_BATCH_JOB);
const CHUNK = 100;

export type RunResult = { processed: number; done: boolean };

/** Japanese reason stored on a failed row; details of unexpected errors go to the log, not the row. */
function rowError(e: unknown): string {
  if (isAppError(e)) return e.messageJa;
  return 'バッジを発行できませんでした(システムエラー)。時間をおいて、この行だけをもう一度発行してください。';
}

async function issueRow(
  deps: Deps,
  batch: repo.BatchRow,
  ctx: IssuingContext,
  versions: Map<string, VersionForIssue | null>,
  rowNumber: number,
): Promise<void> {
  const at = () => deps.clock.now();
  try {
    await transaction(deps, async (tx) => {
      const row = await repo.lockPendingRow(tx, batch.id, rowNumber);
      if (!row?.achievement_version_id) return; // done by another worker meanwhile
      let version = versions.get(row.achievement_version_id);
      if (version === undefined) {
        version = (await findVersionForIssue(tx, row.achievement_version_id)) ?? null;
        versions.set(row.achievement_version_id, version);
      }
      if (version?.status !== 'published') {
        await repo.finishRow(tx, batch.id, rowNumber, {
          status: 'failed',
          credentialId: null,
          error: 'バッジの公開中の版が変わりました。一覧をもう一度確認(ドライラン)してから発行してください。',
          at: at(),
        });
        return;
      }
      const result = await issueInTx(deps, tx, actor, ctx, {
        version,
        email: row.email,
        name: row.name,
        userId: row.user_id,
        evidenceUrl: row.evidence_url,
        narrative: row.narrative,
        format: batch.format,
        batchId: batch.id,
        issuedBy: batch.queued_by,
      });
      await repo.finishRow(tx, batch.id, rowNumber, {
        status: result.kind === 'issued' ? 'issued' : 'skipped',
        credentialId: result.credentialId,
        error: result.kind === 'issued' ? null : 'このバッジは既に発行済みです。',
        at: at(),
      });
    });
  } catch (e) {
    if (isDatabaseUnavailable(e)) throw e;
    await transaction(deps, async (tx) => {
      const row = await repo.lockPendingRow(tx, batch.id, rowNumber);
      if (!row) return;
      // Issued meanwhile by someone else (a single issuance of the same badge): nothing more to do.
      const existing =
        isDuplicateIssue(e) && row.achievement_version_id
          ? await badges.findLive(tx, row.achievement_version_id, row.email)
          : null;
      if (!existing)
        deps.log.warn('badge row failed', { batchId: batch.id, rowNumber, error: errorMessage(e) });
      await repo.finishRow(tx, batch.id, rowNumber, {
        status: existing ? 'skipped' : 'failed',
        credentialId: existing,
        error: existing ? 'このバッジは既に発行済みです。' : rowError(e),
        at: at(),
      });
    });
  }
}

/**
 * Issues the batch's pending rows (at most `limit` in this call, for tests and for slicing long batches),
 * then marks it done. Safe to run again at any point.
 */
export async function runIssuanceBatch(
  deps: Deps,
  batchId: string,
  opts: { limit?: number } = {},
): Promise<RunResult> {
  const batch = await repo.findBatch(deps.db, batchId);
  if (!batch || !['queued', 'running'].includes(batch.status)) return { processed: 0, done: true };
  await repo.markRunning(deps.db, batch.id, deps.clock.now());
  const ctx = await transaction(deps, (tx) => issuingContext(deps, tx, actor, batch.organisation_id));
  const versions = new Map<string, VersionForIssue | null>();
  let processed = 0;
  let lastRow = 0;
  for (;;) {
    const rows = await repo.nextPendingRows(deps.db, batch.id, lastRow, CHUNK);
    if (rows.length === 0) break;
    for (const { row_number } of rows) {
      if (opts.limit !== undefined && processed >= opts.limit) return { processed, done: false };
      await issueRow(deps, batch, ctx, versions, row_number);
      processed++;
      lastRow = row_number;
    }
  }
  await transaction(deps, async (tx) => {
    // Still pending rows (held by another worker after a lost lease) keep the batch running until they are done.
    if (!(await repo.finishBatch(tx, batch.id, deps.clock.now()))) return;
    const done = (await repo.findBatch(tx, batch.id)) as repo.BatchRow;
    await audit(
      deps,
      tx,
      actor,
      'badges.batch.finished',
      { type: 'issuance_batch', id: batch.id },
      {
        issued: done.issued_count,
        skipped: done.skipped_count,
        failed: done.failed_count,
      },
    );
  });
  return { processed, done: true };
}

const payloadSchema = z.object({ batchId: z.uuid() });

export const badgeHandlers: Handlers = {
  [ISSUE_BATCH_JOB]: async (deps, payload, job) => {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`${ISSUE_BATCH_JOB}: the payload has no valid batchId`);
    try {
      await runIssuanceBatch(deps, parsed.data.batchId);
    } catch (e) {
      // The last attempt: the batch is marked failed (rows issued so far stay issued and counted).
      if (job.attempts >= job.maxAttempts) {
        await repo.failBatch(deps.db, parsed.data.batchId, errorMessage(e), deps.clock.now());
      }
      throw e;
    }
  },
};
