import type { Insertable } from 'kysely';
import type { Database } from '../../db/client.js';
import type {
  CredentialFormat,
  IssuanceRowStatus,
  IssuanceRowsTable,
  IssuanceSource,
  RowProblem,
} from '../../db/schema-badges.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { findByProgramme, findProgrammeOwner } from './achievement.repository.js';
import { findIssuableVersion } from './achievement.service.js';
import * as badges from './badge.repository.js';
import { authorize } from './badges.policy.js';
import { issuerScope, notFound } from './badges.scope.js';
import * as repo from './issuance.repository.js';
import { getIssuanceReport, type IssuanceReport } from './issuance.service.js';
import { COLUMNS, type FileProblem, type ListColumn, readCompletionList } from './issuance-file.js';
import { recipientFields } from './issue.service.js';
import { isUuid } from './urls.js';

/**
 * The dry run of bulk issuance (issue 4 §4): a completion list (CSV/XLSX) or a programme's enrolled learners
 * becomes a batch whose every row says what will happen — issued ('pending'), skipped (the earner already
 * holds a live badge of that version) or refused ('failed', with its problems: bad e-mail, unknown
 * achievement, duplicate row, formula cell…). Nothing is issued here; startIssuance queues the good rows.
 */

export type PlanFormat = { format?: CredentialFormat };

type Candidate = {
  rowNumber: number;
  email: string;
  name: string;
  userId: string | null;
  achievementRef: string;
  evidenceUrl: string | null;
  narrative: string | null;
  problems: RowProblem[];
  /** Cells as read, for checking (undefined = the column is absent). */
  raw: Partial<Record<ListColumn, { text: string; formula: boolean }>>;
};

const problem = (field: string, code: string, message: string): RowProblem => ({ field, code, message });

/** Checks every row and resolves its achievement; returns the rows to store, with statuses. */
async function checkRows(
  db: Database,
  orgId: string,
  candidates: Candidate[],
  defaultRef: string | null,
): Promise<Insertable<IssuanceRowsTable>[]> {
  const versions = new Map<string, Awaited<ReturnType<typeof findIssuableVersion>>>();
  const resolve = async (ref: string) => {
    if (!versions.has(ref)) versions.set(ref, await findIssuableVersion(db, orgId, ref));
    return versions.get(ref) ?? null;
  };
  const seen = new Map<string, number>();
  const checked: (Insertable<IssuanceRowsTable> & { problems: RowProblem[]; key: string | null })[] = [];
  for (const c of candidates) {
    const problems = [...c.problems];
    for (const [column, cell] of Object.entries(c.raw)) {
      if (cell?.formula) {
        const label = COLUMNS[column as ListColumn].label;
        problems.push(
          problem(
            column,
            'formula',
            `「${label}」が数式です(先頭が = + - @ のセルは使えません)。値だけを入力してください。`,
          ),
        );
      }
    }
    const email = recipientFields.email.safeParse(c.email);
    if (!email.success) {
      problems.push(
        problem(
          'email',
          c.email.trim() ? 'bad_email' : 'missing',
          c.email.trim() ? 'メールアドレスの形式が正しくありません。' : 'メールアドレスがありません。',
        ),
      );
    }
    const name = recipientFields.name.safeParse(c.name);
    if (!name.success)
      problems.push(
        problem('name', 'bad_name', `氏名: ${name.error.issues[0]?.message ?? '正しくありません'}`),
      );
    const evidence = recipientFields.evidenceUrl.safeParse(c.evidenceUrl ?? '');
    if (!evidence.success)
      problems.push(problem('evidenceUrl', 'bad_url', '根拠URL は http(s) の URL にしてください。'));
    const narrative = recipientFields.narrative.safeParse(c.narrative ?? '');
    if (!narrative.success)
      problems.push(problem('narrative', 'too_long', '所見は2000文字以内にしてください。'));
    const ref = c.achievementRef.trim() || defaultRef || '';
    const version = ref ? await resolve(ref) : null;
    if (!ref) problems.push(problem('achievement', 'missing', 'バッジ(達成基準のキー)がありません。'));
    else if (!version) {
      problems.push(
        problem(
          'achievement',
          'unknown_achievement',
          `バッジ「${ref.slice(0, 50)}」が見つからないか、公開されていません。`,
        ),
      );
    }
    const normalisedEmail = email.success ? email.data : c.email.trim().slice(0, 320);
    const key = version && email.success ? `${version.versionId} ${email.data}` : null;
    if (key) {
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(problem('email', 'duplicate', `${first}行目と同じ受領者・同じバッジです。`));
      } else seen.set(key, c.rowNumber);
    }
    checked.push({
      batch_id: '',
      row_number: c.rowNumber,
      email: normalisedEmail,
      name: (name.success ? name.data : c.name.trim()).slice(0, 200),
      user_id: c.userId,
      achievement_ref: ref.slice(0, 200),
      achievement_version_id: version?.versionId ?? null,
      evidence_url: evidence.success ? (evidence.data ?? null) : null,
      narrative: narrative.success ? (narrative.data ?? null) : null,
      status: problems.length > 0 ? 'failed' : 'pending',
      problems,
      key: problems.length > 0 ? null : key,
    });
  }
  const pairs = checked
    .filter((r) => r.key)
    .map((r) => ({ versionId: r.achievement_version_id as string, email: r.email as string }));
  const live = await badges.findLiveMany(db, pairs);
  return checked.map(({ key, problems, ...row }) => {
    const existing = key ? live.get(key) : undefined;
    const status: IssuanceRowStatus = existing ? 'skipped' : (row.status as IssuanceRowStatus);
    return {
      ...row,
      status,
      credential_id: existing ?? null,
      problems: JSON.stringify(
        existing
          ? [problem('email', 'already_issued', 'このバッジは既に発行済みです(発行しません)。')]
          : problems,
      ),
    };
  });
}

async function saveBatch(
  deps: Deps,
  actor: Actor,
  orgId: string,
  batch: {
    source: IssuanceSource;
    filename: string | null;
    programmeId: string | null;
    format: CredentialFormat;
    fileErrors: FileProblem[];
    notices: FileProblem[];
  },
  rows: Insertable<IssuanceRowsTable>[],
): Promise<string> {
  const count = (s: IssuanceRowStatus) => rows.filter((r) => r.status === s).length;
  return transaction(deps, async (tx) => {
    const batchId = await repo.insertBatch(tx, {
      organisation_id: orgId,
      created_by: actorUserId(actor),
      source: batch.source,
      filename: batch.filename,
      programme_id: batch.programmeId,
      format: batch.format,
      total_rows: rows.length,
      pending_count: count('pending'),
      skipped_count: count('skipped'),
      failed_count: count('failed'),
      report: JSON.stringify({ fileErrors: batch.fileErrors, notices: batch.notices }),
      created_at: deps.clock.now(),
    });
    await repo.insertRows(
      tx,
      rows.map((r) => ({ ...r, batch_id: batchId })),
    );
    await audit(
      deps,
      tx,
      actor,
      'badges.batch.planned',
      { type: 'issuance_batch', id: batchId },
      {
        source: batch.source,
        filename: batch.filename,
        programmeId: batch.programmeId,
        rows: rows.length,
        toIssue: count('pending'),
        refused: count('failed'),
      },
    );
    return batchId;
  });
}

const formatOf = (f: unknown): CredentialFormat => {
  if (f === undefined || f === 'ldp') return 'ldp';
  if (f === 'jwt') return 'jwt';
  throw new AppError('VALIDATION', '形式を選んでください', { fields: { format: 'ldp か jwt です' } });
};

/**
 * Dry run of a completion list: reads the file, checks every row, stores the batch and returns its report.
 * `achievementId` is used for rows whose achievement cell is empty (or when the file has no such column).
 */
export async function planIssuance(
  deps: Deps,
  actor: Actor,
  input: { orgId: string; file: { name: string; bytes: Uint8Array }; achievementId?: string } & PlanFormat,
): Promise<IssuanceReport> {
  const scope = await issuerScope(deps, actor, 'badges.issue', input.orgId);
  const format = formatOf(input.format);
  const list = await readCompletionList(input.file);
  const candidates: Candidate[] = list.rows.map((r) => ({
    rowNumber: r.rowNumber,
    email: r.cells.email?.text ?? '',
    name: r.cells.name?.text ?? '',
    userId: null,
    achievementRef: r.cells.achievement?.text ?? '',
    evidenceUrl: r.cells.evidenceUrl?.text ?? null,
    narrative: r.cells.narrative?.text ?? null,
    problems: [],
    raw: r.cells,
  }));
  const rows = await checkRows(deps.db, scope.orgId, candidates, input.achievementId ?? null);
  const batchId = await saveBatch(
    deps,
    actor,
    scope.orgId,
    {
      source: 'upload',
      filename: input.file.name.slice(0, 255),
      programmeId: null,
      format,
      fileErrors: list.errors,
      notices: list.notices,
    },
    rows,
  );
  return getIssuanceReport(deps, actor, { batchId });
}

/**
 * Dry run of issuing to a programme's completers: its enrolled learners (applications with status
 * 'enrolled'). The achievement is `achievementId`, or the programme's own achievement when it has exactly one.
 */
export async function planProgrammeIssuance(
  deps: Deps,
  actor: Actor,
  input: { programmeId: string; achievementId?: string } & PlanFormat,
): Promise<IssuanceReport> {
  const programme = isUuid(input.programmeId)
    ? await findProgrammeOwner(deps.db, input.programmeId)
    : undefined;
  if (!programme) {
    if (actor.type === 'anonymous' || actor.type === 'learner') authorize(actor, 'badges.issue');
    throw notFound('プログラム');
  }
  const scope = await issuerScope(deps, actor, 'badges.issue', programme.organisation_id);
  const format = formatOf(input.format);
  let ref = input.achievementId ?? null;
  if (!ref) {
    const linked = await findByProgramme(deps.db, scope.orgId, programme.id);
    if (linked.length !== 1) {
      const message =
        linked.length === 0
          ? 'このプログラムに結び付いたバッジがありません。発行するバッジを選んでください'
          : 'このプログラムには複数のバッジがあります。発行するバッジを選んでください';
      throw new AppError('VALIDATION', message, { fields: { achievementId: message } });
    }
    ref = (linked[0] as { id: string }).id;
  }
  const learners = await repo.listEnrolled(deps.db, scope.orgId, programme.id);
  const candidates: Candidate[] = learners.map((l, i) => ({
    rowNumber: i + 1,
    email: l.anonymised_at ? '' : (l.email ?? ''),
    name: l.anonymised_at ? '' : (l.full_name ?? ''),
    userId: l.applicant_user_id,
    achievementRef: '',
    evidenceUrl: null,
    narrative: null,
    problems: l.anonymised_at
      ? [problem('email', 'anonymised', `申込み ${l.number ?? ''} は匿名化済みのため発行できません。`)]
      : [],
    raw: {},
  }));
  const rows = await checkRows(deps.db, scope.orgId, candidates, ref);
  const batchId = await saveBatch(
    deps,
    actor,
    scope.orgId,
    {
      source: 'programme',
      filename: null,
      programmeId: programme.id,
      format,
      fileErrors: learners.length === 0 ? [{ code: 'empty', message: '受講確定の受講者がいません。' }] : [],
      notices: [],
    },
    rows,
  );
  return getIssuanceReport(deps, actor, { batchId });
}
