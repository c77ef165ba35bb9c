import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { registerAchievementRoutes } from './staff-achievements.routes.js';
import { registerCredentialRoutes } from './staff-credentials.routes.js';
import { registerExportRoutes } from './staff-export.routes.js';
import { registerIssuanceRoutes } from './staff-issuance.routes.js';
import { registerIssuerRoutes } from './staff-issuer.routes.js';
import { registerOverviewRoutes } from './staff-overview.routes.js';

/**
 * The staff badge pages (issue 4 §2–§4, §7, §8b), mounted at /admin/badges after the session, CSRF and actor
 * middleware (app.tsx). Each page is about one issuing organisation: the staff member's own, or for the
 * secretariat any (`?org=`); the overview is about all of them, in figures, for METI and the secretariat. Routes parse and delegate; the badge services authorise, scope to the
 * organisation (another organisation's ids are "not found", and audited) and audit every change.
 *
 *   /                         achievements of the organisation          (staff-achievements.routes.tsx);
 *                             for METI, a redirect to /overview
 *   /overview                 counts issued/revoked per organisation, achievement, fiscal year (METI, secretariat)
 *   /achievements/…           create, edit (new version), publish, retire
 *   /issuer, /issuer/rotate   issuer profile, public keys, key rotation  (staff-issuer.routes.tsx)
 *   /issue, /bulk/…           one badge; dry runs from a list or a programme, templates (staff-issuance…)
 *   /batches/…                a dry run's report, start, progress, final report
 *   /credentials/…            issued badges, revoke, correct             (staff-credentials.routes.tsx)
 *   /export/…                 the IPA export (JSON Lines, CSV, XLSX)     (staff-export.routes.tsx)
 */
export function staffBadgeRoutes() {
  const app = new Hono<AppEnv>();
  registerOverviewRoutes(app); // first: METI's / goes to the overview before the achievements' /
  registerAchievementRoutes(app);
  registerIssuerRoutes(app);
  registerIssuanceRoutes(app);
  registerCredentialRoutes(app);
  registerExportRoutes(app);
  return app;
}
