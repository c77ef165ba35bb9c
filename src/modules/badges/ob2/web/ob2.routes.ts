import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppContext, AppEnv } from '../../../../web/context.js';
import { PUBLIC_DOCUMENT_HEADERS } from '../../web/public-headers.js';
import { getOb2Assertion, getOb2BadgeClass, getOb2BadgeImage, getOb2Issuer } from '../ob2.service.js';

/**
 * The public Open Badges 2.0 documents (issue 4 §8(c)), mounted with the other badge documents before the
 * session (badge-documents.routes.ts): JSON and one image, no pages, no session, readable cross-origin by the
 * wallets and verifiers that fetch them (OB 2.0 §HostedBadge Verification), none holding personal data.
 *
 *   GET /ob2/assertions/:id          the hosted Assertion of a badge; 410 Gone with {revoked: true} once revoked
 *   GET /ob2/assertions/:id.png      the badge image with that Assertion baked in (iTXt `openbadges`)
 *   GET /ob2/badges/:versionId       the BadgeClass of an achievement version
 *   GET /ob2/issuers/:orgId          the issuer Profile of an organisation
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const CACHE = {
  // A revocation must show soon, as for the 3.0 status lists.
  assertion: 'public, max-age=60, must-revalidate',
  // Revocation is permanent.
  revoked: 'public, max-age=3600',
  badgeClass: 'public, max-age=300',
  issuer: 'public, max-age=300',
} as const;

/**
 * OB 2.0 §Setting Content-Type: `application/ld+json` by default; `application/json` when the request asks
 * for that and not for JSON-LD.
 */
export function ob2ContentType(accept: string | undefined): 'application/ld+json' | 'application/json' {
  const types = (accept ?? '').split(',').map((t) => (t.split(';')[0] ?? '').trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/ld+json')
    ? 'application/json'
    : 'application/ld+json';
}

function sendJson(c: AppContext, doc: unknown, status: ContentfulStatusCode, cacheControl: string): Response {
  return c.body(JSON.stringify(doc), status, {
    'Content-Type': ob2ContentType(c.req.header('Accept')),
    'Cache-Control': cacheControl,
    ...PUBLIC_DOCUMENT_HEADERS,
    Vary: 'Accept',
  });
}

const notFound = (c: AppContext) =>
  c.json({ error: 'not_found' }, 404, { 'Cache-Control': 'no-store', ...PUBLIC_DOCUMENT_HEADERS });

export function ob2DocumentRoutes() {
  const app = new Hono<AppEnv>();

  app.get(`/ob2/assertions/:id{${UUID}}`, async (c) => {
    const result = await getOb2Assertion(c.get('deps'), c.req.param('id'));
    if (!result) return notFound(c);
    return result.kind === 'revoked'
      ? sendJson(c, result.document, 410, CACHE.revoked)
      : sendJson(c, result.document, 200, CACHE.assertion);
  });

  app.get(`/ob2/assertions/:file{${UUID}\\.png}`, async (c) => {
    const result = await getOb2BadgeImage(c.get('deps'), c.req.param('file').slice(0, -'.png'.length));
    if (!result) return notFound(c);
    if (result.kind === 'revoked') return sendJson(c, result.document, 410, CACHE.revoked);
    return c.body(result.png as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'image/png',
      'Cache-Control': CACHE.assertion,
      ...PUBLIC_DOCUMENT_HEADERS,
    });
  });

  app.get(`/ob2/badges/:id{${UUID}}`, async (c) => {
    const doc = await getOb2BadgeClass(c.get('deps'), c.req.param('id'));
    return doc ? sendJson(c, doc, 200, CACHE.badgeClass) : notFound(c);
  });

  app.get(`/ob2/issuers/:id{${UUID}}`, async (c) => {
    const doc = await getOb2Issuer(c.get('deps'), c.req.param('id'));
    return doc ? sendJson(c, doc, 200, CACHE.issuer) : notFound(c);
  });

  return app;
}
