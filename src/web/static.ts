import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from './context.js';

// src/web or dist/web → project root; everything served ships in the package (no CDN, tender 16)⑥).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const fontDir = path.dirname(require.resolve('@fontsource/noto-sans-jp/400.css'));
const tokensCss = require.resolve('@digital-go-jp/design-tokens/dist/tokens.css');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const cache = new Map<string, Buffer>();

async function load(file: string): Promise<Buffer | undefined> {
  const hit = cache.get(file);
  if (hit) return hit;
  try {
    const buf = await readFile(file);
    cache.set(file, buf);
    return buf;
  } catch {
    return undefined;
  }
}

/** Resolves an asset path to a file, or undefined. Names are matched against a strict pattern (IPA #3). */
export function resolveAsset(urlPath: string): string | undefined {
  if (urlPath === 'tokens.css') return tokensCss;
  let m = /^fonts\/noto-sans-jp\/(400|700)\.css$/.exec(urlPath);
  if (m) return path.join(fontDir, `${m[1]}.css`);
  m = /^fonts\/noto-sans-jp\/files\/(noto-sans-jp-[a-z0-9-]+-(?:400|700)-normal\.woff2?)$/.exec(urlPath);
  if (m?.[1]) return path.join(fontDir, 'files', m[1]);
  m = /^([a-z0-9-]+\.(?:css|js|svg|png|ico|txt))$/.exec(urlPath);
  if (m?.[1]) return path.join(root, 'public', m[1]);
  return undefined;
}

export function staticRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/assets/*', async (c) => {
    const rel = c.req.path.slice('/assets/'.length);
    const file = resolveAsset(rel);
    const body = file ? await load(file) : undefined;
    if (!file || !body) return c.notFound();
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': type,
      'Cache-Control': rel.startsWith('fonts/')
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=3600',
    });
  });
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  // The Sitemap line takes an absolute URL (sitemaps.org); it is on BASE_URL like the sitemap's own URLs.
  app.get('/robots.txt', (c) =>
    c.text(
      `User-agent: *\nDisallow: /admin/\nDisallow: /account\n\nSitemap: ${c.get('deps').config.baseUrl}/sitemap.xml\n`,
      200,
      { 'Cache-Control': 'public, max-age=3600' },
    ),
  );
  return app;
}
