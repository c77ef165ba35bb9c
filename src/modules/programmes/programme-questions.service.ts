import { randomBytes } from 'node:crypto';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { loadProgramme, programmeNotFound } from './programme.access.js';
import { editScope } from './programme.policy.js';
import { bumpContentVersion, findProgramme, lockProgramme } from './programme.repository.js';
import * as admin from './programme-admin.repository.js';
import type { EligibilityQuestionForm, ExtraQuestionForm } from './programme-questions.schema.js';
import { QUESTION_LIMITS } from './programme-questions.schema.js';
import { eligibilityQuestionSchema, extraQuestionSchema, parseEligibility, parseExtra } from './questions.js';

// The question editor's use cases: add, remove, move one question of a programme's eligibility or extra
// list. Each is one small transaction on the locked programme row (read, change, write back, audit), so two
// editors never lose each other's changes.

type Change =
  | { op: 'add'; set: 'eligibility'; question: EligibilityQuestionForm }
  | { op: 'add'; set: 'extra'; question: ExtraQuestionForm }
  | { op: 'remove'; set: admin.QuestionSet; questionId: string }
  | { op: 'move'; set: admin.QuestionSet; questionId: string; direction: 'up' | 'down' };

const frozen = () =>
  new AppError(
    'INVALID_STATE',
    'このプログラムには既に申込みがあるため、質問は変更できません。申込者が答えた質問の意味が変わってしまうためです。',
  );
const questionNotFound = () => new AppError('NOT_FOUND', '質問が見つかりません');

/**
 * A new question id (e… / q… + 10 hex digits). Random rather than counted, so that an id removed from the
 * list is never given to a different question: a draft application's saved answers are keyed by id.
 */
function newId(prefix: string, existing: { id: string }[]): string {
  for (;;) {
    const id = `${prefix}${randomBytes(5).toString('hex')}`;
    if (!existing.some((q) => q.id === id)) return id;
  }
}

function apply(list: { id: string }[], change: Change): unknown[] {
  if (change.op === 'add') {
    const max = change.set === 'eligibility' ? QUESTION_LIMITS.eligibilityCount : QUESTION_LIMITS.extraCount;
    if (list.length >= max) {
      throw new AppError('VALIDATION', `質問は${max}個までです`, {
        fields: { _form: `質問は${max}個までです` },
      });
    }
    const id = newId(change.set === 'eligibility' ? 'e' : 'q', list);
    // questions.ts is the definition of a stored question: whatever the form built must pass it too.
    const schema = change.set === 'eligibility' ? eligibilityQuestionSchema : extraQuestionSchema;
    return [...list, schema.parse({ id, ...change.question })];
  }
  const i = list.findIndex((q) => q.id === change.questionId);
  if (i < 0) throw questionNotFound();
  if (change.op === 'remove') return list.filter((_, j) => j !== i);
  const j = change.direction === 'up' ? i - 1 : i + 1;
  if (j < 0 || j >= list.length) return list; // already first/last: nothing to do, not an error
  const out = [...list];
  [out[i], out[j]] = [out[j] as { id: string }, out[i] as { id: string }];
  return out;
}

async function changeQuestions(deps: Deps, actor: Actor, programmeId: string, change: Change): Promise<void> {
  const { scope } = await loadProgramme(deps, actor, programmeId, 'programmes.edit');
  await transaction(deps, async (tx) => {
    await lockProgramme(tx, programmeId);
    const row = await findProgramme(tx, programmeId);
    if (!row) throw programmeNotFound();
    if (editScope(row.status) === 'none') {
      throw new AppError('INVALID_STATE', 'このプログラムは現在の状態では質問を変更できません');
    }
    // The row lock also holds off an application being submitted meanwhile (the applying side locks it too).
    if (await admin.hasSubmittedApplications(tx, programmeId)) throw frozen();
    const list =
      change.set === 'eligibility'
        ? parseEligibility(row.eligibility_questions)
        : parseExtra(row.extra_questions);
    const next = apply(list, change);
    const now = deps.clock.now();
    if (!(await admin.setQuestions(tx, scope, programmeId, row.status, change.set, next, now))) {
      throw programmeNotFound();
    }
    const questionId = change.op === 'add' ? (next.at(-1) as { id: string }).id : change.questionId;
    await audit(
      deps,
      tx,
      actor,
      'programmes.updated',
      { type: 'programme', id: programmeId },
      {
        status: row.status,
        questions: change.set,
        op: change.op,
        questionId,
      },
    );
    if (row.status === 'published') await bumpContentVersion(tx);
  });
}

export function addEligibilityQuestion(deps: Deps, actor: Actor, id: string, q: EligibilityQuestionForm) {
  return changeQuestions(deps, actor, id, { op: 'add', set: 'eligibility', question: q });
}

export function addExtraQuestion(deps: Deps, actor: Actor, id: string, q: ExtraQuestionForm) {
  return changeQuestions(deps, actor, id, { op: 'add', set: 'extra', question: q });
}

export function removeQuestion(
  deps: Deps,
  actor: Actor,
  id: string,
  set: admin.QuestionSet,
  questionId: string,
) {
  return changeQuestions(deps, actor, id, { op: 'remove', set, questionId });
}

export function moveQuestion(
  deps: Deps,
  actor: Actor,
  id: string,
  set: admin.QuestionSet,
  questionId: string,
  direction: 'up' | 'down',
) {
  return changeQuestions(deps, actor, id, { op: 'move', set, questionId, direction });
}
