import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema.js';
import type { OrgScope } from './organisation.repository.js';

/**
 * Who in an organisation hears about something: the addresses of its active members in the given roles. The
 * service chooses the roles (a rule); this file only reads. Organisations have no contact address of their
 * own, so notifications go to people.
 */
export async function listMemberEmailsByRole(
  db: Database,
  scope: OrgScope,
  roles: readonly Role[],
): Promise<string[]> {
  if (roles.length === 0) return [];
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.email')
    .distinct()
    .where('m.organisation_id', '=', scope.orgId)
    .where('m.role', 'in', roles)
    .where('u.status', '=', 'active')
    .orderBy('u.email')
    .execute();
  return rows.map((r) => r.email);
}
