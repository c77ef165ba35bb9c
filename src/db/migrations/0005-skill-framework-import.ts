import type { Kysely } from 'kysely';

// Skill frameworks as imported data (issue 4 §1): roles and import records. (Being written.)
export async function up(_db: Kysely<unknown>): Promise<void> {}
