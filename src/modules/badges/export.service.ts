import { z } from 'zod';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { type BadgeStatus, badgeStatus } from './badge.presenter.js';
import * as badges from './badge.repository.js';
import { authorize } from './badges.policy.js';
import { issuerScope } from './badges.scope.js';
import type { OpenBadgeCredential } from './credential.js';
import { credentialUrn } from './urls.js';

/**
 * The export for IPA's skill platform (issue 4 §8b): per credential a flat record (credential id, achievement
 * id and version, DSS-P codes, issuer, validFrom, status) and the signed credential, filterable by fiscal year
 * (of the award, April–March in Japan time) and issuing organisation. Read from the database a page at a time
 * (keyset pagination on (awarded_at, id)), so export-download.service.ts streams it as JSON Lines, CSV or XLSX
 * without ever holding more than a page of it in memory, however many badges there are.
 */

export type ExportRecord = {
  credentialId: string;
  /** The achievement's `id` in the credential (a stable URL per achievement version). */
  achievementId: string;
  achievementVersion: number;
  achievementName: string;
  /** The codes of the aligned skill items (DSS-P) and the framework version they belong to. */
  dsspCodes: string[];
  framework: string | null;
  issuerId: string;
  issuerName: string;
  organisationId: string;
  validFrom: string;
  validUntil: string | null;
  awardedDate: string;
  status: BadgeStatus;
  revokedAt: string | null;
  /** The correction that replaced this credential, if any. */
  replacedBy: string | null;
  format: 'ldp' | 'jwt';
  /** The signed credential exactly as issued (with its Data Integrity proof). */
  credential: Record<string, unknown>;
  jwt: string | null;
};

export const exportFilterSchema = z.object({
  fiscalYear: z.number().int().min(2022).max(2100).optional(),
  /** Required for organisations; the secretariat may leave it out for every organisation. */
  orgId: z.uuid().optional(),
});
export type ExportFilter = z.input<typeof exportFilterSchema>;

/** Credentials per database page: ~0.5–1 MB of signed JSON, one indexed range read each. */
export const EXPORT_PAGE_SIZE = 500;

/** 年度 N runs from 1 April N to 1 April N+1, midnight in Japan (UTC+9, no daylight saving). */
export function fiscalYearRange(year: number): { from: Date; to: Date } {
  return {
    from: new Date(Date.UTC(year, 3, 1) - 9 * 3_600_000),
    to: new Date(Date.UTC(year + 1, 3, 1) - 9 * 3_600_000),
  };
}

function toRecord(row: badges.ExportRow, now: Date): ExportRecord {
  const credential = row.credential as unknown as OpenBadgeCredential;
  const achievement = credential.credentialSubject.achievement;
  const alignments = achievement.alignment ?? [];
  return {
    credentialId: credentialUrn(row.id),
    achievementId: achievement.id,
    achievementVersion: row.version,
    achievementName: achievement.name,
    dsspCodes: alignments.map((a) => a.targetCode),
    framework: alignments[0]?.targetFramework ?? null,
    issuerId: credential.issuer.id,
    issuerName: credential.issuer.name,
    organisationId: row.organisation_id,
    validFrom: credential.validFrom,
    validUntil: credential.validUntil ?? null,
    awardedDate: credential.awardedDate ?? credential.validFrom,
    status: badgeStatus(row, now),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    replacedBy: row.replaced_by_id ? credentialUrn(row.replaced_by_id) : null,
    format: row.format,
    credential: row.credential,
    jwt: row.jwt,
  };
}

/** An export once authorised and audited: what it holds, and its records a page at a time. */
export type CredentialExport = {
  /** The organisation exported (null: every organisation, the secretariat's choice) and the fiscal year. */
  orgId: string | null;
  fiscalYear: number | null;
  /** The moment the export started: it holds the badges issued up to then. */
  asOf: Date;
  /** How many records the pages hold (counted when the export started, with the same conditions). */
  rows: number;
  /** The records in (awarded date, id) order, one database page per step; each call reads anew. */
  pages: () => AsyncGenerator<ExportRecord[]>;
};

/**
 * Authorises and audits the export (`badges.exported`, before a row is read), counts it, and returns its pages.
 * Organisations export their own badges only; the secretariat any organisation's, or all.
 */
export async function startCredentialExport(
  deps: Deps,
  actor: Actor,
  input: ExportFilter,
): Promise<CredentialExport> {
  const parsed = exportFilterSchema.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION', '条件を確認してください');
  const filter = parsed.data;
  // Without an organisation: staff of an organisation export their own; across organisations, only those
  // allowed without naming one (the secretariat, the system) may.
  const named =
    filter.orgId ?? (actor.type === 'staff' && actor.org.kind !== 'secretariat' ? actor.org.id : null);
  let orgId: string | null = null;
  if (named) orgId = (await issuerScope(deps, actor, 'badges.export', named)).orgId;
  else authorize(actor, 'badges.export');
  const range = filter.fiscalYear ? fiscalYearRange(filter.fiscalYear) : null;
  const asOf = deps.clock.now();
  const where: badges.ExportFilter = {
    orgId,
    from: range?.from ?? null,
    to: range?.to ?? null,
    issuedUpTo: asOf,
  };
  await transaction(deps, (tx) =>
    audit(deps, tx, actor, 'badges.exported', orgId ? { type: 'organisation', id: orgId } : null, {
      fiscalYear: filter.fiscalYear ?? null,
      orgId,
    }),
  );
  const rows = await badges.countForExport(deps.db, where);
  async function* pages(): AsyncGenerator<ExportRecord[]> {
    let after: { awardedAt: Date; id: string } | null = null;
    for (;;) {
      const page = await badges.listForExport(deps.db, where, after, EXPORT_PAGE_SIZE);
      if (page.length > 0) yield page.map((row) => toRecord(row, asOf));
      const last = page.at(-1);
      if (!last || page.length < EXPORT_PAGE_SIZE) return;
      after = { awardedAt: last.awarded_at, id: last.id };
    }
  }
  return { orgId, fiscalYear: filter.fiscalYear ?? null, asOf, rows, pages };
}

/** The export's records one by one (authorised and audited on call), for callers that want no pages. */
export async function exportCredentials(
  deps: Deps,
  actor: Actor,
  input: ExportFilter,
): Promise<AsyncIterable<ExportRecord>> {
  const started = await startCredentialExport(deps, actor, input);
  async function* records(): AsyncGenerator<ExportRecord> {
    for await (const page of started.pages()) yield* page;
  }
  return records();
}

/** The CSV columns of the export (one line per credential; the signed credential as JSON text). */
export const EXPORT_CSV_COLUMNS = [
  'credential_id',
  'achievement_id',
  'achievement_version',
  'achievement_name',
  'dssp_codes',
  'framework',
  'issuer_id',
  'issuer_name',
  'valid_from',
  'valid_until',
  'awarded_date',
  'status',
  'revoked_at',
  'replaced_by',
  'credential',
] as const;

/** One record as CSV cells in EXPORT_CSV_COLUMNS order (pass to lib/csv's csvRow). */
export function exportCsvCells(r: ExportRecord): (string | number | null)[] {
  return [
    r.credentialId,
    r.achievementId,
    r.achievementVersion,
    r.achievementName,
    r.dsspCodes.join(' '),
    r.framework,
    r.issuerId,
    r.issuerName,
    r.validFrom,
    r.validUntil,
    r.awardedDate,
    r.status,
    r.revokedAt,
    r.replacedBy,
    r.jwt ?? JSON.stringify(r.credential),
  ];
}
