import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnerActor, StaffActor } from '../../lib/actor.js';
import { anonymous } from '../../lib/actor.js';
import { testApp } from '../../test/app.js';
import { codeOf, learnerActor, staffActor } from '../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import type { AchievementView } from './achievement.presenter.js';
import { editAchievement, getAchievement } from './achievement.service.js';
import {
  appKeyResolver,
  appStatusChecker,
  dsspFramework,
  publishedAchievement,
  type TestApp,
} from './badges.test-support.js';
import { extractFromPng, extractFromSvg } from './baking.js';
import { BUNDLED_CONTEXTS, createDocumentLoader } from './document-loader.js';
import { claimBadge, getCredentialForEarner, listMyBadges } from './earner.service.js';
import { type ExportRecord, exportCredentials } from './export.service.js';
import { issueBadge } from './issue.service.js';
import { getIssuerProfile, listIssuerKeys, rotateIssuerKey, updateIssuerProfile } from './issuer.service.js';
import { correctBadge, revokeBadge } from './revocation.service.js';
import { validateAchievementCredential } from './schema.js';
import { decodeStatusList, getStatusBit } from './status-list.js';
import { verifyOpenBadge } from './verify.js';

describe.each(dbKinds())('badges on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffActor;
  let achievement: AchievementView;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffActor(env, 'regional_hub', 'staff');
    achievement = await publishedAchievement(env, hub);
  });
  afterAll(async () => {
    await env?.close();
  });

  const base = () => env.config.baseUrl;
  const issue = (email: string, o: { format?: 'ldp' | 'jwt'; actor?: StaffActor } = {}) =>
    issueBadge(env, o.actor ?? hub, {
      achievementId: achievement.id,
      email,
      name: '受講 太郎',
      evidenceUrl: 'https://example.jp/final-proposal',
      narrative: '協働先企業に在庫予測の仕組みを提案した。',
      format: o.format ?? 'ldp',
    });
  const fetchText = async (path: string) => {
    const res = await app.request(path);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  const verify = (credential: unknown, email?: string) =>
    verifyOpenBadge(credential, {
      resolveIssuerKey: appKeyResolver(app, base()),
      checkStatus: appStatusChecker(app, base()),
      ...(email ? { recipientEmail: email } : {}),
    });
  /** Digital Bazaar's own verifier, keys served by our did.json through the app. */
  const verifyIndependently = async (credential: unknown) => {
    const loader = createDocumentLoader({ resolveIssuerKey: appKeyResolver(app, base()) });
    const result = await vc.verifyCredential({
      credential,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: loader,
      checkStatus: async () => ({ verified: true }),
    });
    expect(loader.refused()).toEqual([]);
    for (const r of loader.requests) {
      expect(r.source === 'context' ? BUNDLED_CONTEXTS.has(r.url) : r.source === 'issuer').toBe(true);
    }
    return result.verified;
  };

  it('issues a badge that verifies through our did:web documents, with our verifier and Digital Bazaar', async () => {
    const { credentialId, created } = await issue('Taro.Learner@Example.JP');
    expect(created).toBe(true);
    const json = await fetchText(`/badges/${credentialId}.json`);
    const credential = JSON.parse(json);
    expect(credential.id).toBe(`urn:uuid:${credentialId}`);
    expect(credential.issuer.id).toBe(`did:web:localhost%3A3000:issuers:${hub.org.id}`);
    expect(credential.proof[0].verificationMethod).toMatch(new RegExp(`^${credential.issuer.id}#z6Mk`));
    expect(credential.credentialSubject.achievement.alignment).toHaveLength(2);
    expect(credential.credentialSubject.achievement.alignment[0].targetUrl).toMatch(
      /^http:\/\/localhost:3000\/frameworks\/dss-p\/2\.0\//,
    );
    expect(credential.credentialStatus.statusListCredential).toMatch(/\/status-lists\/[0-9a-f-]{36}$/);
    expect(json).not.toContain('taro.learner');
    expect(validateAchievementCredential(credential)).toEqual({ ok: true });

    const result = await verify(json, 'taro.learner@example.jp');
    expect(result.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['parse', 'passed'],
      ['schema', 'passed'],
      ['proof', 'passed'],
      ['status', 'passed'],
      ['validity', 'passed'],
      ['recipient', 'passed'],
    ]);
    expect(result.summary).toBe('valid');
    expect(result.refusedUrls).toEqual([]);
    expect(await verifyIndependently(credential)).toBe(true);

    const res = await app.request(`/badges/${credentialId}.json`);
    expect(res.headers.get('content-type')).toBe('application/vc+ld+json');
    expect(res.headers.get('cache-control')).toMatch(/public/);
    const did = await app.request(`/issuers/${hub.org.id}/did.json`);
    expect(did.status).toBe(200);
    const profile = (await (await app.request(`/issuers/${hub.org.id}/profile`)).json()) as Record<
      string,
      unknown
    >;
    expect(profile).toMatchObject({ id: credential.issuer.id, type: ['Profile'] });
  });

  it('bakes PNG and SVG that give back exactly the stored credential', async () => {
    const { credentialId } = await issue('bake@example.jp');
    const json = await fetchText(`/badges/${credentialId}.json`);
    const png = new Uint8Array(await (await app.request(`/badges/${credentialId}.png`)).arrayBuffer());
    expect(extractFromPng(png)).toBe(json);
    const svg = await fetchText(`/badges/${credentialId}.svg`);
    expect(extractFromSvg(svg)).toBe(json);
    const jwtRes = await app.request(`/badges/${credentialId}.jwt`);
    expect(jwtRes.status).toBe(404);
  });

  it('issues VC-JWT on request: the .jwt verifies and is what the images carry', async () => {
    const { credentialId } = await issue('jwt@example.jp', { format: 'jwt' });
    const jwt = await fetchText(`/badges/${credentialId}.jwt`);
    expect((await verify(jwt, 'jwt@example.jp')).summary).toBe('valid');
    const png = new Uint8Array(await (await app.request(`/badges/${credentialId}.png`)).arrayBuffer());
    expect(extractFromPng(png)).toBe(jwt);
    expect(extractFromSvg(await fetchText(`/badges/${credentialId}.svg`))).toBe(jwt);
    // The JSON form carries a Data Integrity proof too.
    expect(await verifyIndependently(JSON.parse(await fetchText(`/badges/${credentialId}.json`)))).toBe(true);
  });

  it('is idempotent per earner and achievement version', async () => {
    const first = await issue('twice@example.jp');
    const again = await issue(' TWICE@example.jp ');
    expect(again).toEqual({ credentialId: first.credentialId, created: false });
    const n = await env.db
      .selectFrom('credentials')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('recipient_email', '=', 'twice@example.jp')
      .executeTakeFirstOrThrow();
    expect(n.n).toBe(1);
    const mails = await env.db
      .selectFrom('mail_outbox')
      .select(['subject', 'body_text'])
      .where('to_address', '=', 'twice@example.jp')
      .execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body_text).toContain(`/badges/${first.credentialId}?claim=`);
  });

  it('revocation flips the status bit, is audited, and verification then says revoked', async () => {
    const { credentialId } = await issue('revoke@example.jp');
    const json = await fetchText(`/badges/${credentialId}.json`);
    const entry = JSON.parse(json).credentialStatus;
    const listPath = new URL(entry.statusListCredential).pathname;
    const before = await app.request(listPath);
    const etag = before.headers.get('etag') ?? '';
    expect(before.headers.get('content-type')).toBe('application/vc+ld+json');
    expect(before.headers.get('cache-control')).toMatch(/max-age=60/);
    expect((await app.request(listPath, { headers: { 'If-None-Match': etag } })).status).toBe(304);

    await revokeBadge(env, hub, { credentialId, reason: '受講記録の誤りのため' });
    expect(await codeOf(revokeBadge(env, hub, { credentialId, reason: 'もう一度' }))).toBe('INVALID_STATE');
    const after = await app.request(listPath, { headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    const list = (await after.json()) as { credentialSubject: { encodedList: string } };
    expect(
      getStatusBit(decodeStatusList(list.credentialSubject.encodedList), Number(entry.statusListIndex)),
    ).toBe(true);
    const result = await verify(json);
    expect(result.summary).toBe('revoked');
    expect(result.steps.find((s) => s.step === 'status')?.outcome).toBe('failed');
    const audited = await env.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('subject_id', '=', credentialId)
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['badges.credential.issued', 'badges.credential.revoked']);
    expect(audited[1]?.details).toMatchObject({ reason: '受講記録の誤りのため' });
  });

  it('keeps old badges verifying after a key rotation; the DID document lists both keys', async () => {
    const old = await issue('before-rotation@example.jp');
    const rotated = await rotateIssuerKey(env, hub, { orgId: hub.org.id });
    const fresh = await issue('after-rotation@example.jp');
    const oldJson = JSON.parse(await fetchText(`/badges/${old.credentialId}.json`));
    const newJson = JSON.parse(await fetchText(`/badges/${fresh.credentialId}.json`));
    expect(newJson.proof[0].verificationMethod).toBe(rotated.verificationMethod);
    expect(oldJson.proof[0].verificationMethod).not.toBe(rotated.verificationMethod);
    const did = JSON.parse(await fetchText(`/issuers/${hub.org.id}/did.json`));
    expect(did.assertionMethod).toContain(oldJson.proof[0].verificationMethod);
    expect(did.assertionMethod).toContain(rotated.verificationMethod);
    expect(JSON.stringify(did)).not.toMatch(/secret|sealed|obk1/i);
    for (const c of [oldJson, newJson]) {
      expect((await verify(c)).summary).toBe('valid');
      expect(await verifyIndependently(c)).toBe(true);
    }
    const keys = await listIssuerKeys(env, hub, hub.org.id);
    expect(keys.map((k) => k.status).sort()).toEqual(['active', 'retired']);
  });

  it('corrects a badge: a new id with the same awardedDate, the old one revoked as corrected', async () => {
    const original = await issue('correct-me@example.jp');
    const corrected = await correctBadge(env, hub, {
      credentialId: original.credentialId,
      name: '受講 次郎',
      note: '氏名の誤り',
    });
    expect(corrected.credentialId).not.toBe(original.credentialId);
    const a = JSON.parse(await fetchText(`/badges/${original.credentialId}.json`));
    const b = JSON.parse(await fetchText(`/badges/${corrected.credentialId}.json`));
    expect(b.awardedDate).toBe(a.awardedDate);
    expect((await verify(a)).summary).toBe('revoked');
    expect((await verify(b)).summary).toBe('valid');
    const oldView = await getCredentialForEarner(env, anonymous(), { credentialId: original.credentialId });
    expect(oldView).toMatchObject({
      status: 'revoked',
      corrected: true,
      replacedById: corrected.credentialId,
    });
    const mail = await env.db
      .selectFrom('mail_outbox')
      .select('subject')
      .where('to_address', '=', 'correct-me@example.jp')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toContain('再発行');
  });

  it('keeps tenancy: another hub cannot issue or revoke (not found, audited); viewers and learners are refused', async () => {
    const { credentialId } = await issue('tenancy@example.jp');
    const otherHub = await staffActor(env, 'regional_hub', 'admin');
    expect(await codeOf(issue('x@example.jp', { actor: otherHub }))).toBe('NOT_FOUND');
    expect(await codeOf(revokeBadge(env, otherHub, { credentialId, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(rotateIssuerKey(env, otherHub, { orgId: hub.org.id }))).toBe('NOT_FOUND');
    expect(await codeOf(getAchievement(env, otherHub, achievement.id))).toBe('NOT_FOUND');
    const denied = await env.db
      .selectFrom('audit_log')
      .select(['subject_type', 'subject_id'])
      .where('action', '=', 'security.cross_org_denied')
      .where('actor_user_id', '=', otherHub.userId)
      .execute();
    expect(denied).toEqual(
      expect.arrayContaining([
        { subject_type: 'achievement', subject_id: achievement.id },
        { subject_type: 'credential', subject_id: credentialId },
        { subject_type: 'organisation', subject_id: hub.org.id },
      ]),
    );
    const viewer = await staffActor(env, 'regional_hub', 'viewer', hub.org.id);
    expect(await codeOf(issue('y@example.jp', { actor: viewer }))).toBe('FORBIDDEN');
    expect(await codeOf(revokeBadge(env, viewer, { credentialId, reason: 'x' }))).toBe('FORBIDDEN');
    const learner = await learnerActor(env);
    expect(
      await codeOf(
        issueBadge(env, learner, { achievementId: achievement.id, email: 'z@example.jp', name: 'z' }),
      ),
    ).toBe('FORBIDDEN');
    expect(await codeOf(revokeBadge(env, anonymous(), { credentialId, reason: 'x' }))).toBe(
      'UNAUTHENTICATED',
    );
    const secretariat = await staffActor(env, 'secretariat', 'staff');
    expect((await issue('by-secretariat@example.jp', { actor: secretariat })).created).toBe(true);
    await revokeBadge(env, secretariat, { credentialId, reason: '事務局による取り消し' });
  });

  it('lets the earner claim the badge and see it among their badges', async () => {
    const learner: LearnerActor = await learnerActor(env);
    const { credentialId } = await issue(learner.email);
    const mail = await env.db
      .selectFrom('mail_outbox')
      .select('body_text')
      .where('to_address', '=', learner.email)
      .executeTakeFirstOrThrow();
    const token = /\?claim=([A-Za-z0-9_-]+)/.exec(mail.body_text)?.[1] ?? '';
    expect((await getCredentialForEarner(env, anonymous(), { credentialId, claimToken: token })).viewer).toBe(
      'claimable',
    );
    expect(
      (await getCredentialForEarner(env, anonymous(), { credentialId, claimToken: 'wrong' })).viewer,
    ).toBe('public');
    const other = await learnerActor(env);
    expect(await codeOf(claimBadge(env, other, { credentialId, claimToken: 'wrong' }))).toBe('FORBIDDEN');
    const claimed = await claimBadge(env, learner, { credentialId, claimToken: token });
    expect(claimed.viewer).toBe('owner');
    expect(await codeOf(claimBadge(env, other, { credentialId, claimToken: token }))).toBe('CONFLICT');
    const mine = await listMyBadges(env, learner);
    expect(mine.map((b) => b.id)).toEqual([credentialId]);
    expect(mine[0]).toMatchObject({ status: 'valid', name: '地域企業協働プログラム 修了' });
    expect(mine[0]?.skills).toHaveLength(2);
    expect(mine[0]?.linkedInUrl).toMatch(
      /^https:\/\/www\.linkedin\.com\/profile\/add\?startTask=CERTIFICATION_NAME&/,
    );
    expect(await listMyBadges(env, other)).toEqual([]);
    expect(await codeOf(listMyBadges(env, hub))).toBe('FORBIDDEN');
  });

  it('exports credentials by fiscal year and organisation; organisations export only their own', async () => {
    const records = async (iterable: Promise<AsyncIterable<ExportRecord>>) => {
      const out: ExportRecord[] = [];
      for await (const r of await iterable) out.push(r);
      return out;
    };
    const fy = Number(
      new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', year: 'numeric' }).format(env.clock.now()),
    );
    const month = Number(
      new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo', month: 'numeric' }).format(env.clock.now()),
    );
    const fiscalYear = month >= 4 ? fy : fy - 1;
    const own = await records(exportCredentials(env, hub, { fiscalYear }));
    expect(own.length).toBeGreaterThan(5);
    expect(new Set(own.map((r) => r.organisationId))).toEqual(new Set([hub.org.id]));
    const first = own[0] as ExportRecord;
    expect(first.dsspCodes).toEqual((await dsspFramework(env)).codes);
    expect(first.credentialId).toMatch(/^urn:uuid:/);
    expect(own.some((r) => r.status === 'revoked')).toBe(true);
    expect(await records(exportCredentials(env, hub, { fiscalYear: fiscalYear - 1 }))).toEqual([]);
    const otherHub = await staffActor(env, 'regional_hub', 'admin');
    expect(await codeOf(exportCredentials(env, otherHub, { orgId: hub.org.id }))).toBe('NOT_FOUND');
    expect(await records(exportCredentials(env, otherHub, {}))).toEqual([]);
    const secretariat = await staffActor(env, 'secretariat', 'admin');
    expect((await records(exportCredentials(env, secretariat, {}))).length).toBe(own.length);
  });

  it('edits a published achievement as a new version; published versions are frozen', async () => {
    const edited = await editAchievement(env, hub, {
      achievementId: achievement.id,
      name: '地域企業協働プログラム 修了(改訂)',
    });
    expect(edited.published?.version).toBe(1);
    expect(edited.draft?.version).toBe(2);
    expect(edited.published?.name).toBe('地域企業協働プログラム 修了');
    await expect(
      sql`update achievement_versions set name = 'x' where id = ${edited.published?.id}`.execute(env.db),
    ).rejects.toThrow(/frozen/);
    expect(
      await codeOf(
        editAchievement(env, hub, { achievementId: achievement.id, skillCodes: ['no-such-code'] }),
      ),
    ).toBe('VALIDATION');
    await expect(sql`update credentials set credential = '{}'::json`.execute(env.db)).rejects.toThrow(
      /never changed/,
    );
  });

  it('keeps an issuer profile per organisation, used by later badges', async () => {
    const before = await getIssuerProfile(env, hub, hub.org.id);
    expect(before.saved).toBe(false);
    const saved = await updateIssuerProfile(env, hub, {
      orgId: hub.org.id,
      name: '北海道DXハブ',
      url: 'https://hub.example.jp',
      email: 'badges@hub.example.jp',
      description: '北海道の地域企業協働プログラムを運営しています。',
    });
    expect(saved).toMatchObject({ saved: true, name: '北海道DXハブ' });
    const { credentialId } = await issue('profile@example.jp');
    const c = JSON.parse(await fetchText(`/badges/${credentialId}.json`));
    expect(c.issuer).toMatchObject({
      name: '北海道DXハブ',
      url: 'https://hub.example.jp',
      email: 'badges@hub.example.jp',
    });
    const otherHub = await staffActor(env, 'regional_hub', 'admin');
    expect(
      await codeOf(
        updateIssuerProfile(env, otherHub, { orgId: hub.org.id, name: 'x', url: 'https://x.example' }),
      ),
    ).toBe('NOT_FOUND');
  });
});
