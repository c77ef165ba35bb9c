import { type Insertable, sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { IssuanceBatchesTable, IssuanceRowStatus, IssuanceRowsTable } from '../../db/schema-badges.js';

/** SQL for bulk issuance: batches, their rows, and the enrolled learners of a programme. */

export async function insertBatch(db: Database, row: Insertable<IssuanceBatchesTable>): Promise<string> {
  const r = await db.insertInto('issuance_batches').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function insertRows(db: Database, rows: Insertable<IssuanceRowsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('issuance_rows')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

const BATCH_COLUMNS = [
  'id',
  'organisation_id',
  'created_by',
  'source',
  'filename',
  'programme_id',
  'format',
  'status',
  'total_rows',
  'pending_count',
  'issued_count',
  'skipped_count',
  'failed_count',
  'report',
  'last_error',
  'created_at',
  'queued_at',
  'queued_by',
  'started_at',
  'finished_at',
] as const;

export function findBatch(db: Database, id: string) {
  return db.selectFrom('issuance_batches').select(BATCH_COLUMNS).where('id', '=', id).executeTakeFirst();
}
export type BatchRow = NonNullable<Awaited<ReturnType<typeof findBatch>>>;

export function listBatches(db: Database, orgId: string, limit: number) {
  return db
    .selectFrom('issuance_batches')
    .select(BATCH_COLUMNS)
    .where('organisation_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** dry_run → queued, only when there is something to issue. */
export async function queueBatch(db: Database, id: string, at: Date, by: string | null): Promise<boolean> {
  const r = await db
    .updateTable('issuance_batches')
    .set({ status: 'queued', queued_at: at, queued_by: by })
    .where('id', '=', id)
    .where('status', '=', 'dry_run')
    .where('pending_count', '>', 0)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** queued → running (a resumed batch is already running). */
export async function markRunning(db: Database, id: string, at: Date): Promise<void> {
  await db
    .updateTable('issuance_batches')
    .set({ status: 'running', started_at: sql`coalesce(started_at, ${at})` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

export async function finishBatch(db: Database, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('issuance_batches')
    .set({ status: 'done', finished_at: at })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('pending_count', '=', 0)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function failBatch(db: Database, id: string, error: string, at: Date): Promise<void> {
  await db
    .updateTable('issuance_batches')
    .set({ status: 'failed', last_error: error.slice(0, 2000), finished_at: at })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/** Pending rows after `afterRow`, in order (a run moves forward, so a row another worker holds is not retried). */
export function nextPendingRows(db: Database, batchId: string, afterRow: number, limit: number) {
  return db
    .selectFrom('issuance_rows')
    .select('row_number')
    .where('batch_id', '=', batchId)
    .where('status', '=', 'pending')
    .where('row_number', '>', afterRow)
    .orderBy('row_number')
    .limit(limit)
    .execute();
}

/** A pending row, locked for its transaction; undefined if another worker holds it or it is done. */
export function lockPendingRow(db: Database, batchId: string, rowNumber: number) {
  return db
    .selectFrom('issuance_rows')
    .select(['row_number', 'email', 'name', 'user_id', 'achievement_version_id', 'evidence_url', 'narrative'])
    .where('batch_id', '=', batchId)
    .where('row_number', '=', rowNumber)
    .where('status', '=', 'pending')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}
export type PendingRow = NonNullable<Awaited<ReturnType<typeof lockPendingRow>>>;

/** pending → issued/skipped/failed, and the batch's counters with it (guarded: a done row stays done). */
export async function finishRow(
  db: Database,
  batchId: string,
  rowNumber: number,
  outcome: {
    status: Exclude<IssuanceRowStatus, 'pending'>;
    credentialId: string | null;
    error: string | null;
    at: Date;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('issuance_rows')
    .set({
      status: outcome.status,
      credential_id: outcome.credentialId,
      error: outcome.error?.slice(0, 2000) ?? null,
      processed_at: outcome.at,
    })
    .where('batch_id', '=', batchId)
    .where('row_number', '=', rowNumber)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  const counter = `${outcome.status}_count` as 'issued_count' | 'skipped_count' | 'failed_count';
  await db
    .updateTable('issuance_batches')
    .set({ pending_count: sql`pending_count - 1`, [counter]: sql`${sql.ref(counter)} + 1` })
    .where('id', '=', batchId)
    .execute();
  return true;
}

export function listRows(
  db: Database,
  batchId: string,
  opts: { statuses?: IssuanceRowStatus[]; offset: number; limit: number },
) {
  return db
    .selectFrom('issuance_rows as r')
    .leftJoin('achievement_versions as v', 'v.id', 'r.achievement_version_id')
    .select([
      'r.row_number',
      'r.email',
      'r.name',
      'r.achievement_ref',
      'v.name as achievement_name',
      'v.version as achievement_version',
      'r.evidence_url',
      'r.status',
      'r.problems',
      'r.error',
      'r.credential_id',
      'r.processed_at',
    ])
    .where('r.batch_id', '=', batchId)
    .$if(!!opts.statuses?.length, (q) => q.where('r.status', 'in', opts.statuses ?? []))
    .orderBy('r.row_number')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
}
export type ListedRow = Awaited<ReturnType<typeof listRows>>[number];

/**
 * A programme's enrolled learners (applications with status 'enrolled'), with what a badge needs. SQL over
 * the applications table: read-only, in this module's repository (the applications module has no such read).
 */
export function listEnrolled(db: Database, orgId: string, programmeId: string) {
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select(['a.id', 'a.number', 'a.email', 'a.full_name', 'a.applicant_user_id', 'a.anonymised_at'])
    .where('p.organisation_id', '=', orgId)
    .where('a.programme_id', '=', programmeId)
    .where('a.status', '=', 'enrolled')
    .orderBy('a.submitted_at')
    .orderBy('a.id')
    .execute();
}
