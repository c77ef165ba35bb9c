import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../deps.js';
import type { StaffActor } from '../../lib/actor.js';
import { testApp } from '../../test/app.js';
import { staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import type { AchievementView } from './achievement.presenter.js';
import { findPublishedVersionId, findVersionForIssue } from './achievement.repository.js';
import {
  appKeyResolver,
  appStatusChecker,
  publishedAchievement,
  type TestApp,
} from './badges.test-support.js';
import { extractFromPng } from './baking.js';
import { runIssuanceBatch } from './issuance.jobs.js';
import { getIssuanceReport, startIssuance } from './issuance.service.js';
import { planIssuance } from './issuance-plan.service.js';
import { issueBadge, issuingContext, prepareIssue, storeIssue } from './issue.service.js';
import { createBadgePool, createLazyBadgePool, type LazyBadgePool } from './pool/index.js';
import { statusListUrl } from './status-list.service.js';
import { verifyOpenBadge } from './verify.js';

/**
 * Issuing with the worker pool (decision 0020), as a server process does: single and bulk issuance sign in the
 * pool's workers (with the shape cache) outside the status list's lock, and every badge verifies. The other
 * badge tests run without a pool, i.e. the in-process path of the same code.
 */
describe.each(dbKinds())('issuing through the badge pool on %s', (kind) => {
  let env: TestEnv;
  let pool: LazyBadgePool;
  let app: TestApp;
  let hub: StaffActor;
  let achievement: AchievementView;

  beforeAll(async () => {
    pool = createLazyBadgePool({ size: 2 });
    env = { ...(await createTestEnv(kind)), badgePool: pool };
    app = testApp(env);
    hub = await staffActor(env, 'regional_hub', 'staff');
    achievement = await publishedAchievement(env, hub, { key: 'pool-2026' });
  });
  afterAll(async () => {
    await pool?.close(); // no worker thread outlives the file
    await env?.close();
  });

  const verify = (credential: unknown) =>
    verifyOpenBadge(credential, {
      resolveIssuerKey: appKeyResolver(app, env.config.baseUrl),
      checkStatus: appStatusChecker(app, env.config.baseUrl),
    });
  /** The stored badges, the signed credential parsed (a json column). */
  const stored = async (ids: string[]) =>
    (
      await env.db
        .selectFrom('credentials')
        .select(['id', 'credential', 'jwt', 'status_list_id', 'status_index', 'baked_png'])
        .where('id', 'in', ids)
        .execute()
    ).map((r) => ({
      ...r,
      credential: (typeof r.credential === 'string' ? JSON.parse(r.credential) : r.credential) as {
        credentialStatus: { statusListIndex: string };
      },
    }));

  it('signs single badges in the pool, concurrently, each with its own status index, all verifying', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        issueBadge(env, hub, {
          achievementId: achievement.id,
          email: `single-${i}@example.jp`,
          name: `受講 ${i}`,
          format: i === 0 ? 'jwt' : 'ldp',
        }),
      ),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const rows = await stored(results.map((r) => r.credentialId));
    expect(new Set(rows.map((r) => `${r.status_list_id}:${r.status_index}`)).size).toBe(6);
    for (const row of rows) {
      expect(Number(row.credential.credentialStatus.statusListIndex)).toBe(row.status_index);
      expect((await verify(row.credential)).summary).toBe('valid');
      if (row.jwt) expect((await verify(row.jwt)).summary).toBe('valid');
      const baked = extractFromPng(row.baked_png);
      if (row.jwt) expect(baked).toBe(row.jwt);
      else expect(JSON.parse(baked ?? '')).toEqual(row.credential);
    }
    // Idempotent as ever.
    const again = await issueBadge(env, hub, {
      achievementId: achievement.id,
      email: 'single-1@example.jp',
      name: '受講 1',
    });
    expect(again).toEqual({ credentialId: results[1]?.credentialId, created: false });
    expect(pool.get()?.stats().completed).toBeGreaterThanOrEqual(7);
  });

  it('issues a batch in groups signed by the pool, resumes after a crash without duplicates', async () => {
    const n = 40;
    const csv = ['email,name', ...Array.from({ length: n }, (_, i) => `bulk-${i}@example.jp,一括 ${i}`)].join(
      '\n',
    );
    const plan = await planIssuance(env, hub, {
      orgId: hub.org.id,
      file: { name: 'bulk.csv', bytes: Buffer.from(csv) },
      achievementId: achievement.id,
    });
    expect(plan.pending).toBe(n);
    await startIssuance(env, hub, { batchId: plan.batchId });
    // A worker that stops part-way (a crash), then the job again: every row once.
    expect(await runIssuanceBatch(env, plan.batchId, { limit: 7 })).toEqual({ processed: 7, done: false });
    expect(await runIssuanceBatch(env, plan.batchId)).toEqual({ processed: n - 7, done: true });
    expect(await runIssuanceBatch(env, plan.batchId)).toEqual({ processed: 0, done: true });
    const report = await getIssuanceReport(env, hub, { batchId: plan.batchId, limit: 100 });
    expect(report).toMatchObject({ status: 'done', issued: n, pending: 0, failed: 0, skipped: 0 });
    const ids = report.rows.map((r) => r.credentialId as string);
    const rows = await stored(ids);
    expect(rows).toHaveLength(n);
    expect(new Set(rows.map((r) => `${r.status_list_id}:${r.status_index}`)).size).toBe(n);
    for (const row of rows) expect((await verify(row.credential)).summary).toBe('valid');
    // The workers canonicalised most of them from a template (the shape cache), and never disagreed.
    const workers = (await pool.get()?.workerStats()) ?? [];
    const fast = workers.reduce((sum, w) => sum + (w.canonical?.fast ?? 0), 0);
    expect(fast).toBeGreaterThan(n);
    expect(workers.every((w) => w.canonical?.mismatches === 0)).toBe(true);
  });

  it('signs again under the lock when the drawn index was taken meanwhile', async () => {
    const versionId = (await findPublishedVersionId(env.db, achievement.id)) as string;
    const version = await findVersionForIssue(env.db, versionId);
    if (!version) throw new Error('no version');
    const ctx = await transaction(env, (tx) => issuingContext(env, tx, hub, hub.org.id));
    const taken = await env.db
      .selectFrom('credentials')
      .select(['status_list_id', 'status_index'])
      .where('organisation_id', '=', hub.org.id)
      .executeTakeFirstOrThrow();
    const one = {
      version,
      email: 'collision@example.jp',
      name: '衝突 太郎',
      format: 'ldp' as const,
      issuedBy: null,
    };
    const prepared = await prepareIssue(env, ctx, one, {
      listId: taken.status_list_id,
      index: taken.status_index,
      listUrl: statusListUrl(env, taken.status_list_id),
    });
    const result = await transaction(env, (tx) => storeIssue(env, tx, hub, ctx, prepared));
    expect(result.kind).toBe('issued');
    const [row] = await stored([result.credentialId]);
    expect(row?.status_index).not.toBe(taken.status_index);
    expect(Number(row?.credential.credentialStatus.statusListIndex)).toBe(row?.status_index);
    expect((await verify(row?.credential)).summary).toBe('valid');
  });

  it('signs in-process when the pool has failed', async () => {
    const dead = createBadgePool({ size: 1 });
    await dead.terminate();
    const deps = { ...env, badgePool: { get: () => dead, close: async () => {} } };
    const { credentialId, created } = await issueBadge(deps, hub, {
      achievementId: achievement.id,
      email: 'fallback@example.jp',
      name: '代替 花子',
    });
    expect(created).toBe(true);
    const [row] = await stored([credentialId]);
    expect((await verify(row?.credential)).summary).toBe('valid');
  });
});
