import { createMiddleware } from 'hono/factory';
import type { Actor } from '../../lib/actor.js';
import type { AppEnv } from '../context.js';

/**
 * Last in the chain: who is acting, from the server-side session only. A staff session that has not finished
 * MFA acts as anonymous. The organisation is the session's active membership, never a request parameter.
 */
export const actor = createMiddleware<AppEnv>(async (c, next) => {
  c.set('actor', buildActor(c.get('session'), { ip: c.get('ip'), requestId: c.get('requestId') }));
  await next();
});

export function buildActor(
  s: AppEnv['Variables']['session'],
  meta: { ip: string | null; requestId: string | null },
): Actor {
  if (s?.stage !== 'full') return { type: 'anonymous', ...meta };
  if (s.kind === 'learner') {
    return { type: 'learner', userId: s.user_id, email: s.email, displayName: s.display_name, ...meta };
  }
  const m = s.memberships.find((x) => x.organisation_id === s.active_organisation_id) ?? s.memberships[0];
  if (!m) return { type: 'anonymous', ...meta }; // a staff account with no organisation can do nothing
  return {
    type: 'staff',
    userId: s.user_id,
    email: s.email,
    displayName: s.display_name,
    org: { id: m.organisation_id, kind: m.org_kind, name: m.org_name },
    role: m.role,
    ...meta,
  };
}
