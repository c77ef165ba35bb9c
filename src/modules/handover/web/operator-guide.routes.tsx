import { Hono } from 'hono';
import type { AppEnv } from '../../../web/context.js';
import { servePublic } from '../../../web/pages/public-page.js';
import type { PublicCache } from '../../programmes/public-cache.js';
import { operatorPackage } from '../operator-guide.service.js';
import { buildOperatorGuidePage, GUIDE_PATH, PACKAGE_PATH } from './operator-guide.page.js';

/** The operators' hand-over (issue 4 §8a): public, no sign-in — the procedure is not a secret. */
export function operatorGuideRoutes(cache: PublicCache) {
  const app = new Hono<AppEnv>();
  app.get(GUIDE_PATH, (c) => servePublic(c, cache, GUIDE_PATH, buildOperatorGuidePage(c.get('deps'))));
  app.get(PACKAGE_PATH, async (c) => {
    const zip = await operatorPackage(c.get('deps'));
    return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': 'attachment; filename="manabi-dx-quest-open-badges-guide.zip"',
    });
  });
  return app;
}
