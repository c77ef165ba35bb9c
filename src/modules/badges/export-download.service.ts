import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { BOM, csvRow } from '../../lib/csv.js';
import { audit } from '../audit/audit.service.js';
import {
  type CredentialExport,
  EXPORT_CSV_COLUMNS,
  type ExportFilter,
  type ExportRecord,
  exportCsvCells,
  startCredentialExport,
} from './export.service.js';
import { xlsxStream } from './xlsx-stream.js';

/**
 * The IPA export as a file to download (issue 4 §8b): JSON Lines (one record with its signed credential per
 * line), CSV (UTF-8 with BOM, formula-like cells neutralised: lib/csv.ts) or XLSX (xlsx-stream.ts, exceljs's
 * streaming writer: every cell text, formula-like values neutralised), because people open it in Excel.
 *
 * The file is a stream: each database page (export.service.ts) is encoded and handed on only when the reader
 * asks for more (for XLSX, once the reader has taken what was written before), so an export of any size holds
 * about one page in memory, and a slow or stopped download stops the reading. Audit (SECURITY.md: exports are
 * audited): startCredentialExport records the export before a row is read; this records what left once the
 * stream ends, before its last byte is released — its format, how many credentials were sent and whether the
 * file was complete (a cancelled download, or a database failure part-way, is recorded with `complete: false`).
 */

export type CredentialExportFormat = 'jsonl' | 'csv' | 'xlsx';

export type CredentialExportFile = {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  filename: string;
  /** How many credentials the file holds (counted when the export started; see export.service.ts). */
  rows: number;
};

const CONTENT_TYPE: Record<CredentialExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Column widths of the XLSX, in EXPORT_CSV_COLUMNS order (ids and dates fit; the credential is cut off). */
const XLSX_WIDTHS = [48, 60, 8, 30, 24, 30, 56, 24, 26, 26, 26, 10, 26, 48, 60];

async function* textChunks(
  format: 'jsonl' | 'csv',
  pages: AsyncIterable<ExportRecord[]>,
): AsyncGenerator<Uint8Array> {
  const utf8 = new TextEncoder();
  if (format === 'csv') yield utf8.encode(BOM + csvRow(EXPORT_CSV_COLUMNS));
  for await (const page of pages) {
    const text =
      format === 'jsonl'
        ? page.map((r) => `${JSON.stringify(r)}\n`).join('')
        : page.map((r) => csvRow(exportCsvCells(r))).join('');
    yield utf8.encode(text);
  }
}

/**
 * A web ReadableStream over `chunks`, pulled on demand; `end` runs once, before the stream closes (complete) or
 * when it fails or is cancelled (incomplete).
 */
function pulled(
  deps: Deps,
  chunks: AsyncGenerator<Uint8Array>,
  end: (complete: boolean) => Promise<void>,
): ReadableStream<Uint8Array> {
  // One end, whichever comes first (the last chunk, a failure, a cancel); both may wait on it.
  let ending: Promise<void> | null = null;
  let cancelled = false;
  const finish = (complete: boolean) => {
    ending ??= end(complete).catch((e: unknown) => {
      deps.log.error('badges.export: could not record the end of a download', { error: String(e) });
    });
    return ending;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (cancelled) return;
          if (next.done) {
            await finish(true);
            controller.close();
          } else {
            controller.enqueue(next.value);
          }
        } catch (e) {
          if (cancelled) return; // cancel() ends it
          deps.log.error('badges.export: the download failed part-way', { error: String(e) });
          await finish(false);
          controller.error(e);
        }
      },
      async cancel() {
        cancelled = true;
        await chunks.return(undefined);
        await finish(false);
      },
    },
    { highWaterMark: 1 },
  );
}

function fileName(deps: Deps, exp: CredentialExport, format: CredentialExportFormat): string {
  const stamp = formatJst(deps.clock.now()).replace(/\D/g, '').slice(0, 12);
  return `badges-${exp.fiscalYear ?? 'all'}-${exp.orgId?.slice(0, 8) ?? 'all'}-${stamp}.${format}`;
}

/**
 * Authorises and audits the export and returns the file as a stream, with its size in credentials. Errors of
 * authorisation or validation are thrown here, before any byte; the stream itself only reads.
 */
export async function downloadCredentialExport(
  deps: Deps,
  actor: Actor,
  input: ExportFilter & { format: CredentialExportFormat },
): Promise<CredentialExportFile> {
  const { format, ...filter } = input;
  const exp = await startCredentialExport(deps, actor, filter);
  let sent = 0;
  async function* counted(): AsyncGenerator<ExportRecord[]> {
    for await (const page of exp.pages()) {
      sent += page.length; // counted as handed to the file: a cancelled download may have sent less
      yield page;
    }
  }
  const chunks =
    format === 'xlsx'
      ? xlsxStream(
          {
            sheetName: 'credentials',
            title: 'バッジの一覧(IPA向け)',
            header: EXPORT_CSV_COLUMNS,
            widths: XLSX_WIDTHS,
            created: deps.clock.now(),
          },
          (async function* () {
            for await (const page of counted()) yield page.map(exportCsvCells);
          })(),
        )
      : textChunks(format, counted());
  const body = pulled(deps, chunks, (complete) =>
    transaction(deps, (tx) =>
      audit(
        deps,
        tx,
        actor,
        'badges.export.downloaded',
        exp.orgId ? { type: 'organisation', id: exp.orgId } : null,
        {
          format,
          rows: sent,
          complete,
          expectedRows: exp.rows,
          fiscalYear: exp.fiscalYear,
          orgId: exp.orgId,
        },
      ),
    ),
  );
  return { body, contentType: CONTENT_TYPE[format], filename: fileName(deps, exp, format), rows: exp.rows };
}
