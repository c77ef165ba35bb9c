import { crc32, deflateSync } from 'node:zlib';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Hono } from 'hono';
import type { StaffActor } from '../../lib/actor.js';
import type { TestEnv } from '../../test/db.js';
import type { AppEnv } from '../../web/context.js';
import { createAchievement, publishAchievement } from './achievement.service.js';
import { createDocumentLoader, type KeyDocument } from './document-loader.js';
import { type BitstringStatusListEntry, statusBitFromListCredential } from './status-list.js';
import type { StatusAnswer } from './verify.js';

/**
 * Test support for the badges module (tests only): a small PNG, and resolvers that read this site's issuer
 * keys and status lists through the app itself (app.request: the real routes, no socket, no network), the way
 * an outside verifier would fetch them over HTTPS.
 */

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A width×height RGBA PNG (a gradient), optionally with extra chunks before IEND. */
export function testPng(width = 8, height = 8, extra: { type: string; data: Buffer }[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 4);
    for (let x = 0; x < width; x++) {
      const p = row + 1 + x * 4;
      raw[p] = (x * 32) & 255;
      raw[p + 1] = (y * 32) & 255;
      raw[p + 2] = 160;
      raw[p + 3] = 255;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    ...extra.map((c) => chunk(c.type, c.data)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export type TestApp = Hono<AppEnv>;

/** `did:web:<host>:a:b#frag` → `/a/b/did.json` on this site (did:web §3.2), or null for another host. */
export function didWebPath(baseUrl: string, did: string): string | null {
  const [bare = ''] = did.split('#');
  if (!bare.startsWith('did:web:')) return null;
  const [host = '', ...segments] = bare.slice('did:web:'.length).split(':');
  if (decodeURIComponent(host) !== new URL(baseUrl).host || segments.length === 0) return null;
  return `/${segments.map(decodeURIComponent).join('/')}/did.json`;
}

async function getJson(app: TestApp, path: string): Promise<Record<string, unknown> | null> {
  const res = await app.request(path);
  return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
}

/** Our issuers' keys, read through GET /issuers/:orgId/did.json. */
export function appKeyResolver(app: TestApp, baseUrl: string) {
  return async (url: string): Promise<KeyDocument | null> => {
    const path = didWebPath(baseUrl, url);
    if (!path) return null;
    const doc = await getJson(app, path);
    if (!doc) return null;
    if (!url.includes('#')) return doc.id === url ? (doc as KeyDocument) : null;
    const method = ((doc.verificationMethod ?? []) as KeyDocument[]).find((m) => m.id === url);
    return method ? { '@context': 'https://w3id.org/security/multikey/v1', ...method } : null;
  };
}

/** The status bit of an entry, from GET /status-lists/:id, believed only once the list's own proof verifies. */
export function appStatusChecker(app: TestApp, baseUrl: string) {
  const resolveIssuerKey = appKeyResolver(app, baseUrl);
  return async (entry: BitstringStatusListEntry): Promise<StatusAnswer> => {
    const origin = new URL(baseUrl).origin;
    if (!entry.statusListCredential.startsWith(`${origin}/`)) return 'unknown';
    const list = await getJson(app, entry.statusListCredential.slice(origin.length));
    if (!list) return 'unknown';
    const checked = await vc.verifyCredential({
      credential: list,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: createDocumentLoader({ resolveIssuerKey }),
      checkStatus: async () => ({ verified: true }),
    });
    if (!checked.verified) return 'unknown';
    return statusBitFromListCredential(list, entry);
  };
}

/** The DSS-P framework shipped by migration 0003 and two of its item codes. */
export async function dsspFramework(env: TestEnv): Promise<{ id: string; codes: [string, string] }> {
  const f = await env.db
    .selectFrom('skill_frameworks')
    .select('id')
    .where('slug', '=', 'dss-p')
    .where('version', '=', '2.0')
    .executeTakeFirstOrThrow();
  const items = await env.db
    .selectFrom('skill_items')
    .select('code')
    .where('framework_id', '=', f.id)
    .orderBy('position')
    .limit(2)
    .execute();
  return { id: f.id, codes: [items[0]?.code ?? '', items[1]?.code ?? ''] };
}

let seq = 0;

/** A published achievement of the actor's organisation, aligned to two DSS-P items, with a PNG image. */
export async function publishedAchievement(
  env: TestEnv,
  actor: StaffActor,
  o: { key?: string; programmeId?: string | null; svg?: string } = {},
) {
  const framework = await dsspFramework(env);
  const created = await createAchievement(env, actor, {
    orgId: actor.org.id,
    key: o.key ?? `regional-${Date.now().toString(36)}-${++seq}`,
    programmeId: o.programmeId ?? null,
    name: '地域企業協働プログラム 修了',
    description: '地域の中小企業と協働し、データとデジタル技術を用いた課題解決に取り組んだ。',
    criteriaNarrative: '全セッションに参加し、協働先企業への最終提案を行うこと。',
    frameworkId: framework.id,
    skillCodes: framework.codes,
    images: { png: testPng(), ...(o.svg ? { svg: Buffer.from(o.svg) } : {}) },
  });
  return publishAchievement(env, actor, { achievementId: created.id });
}
