import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { render } from '../../../web/render.js';
import { getOverview, overviewQuerySchema } from '../secretariat.service.js';
import { OverviewPage } from './secretariat-overview.page.js';

// Mounted at /admin/applications/overview: the secretariat's view of recruitment (issue 3, item 6).
// Secretariat admins and staff only; the service authorises and audits each view.

export function secretariatRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    const q = overviewQuerySchema.parse(c.req.query());
    const o = await getOverview(c.get('deps'), c.get('actor'), {
      fiscalYear: q.year,
      programmeId: q.programme,
    });
    return render(c, '募集状況の全体像', <OverviewPage o={o} />);
  });
  return app;
}
