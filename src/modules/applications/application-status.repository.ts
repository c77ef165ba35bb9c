import type { Database } from '../../db/client.js';
import type { ApplicationStatus } from '../../db/schema.js';

/**
 * The one guarded status change (STYLE.md 5): UPDATE … WHERE id = $1 AND status = $expected, plus the history
 * row, in the caller's transaction. Returns false when the application was not in `from` (someone else moved
 * it first): the caller answers INVALID_STATE.
 */
export async function moveStatus(
  db: Database,
  input: {
    applicationId: string;
    from: ApplicationStatus;
    to: ApplicationStatus;
    at: Date;
    actorUserId: string | null;
    note?: string | null;
    set?: {
      decided_at?: Date;
      enrolled_at?: Date;
      withdrawn_at?: Date;
      submitted_at?: Date;
      waitlist_position?: number | null;
      number?: string;
      idempotency_key?: string;
    };
  },
): Promise<boolean> {
  const r = await db
    .updateTable('applications')
    .set({ status: input.to, updated_at: input.at, ...input.set })
    .where('id', '=', input.applicationId)
    .where('status', '=', input.from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await db
    .insertInto('application_status_history')
    .values({
      application_id: input.applicationId,
      from_status: input.from,
      to_status: input.to,
      at: input.at,
      actor_user_id: input.actorUserId,
      note: input.note ?? null,
    })
    .execute();
  return true;
}
