import type { Context } from 'hono';
import type { Deps } from '../deps.js';
import type { Actor } from '../lib/actor.js';
import type { Locale } from '../lib/i18n.js';
import type { MembershipView, SessionRow } from '../modules/identity/session.repository.js';

export type CurrentSession = SessionRow & { token: string; memberships: MembershipView[] };

/** Values the middleware chain puts on each request (see app.tsx for the order). */
export type AppEnv = {
  Variables: {
    deps: Deps;
    requestId: string;
    nonce: string;
    locale: Locale;
    ip: string | null;
    session: CurrentSession | null;
    csrfToken: string;
    actor: Actor;
  };
};

export type AppContext = Context<AppEnv>;
