import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError, type FieldErrors } from '../../lib/errors.js';
import type { SkillFrameworkView, SkillItemView } from '../credentials/skill-framework.presenter.js';
import {
  describeSkills,
  getDefaultFramework,
  getFrameworkById,
} from '../credentials/skill-framework.service.js';
import { fiscalYearOf } from './jst.js';
import { loadProgramme, scopeOf } from './programme.access.js';
import { type AllowedActions, allowedActions, authorize, can, layerOf } from './programme.policy.js';
import { type ProgrammeView, presentProgramme } from './programme.presenter.js';
import { publicationProblems } from './programme.readiness.js';
import * as admin from './programme-admin.repository.js';

// Read use cases of the management pages: lists (own organisation / all), the review queue, one programme
// with what the actor may do to it, and what a new programme's form starts from.

export type StaffProgrammeList = {
  items: ProgrammeView[];
  /** true for the secretariat and METI (every organisation), false for an operator's or hub's own list */
  all: boolean;
  /** Organisations that have programmes: the secretariat's filter (empty for an organisation's own list). */
  organisations: { id: string; name: string }[];
  canCreate: boolean;
};

export async function listProgrammesForStaff(
  deps: Deps,
  actor: Actor,
  filter: admin.StaffListFilter,
): Promise<StaffProgrammeList> {
  const all = can(actor, 'programmes.listAll');
  if (!all) authorize(actor, 'programmes.list');
  const scope = scopeOf(actor);
  const [rows, organisations] = await Promise.all([
    admin.listProgrammes(deps.db, scope, all ? filter : { ...filter, organisationId: undefined }),
    all ? admin.listProgrammeOrganisations(deps.db) : Promise.resolve([]),
  ]);
  return {
    items: rows.map(presentProgramme),
    all,
    organisations,
    canCreate: can(actor, 'programmes.create'),
  };
}

/** Submitted programmes of every organisation, oldest submission first. */
export async function getReviewQueue(deps: Deps, actor: Actor): Promise<ProgrammeView[]> {
  authorize(actor, 'programmes.review');
  return (await admin.listProgrammes(deps.db, { all: true }, { status: 'submitted' })).map(presentProgramme);
}

export type ProgrammeAdminView = {
  programme: ProgrammeView;
  allowed: AllowedActions;
  hasSubmittedApplications: boolean;
  /** The framework the programme aligns to, for the skill checkboxes (null only for a broken reference). */
  framework: SkillFrameworkView | null;
  skills: SkillItemView[];
  /** What publication still needs (drafts only; empty when ready). */
  problems: FieldErrors;
};

export async function getProgrammeAdmin(deps: Deps, actor: Actor, id: string): Promise<ProgrammeAdminView> {
  const { row } = await loadProgramme(deps, actor, id, 'programmes.view');
  const programme = presentProgramme(row);
  const hasSubmitted = await admin.hasSubmittedApplications(deps.db, id);
  const framework = programme.skillFrameworkId
    ? await getFrameworkById(deps, programme.skillFrameworkId).catch(() => null)
    : await getDefaultFramework(deps);
  return {
    programme,
    allowed: allowedActions(actor, programme, hasSubmitted),
    hasSubmittedApplications: hasSubmitted,
    framework,
    skills: await describeSkills(deps, programme.skillFrameworkId, programme.skillCodes),
    problems: programme.status === 'draft' ? publicationProblems(programme, deps.clock.now()) : {},
  };
}

export type NewProgrammeContext = { layer: 2 | 3; fiscalYear: number; framework: SkillFrameworkView };

/** What the "new programme" form starts from: the layer is the organisation's, the year the current 年度. */
export async function newProgrammeContext(deps: Deps, actor: Actor): Promise<NewProgrammeContext> {
  authorize(actor, 'programmes.create');
  const layer = actor.type === 'staff' ? layerOf(actor.org.kind) : null;
  if (!layer) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  return { layer, fiscalYear: fiscalYearOf(deps.clock.now()), framework: await getDefaultFramework(deps) };
}
