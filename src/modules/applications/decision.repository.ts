import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { DecisionKind } from '../../db/schema.js';
import type { DeskScope } from './desk.repository.js';

/**
 * SQL for decisions: the application as a decision needs it, the waitlist, and the organisation's decision
 * mail texts. Status changes themselves go through moveStatus (application-status.repository.ts).
 */

/** One application of the programme in scope, with what the decision and its mail need. */
export function findForDecision(db: Database, scope: DeskScope, id: string) {
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .select([
      'a.id',
      'a.status',
      'a.number',
      'a.full_name',
      'a.email',
      'a.anonymised_at',
      'a.waitlist_position',
      'p.title as programme_title',
      'o.name as organisation_name',
    ])
    .where('p.organisation_id', '=', scope.orgId)
    .where('a.programme_id', '=', scope.programmeId)
    .where('a.id', '=', id)
    .executeTakeFirst();
}
export type DecisionRow = NonNullable<Awaited<ReturnType<typeof findForDecision>>>;

/** The next place at the end of the programme's waitlist (positions only grow; gaps are harmless). */
export async function nextWaitlistPosition(db: Database, scope: DeskScope): Promise<number> {
  const r = await db
    .selectFrom('applications')
    .select(sql<number>`coalesce(max(waitlist_position), 0)::int`.as('n'))
    .where('programme_id', '=', scope.programmeId)
    .executeTakeFirstOrThrow();
  return Number(r.n) + 1;
}

/** Who is next on the waitlist: the lowest position, then the earliest submission. */
export function firstWaitlisted(db: Database, scope: DeskScope) {
  return db
    .selectFrom('applications as a')
    .innerJoin('programmes as p', 'p.id', 'a.programme_id')
    .select(['a.id', 'a.number', 'a.full_name', 'a.anonymised_at'])
    .where('p.organisation_id', '=', scope.orgId)
    .where('a.programme_id', '=', scope.programmeId)
    .where('a.status', '=', 'waitlisted')
    .orderBy(sql`a.waitlist_position asc nulls last`)
    .orderBy('a.submitted_at')
    .orderBy('a.id')
    .executeTakeFirst();
}

export function listTemplates(db: Database, orgId: string) {
  return db
    .selectFrom('decision_mail_templates as t')
    .leftJoin('users as u', 'u.id', 't.updated_by')
    .select(['t.kind', 't.body', 't.updated_at', 'u.display_name as updated_by_name'])
    .where('t.organisation_id', '=', orgId)
    .execute();
}

export async function findTemplate(db: Database, orgId: string, kind: DecisionKind): Promise<string | null> {
  const r = await db
    .selectFrom('decision_mail_templates')
    .select('body')
    .where('organisation_id', '=', orgId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return r?.body ?? null;
}

export async function upsertTemplate(
  db: Database,
  v: { orgId: string; kind: DecisionKind; body: string; by: string; at: Date },
): Promise<void> {
  await db
    .insertInto('decision_mail_templates')
    .values({ organisation_id: v.orgId, kind: v.kind, body: v.body, updated_by: v.by, updated_at: v.at })
    .onConflict((oc) =>
      oc
        .columns(['organisation_id', 'kind'])
        .doUpdateSet({ body: v.body, updated_by: v.by, updated_at: v.at }),
    )
    .execute();
}

/** Back to the default text: the organisation's own row goes. Returns whether there was one. */
export async function deleteTemplate(db: Database, orgId: string, kind: DecisionKind): Promise<boolean> {
  const r = await db
    .deleteFrom('decision_mail_templates')
    .where('organisation_id', '=', orgId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
