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

/**
 * Many submissions in one statement (src/lib/coalesce.ts gathers the ones that arrive together): each item is
 * decided on its own, exactly as the single statement would decide it — an item whose programme version, draft
 * or status is not as read updates nothing and gets undefined. Two items for the same draft (a double click
 * landing in one batch) update it once; the other gets undefined and the usual path answers "already".
 * An idempotency key clash still fails the whole statement (23505): the caller then lets each item take the
 * usual path.
 */
export async function submitDraftsInOneStatement(
  db: Database,
  items: OneStatementSubmission[],
): Promise<({ id: string; number: string } | undefined)[]> {
  const rows = items.map((s, i) => ({
    i,
    programme_id: s.programmeId,
    row_version: s.programmeRowVersion,
    fiscal_year: String(s.fiscalYear),
    user_id: s.userId,
    full_name: s.fields.fullName,
    furigana: s.fields.furigana,
    email: s.fields.email,
    prefecture_code: s.fields.prefectureCode,
    occupation: s.fields.occupation,
    affiliation: s.fields.affiliation,
    pledge: s.fields.pledge,
    answers: s.fields.answers,
    consent_version: s.consent.version,
    consent_at: s.consent.at.toISOString(),
    now: s.now.toISOString(),
    idempotency_key: s.idempotencyKey,
    audit_at: s.audit.at.toISOString(),
    actor_user_id: s.audit.actorUserId,
    actor_organisation_id: s.audit.actorOrganisationId,
    action: s.audit.action,
    subject_type: s.audit.subjectType,
    ip: s.audit.ip,
    request_id: s.audit.requestId,
    details: s.audit.details,
    mail_id: s.mail.id,
    mail_to: s.mail.to,
    mail_subject: s.mail.subject,
    mail_body: s.mail.bodyText,
    mail_template: s.mail.template,
    slot_id: s.slots.applicationId,
    slot_number: s.slots.number,
    job_name: s.job.name,
    job_payload: s.job.payload,
    job_run_at: s.job.runAt.toISOString(),
    job_max_attempts: s.job.maxAttempts,
  }));
  const fill = (text: string) =>
    `replace(replace(${text}, x.slot_id, upd.id::text), x.slot_number, upd.number)`;
  const r = await sql<{ i: number; id: string; number: string }>`${sql.raw(PREPARED)}
    with x as materialized (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as t(
        i integer, programme_id uuid, row_version text, fiscal_year text, user_id uuid,
        full_name text, furigana text, email text, prefecture_code smallint, occupation text, affiliation text,
        pledge boolean, answers jsonb, consent_version text, consent_at timestamptz, now timestamptz,
        idempotency_key text, audit_at timestamptz, actor_user_id uuid, actor_organisation_id uuid, action text,
        subject_type text, ip text, request_id text, details jsonb, mail_id uuid, mail_to text, mail_subject text,
        mail_body text, mail_template text, slot_id text, slot_number text, job_name text, job_payload jsonb,
        job_run_at timestamptz, job_max_attempts integer)
    ),
    p as (
      select id, xmin::text as row_version from programmes where id in (select programme_id from x) for share
    ),
    n as materialized (
      select x.i, nextval('application_number_seq')::text as v from x
    ),
    upd as (
      update applications a set
        full_name = x.full_name,
        furigana = x.furigana,
        email = x.email,
        prefecture_code = x.prefecture_code,
        occupation = x.occupation,
        affiliation = x.affiliation,
        pledge_accepted = x.pledge,
        answers = x.answers,
        consent_notice_version = x.consent_version,
        consented_at = x.consent_at,
        status = 'submitted',
        submitted_at = x.now,
        updated_at = x.now,
        idempotency_key = x.idempotency_key,
        number = 'DXQ-' || x.fiscal_year || '-' || lpad(n.v, greatest(6, length(n.v)), '0')
      from x
        join p on p.id = x.programme_id and p.row_version = x.row_version
        join n on n.i = x.i
      where a.programme_id = x.programme_id and a.applicant_user_id = x.user_id and a.status = 'draft'
      returning a.id, a.number, x.i
    ),
    history as (
      insert into application_status_history (application_id, from_status, to_status, at, actor_user_id)
      select upd.id, 'draft', 'submitted', x.now, x.user_id from upd join x on x.i = upd.i
    ),
    audited as (
      insert into audit_log
        (at, actor_user_id, actor_organisation_id, action, subject_type, subject_id, ip, request_id, details)
      select x.audit_at, x.actor_user_id, x.actor_organisation_id, x.action, x.subject_type, upd.id::text, x.ip,
        x.request_id, jsonb_set(x.details, '{number}', to_jsonb(upd.number))
      from upd join x on x.i = upd.i
    ),
    mailed as (
      insert into mail_outbox (id, to_address, subject, body_text, template)
      select x.mail_id, x.mail_to, ${sql.raw(fill('x.mail_subject'))}, ${sql.raw(fill('x.mail_body'))},
        x.mail_template
      from upd join x on x.i = upd.i
    ),
    queued as (
      insert into jobs (name, payload, run_at, max_attempts)
      select x.job_name, x.job_payload, x.job_run_at, x.job_max_attempts from upd join x on x.i = upd.i
    )
    select i, id, number from upd
  `.execute(db);
  const byItem = new Map(r.rows.map((row) => [Number(row.i), { id: row.id, number: row.number }]));
  return items.map((_, i) => byItem.get(i));
}

/** PostgreSQL's unique_violation, from pg and from PGlite alike. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}
