import type { FrameworkImportFormat } from '../../db/schema-frameworks.js';

/**
 * The dry-run report of a framework import: every problem found, tied to where it is (sheet or file, row,
 * column), each with a stable kind (tests assert kinds, pages show the Japanese message).
 */
export type IssueKind =
  | 'bad_file' // not a file we can read (not JSON/CSV/XLSX, broken zip, bad JSON)
  | 'encoding' // an error for UTF-16 or an unknown encoding; a warning when Shift_JIS was decoded
  | 'too_large' // the upload or what an XLSX unpacks to
  | 'missing_column'
  | 'duplicate_column'
  | 'unknown_column' // warning: ignored
  | 'missing_value'
  | 'bad_value' // wrong type of value (JSON), a control character
  | 'bad_code' // not the stable-code pattern
  | 'numeric_code' // warning: a code typed as a number in Excel (1.10 reads as 1.1)
  | 'duplicate_code'
  | 'inconsistent_name' // one category code with two names, one subcategory under two categories
  | 'unknown_item' // a role names an item code the file does not have
  | 'too_long'
  | 'formula'
  | 'too_many_rows'
  | 'empty'
  | 'bad_meta' // slug, version, name or provenance of the version
  | 'version_exists'
  | 'roles_from_types'; // warning: JSON `types` imported as roles

export type Severity = 'error' | 'warning';

export type Issue = {
  severity: Severity;
  kind: IssueKind;
  /** Where: 「スキル項目」シート 5行目, roles.csv 3行目, categories[0].subcategories[1], フォーム. */
  at: string;
  /** The column (its Japanese label) or field, when one is to blame. */
  column?: string;
  /** The code on that row, to find it quickly. */
  code?: string;
  message: string;
};

export type ImportCounts = { categories: number; subcategories: number; items: number; roles: number };

export type ImportReport = {
  format: FrameworkImportFormat;
  files: { name: string; bytes: number; sha256: string }[];
  meta: { slug: string; version: string; name: string; provenance: string; official: boolean };
  counts: ImportCounts;
  errors: number;
  warnings: number;
  /** At most LIMITS.reportIssues, errors first; `omitted` says how many more there were. */
  issues: Issue[];
  omitted: number;
};

/** Collects issues while a file is read and checked. */
export class IssueList {
  readonly all: Issue[] = [];

  error(kind: IssueKind, at: string, message: string, extra: { column?: string; code?: string } = {}) {
    this.all.push({ severity: 'error', kind, at, message, ...extra });
  }

  warn(kind: IssueKind, at: string, message: string, extra: { column?: string; code?: string } = {}) {
    this.all.push({ severity: 'warning', kind, at, message, ...extra });
  }

  get errors(): number {
    return this.all.filter((i) => i.severity === 'error').length;
  }

  get warnings(): number {
    return this.all.length - this.errors;
  }

  /** Errors before warnings, each in the order found; cut at `max`. */
  listed(max: number): { issues: Issue[]; omitted: number } {
    const sorted = [
      ...this.all.filter((i) => i.severity === 'error'),
      ...this.all.filter((i) => i.severity === 'warning'),
    ];
    return { issues: sorted.slice(0, max), omitted: Math.max(0, sorted.length - max) };
  }
}

/** Where a row is, as people read it: the spreadsheet's own row number (the header is row 1). */
export function rowAt(source: string, row: number): string {
  return `${source} ${row}行目`;
}
