import { Hono } from 'hono';
import { ping } from '../db/client.js';
import type { Deps } from '../deps.js';
import { applyRoutes } from '../modules/applications/web/apply.routes.js';
import { deskRoutes } from '../modules/applications/web/desk.routes.js';
import { myApplicationsRoutes } from '../modules/applications/web/my-applications.routes.js';
import { secretariatRoutes } from '../modules/applications/web/secretariat.routes.js';
import { auditRoutes } from '../modules/audit/web/audit.routes.js';
import { badgeDocumentRoutes } from '../modules/badges/web/badge-documents.routes.js';
import { earnerBadgeRoutes } from '../modules/badges/web/earner-badges.routes.js';
import { staffBadgeRoutes } from '../modules/badges/web/staff-badges.routes.js';
import { skillFrameworkRoutes } from '../modules/credentials/web/framework.routes.js';
import { operatorGuideRoutes } from '../modules/handover/web/operator-guide.routes.js';
import { identityRoutes } from '../modules/identity/web/identity.routes.js';
import { outboxRoutes } from '../modules/notifications/web/outbox.routes.js';
import { invitationRoutes } from '../modules/organisations/web/invitation.routes.js';
import { organisationRoutes } from '../modules/organisations/web/organisation.routes.js';
import { PublicCache } from '../modules/programmes/public-cache.js';
import { programmeAdminRoutes } from '../modules/programmes/web/programme-admin.routes.js';
import { publicProgrammeRoutes } from '../modules/programmes/web/public.routes.js';
import type { SiteFetch } from '../modules/verification/site-documents.js';
import { verifyApiRoutes, verifyRoutes } from '../modules/verification/web/verify.routes.js';
import type { AppEnv } from './context.js';
import { errorPage, handleError } from './errors.js';
import { actor } from './middleware/actor.js';
import { bodyLimit } from './middleware/body-limit.js';
import { csrf } from './middleware/csrf.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { session } from './middleware/session.js';
import { homeRoutes } from './pages/home.routes.js';
import { publicFastPath } from './pages/public-fast-path.js';
import { publicSiteRoutes } from './pages/public-site.routes.js';
import { staticRoutes } from './static.js';

export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();

  // The middleware order is the security checklist (ARCHITECTURE.md, request flow):
  app.use(requestId(deps)); //                  1. correlation id, client address
  app.use(securityHeaders(deps)); //            2. CSP with a nonce, no framing, nosniff, no-store
  app.route('/', staticRoutes()); //               (assets and health need no session or database)
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', async (c) =>
    (await ping(deps.db)) ? c.text('ready') : c.text('database unavailable', 503),
  );
  const publicCache = new PublicCache(deps); // public pages for anonymous visitors (issue 3, item 9(a))
  app.use(publicFastPath(publicCache)); //         (a cached public page for a visitor without a session)
  app.use(
    bodyLimit(deps.config.bodyLimitBytes, (c) => errorPage(c, 413)), // 3. body size → 413
  );
  // In-process reads of this site's own documents (issuer keys, status lists, badges) for the verifier: no socket.
  const site: SiteFetch = (path) => Promise.resolve(app.request(path));
  app.route('/', verifyApiRoutes(site)); //          (the verification API: no session, no CSRF, its own ceiling)
  app.route('/', badgeDocumentRoutes()); //          (badge documents: issuer keys, status lists, badges; public)
  app.use(session); //                             4. server-side session, idle/absolute timeouts
  app.use(csrf); //                                5. CSRF token on every state change → 403
  app.use(rateLimit(deps)); //                     6. per-account/address ceiling on state changes → 429
  app.use(actor); //                               7. who is acting, from the session only

  app.route('/', homeRoutes(publicCache));
  app.route('/', publicSiteRoutes(publicCache));
  app.route('/', publicProgrammeRoutes(publicCache));
  app.route('/', skillFrameworkRoutes(publicCache)); // /frameworks…, /admin/frameworks…
  app.route('/', operatorGuideRoutes(publicCache));
  app.route('/', verifyRoutes(site));
  app.route('/', identityRoutes());
  app.route('/', invitationRoutes());
  app.route('/admin/organisations', organisationRoutes());
  app.route('/admin/programmes', programmeAdminRoutes());
  app.route('/admin/applications/overview', secretariatRoutes()); // before the desk's /:applicationId
  app.route('/admin/applications', deskRoutes());
  app.route('/admin/audit', auditRoutes());
  app.route('/admin/outbox', outboxRoutes());
  app.route('/admin/badges', staffBadgeRoutes()); // achievements, issuer, issuing, issued badges, IPA export
  app.route('/', applyRoutes()); //                /programmes/:id/apply…
  app.route('/my/applications', myApplicationsRoutes());
  app.route('/', earnerBadgeRoutes()); //          /badges/:id (page, claim), /my/badges

  app.notFound((c) => errorPage(c, 404));
  app.onError(handleError);
  return app;
}
