import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { BOM, csvRow } from '../../lib/csv.js';
import { toXlsx } from '../applications/export.format.js';
import { audit } from '../audit/audit.service.js';
import {
  EXPORT_CSV_COLUMNS,
  type ExportFilter,
  exportCredentials,
  exportCsvCells,
} from './export.service.js';

/**
 * The IPA export as a file to download (issue 4 §8b): JSON Lines (one record with its signed credential per
 * line), CSV (UTF-8 with BOM, formula-like cells neutralised: lib/csv.ts) or XLSX (export.format.ts: every
 * cell text, formula-like values neutralised), because people open it in Excel. exportCredentials authorises
 * and records the export before a row is read; this records what left, once the file is built: its format
 * and how many credentials it holds (SECURITY.md: exports are audited).
 */

export type CredentialExportFormat = 'jsonl' | 'csv' | 'xlsx';

export type CredentialExportFile = {
  body: string | Uint8Array;
  contentType: string;
  filename: string;
  rows: number;
};

const CONTENT_TYPE: Record<CredentialExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function downloadCredentialExport(
  deps: Deps,
  actor: Actor,
  input: ExportFilter & { format: CredentialExportFormat },
): Promise<CredentialExportFile> {
  const { format, ...filter } = input;
  const records = await exportCredentials(deps, actor, filter);
  const lines: string[] = [];
  const cells: (string | number | null)[][] = [];
  for await (const r of records) {
    if (format === 'jsonl') lines.push(`${JSON.stringify(r)}\n`);
    else cells.push(exportCsvCells(r));
  }
  const rows = format === 'jsonl' ? lines.length : cells.length;
  let body: string | Uint8Array;
  if (format === 'jsonl') body = lines.join('');
  else if (format === 'csv') body = BOM + csvRow(EXPORT_CSV_COLUMNS) + cells.map(csvRow).join('');
  else
    body = await toXlsx([[...EXPORT_CSV_COLUMNS], ...cells], {
      sheetName: 'credentials',
      title: 'バッジの一覧(IPA向け)',
    });
  await transaction(deps, (tx) =>
    audit(
      deps,
      tx,
      actor,
      'badges.export.downloaded',
      filter.orgId ? { type: 'organisation', id: filter.orgId } : null,
      { format, rows, fiscalYear: filter.fiscalYear ?? null, orgId: filter.orgId ?? null },
    ),
  );
  const stamp = formatJst(deps.clock.now()).replace(/\D/g, '').slice(0, 12);
  const name = `badges-${filter.fiscalYear ?? 'all'}-${filter.orgId?.slice(0, 8) ?? 'all'}-${stamp}`;
  return { body, contentType: CONTENT_TYPE[format], filename: `${name}.${format}`, rows };
}
