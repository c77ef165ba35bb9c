import { crc32, deflateSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { StaffActor } from '../../lib/actor.js';
import type { TestEnv } from '../../test/db.js';
import type { AppEnv } from '../../web/context.js';
import { siteKeyResolver, siteStatusChecker } from '../verification/site-documents.js';
import { createAchievement, publishAchievement } from './achievement.service.js';

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

/** Our issuers' keys, read through the app's own routes (GET /issuers/:orgId/did.json), as the verifier does. */
export function appKeyResolver(app: TestApp, baseUrl: string) {
  return siteKeyResolver(baseUrl, async (path) => app.request(path));
}

/** The status bit of an entry from GET /status-lists/:id, believed only once the list's own proof verifies. */
export function appStatusChecker(app: TestApp, baseUrl: string) {
  return siteStatusChecker(baseUrl, async (path) => app.request(path));
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
