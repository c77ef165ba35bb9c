import type {
  CredentialFormat,
  IssuanceBatchStatus,
  IssuanceRowStatus,
  IssuanceSource,
  RowProblem,
} from '../../db/schema-badges.js';
import { type Deps, transaction } from '../../deps.js';
import { enqueue } from '../../jobs/queue.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { findScoped, issuerScope } from './badges.scope.js';
import * as repo from './issuance.repository.js';
import type { FileProblem } from './issuance-file.js';

/**
 * Bulk issuance after the dry run (issue 4 §4): starting a batch queues one job for it (issuance.jobs.ts),
 * which issues row by row and can be watched through getIssuanceProgress while it runs.
 */

export const ISSUE_BATCH_JOB = 'badges.issue-batch';
/** Each attempt resumes where the last stopped (rows already issued stay issued), so a few are plenty. */
export const ISSUE_BATCH_MAX_ATTEMPTS = 5;

export type IssuanceProgress = {
  batchId: string;
  orgId: string;
  source: IssuanceSource;
  filename: string | null;
  programmeId: string | null;
  format: CredentialFormat;
  status: IssuanceBatchStatus;
  total: number;
  /** Rows still to issue (in a dry run: the rows that would be issued). */
  pending: number;
  issued: number;
  /** Already held by the earner: nothing issued. */
  skipped: number;
  /** Refused by the dry run, or failed while issuing: nothing issued. */
  failed: number;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
};

export type IssuanceRowView = {
  rowNumber: number;
  email: string;
  name: string;
  /** As written in the list (or the default chosen). */
  achievementRef: string;
  achievementName: string | null;
  achievementVersion: number | null;
  status: IssuanceRowStatus;
  problems: RowProblem[];
  error: string | null;
  credentialId: string | null;
};

export type IssuanceReport = IssuanceProgress & {
  /** Problems with the file as a whole (wrong columns, encoding…): when any, no row can be issued. */
  fileErrors: FileProblem[];
  notices: FileProblem[];
  rows: IssuanceRowView[];
};

function presentProgress(b: repo.BatchRow): IssuanceProgress {
  return {
    batchId: b.id,
    orgId: b.organisation_id,
    source: b.source,
    filename: b.filename,
    programmeId: b.programme_id,
    format: b.format,
    status: b.status,
    total: b.total_rows,
    pending: b.pending_count,
    issued: b.issued_count,
    skipped: b.skipped_count,
    failed: b.failed_count,
    createdAt: b.created_at,
    queuedAt: b.queued_at,
    startedAt: b.started_at,
    finishedAt: b.finished_at,
    lastError: b.last_error,
  };
}

function presentRow(r: repo.ListedRow): IssuanceRowView {
  return {
    rowNumber: r.row_number,
    email: r.email,
    name: r.name,
    achievementRef: r.achievement_ref,
    achievementName: r.achievement_name,
    achievementVersion: r.achievement_version,
    status: r.status,
    problems: r.problems,
    error: r.error,
    credentialId: r.credential_id,
  };
}

function batchScope(deps: Deps, actor: Actor, action: 'badges.view' | 'badges.issue', batchId: string) {
  return findScoped(
    deps,
    actor,
    action,
    { type: 'issuance_batch', id: batchId, what: '一括発行' },
    repo.findBatch,
  );
}

/** The batch's counters and state: poll it while the job runs. */
export async function getIssuanceProgress(
  deps: Deps,
  actor: Actor,
  batchId: string,
): Promise<IssuanceProgress> {
  return presentProgress(await batchScope(deps, actor, 'badges.view', batchId));
}

/**
 * The batch's report: counters, file-level problems and its rows (a page of them; `statuses` filters, e.g.
 * ['failed'] for the rows to fix). Rows hold the e-mail addresses and names of the list.
 */
export async function getIssuanceReport(
  deps: Deps,
  actor: Actor,
  input: { batchId: string; statuses?: IssuanceRowStatus[]; offset?: number; limit?: number },
): Promise<IssuanceReport> {
  const batch = await batchScope(deps, actor, 'badges.view', input.batchId);
  const rows = await repo.listRows(deps.db, batch.id, {
    statuses: input.statuses,
    offset: Math.max(0, input.offset ?? 0),
    limit: Math.min(Math.max(1, input.limit ?? 10_000), 10_000),
  });
  const report = batch.report as { fileErrors?: FileProblem[]; notices?: FileProblem[] };
  return {
    ...presentProgress(batch),
    fileErrors: report.fileErrors ?? [],
    notices: report.notices ?? [],
    rows: rows.map(presentRow),
  };
}

/** The organisation's recent batches, newest first. */
export async function listIssuanceBatches(
  deps: Deps,
  actor: Actor,
  input: { orgId: string; limit?: number },
): Promise<IssuanceProgress[]> {
  const scope = await issuerScope(deps, actor, 'badges.view', input.orgId);
  const rows = await repo.listBatches(deps.db, scope.orgId, Math.min(Math.max(1, input.limit ?? 50), 200));
  return rows.map(presentProgress);
}

/**
 * Starts issuing a dry-run batch: its pending rows are issued by a job. INVALID_STATE when the batch was
 * started already or has nothing to issue.
 */
export async function startIssuance(
  deps: Deps,
  actor: Actor,
  input: { batchId: string },
): Promise<IssuanceProgress> {
  const batch = await batchScope(deps, actor, 'badges.issue', input.batchId);
  await transaction(deps, async (tx) => {
    if (!(await repo.queueBatch(tx, batch.id, deps.clock.now(), actorUserId(actor)))) {
      throw new AppError('INVALID_STATE', 'この一括発行は開始済みか、発行できる行がありません');
    }
    await enqueue(
      tx,
      ISSUE_BATCH_JOB,
      { batchId: batch.id },
      { uniqueKey: `${ISSUE_BATCH_JOB}:${batch.id}`, maxAttempts: ISSUE_BATCH_MAX_ATTEMPTS },
    );
    await audit(
      deps,
      tx,
      actor,
      'badges.batch.started',
      { type: 'issuance_batch', id: batch.id },
      {
        rows: batch.pending_count,
        format: batch.format,
      },
    );
  });
  return presentProgress((await repo.findBatch(deps.db, batch.id)) as repo.BatchRow);
}
