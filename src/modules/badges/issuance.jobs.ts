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
import {
  drawStatusEntries,
  type IssueOne,
  type IssuingContext,
  isDuplicateIssue,
  issueInTx,
  issuingContext,
  type PreparedIssue,
  prepareIssue,
  storeIssue,
} from './issue.service.js';

/**
 * The issuing job of a bulk batch (issue 4 §4). Rows are prepared a group at a time — read, checked against
 * the live badges, signed and baked (issue.service.ts `prepareIssue`; in the worker pool when the process has
 * one, the next group while this one is stored) — then each row is stored in its own transaction: lock the
 * pending row, confirm its status index and store the badge (`storeIssue`: claim mail, audit), mark the row and
 * count it. A crash loses at most the rows prepared but not stored (they are still pending and are prepared
 * again by the next attempt). Rows already issued are never issued again: their status says so, and the
 * one-live-credential index refuses a second badge even if a row were replayed. A row that cannot be issued
 * is marked failed with its reason and the batch goes on; only an outage (database away, key unreadable)
 * stops it, to be retried by the queue.
 */

const actor = systemActor(ISSUE_BATCH_JOB);
const CHUNK = 100;
/**
 * Rows prepared together when signing happens in the worker pool: enough to keep every worker busy while the
 * previous group is stored. In-process, one at a time (preparing ahead would gain nothing).
 */
const POOL_GROUP = 16;

export type RunResult = { processed: number; done: boolean };

/** Japanese reason stored on a failed row; details of unexpected errors go to the log, not the row. */
function rowError(e: unknown): string {
  if (isAppError(e)) return e.messageJa;
  return 'バッジを発行できませんでした(システムエラー)。時間をおいて、この行だけをもう一度発行してください。';
}

type Versions = Map<string, VersionForIssue | null>;

async function versionOf(db: Deps['db'], versions: Versions, id: string): Promise<VersionForIssue | null> {
  let version = versions.get(id);
  if (version === undefined) {
    version = (await findVersionForIssue(db, id)) ?? null;
    versions.set(id, version);
  }
  return version;
}

function issueOne(batch: repo.BatchRow, row: repo.PendingRow, version: VersionForIssue): IssueOne {
  return {
    version,
    email: row.email,
    name: row.name,
    userId: row.user_id,
    evidenceUrl: row.evidence_url,
    narrative: row.narrative,
    format: batch.format,
    batchId: batch.id,
    issuedBy: batch.queued_by,
  };
}

/** A row prepared outside any transaction: the row as read then, and the badge signed for it (or why not). */
type Prepared = { row: repo.PendingRow; issue: PreparedIssue } | { row: repo.PendingRow; error: unknown };

const sameRow = (a: repo.PendingRow, b: repo.PendingRow) =>
  a.email === b.email &&
  a.name === b.name &&
  a.user_id === b.user_id &&
  a.achievement_version_id === b.achievement_version_id &&
  a.evidence_url === b.evidence_url &&
  a.narrative === b.narrative;

/**
 * Prepares a group of rows: never rejects (an error is the row's, stored when the row is). Rows another worker
 * holds or has done, and rows whose version is not published, are left for `issueRow` to see in its transaction.
 */
async function prepareGroup(
  deps: Deps,
  batch: repo.BatchRow,
  ctx: IssuingContext,
  versions: Versions,
  rowNumbers: number[],
): Promise<Map<number, Prepared>> {
  const prepared = new Map<number, Prepared>();
  try {
    // Outside a transaction the row lock ends with the statement: this only reads the rows still pending.
    const read = await Promise.all(rowNumbers.map((n) => repo.lockPendingRow(deps.db, batch.id, n)));
    const rows: { row: repo.PendingRow; version: VersionForIssue }[] = [];
    for (const row of read) {
      if (!row?.achievement_version_id) continue;
      const version = await versionOf(deps.db, versions, row.achievement_version_id);
      if (version?.status === 'published') rows.push({ row, version });
    }
    const entries = rows.length ? await drawStatusEntries(deps, ctx.orgId, rows.length) : [];
    await Promise.all(
      rows.map(async ({ row, version }, i) => {
        try {
          const issue = await prepareIssue(deps, ctx, issueOne(batch, row, version), entries[i]);
          prepared.set(row.row_number, { row, issue });
        } catch (error) {
          prepared.set(row.row_number, { row, error });
        }
      }),
    );
  } catch {
    // The group could not be read or drawn (an outage): its rows are issued one by one, and fail as they may.
  }
  return prepared;
}

async function issueRow(
  deps: Deps,
  batch: repo.BatchRow,
  ctx: IssuingContext,
  versions: Versions,
  rowNumber: number,
  prepared: Prepared | undefined,
): Promise<void> {
  const at = () => deps.clock.now();
  try {
    await transaction(deps, async (tx) => {
      const row = await repo.lockPendingRow(tx, batch.id, rowNumber);
      if (!row?.achievement_version_id) return; // done by another worker meanwhile
      const version = await versionOf(tx, versions, row.achievement_version_id);
      if (version?.status !== 'published') {
        await repo.finishRow(tx, batch.id, rowNumber, {
          status: 'failed',
          credentialId: null,
          error: 'バッジの公開中の版が変わりました。一覧をもう一度確認(ドライラン)してから発行してください。',
          at: at(),
        });
        return;
      }
      let result: Awaited<ReturnType<typeof storeIssue>>;
      if (prepared && sameRow(prepared.row, row)) {
        if ('error' in prepared) throw prepared.error;
        result = await storeIssue(deps, tx, actor, ctx, prepared.issue);
      } else {
        // Not prepared (or the row read then differs): everything here, signing included.
        result = await issueInTx(deps, tx, actor, ctx, issueOne(batch, row, version));
      }
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
  const versions: Versions = new Map();
  const groupSize = deps.badgePool?.get() ? POOL_GROUP : 1;
  let processed = 0;
  let lastRow = 0;
  for (;;) {
    const budget = opts.limit === undefined ? CHUNK : opts.limit - processed;
    const rows = await repo.nextPendingRows(deps.db, batch.id, lastRow, Math.max(1, Math.min(CHUNK, budget)));
    if (rows.length === 0) break;
    if (budget <= 0) return { processed, done: false };
    const groups: number[][] = [];
    for (let i = 0; i < rows.length; i += groupSize) {
      groups.push(rows.slice(i, i + groupSize).map((r) => r.row_number));
    }
    // The next group is prepared (signed in the pool) while this one is stored.
    let ahead = prepareGroup(deps, batch, ctx, versions, groups[0] as number[]);
    for (const [g, group] of groups.entries()) {
      const prepared = await ahead;
      const next = groups[g + 1];
      if (next) ahead = prepareGroup(deps, batch, ctx, versions, next);
      for (const rowNumber of group) {
        await issueRow(deps, batch, ctx, versions, rowNumber, prepared.get(rowNumber));
        processed++;
        lastRow = rowNumber;
      }
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
