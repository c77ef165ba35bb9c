import type { FrameworkImportFormat, FrameworkImportStatus } from '../../db/schema-frameworks.js';
import type { ImportReport } from './framework-import.report.js';
import type { ImportDetailRow, ImportRow } from './framework-import.repository.js';

/** An import record as pages see it (STYLE.md 8). */
export type FrameworkImportView = {
  id: string;
  status: FrameworkImportStatus;
  format: FrameworkImportFormat;
  fileNames: string[];
  slug: string | null;
  version: string | null;
  name: string | null;
  itemCount: number;
  roleCount: number;
  errorCount: number;
  warningCount: number;
  checkedAt: Date;
  checkedBy: string | null;
  importedAt: Date | null;
  importedBy: string | null;
  frameworkId: string | null;
};

export type FrameworkImportDetail = FrameworkImportView & { report: ImportReport };

export const IMPORT_STATUS_LABEL: Record<FrameworkImportStatus, string> = {
  checked: '確認済み(取り込み待ち)',
  rejected: 'エラーあり',
  imported: '取り込み済み',
};

export const FORMAT_LABEL: Record<FrameworkImportFormat, string> = { json: 'JSON', csv: 'CSV', xlsx: 'XLSX' };

function fileNames(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  return files
    .map((f) => (typeof f === 'object' && f !== null && 'name' in f ? String(f.name) : ''))
    .filter(Boolean);
}

export function presentImport(r: ImportRow): FrameworkImportView {
  return {
    id: r.id,
    status: r.status,
    format: r.format,
    fileNames: fileNames(r.files),
    slug: r.slug,
    version: r.version,
    name: r.name,
    itemCount: Number(r.item_count),
    roleCount: Number(r.role_count),
    errorCount: Number(r.error_count),
    warningCount: Number(r.warning_count),
    checkedAt: new Date(r.checked_at),
    checkedBy: r.checked_by_email,
    importedAt: r.imported_at ? new Date(r.imported_at) : null,
    importedBy: r.imported_by_email,
    frameworkId: r.framework_id,
  };
}

/** The report as stored by the dry run (framework-import.service.ts writes it; nothing else does). */
export function presentImportDetail(r: ImportDetailRow): FrameworkImportDetail {
  return { ...presentImport(r), report: r.report as ImportReport };
}
