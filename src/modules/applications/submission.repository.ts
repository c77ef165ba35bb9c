import { sql } from 'kysely';
import { type Database, PREPARED } from '../../db/client.js';
import type { AuditInsert } from '../audit/audit.repository.js';
import type { PreparedMail } from '../notifications/mail.service.js';
import type { DraftFields } from './application.repository.js';

/**
 * A submission as ONE statement (issue 3, item 9(b)): at a deadline thousands submit within minutes, and each
 * round trip to PostgreSQL costs the server a system call and the pool a connection held open in a transaction.
 * The usual path (application.service.ts) takes about a dozen round trips; this statement does the same writes
 * in one: the guarded status change, its history row, the audit row, the confirmation mail and its job, all
 * committed together or not at all (a single statement is its own transaction).
 *
 * It acts only if everything is exactly as the caller read it, and otherwise changes nothing and returns
 * undefined, so the caller falls back to the usual path, which gives the precise answer:
 * - the programme row is the version the answers were validated against (`xmin`, see findProgrammeVersioned)
 *   and is held FOR SHARE, as in the usual path, so a question edit (FOR UPDATE) waits for this commit;
 * - the applicant's application is still a draft (`status = 'draft'` in the WHERE: a concurrent submit of the
 *   same draft makes this one update nothing, READ COMMITTED re-checks the row it waited for);
 * - the idempotency key is unused (its unique index makes a clash fail the whole statement: 23505).
 *
 * The application's id and number are only known inside the statement, so the caller renders the mail with
 * the `slots` tokens in their place and the statement puts the values in; the audit details get the number.
 * The number is the shared sequence formatted as formatApplicationNumber does (DXQ-<year>-<6+ digits>).
 */
export type OneStatementSubmission = {
  programmeId: string;
  programmeRowVersion: string;
  fiscalYear: number;
  userId: string;
  fields: DraftFields;
  consent: { version: string; at: Date };
  idempotencyKey: string;
  now: Date;
  audit: AuditInsert;
  mail: PreparedMail & { id: string };
  job: { name: string; payload: Record<string, unknown>; maxAttempts: number; runAt: Date };
  slots: { applicationId: string; number: string };
};

export async function submitDraftInOneStatement(
  db: Database,
  s: OneStatementSubmission,
): Promise<{ id: string; number: string } | undefined> {
  const f = s.fields;
  const a = s.audit;
  const fill = (text: string) =>
    sql<string>`replace(replace(${text}::text, ${s.slots.applicationId}::text, upd.id::text), ${s.slots.number}::text, upd.number)`;
  const r = await sql<{ id: string; number: string }>`${sql.raw(PREPARED)}
    with p as (
      select id from programmes where id = ${s.programmeId}::uuid and xmin = ${s.programmeRowVersion}::xid for share
    ),
    n as (
      select nextval('application_number_seq')::text as v
    ),
    upd as (
      update applications a set
        full_name = ${f.fullName}::text,
        furigana = ${f.furigana}::text,
        email = ${f.email}::text,
        prefecture_code = ${f.prefectureCode}::smallint,
        occupation = ${f.occupation}::text,
        affiliation = ${f.affiliation}::text,
        pledge_accepted = ${f.pledge}::boolean,
        answers = ${JSON.stringify(f.answers)}::jsonb,
        consent_notice_version = ${s.consent.version}::text,
        consented_at = ${s.consent.at}::timestamptz,
        status = 'submitted',
        submitted_at = ${s.now}::timestamptz,
        updated_at = ${s.now}::timestamptz,
        idempotency_key = ${s.idempotencyKey}::text,
        number = 'DXQ-' || ${String(s.fiscalYear)}::text || '-' || lpad(n.v, greatest(6, length(n.v)), '0')
      from p, n
      where a.programme_id = p.id and a.applicant_user_id = ${s.userId}::uuid and a.status = 'draft'
      returning a.id, a.number
    ),
    history as (
      insert into application_status_history (application_id, from_status, to_status, at, actor_user_id)
      select upd.id, 'draft', 'submitted', ${s.now}::timestamptz, ${s.userId}::uuid from upd
    ),
    audited as (
      insert into audit_log
        (at, actor_user_id, actor_organisation_id, action, subject_type, subject_id, ip, request_id, details)
      select ${a.at}::timestamptz, ${a.actorUserId}::uuid, ${a.actorOrganisationId}::uuid, ${a.action}::text,
        ${a.subjectType}::text, upd.id::text, ${a.ip}::text, ${a.requestId}::text,
        jsonb_set(${JSON.stringify(a.details)}::jsonb, '{number}', to_jsonb(upd.number))
      from upd
    ),
    mailed as (
      insert into mail_outbox (id, to_address, subject, body_text, template)
      select ${s.mail.id}::uuid, ${s.mail.to}::text, ${fill(s.mail.subject)}, ${fill(s.mail.bodyText)},
        ${s.mail.template}::text
      from upd
    ),
    queued as (
      insert into jobs (name, payload, run_at, max_attempts)
      select ${s.job.name}::text, ${JSON.stringify(s.job.payload)}::jsonb, ${s.job.runAt}::timestamptz,
        ${s.job.maxAttempts}::integer
      from upd
    )
    select id, number from upd
  `.execute(db);
  return r.rows[0];
}

/** PostgreSQL's unique_violation, from pg and from PGlite alike. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}
