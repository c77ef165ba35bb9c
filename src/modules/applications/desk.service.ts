import type { ApplicationStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import type { ProgrammeView } from '../programmes/programme.presenter.js';
import { getProgrammeForStaff } from '../programmes/programme.read.service.js';
import { APPLICATION_STATUS_LABEL } from './application.transitions.js';
import { firstWaitlisted } from './decision.repository.js';
import { authorize, can, type DeskAction, requireStaff } from './desk.policy.js';
import {
  ANONYMISED,
  type AnswerView,
  type DeskApplication,
  type DeskListItem,
  presentAnswers,
  presentApplication,
  presentListItem,
} from './desk.presenter.js';
import * as repo from './desk.repository.js';
import { DESK_PAGE_SIZE, DESK_STATUSES } from './desk.schema.js';
import { applicationScope, notFound, programmeScope } from './desk.scope.js';
import { type ReviewPanel, reviewPanel } from './rubric.service.js';

// Reading the desk: the organisation's programmes, one programme's applications, one application.
// Every read of applicants' records by staff is audited (SECURITY.md), in the transaction that reads them.

export type StatusCount = { status: ApplicationStatus; label: string; n: number };

export type DeskProgrammeSummary = {
  id: string;
  title: string;
  fiscalYear: number;
  layer: 2 | 3;
  closesAt: Date | null;
  capacity: number | null;
  total: number;
  counts: StatusCount[];
};

export type Allowed = {
  decide: boolean;
  export: boolean;
  rubric: boolean;
  templates: boolean;
  score: boolean;
};

function allowedFor(actor: Actor, orgId: string): Allowed {
  const s = { orgId };
  return {
    decide: can(actor, 'desk.decide', s),
    export: can(actor, 'desk.export', s),
    rubric: can(actor, 'desk.rubric', s),
    templates: can(actor, 'desk.templates', s),
    score: can(actor, 'desk.score', s),
  };
}

function statusCounts(m: Map<ApplicationStatus, number>): StatusCount[] {
  return DESK_STATUSES.map((status) => ({
    status,
    label: APPLICATION_STATUS_LABEL[status],
    n: m.get(status) ?? 0,
  }));
}

/** The desk's front page: the actor's own organisation's programmes, with counts (no personal data). */
export async function listDeskProgrammes(
  deps: Deps,
  actor: Actor,
): Promise<{ programmes: DeskProgrammeSummary[]; allowed: Allowed; overview: boolean }> {
  const staff = requireStaff(actor);
  const overview = can(staff, 'applications.overview');
  // A secretariat member may come here for the overview link alone; anyone else needs the desk itself.
  if (!overview) authorize(staff, 'desk.view', { orgId: staff.org.id });
  const { programmes, counts } = await repo.listOrgProgrammes(deps.db, staff.org.id);
  return {
    programmes: programmes.map((p) => {
      const m = new Map<ApplicationStatus, number>();
      for (const c of counts) if (c.programme_id === p.id) m.set(c.status, c.n);
      const list = statusCounts(m);
      return {
        id: p.id,
        title: p.title,
        fiscalYear: p.fiscal_year,
        layer: p.layer,
        closesAt: p.closes_at,
        capacity: p.capacity,
        total: list.reduce((a, c) => a + c.n, 0),
        counts: list,
      };
    }),
    allowed: allowedFor(staff, staff.org.id),
    overview,
  };
}

export type DeskList = {
  programme: ProgrammeView;
  items: DeskListItem[];
  total: number;
  page: number;
  pages: number;
  counts: StatusCount[];
  all: number;
  /** Accepted and enrolled, against the capacity. */
  seatsTaken: number;
  waitlistNext: { id: string; number: string; fullName: string } | null;
  allowed: Allowed;
};

export async function listApplications(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  filter: repo.DeskFilter,
  page = 1,
): Promise<DeskList> {
  const scope = await programmeScope(deps, actor, 'desk.view', programmeId);
  const programme = await getProgrammeForStaff(deps, actor, programmeId);
  return transaction(deps, async (tx) => {
    const [rows, total, counts, next] = await Promise.all([
      repo.listApplications(tx, scope, filter, DESK_PAGE_SIZE, (page - 1) * DESK_PAGE_SIZE),
      repo.countApplications(tx, scope, filter),
      repo.countByStatus(tx, scope),
      firstWaitlisted(tx, scope),
    ]);
    await audit(
      deps,
      tx,
      actor,
      'applications.listed',
      { type: 'programme', id: programmeId },
      { filter: describeFilter(filter), page, shown: rows.length },
    );
    const list = statusCounts(counts);
    return {
      programme,
      items: rows.map(presentListItem),
      total,
      page,
      pages: Math.max(1, Math.ceil(total / DESK_PAGE_SIZE)),
      counts: list,
      all: list.reduce((a, c) => a + c.n, 0),
      seatsTaken: (counts.get('accepted') ?? 0) + (counts.get('enrolled') ?? 0),
      waitlistNext: next
        ? {
            id: next.id,
            number: next.number ?? '',
            fullName: next.anonymised_at ? ANONYMISED : (next.full_name ?? ''),
          }
        : null,
      allowed: allowedFor(actor, scope.orgId),
    };
  });
}

/**
 * The refusal a use case on this programme would give (not found, audited across organisations; forbidden),
 * for routes that must refuse before they show a form's errors.
 */
export async function checkProgrammeAccess(
  deps: Deps,
  actor: Actor,
  programmeId: string,
  action: DeskAction,
): Promise<void> {
  await programmeScope(deps, actor, action, programmeId);
}

/** The filter as plain JSON for audit rows. */
export function describeFilter(f: repo.DeskFilter): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export type HistoryEntry = {
  from: string;
  to: string;
  at: Date;
  by: string;
  note: string;
};

export type DeskDetail = {
  programme: ProgrammeView;
  application: DeskApplication;
  answers: AnswerView[];
  history: HistoryEntry[];
  reviews: ReviewPanel;
  allowed: Allowed;
};

/** One application, as its organisation's desk sees it. Each view is audited as `applications.viewed`. */
export async function getApplicationDetail(
  deps: Deps,
  actor: Actor,
  applicationId: string,
): Promise<DeskDetail> {
  const scope = await applicationScope(deps, actor, 'desk.view', applicationId);
  const programme = await getProgrammeForStaff(deps, actor, scope.programmeId);
  return transaction(deps, async (tx) => {
    const row = await repo.findApplication(tx, scope, applicationId);
    if (!row) throw notFound();
    const history = await repo.statusHistory(tx, applicationId);
    const reviews = await reviewPanel(tx, scope, row.status);
    await audit(
      deps,
      tx,
      actor,
      'applications.viewed',
      { type: 'application', id: applicationId },
      { programmeId: scope.programmeId, number: row.number },
    );
    const application = presentApplication(row);
    return {
      programme,
      application,
      answers: presentAnswers(programme.extraQuestions, application.answers),
      history: history.map((h) => ({
        from: h.from_status ? APPLICATION_STATUS_LABEL[h.from_status] : '',
        to: APPLICATION_STATUS_LABEL[h.to_status],
        at: h.at,
        // The applicant's own moves (submission, withdrawal) are shown as theirs, not by name.
        by: h.actor_kind === 'learner' ? '申込者' : (h.actor_name ?? 'システム'),
        note: h.note ?? '',
      })),
      reviews,
      allowed: allowedFor(actor, scope.orgId),
    };
  });
}
