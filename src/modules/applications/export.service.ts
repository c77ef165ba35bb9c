import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { formatJst } from '../../lib/clock.js';
import { toCsv } from '../../lib/csv.js';
import { audit } from '../audit/audit.service.js';
import { getProgrammeForStaff } from '../programmes/programme.read.service.js';
import { answerText, presentListItem } from './desk.presenter.js';
import * as desk from './desk.repository.js';
import { programmeScope } from './desk.scope.js';
import { describeFilter } from './desk.service.js';
import { toXlsx } from './export.format.js';
import * as rubric from './rubric.repository.js';
import { applicationScore, formatTotal } from './rubric.scoring.js';
import { groupReviews, presentCriterion, toScoring } from './rubric.service.js';

// Exports of a programme's applications (issue 3, item 5): CSV (UTF-8 with BOM, CRLF, formula cells
// neutralised: lib/csv.ts) and XLSX (export.format.ts). The accepted list is the same export filtered by
// status. Each export is audited as `applications.exported` with its filter, in the read's transaction.

export type ExportFormat = 'csv' | 'xlsx';
/** One export holds at most this many applications; the audit row says when it was cut. */
export const EXPORT_MAX = 20_000;
const BATCH = 5_000;

export const EXPORT_HEADER = [
  '申込番号',
  '状況',
  '氏名',
  'ふりがな',
  'メールアドレス',
  '都道府県',
  '学生・社会人',
  '学校名・勤務先',
  '申込日時(日本時間)',
  '決定日時(日本時間)',
  '補欠順位',
  '評価点(100点満点)',
  '評価者数',
];

export type ExportFile = {
  body: string | Uint8Array;
  contentType: string;
  filename: string;
  rows: number;
  truncated: boolean;
};

export async function exportApplications(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  filter: desk.DeskFilter,
  format: ExportFormat,
): Promise<ExportFile> {
  const scope = await programmeScope(deps, actor, 'desk.export', programmeId);
  const programme = await getProgrammeForStaff(deps, actor, programmeId);
  const questions = programme.extraQuestions;
  // REPEATABLE READ: batches read while applications keep arriving neither shift nor repeat rows.
  const { table, rows, truncated } = await deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const [criteriaRows, reviews, scores, total] = await Promise.all([
        rubric.listCriteria(tx, scope),
        rubric.listReviews(tx, scope),
        rubric.listScores(tx, scope),
        desk.countApplications(tx, scope, filter),
      ]);
      const criteria = criteriaRows.map(presentCriterion).map(toScoring);
      const grouped = groupReviews(reviews, scores);
      const table: string[][] = [[...EXPORT_HEADER, ...questions.map((q) => q.label)]];
      for (let offset = 0; offset < EXPORT_MAX; offset += BATCH) {
        const batch = await desk.listApplications(
          tx,
          scope,
          filter,
          Math.min(BATCH, EXPORT_MAX - offset),
          offset,
        );
        for (const r of batch) {
          const v = presentListItem(r);
          const s = applicationScore(criteria, grouped.get(v.id) ?? []);
          table.push([
            v.number,
            v.statusLabel,
            v.fullName,
            v.furigana,
            v.email,
            v.prefecture,
            v.occupation,
            v.affiliation,
            formatJst(v.submittedAt),
            formatJst(v.decidedAt),
            v.waitlistRank === null ? '' : String(v.waitlistRank),
            formatTotal(s.total),
            String(s.counted),
            ...questions.map((q) => (v.anonymised ? '' : answerText(q, v.answers))),
          ]);
        }
        if (batch.length < BATCH) break;
      }
      const rows = table.length - 1;
      const truncated = total > rows;
      await audit(
        deps,
        tx,
        actor,
        'applications.exported',
        { type: 'programme', id: programmeId },
        {
          format,
          filter: describeFilter(filter),
          rows,
          truncated,
        },
      );
      return { table, rows, truncated };
    });
  const stamp = formatJst(deps.clock.now()).replace(/\D/g, '').slice(0, 12);
  const name = `${filter.status === 'accepted' ? 'accepted' : 'applications'}-${programmeId.slice(0, 8)}-${stamp}`;
  if (format === 'csv')
    return {
      body: toCsv(table),
      contentType: 'text/csv; charset=utf-8',
      filename: `${name}.csv`,
      rows,
      truncated,
    };
  return {
    body: await toXlsx(table, { sheetName: '申込一覧', title: programme.title }),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename: `${name}.xlsx`,
    rows,
    truncated,
  };
}
