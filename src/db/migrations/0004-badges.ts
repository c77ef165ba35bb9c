import type { Kysely } from 'kysely';

// Open Badges 3.0 (issue 4): issuers and keys, achievements and versions, credentials, status lists, issuance batches. (Being written.)
export async function up(_db: Kysely<unknown>): Promise<void> {}
