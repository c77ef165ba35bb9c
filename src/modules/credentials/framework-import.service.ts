import { createHash } from 'node:crypto';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { bumpContentVersion } from '../programmes/programme.repository.js';
import { notePublicContentChanged } from '../programmes/public-cache.js';
import {
  checkFramework,
  type FrameworkPayload,
  META_LABELS,
  type MetaInput,
} from './framework-import.check.js';
import { LIMITS } from './framework-import.format.js';
import {
  type FrameworkImportView,
  presentImport,
  presentImportDetail,
} from './framework-import.presenter.js';
import {
  type ReadFramework,
  readFrameworkUpload,
  sniffFormat,
  type Upload,
} from './framework-import.read.js';
import { type ImportReport, IssueList } from './framework-import.report.js';
import * as repo from './framework-import.repository.js';
import { authorize } from './skill-framework.policy.js';

/**
 * Importing a skill framework version (issue 4 §1): always a dry run first, which reads and checks the
 * upload and records the result (the per-row report, and the validated framework when it has no error);
 * then, from that record, the import, which creates the version in one transaction with its audit row.
 * Only the secretariat imports (skill-framework.policy.ts). The uploaded bytes are never stored: only their
 * names (as metadata), sizes and SHA-256, so the record says exactly which file was checked.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new AppError('NOT_FOUND', '取り込みの記録が見つかりません');

/** A user-given file name is metadata only (SECURITY.md): its last path part, printable, ≤ 255 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach a page or log
  const clean = [...base.replace(/[\u0000-\u001f\u007f]/g, '').trim()].slice(0, 255).join('');
  return clean || 'upload';
}

export type CheckImportInput = { file: Upload; rolesFile: Upload | null; meta: MetaInput };

export async function checkFrameworkImport(
  deps: Deps,
  actor: Actor,
  input: CheckImportInput,
): Promise<{ id: string; ok: boolean }> {
  authorize(actor, 'frameworks.import');
  const uploads = [input.file, ...(input.rolesFile ? [input.rolesFile] : [])].map((u) => ({
    name: cleanFileName(u.name),
    bytes: u.bytes,
  }));
  const [file, rolesFile = null] = uploads;
  if (!file)
    throw new AppError('VALIDATION', 'ファイルを選んでください', {
      fields: { file: 'ファイルを選んでください' },
    });
  const issues = new IssueList();
  const tooBig = uploads.find((u) => u.bytes.byteLength > LIMITS.fileBytes);
  const sniffed = sniffFormat(file);
  const read: ReadFramework = tooBig
    ? { format: sniffed === 'xls' ? 'xlsx' : sniffed, items: null, roles: null, meta: {} }
    : await readFrameworkUpload(file, rolesFile, issues);
  if (tooBig)
    issues.error('too_large', tooBig.name, `ファイルは${LIMITS.fileBytes / 1024 / 1024}MBまでです。`);
  const { payload, meta, counts } = checkFramework(read, input.meta, issues);
  if (meta.slug && meta.version && (await repo.frameworkExists(deps.db, meta.slug, meta.version))) {
    issues.error(
      'version_exists',
      'フォーム',
      `「${meta.slug}」のバージョン「${meta.version}」はすでにあります。取り込んだバージョンは変更できないため、別のバージョンとして取り込んでください。`,
      { column: META_LABELS.version },
    );
  }
  const ok = payload !== null && issues.errors === 0;
  const files = uploads.map((u) => ({
    name: u.name,
    bytes: u.bytes.byteLength,
    sha256: createHash('sha256').update(u.bytes).digest('hex'),
  }));
  const report: ImportReport = {
    format: read.format,
    files,
    meta,
    counts,
    errors: issues.errors,
    warnings: issues.warnings,
    ...issues.listed(LIMITS.reportIssues),
  };
  const id = await transaction(deps, async (tx) => {
    const id = await repo.insertImport(tx, {
      status: ok ? 'checked' : 'rejected',
      format: read.format,
      files,
      meta,
      counts: { items: counts.items, roles: counts.roles, errors: issues.errors, warnings: issues.warnings },
      report,
      payload: ok ? payload : null,
      checkedBy: actorUserId(actor),
      checkedAt: deps.clock.now(),
    });
    await audit(
      deps,
      tx,
      actor,
      'frameworks.import_checked',
      { type: 'framework_import', id },
      {
        files: files.map((f) => ({ name: f.name, sha256: f.sha256 })),
        slug: meta.slug,
        version: meta.version,
        errors: issues.errors,
        warnings: issues.warnings,
      },
    );
    return id;
  });
  return { id, ok };
}

/**
 * Creates the version a checked record holds: framework row, items, roles and their items, the record moved
 * to 'imported', the public content version bumped (the lists and sitemap are cached) and the audit row, all
 * in one transaction. A second import of the same record, or of a version that exists by now, is refused.
 */
export async function importFramework(
  deps: Deps,
  actor: Actor,
  importId: string,
): Promise<{ frameworkId: string; slug: string; version: string }> {
  authorize(actor, 'frameworks.import');
  if (!UUID.test(importId)) throw notFound();
  const done = await transaction(deps, async (tx) => {
    const record = await repo.lockImport(tx, importId);
    if (!record) throw notFound();
    if (record.status === 'imported')
      throw new AppError('INVALID_STATE', 'この取り込みはすでに完了しています');
    if (record.status !== 'checked' || !record.payload)
      throw new AppError(
        'INVALID_STATE',
        'エラーのあるファイルは取り込めません。直してもう一度確認してください',
      );
    const payload = record.payload as FrameworkPayload;
    const { slug, version } = payload.meta;
    const frameworkId = await repo.insertFramework(tx, payload.meta);
    if (!frameworkId)
      throw new AppError(
        'CONFLICT',
        `「${slug}」のバージョン「${version}」はすでにあります。別のバージョンとして取り込んでください`,
      );
    await repo.insertVersionContent(tx, frameworkId, payload.items, payload.roles);
    if (!(await repo.markImported(tx, importId, frameworkId, actorUserId(actor), deps.clock.now())))
      throw new AppError('INVALID_STATE', 'この取り込みはすでに完了しています');
    await bumpContentVersion(tx);
    await audit(
      deps,
      tx,
      actor,
      'frameworks.imported',
      { type: 'skill_framework', id: frameworkId },
      {
        importId,
        slug,
        version,
        items: payload.items.length,
        roles: payload.roles.length,
        official: payload.meta.official,
      },
    );
    return { frameworkId, slug, version };
  });
  notePublicContentChanged(deps);
  return done;
}

export async function listFrameworkImports(deps: Deps, actor: Actor): Promise<FrameworkImportView[]> {
  authorize(actor, 'frameworks.import');
  return (await repo.listImports(deps.db, 50)).map(presentImport);
}

export async function getFrameworkImport(deps: Deps, actor: Actor, id: string) {
  authorize(actor, 'frameworks.import');
  if (!UUID.test(id)) throw notFound();
  const row = await repo.findImport(deps.db, id);
  if (!row) throw notFound();
  return presentImportDetail(row);
}
