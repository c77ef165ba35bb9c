import type { Deps } from '../../deps.js';
import { frameworkSitemapPaths } from '../../modules/credentials/skill-framework.service.js';
import { searchPublicProgrammes } from '../../modules/programmes/programme.read.service.js';

/** The pages a search engine should know, besides one entry per public programme. */
const FIXED_PATHS = [
  '/',
  '/programmes',
  '/faq',
  '/privacy',
  '/accessibility',
  '/verify',
  '/open-badges/guide',
];

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * sitemaps.org 0.9: absolute URLs on config.baseUrl; programmes carry lastmod (their last update, W3C
 * datetime). Only published and closed programmes are public (the read service's filter); a search engine
 * may fetch these URLs, so they are the same pages an anonymous visitor gets.
 */
export async function buildSitemap(deps: Deps): Promise<string> {
  const base = deps.config.baseUrl;
  // The read service lists up to 500 public programmes (the protocol allows 50,000 URLs per file); dxq has
  // a few dozen programmes a year.
  const programmes = await searchPublicProgrammes(deps, {});
  const urls = [
    ...[...FIXED_PATHS, ...(await frameworkSitemapPaths(deps))].map(
      (path) => `<url><loc>${xmlEscape(base + path)}</loc></url>`,
    ),
    ...programmes.map(
      (p) =>
        `<url><loc>${xmlEscape(`${base}/programmes/${p.id}`)}</loc><lastmod>${p.updatedAt.toISOString()}</lastmod></url>`,
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
}
