import { createTransport } from 'nodemailer';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import type { MailStatus } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import { enqueue, errorMessage } from '../../jobs/queue.js';
import type { Handlers, JobHandler } from '../../jobs/runner.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { hasControlChars, normalizeEmail, normalizeText } from '../../lib/text.js';
import { audit } from '../audit/audit.service.js';
import {
  countMails,
  findMail,
  insertMail,
  listMails,
  type MailListRow,
  type MailRow,
  markMailSent,
  markMailStored,
  recordMailFailure,
} from './mail.repository.js';
import { type MailTemplateData, renderMail, type TemplateName } from './mail.templates.js';

export const MAIL_SEND_JOB = 'mail.send';
/** 10 attempts with the queue's backoff (10 s … 1 h) ride out an SMTP outage of about two and a half hours. */
export const MAIL_MAX_ATTEMPTS = 10;
export const OUTBOX_PAGE_SIZE = 50;

/**
 * The recipient is the one header value that can come from a person, so it is checked here (IPA #8):
 * control characters (CR/LF) are refused before anything else, then one plain address of at most 254
 * characters (RFC 5321). The address syntax has no commas or angle brackets, so it cannot name a second
 * recipient either.
 */
export const recipientSchema = z
  .string()
  .refine((s) => !hasControlChars(s), 'メールアドレスに改行などの制御文字は使えません')
  .transform(normalizeEmail)
  .pipe(z.email('メールアドレスの形式が正しくありません').max(254, 'メールアドレスが長すぎます'));

export type QueueMailInput<K extends TemplateName = TemplateName> = {
  to: string;
  template: K;
  data: MailTemplateData[K];
};

/** A mail ready for the outbox: the recipient checked, the template rendered. */
export type PreparedMail = { to: string; subject: string; bodyText: string; template: TemplateName };

/** Checks the recipient and renders the template; VALIDATION (at the field `to`) for a bad address. */
export function prepareMail<K extends TemplateName>(input: QueueMailInput<K>): PreparedMail {
  const to = recipientSchema.safeParse(input.to);
  if (!to.success) {
    const message = to.error.issues[0]?.message ?? 'メールアドレスが正しくありません';
    throw new AppError('VALIDATION', message, { fields: { to: message } });
  }
  const rendered = renderMail(input.template, input.data);
  return { to: to.data, subject: rendered.subject, bodyText: rendered.text, template: input.template };
}

/**
 * Renders a mail into the outbox and enqueues its sending, in the caller's transaction: the mail exists
 * only if the state change that caused it commits, and it is sent after that commit. Returns the mail id.
 */
export async function queueMail<K extends TemplateName>(
  _deps: Deps,
  tx: Database,
  input: QueueMailInput<K>,
): Promise<string> {
  const mailId = await insertMail(tx, prepareMail(input));
  await enqueue(tx, MAIL_SEND_JOB, { mailId }, { maxAttempts: MAIL_MAX_ATTEMPTS });
  return mailId;
}

const payloadSchema = z.object({ mailId: z.uuid() });

/**
 * Sends one outbox mail. Idempotent (STYLE.md 7): only a mail still 'queued' is sent, and every status
 * change is guarded by `status = 'queued'`, so running the job again after success does nothing. The queue's
 * renewed lease keeps two workers from running one job at the same time. One gap no handler can close: if
 * the SMTP server accepted the mail but marking it sent failed, the retry sends it again (at least once).
 *
 * Failure design: the handler records every SMTP error on the mail row and rethrows so the queue retries
 * with backoff; on the job's last attempt (job.attempts ≥ job.maxAttempts) it also marks the mail 'failed',
 * in step with the queue failing the job.
 */
export const sendMail: JobHandler = async (deps, payload, job) => {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) throw new Error('mail.send: the payload has no valid mailId');
  const mail = await findMail(deps.db, parsed.data.mailId);
  if (mail?.status !== 'queued') return;
  // Defence in depth: only queueMail writes rows, but nothing unchecked may become a header.
  if (hasControlChars(mail.to_address) || hasControlChars(mail.subject)) {
    await recordMailFailure(deps.db, mail.id, 'refused: control characters in a header value', true);
    return;
  }
  const smtpUrl = deps.config.smtpUrl;
  if (!smtpUrl) {
    await markMailStored(deps.db, mail.id);
    return;
  }
  let messageId: string;
  try {
    messageId = await deliver(smtpUrl, deps.config.mailFrom, mail);
  } catch (e) {
    const final = job.attempts >= job.maxAttempts;
    await recordMailFailure(deps.db, mail.id, errorMessage(e), final);
    throw e;
  }
  await markMailSent(deps.db, mail.id, messageId, deps.clock.now());
};

/** Headers come from settings (From) and the validated row (To, Subject); the body is plain text only. */
async function deliver(smtpUrl: string, from: string, mail: MailRow): Promise<string> {
  const transport = createTransport({
    url: smtpUrl,
    // Well inside the job lease (5 min), so a hung server cannot outlive the lease and cause a double send.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from,
      to: mail.to_address,
      subject: mail.subject,
      text: mail.body_text,
    });
    return info.messageId;
  } finally {
    transport.close();
  }
}

export const mailHandlers: Handlers = { [MAIL_SEND_JOB]: sendMail };

/** Only secretariat admins and staff read the outbox: it holds every recipient's address and links. */
export function canReadOutbox(actor: Actor): boolean {
  return (
    actor.type === 'staff' &&
    actor.org.kind === 'secretariat' &&
    (actor.role === 'admin' || actor.role === 'staff')
  );
}

function authorizeOutbox(actor: Actor): void {
  if (!canReadOutbox(actor)) throw new AppError('FORBIDDEN', '送信メールを閲覧する権限がありません');
}

/** Query-string input is forgiving: a bad page number shows page 1 rather than an error. */
export const outboxQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  q: z
    .string()
    .transform((s) => normalizeText(s).slice(0, 100))
    .optional()
    .catch(undefined),
});

export type OutboxItem = {
  id: string;
  to: string;
  subject: string;
  template: string;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
};
export type OutboxMail = OutboxItem & { body: string; messageId: string | null };
export type OutboxPage = {
  items: OutboxItem[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
};

function presentItem(r: MailListRow): OutboxItem {
  return {
    id: r.id,
    to: r.to_address,
    subject: r.subject,
    template: r.template,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

export async function listOutbox(
  deps: Deps,
  actor: Actor,
  input: { page?: unknown; q?: unknown },
): Promise<OutboxPage> {
  authorizeOutbox(actor);
  const { page, q } = outboxQuerySchema.parse(input);
  const filter = { q: q || undefined };
  const [rows, total] = await Promise.all([
    listMails(deps.db, filter, OUTBOX_PAGE_SIZE, (page - 1) * OUTBOX_PAGE_SIZE),
    countMails(deps.db, filter),
  ]);
  return {
    items: rows.map(presentItem),
    total,
    page,
    pageSize: OUTBOX_PAGE_SIZE,
    pageCount: Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE)),
  };
}

/** One mail with its body. Each reading is audited: the body can hold personal data and sign-in links. */
export async function getOutboxMail(deps: Deps, actor: Actor, id: string): Promise<OutboxMail> {
  authorizeOutbox(actor);
  const notFound = () => new AppError('NOT_FOUND', 'メールが見つかりません');
  if (!z.uuid().safeParse(id).success) throw notFound();
  return transaction(deps, async (tx) => {
    const mail = await findMail(tx, id);
    if (!mail) throw notFound();
    await audit(
      deps,
      tx,
      actor,
      'notifications.outbox.view',
      { type: 'mail', id: mail.id },
      { template: mail.template },
    );
    return { ...presentItem(mail), body: mail.body_text, messageId: mail.message_id };
  });
}
