import { type Selectable, sql } from 'kysely';
import type { Database } from '../../db/client.js';
import type { MailOutboxTable } from '../../db/schema.js';

/** The only SQL for mail_outbox. Status moves queued → sent | stored | failed, never back (STYLE.md 5). */
export type MailRow = Selectable<MailOutboxTable>;
export type MailListRow = Omit<MailRow, 'body_text'>;

export async function insertMail(
  db: Database,
  row: { to: string; subject: string; bodyText: string; template: string },
): Promise<string> {
  const r = await db
    .insertInto('mail_outbox')
    .values({ to_address: row.to, subject: row.subject, body_text: row.bodyText, template: row.template })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function findMail(db: Database, id: string): Promise<MailRow | undefined> {
  return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Each transition is guarded by the expected status, so a second run of the job changes nothing. */
export async function markMailSent(db: Database, id: string, messageId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('mail_outbox')
    .set({
      status: 'sent',
      message_id: messageId,
      sent_at: at,
      last_error: null,
      attempts: sql<number>`attempts + 1`,
    })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** No SMTP configured: the mail stays in the outbox for secretariat staff to read and pass on. */
export async function markMailStored(db: Database, id: string): Promise<boolean> {
  const r = await db
    .updateTable('mail_outbox')
    .set({ status: 'stored' })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a failed SMTP attempt; `final` moves the mail to failed (no more retries). */
export async function recordMailFailure(
  db: Database,
  id: string,
  error: string,
  final: boolean,
): Promise<boolean> {
  const r = await db
    .updateTable('mail_outbox')
    .set({
      last_error: error,
      attempts: sql<number>`attempts + 1`,
      ...(final ? { status: 'failed' as const } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type MailSearch = { q?: string | undefined };

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

function filtered(db: Database, f: MailSearch) {
  let q = db.selectFrom('mail_outbox');
  if (f.q) {
    const pattern = `%${escapeLike(f.q)}%`;
    q = q.where((eb) => eb.or([eb('to_address', 'ilike', pattern), eb('subject', 'ilike', pattern)]));
  }
  return q;
}

/** Newest first; the body is left out of lists (it is read one mail at a time, with an audit row). */
export async function listMails(
  db: Database,
  f: MailSearch,
  limit: number,
  offset: number,
): Promise<MailListRow[]> {
  return filtered(db, f)
    .select([
      'id',
      'to_address',
      'subject',
      'template',
      'status',
      'attempts',
      'last_error',
      'message_id',
      'created_at',
      'sent_at',
    ])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countMails(db: Database, f: MailSearch): Promise<number> {
  const r = await filtered(db, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
