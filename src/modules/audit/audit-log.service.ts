import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { toCsv } from '../../lib/csv.js';
import { authorize } from '../organisations/organisation.policy.js';
import { type AuditFilter, searchAudit } from './audit.repository.js';
import { audit } from './audit.service.js';

// Use cases behind the audit pages. They belong beside audit.service.ts (src/modules/audit/); they sit in
// web/ only because this change could not touch that folder. Moving the file changes no behaviour.

export const AUDIT_PAGE_SIZE = 50;
/** One export holds at most this many rows; a larger one asks the user to narrow the filter. */
export const EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 5_000;

export type AuditEntry = {
  id: number;
  at: Date;
  actorEmail: string | null;
  organisationName: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: string;
};

type Row = Awaited<ReturnType<typeof searchAudit>>['rows'][number];

function present(r: Row): AuditEntry {
  const details = r.details && Object.keys(r.details).length ? JSON.stringify(r.details) : '';
  return {
    id: r.id,
    at: r.at,
    actorEmail: r.actor_email,
    organisationName: r.organisation_name,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    ip: r.ip,
    requestId: r.request_id,
    details,
  };
}

export async function searchAuditLog(
  deps: Deps,
  actor: Actor,
  filter: AuditFilter,
  page: number,
): Promise<{ entries: AuditEntry[]; total: number; page: number; pages: number }> {
  authorize(actor, 'audit.search');
  const r = await searchAudit(deps.db, filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE);
  return {
    entries: r.rows.map(present),
    total: r.total,
    page,
    pages: Math.max(1, Math.ceil(r.total / AUDIT_PAGE_SIZE)),
  };
}

export const CSV_HEADER = [
  '日時(日本時間)',
  '操作者',
  '操作者の組織',
  '操作',
  '対象の種類',
  '対象ID',
  'IPアドレス',
  'リクエストID',
  '詳細',
];

/**
 * The filtered log as CSV (UTF-8 with BOM, formula cells neutralised by lib/csv.ts), capped at
 * EXPORT_MAX_ROWS. Read in one REPEATABLE READ transaction, so rows written while the batches are read
 * neither shift the pages nor appear twice; the export's own audit row (`audit.exported`, with the filter)
 * is written in the same transaction.
 */
export async function exportAuditLog(
  deps: Deps,
  actor: Actor,
  filter: AuditFilter,
): Promise<{ csv: string; rows: number; truncated: boolean }> {
  authorize(actor, 'audit.export');
  return deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const lines: string[][] = [CSV_HEADER];
      let total = 0;
      for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += EXPORT_BATCH) {
        const r = await searchAudit(tx, filter, Math.min(EXPORT_BATCH, EXPORT_MAX_ROWS - offset), offset);
        total = r.total;
        for (const e of r.rows.map(present)) {
          lines.push([
            formatJst(e.at),
            e.actorEmail ?? '',
            e.organisationName ?? '',
            e.action,
            e.subjectType ?? '',
            e.subjectId ?? '',
            e.ip ?? '',
            e.requestId ?? '',
            e.details,
          ]);
        }
        if (r.rows.length < EXPORT_BATCH) break;
      }
      const rows = lines.length - 1;
      const truncated = total > rows;
      await audit(deps, tx, actor, 'audit.exported', null, { filter: describe(filter), rows, truncated });
      return { csv: toCsv(lines), rows, truncated };
    });
}

/** The filter as plain JSON for the audit row (dates as ISO strings). */
function describe(f: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v instanceof Date) out[k] = v.toISOString();
    else if (typeof v === 'string' && v) out[k] = v;
  }
  return out;
}
