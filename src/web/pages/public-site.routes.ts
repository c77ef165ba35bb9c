import { Hono } from 'hono';
import type { PublicCache } from '../../modules/programmes/public-cache.js';
import type { AppEnv } from '../context.js';
import { buildAccessibilityPage } from './accessibility.page.js';
import { buildFaqPage } from './faq.page.js';
import { buildPrivacyPage } from './privacy.page.js';
import { servePublic } from './public-page.js';
import { buildSitemap } from './sitemap.js';

/** The public information pages and the sitemap (issue 3, item 2). */
export function publicSiteRoutes(cache: PublicCache) {
  const app = new Hono<AppEnv>();
  app.get('/faq', (c) => servePublic(c, cache, '/faq', buildFaqPage()));
  app.get('/privacy', (c) => servePublic(c, cache, '/privacy', buildPrivacyPage(c.get('deps').config)));
  app.get('/accessibility', (c) =>
    servePublic(c, cache, '/accessibility', buildAccessibilityPage(c.get('deps').config.contact)),
  );
  app.get('/sitemap.xml', async (c) => {
    const deps = c.get('deps');
    // The same for every visitor: always from the cache. baseUrl is in the key because the URLs are absolute.
    const xml = await cache.get(`sitemap ${deps.config.baseUrl}`, async () => ({
      value: await buildSitemap(deps),
    }));
    return c.body(xml, 200, { 'Content-Type': 'application/xml; charset=utf-8' });
  });
  return app;
}
