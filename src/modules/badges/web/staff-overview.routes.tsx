import type { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { redirect, render } from '../../../web/render.js';
import { getBadgeOverview } from '../badge-overview.service.js';
import { BadgeOverviewPage, OVERVIEW_PATH } from './staff-overview.page.js';
import { staffActorOf } from './staff-shared.js';

// /admin/badges/overview: the figures across organisations (badge-overview.service.ts authorises: METI and
// the secretariat). METI issues nothing, so its /admin/badges is this page: the other badge pages are about
// one issuing organisation and refuse it (the ministry is no issuer: 403; another organisation's ids: 404).

export function registerOverviewRoutes(app: Hono<AppEnv>) {
  app.get('/', async (c, next) => {
    const actor = c.get('actor');
    if (actor.type === 'staff' && actor.org.kind === 'ministry') return redirect(c, OVERVIEW_PATH);
    await next();
  });

  app.get('/overview', async (c) => {
    const actor = staffActorOf(c);
    const o = await getBadgeOverview(c.get('deps'), actor, { fy: c.req.query('fy') });
    return render(c, 'バッジの発行状況', <BadgeOverviewPage o={o} />);
  });
}
