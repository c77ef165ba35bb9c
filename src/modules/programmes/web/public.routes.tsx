import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { servePublic } from '../../../web/pages/public-page.js';
import type { PublicCache } from '../public-cache.js';
import { buildCatalogue } from './public-catalogue.js';
import { catalogueSearch, parseCatalogueQuery } from './public-filter.js';
import { buildProgrammePage } from './public-programme.js';

/**
 * The public catalogue and programme pages (issue 3, item 2). `/programmes/:id` matches only a UUID, so
 * other routes under /programmes/ (the applying pages at /programmes/:id/apply) are never shadowed.
 */
export function publicProgrammeRoutes(cache: PublicCache) {
  const app = new Hono<AppEnv>();

  app.get('/programmes', async (c) => {
    const q = parseCatalogueQuery(c.req.query());
    const canonical = catalogueSearch(q);
    // A submitted GET form sends every field, empty ones too: redirect to the short canonical URL, which is
    // the one worth sharing and the cache key. Comparing both through URLSearchParams avoids a loop.
    const sent = new URLSearchParams(new URL(c.req.url).search).toString();
    if (sent !== canonical.slice(1)) return c.redirect(`/programmes${canonical}`, 302);
    return servePublic(c, cache, `/programmes${canonical}`, buildCatalogue(c.get('deps'), q));
  });

  app.get(
    '/programmes/:id{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}',
    (c) => {
      const id = c.req.param('id').toLowerCase();
      return servePublic(c, cache, `/programmes/${id}`, buildProgrammePage(c.get('deps'), id));
    },
  );

  return app;
}
