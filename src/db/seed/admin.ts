import { type Deps, transaction } from '../../deps.js';
import { systemActor } from '../../lib/actor.js';
import { audit } from '../../modules/audit/audit.service.js';
import { createSeedStaff, generatePassword } from './demo.js';

/**
 * `dxq create-admin`: a secretariat admin with a password generated now (returned for printing once).
 * Creates the secretariat organisation first on an empty database.
 */
export async function createSecretariatAdmin(
  deps: Deps,
  input: { email: string; displayName: string },
): Promise<string> {
  const password = generatePassword();
  const actor = systemActor('cli');
  await transaction(deps, async (tx) => {
    let org = await tx
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'secretariat')
      .orderBy('created_at')
      .executeTakeFirst();
    if (!org) {
      org = await tx
        .insertInto('organisations')
        .values({
          kind: 'secretariat',
          name: 'マナビDX Quest 事務局',
          name_en: 'Manabi DX Quest Secretariat',
          prefecture_code: 13,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(deps, tx, actor, 'organisations.created', { type: 'organisation', id: org.id });
    }
    await createSeedStaff(
      deps,
      tx,
      {
        email: input.email,
        displayName: input.displayName,
        password,
        orgId: org.id,
        role: 'admin',
      },
      'cli',
    );
  });
  return password;
}
