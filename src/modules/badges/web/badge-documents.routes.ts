import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { getAchievementImage } from '../achievement.service.js';
import { type BadgeFileKind, getBadgeFile } from '../badge-documents.service.js';
import { getControllerDocument, getIssuerImage, getIssuerProfileDocument } from '../issuer.service.js';
import { ob2DocumentRoutes } from '../ob2/web/ob2.routes.js';
import { getStatusListCredential } from '../status-list.service.js';
import { PUBLIC_DOCUMENT_HEADERS } from './public-headers.js';

/**
 * The public documents of Open Badges issued here (issue 4 §2, §5, §7): JSON and images only, no pages, no
 * session. Verifiers anywhere fetch them, so they are cacheable and readable cross-origin; none holds
 * personal data. Status lists get a short max-age, because a revocation must show soon.
 *
 *   GET /issuers/:orgId/did.json                 the issuer's DID document (did:web): active and retired keys
 *   GET /issuers/:orgId/profile                  the issuer's OB 3.0 Profile
 *   GET /issuers/:orgId/image.(png|svg)          the issuer's image
 *   GET /status-lists/:id                        the signed BitstringStatusListCredential
 *   GET /achievements/:id/versions/:n/image.(png|svg)   an achievement version's image
 *   GET /badges/:id.(json|jwt|png|svg)           a badge: signed JSON, VC-JWT, baked PNG, baked SVG
 *   GET /ob2/…                                   the optional Open Badges 2.0 export (ob2/web/ob2.routes.ts)
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const CACHE = {
  keys: 'public, max-age=300',
  profile: 'public, max-age=300',
  image: 'public, max-age=3600',
  statusList: 'public, max-age=60, must-revalidate',
  // A badge's files never change (signed once); its status lives in the status list.
  badge: 'public, max-age=86400',
} as const;

function send(
  c: AppContext,
  body: string | Uint8Array,
  contentType: string,
  cacheControl: string,
  etag?: string,
): Response {
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'Cache-Control': cacheControl,
    ...PUBLIC_DOCUMENT_HEADERS,
  };
  if (etag) {
    headers.ETag = etag;
    const match = c.req.header('If-None-Match');
    if (match?.split(',').some((t) => t.trim() === etag)) return c.body(null, 304, headers);
  }
  return c.body(typeof body === 'string' ? body : (body as Uint8Array<ArrayBuffer>), 200, headers);
}

const notFound = (c: AppContext) =>
  c.json({ error: 'not_found' }, 404, { 'Cache-Control': 'no-store', ...PUBLIC_DOCUMENT_HEADERS });

const json = (doc: unknown) => JSON.stringify(doc);

export function badgeDocumentRoutes() {
  const app = new Hono<AppEnv>();

  app.get(`/issuers/:orgId{${UUID}}/did.json`, async (c) => {
    const doc = await getControllerDocument(c.get('deps'), c.req.param('orgId').toLowerCase());
    return doc ? send(c, json(doc), 'application/did+ld+json', CACHE.keys) : notFound(c);
  });

  app.get(`/issuers/:orgId{${UUID}}/profile`, async (c) => {
    const doc = await getIssuerProfileDocument(c.get('deps'), c.req.param('orgId').toLowerCase());
    return doc ? send(c, json(doc), 'application/ld+json', CACHE.profile) : notFound(c);
  });

  app.get(`/issuers/:orgId{${UUID}}/:file{image\\.(?:png|svg)}`, async (c) => {
    const image = await getIssuerImage(c.get('deps'), c.req.param('orgId').toLowerCase());
    const wanted = c.req.param('file') === 'image.png' ? 'image/png' : 'image/svg+xml';
    if (!image || image.contentType !== wanted) return notFound(c);
    return send(
      c,
      image.bytes,
      image.contentType,
      CACHE.image,
      `"${image.updatedAt.getTime().toString(36)}"`,
    );
  });

  app.get(`/status-lists/:id{${UUID}}`, async (c) => {
    const id = c.req.param('id').toLowerCase();
    const list = await getStatusListCredential(c.get('deps'), id);
    if (!list) return notFound(c);
    return send(
      c,
      json(list.credential),
      'application/vc+ld+json',
      CACHE.statusList,
      `"${id}-${list.version}"`,
    );
  });

  app.get(
    `/achievements/:id{${UUID}}/versions/:version{[1-9][0-9]{0,8}}/:file{image\\.(?:png|svg)}`,
    async (c) => {
      const type = c.req.param('file') === 'image.png' ? 'png' : 'svg';
      const image = await getAchievementImage(c.get('deps'), {
        achievementId: c.req.param('id').toLowerCase(),
        version: Number(c.req.param('version')),
        type,
      });
      return image ? send(c, image.bytes, image.contentType, CACHE.image) : notFound(c);
    },
  );

  app.get(`/badges/:file{${UUID}\\.(?:json|jwt|png|svg)}`, async (c) => {
    const [id = '', ext = ''] = c.req.param('file').toLowerCase().split('.');
    const file = await getBadgeFile(c.get('deps'), id, ext as BadgeFileKind);
    return file ? send(c, file.body, file.contentType, CACHE.badge, `"${id}.${ext}"`) : notFound(c);
  });

  // Hosted OB 2.0 Assertions, BadgeClasses and issuer Profiles for wallets that take only 2.0 (issue 4 §8(c)).
  app.route('/', ob2DocumentRoutes());

  return app;
}
