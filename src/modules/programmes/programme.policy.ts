import type { OrganisationKind, ProgrammeStatus } from '../../db/schema.js';
import type { Actor, StaffActor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';

/**
 * Who may do what with programmes, and which status moves exist. Pure functions: no database, no clock.
 *
 * - Case-study operators (2層補助事業者) and regional hubs (地域ハブ団体) run programmes: their admins and staff
 *   create, edit, submit for publication, close and archive their own organisation's programmes; their
 *   reviewers and viewers may look. The layer follows from the organisation's kind, never from a form.
 * - The secretariat (事務局) approves publication or sends a programme back (admins and staff); it may also
 *   close and archive any programme, and every secretariat member may look at all of them.
 * - METI members may look at all programmes (progress reporting); nothing else.
 * - The system actor (the close-expired job) may close programmes only.
 * - Learners and anonymous visitors: nothing here (the public pages go through programme.read.service.ts).
 */
export type ProgrammeAction =
  | 'programmes.list' //     the programmes of one's own organisation
  | 'programmes.listAll' //  every organisation's programmes, the review queue
  | 'programmes.view' //     one programme, any status
  | 'programmes.create'
  | 'programmes.edit' //     fields and questions (what may change depends on the status, see editScope)
  | 'programmes.submit'
  | 'programmes.review' //   approve or send back
  | 'programmes.close'
  | 'programmes.archive';

/** The organisation a programme belongs to. */
export type ProgrammeSubject = { orgId: string };

/** The state machine (STYLE.md 5). Who may make each move is can()'s business; this says which moves exist. */
export const TRANSITIONS: Record<ProgrammeStatus, readonly ProgrammeStatus[]> = {
  draft: ['submitted'],
  submitted: ['published', 'draft'], // approved, or sent back with a comment
  published: ['closed'],
  closed: ['archived'],
  archived: [],
};

export function canMove(from: ProgrammeStatus, to: ProgrammeStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** 2層 for case-study operators, 3層 for regional hubs; other organisations run no programmes. */
export function layerOf(kind: OrganisationKind): 2 | 3 | null {
  if (kind === 'case_study_operator') return 2;
  if (kind === 'regional_hub') return 3;
  return null;
}

const runsProgrammes = (a: StaffActor) => layerOf(a.org.kind) !== null;
const isSecretariat = (a: StaffActor) => a.org.kind === 'secretariat';
const isWriter = (a: StaffActor) => a.role === 'admin' || a.role === 'staff';
const own = (a: StaffActor, s: ProgrammeSubject | undefined) => !!s && s.orgId === a.org.id;

export function can(actor: Actor, action: ProgrammeAction, subject?: ProgrammeSubject): boolean {
  if (actor.type === 'system') return action === 'programmes.close';
  if (actor.type !== 'staff') return false;
  switch (action) {
    case 'programmes.list':
      return runsProgrammes(actor);
    case 'programmes.listAll':
      return isSecretariat(actor) || actor.org.kind === 'ministry';
    case 'programmes.view':
      return isSecretariat(actor) || actor.org.kind === 'ministry' || own(actor, subject);
    case 'programmes.create':
      return runsProgrammes(actor) && isWriter(actor);
    case 'programmes.edit':
    case 'programmes.submit':
      return runsProgrammes(actor) && isWriter(actor) && own(actor, subject);
    case 'programmes.review':
      return isSecretariat(actor) && isWriter(actor);
    case 'programmes.close':
    case 'programmes.archive':
      return isWriter(actor) && (isSecretariat(actor) || (runsProgrammes(actor) && own(actor, subject)));
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** Throws UNAUTHENTICATED for anonymous visitors (they should sign in), FORBIDDEN for everyone else refused. */
export function authorize(actor: Actor, action: ProgrammeAction, subject?: ProgrammeSubject): void {
  if (can(actor, action, subject)) return;
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/**
 * Staff of another operator or hub naming this programme's id: answered as "not found" (the id is neither
 * confirmed nor denied) and audited by the service.
 */
export function isCrossOrgAttempt(actor: Actor, subject: ProgrammeSubject): boolean {
  return (
    actor.type === 'staff' &&
    !isSecretariat(actor) &&
    actor.org.kind !== 'ministry' &&
    subject.orgId !== actor.org.id
  );
}

/**
 * What an edit may change in each status. A draft is the organisation's own; a submitted one is with the
 * secretariat and frozen; a published one may be corrected in its descriptive content (typos, venue, schedule,
 * capacity) without a new review, but not in what the secretariat approved as terms (window, fee, layer
 * rules, skills); closed and archived programmes are a record.
 */
export type EditScope = 'all' | 'content' | 'none';

export function editScope(status: ProgrammeStatus): EditScope {
  if (status === 'draft') return 'all';
  if (status === 'published') return 'content';
  return 'none';
}

/** The fields a published programme may still change (issue 3: content edits keep it published). */
export const CONTENT_FIELDS = [
  'title',
  'summary',
  'descriptionMd',
  'startsOn',
  'endsOn',
  'scheduleNote',
  'venue',
  'capacity',
] as const;

/**
 * Questions can change while no application has been submitted against them: a submitted application's
 * answers must keep meaning what the applicant was asked.
 */
export function questionsEditable(status: ProgrammeStatus, hasSubmittedApplications: boolean): boolean {
  return editScope(status) !== 'none' && !hasSubmittedApplications;
}

export type AllowedActions = {
  edit: EditScope;
  editQuestions: boolean;
  submit: boolean;
  review: boolean;
  close: boolean;
  archive: boolean;
};

/** Which buttons a page shows: the actor's rights combined with the programme's status. */
export function allowedActions(
  actor: Actor,
  p: { organisationId: string; status: ProgrammeStatus },
  hasSubmittedApplications: boolean,
): AllowedActions {
  const s = { orgId: p.organisationId };
  const mayEdit = can(actor, 'programmes.edit', s);
  return {
    edit: mayEdit ? editScope(p.status) : 'none',
    editQuestions: mayEdit && questionsEditable(p.status, hasSubmittedApplications),
    submit: can(actor, 'programmes.submit', s) && canMove(p.status, 'submitted'),
    review: can(actor, 'programmes.review', s) && p.status === 'submitted',
    close: can(actor, 'programmes.close', s) && canMove(p.status, 'closed'),
    archive: can(actor, 'programmes.archive', s) && canMove(p.status, 'archived'),
  };
}
