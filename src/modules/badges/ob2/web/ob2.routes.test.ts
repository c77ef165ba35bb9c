import { createHash } from 'node:crypto';
import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../../../../lib/actor.js';
import { makeOrg, type TestApp, testApp } from '../../../../test/app.js';
import { staffActor } from '../../../../test/application-factories.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../../test/db.js';
import type { AchievementView } from '../../achievement.presenter.js';
import { createAchievement, publishAchievement } from '../../achievement.service.js';
import { dsspFramework, publishedAchievement, testPng } from '../../badges.test-support.js';
import { extractFromPng, extractPngText, OB2_PNG_KEYWORD } from '../../baking.js';
import type { OpenBadgeCredential } from '../../credential.js';
import { CONTEXT, createDocumentLoader } from '../../document-loader.js';
import { issueBadge } from '../../issue.service.js';
import { updateIssuerProfile } from '../../issuer.service.js';
import { correctBadge, revokeBadge } from '../../revocation.service.js';
import { OB2_REVOCATION_REASON } from '../ob2.labels.js';
import {
  ob2AssertionSchema,
  ob2BadgeClassSchema,
  ob2IssuerSchema,
  ob2RevokedAssertionSchema,
} from '../ob2.schema.js';

/**
 * The Open Badges 2.0 export through the real app on a real database (issue 4 §8(c)): the hosted Assertion,
 * its BadgeClass and issuer Profile, followed link by link as a hosted verifier would (OB 2.0 §HostedBadge
 * Verification); JSON-LD expansion with the bundled loader only; revocation as 410 Gone; the baked PNG; the
 * recipient hash; 404s; and no personal data in any of it.
 */

const BASE = 'http://localhost:3000';
const CONTACT = 'office@dxq.example.jp';
const EARNER = 'Ob2-Earner@Example.jp';
const EARNER_NAME = '二形式 太郎';
const OTHER = 'someone-else@example.jp';
const EVIDENCE = 'https://portfolio.example.jp/works/ob2';
const NARRATIVE = '協働先企業への最終提案を行った。';

const sha256Identity = (identity: string, salt: string) =>
  `sha256$${createHash('sha256')
    .update(identity + salt, 'utf8')
    .digest('hex')}`;

/** Our absolute URL → the path to ask the app for (and a check that it is ours). */
function pathOf(url: string): string {
  const u = new URL(url);
  expect(u.origin).toBe(BASE);
  return u.pathname;
}

describe.each(dbKinds())('Open Badges 2.0 hosted documents on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffActor;
  let achievement: AchievementView;
  let credentialId: string;
  let versionId: string;
  let credential: OpenBadgeCredential;
  /** Every text the tests fetched, to look for personal data at the end. */
  const fetched: string[] = [];

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { headers });
    const copy = res.clone();
    if ((res.headers.get('content-type') ?? '').includes('json')) fetched.push(await copy.text());
    return res;
  };
  const json = async (path: string, status = 200) => {
    const res = await get(path);
    expect(res.status, path).toBe(status);
    return (await res.json()) as Record<string, unknown>;
  };
  const versionOf = async (id: string) =>
    (
      await env.db
        .selectFrom('credentials')
        .select('achievement_version_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).achievement_version_id;

  beforeAll(async () => {
    env = await createTestEnv(kind, { contact: { name: 'マナビDX Quest 事務局', email: CONTACT } });
    app = testApp(env);
    hub = await staffActor(env, 'regional_hub', 'staff');
    achievement = await publishedAchievement(env, hub);
    credentialId = (
      await issueBadge(env, hub, {
        achievementId: achievement.id,
        email: EARNER,
        name: EARNER_NAME,
        evidenceUrl: EVIDENCE,
        narrative: NARRATIVE,
      })
    ).credentialId;
    versionId = await versionOf(credentialId);
    credential = (await (await app.request(`/badges/${credentialId}.json`)).json()) as OpenBadgeCredential;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('serves the hosted Assertion as OB 2.0 JSON-LD, readable cross-origin, from the signed credential', async () => {
    const res = await get(`/ob2/assertions/${credentialId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ld+json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
    expect(res.headers.get('vary')).toBe('Accept');
    const doc = ob2AssertionSchema.parse(await res.json());

    expect(doc.id).toBe(`${BASE}/ob2/assertions/${credentialId}`);
    expect(doc.type).toBe('Assertion');
    expect(doc.verification).toEqual({ type: 'hosted' });
    expect(doc.badge).toBe(`${BASE}/ob2/badges/${versionId}`);
    expect(doc.issuedOn).toBe(credential.awardedDate);
    expect(doc.issuedOn).toBe(credential.validFrom); // the same instant for a badge never corrected
    expect(doc.expires).toBeUndefined();
    expect(doc.image).toBe(`${BASE}/ob2/assertions/${credentialId}.png`);
    expect(doc.evidence).toEqual([{ type: 'Evidence', id: EVIDENCE, narrative: NARRATIVE }]);
    // The same salted hash as the 3.0 credential.
    const [identifier] = credential.credentialSubject.identifier;
    expect(doc.recipient).toEqual({
      type: 'email',
      hashed: true,
      salt: identifier?.salt,
      identity: identifier?.identityHash,
    });

    // OB 2.0 §Setting Content-Type: plain JSON for a client that asks only for that.
    const plain = await get(`/ob2/assertions/${credentialId}`, { Accept: 'application/json' });
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual(doc);
    const both = await get(`/ob2/assertions/${credentialId}`, {
      Accept: 'application/ld+json, application/json',
    });
    expect(both.headers.get('content-type')).toBe('application/ld+json');
  });

  it('names the earner by sha256$ + SHA-256(address + salt): their address matches, another does not', async () => {
    const doc = ob2AssertionSchema.parse(await json(`/ob2/assertions/${credentialId}`));
    const { salt, identity } = doc.recipient;
    // dxq hashes the normalised address (credential.ts normaliseEmail), at issuance and in the check alike.
    expect(identity).toBe(sha256Identity(EARNER.toLowerCase(), salt));
    expect(identity).not.toBe(sha256Identity(OTHER, salt));
    expect(identity).not.toBe(sha256Identity(EARNER.toLowerCase(), '')); // salted
    expect(salt.length).toBeGreaterThanOrEqual(16);
  });

  it('links a BadgeClass and an issuer Profile that a hosted verifier accepts', async () => {
    const assertion = ob2AssertionSchema.parse(await json(`/ob2/assertions/${credentialId}`));
    const badgeRes = await get(pathOf(assertion.badge));
    expect(badgeRes.headers.get('content-type')).toBe('application/ld+json');
    expect(badgeRes.headers.get('access-control-allow-origin')).toBe('*');
    const badge = ob2BadgeClassSchema.parse(await badgeRes.json());
    const achieved = credential.credentialSubject.achievement;
    expect(badge).toMatchObject({
      id: assertion.badge,
      type: 'BadgeClass',
      name: achieved.name,
      description: achieved.description,
      criteria: { narrative: achieved.criteria.narrative },
      image: achieved.image.id,
      version: '1',
    });
    // DSS-P alignments: the same items, framework (with its version) and codes as the 3.0 Achievement.
    const framework = await dsspFramework(env);
    expect(badge.alignment?.map((a) => a.targetCode)).toEqual(framework.codes);
    expect(badge.alignment).toEqual(
      achieved.alignment.map((a) => ({
        targetName: a.targetName,
        targetUrl: a.targetUrl,
        targetFramework: a.targetFramework,
        targetCode: a.targetCode,
      })),
    );
    for (const a of badge.alignment ?? []) expect(a.targetFramework).toMatch(/ver\.2\.0$/);
    const image = await get(pathOf(badge.image));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    const issuer = ob2IssuerSchema.parse(await json(pathOf(badge.issuer)));
    expect(issuer).toMatchObject({
      id: `${BASE}/ob2/issuers/${hub.org.id}`,
      name: credential.issuer.name,
      url: credential.issuer.url,
      // No contact address in the profile: the site's contact stands in (OB 2.0 requires an issuer email).
      email: CONTACT,
      verification: { type: 'VerificationObject', startsWith: `${BASE}/ob2/` },
    });
    // §HostedBadge Verification: the Assertion (and BadgeClass) are in the issuer's declared scope, and on
    // the origin of the issuer's id (the default policy, for verifiers that ignore startsWith).
    const scope = issuer.verification?.startsWith as string;
    expect(assertion.id.startsWith(scope)).toBe(true);
    expect(badge.id.startsWith(scope)).toBe(true);
    expect(new URL(assertion.id).origin).toBe(new URL(issuer.id).origin);

    await updateIssuerProfile(env, hub, {
      orgId: hub.org.id,
      name: '北海道 DX ハブ',
      url: 'https://hub.example.jp/',
      email: 'Badges@Hub.example.jp',
      description: '地域の中小企業と学び手をつなぐハブです。',
    });
    const saved = ob2IssuerSchema.parse(await json(`/ob2/issuers/${hub.org.id}`));
    expect(saved).toMatchObject({
      name: '北海道 DX ハブ',
      url: 'https://hub.example.jp/',
      email: 'badges@hub.example.jp',
      description: '地域の中小企業と学び手をつなぐハブです。',
    });
  });

  it('expands every document as JSON-LD with the bundled OB 2.0 context and nothing else', async () => {
    const revokedId = (
      await issueBadge(env, hub, { achievementId: achievement.id, email: 'ld@example.jp', name: '取消' })
    ).credentialId;
    await revokeBadge(env, hub, { credentialId: revokedId, reason: '誤発行' });
    const docs = [
      await json(`/ob2/assertions/${credentialId}`),
      await json(`/ob2/badges/${versionId}`),
      await json(`/ob2/issuers/${hub.org.id}`),
      await json(`/ob2/assertions/${revokedId}`, 410),
    ];
    const loader = createDocumentLoader();
    const expanded = [];
    for (const doc of docs) {
      // Safe mode: a term the context does not define fails instead of being dropped silently.
      expanded.push(await jsonld.expand(doc, { documentLoader: loader, safe: true }));
    }
    expect(loader.refused()).toEqual([]);
    expect(new Set(loader.requests.map((r) => r.url))).toEqual(new Set([CONTEXT.OB_V2]));
    expect(loader.requests.every((r) => r.source === 'context')).toBe(true);

    const [assertion] = expanded[0] as Record<string, unknown>[];
    expect(assertion?.['@type']).toEqual(['https://w3id.org/openbadges#Assertion']);
    expect(assertion?.['https://w3id.org/openbadges#recipient']).toEqual([
      expect.objectContaining({
        '@type': ['http://schema.org/email'],
        'https://w3id.org/openbadges#hashed': [
          { '@value': true, '@type': 'http://www.w3.org/2001/XMLSchema#boolean' },
        ],
      }),
    ]);
    expect(assertion?.['https://w3id.org/openbadges#verify']).toEqual([
      { '@type': ['https://w3id.org/openbadges#HostedBadge'] },
    ]);
    const [badge] = expanded[1] as Record<string, unknown>[];
    expect(badge?.['@type']).toEqual(['https://w3id.org/openbadges#BadgeClass']);
    expect(badge?.['https://w3id.org/openbadges#alignment']).toHaveLength(2);
    const [revoked] = expanded[3] as Record<string, unknown>[];
    expect(revoked?.['https://w3id.org/openbadges#revoked']).toEqual([
      { '@value': true, '@type': 'http://www.w3.org/2001/XMLSchema#boolean' },
    ]);
  });

  it('bakes the Assertion into the badge PNG (iTXt openbadges), without the 3.0 credential', async () => {
    const res = await get(`/ob2/assertions/${credentialId}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const png = new Uint8Array(await res.arrayBuffer());
    const baked = extractPngText(png, OB2_PNG_KEYWORD);
    expect(baked).not.toBeNull();
    fetched.push(baked ?? '');
    // Extraction gives the hosted Assertion: its id is the URL a verifier fetches, which answers the same.
    const doc = ob2AssertionSchema.parse(JSON.parse(baked ?? ''));
    expect(doc.id).toBe(`${BASE}/ob2/assertions/${credentialId}`);
    expect(doc).toEqual(await json(pathOf(doc.id)));
    expect(extractFromPng(png)).toBeNull();
    // The 3.0 image still carries only the 3.0 credential.
    const v3 = new Uint8Array(await (await app.request(`/badges/${credentialId}.png`)).arrayBuffer());
    expect(extractPngText(v3, OB2_PNG_KEYWORD)).toBeNull();
    expect(extractFromPng(v3)).not.toBeNull();
  });

  it('states expiry as expires when the badge has a validity period', async () => {
    const framework = await dsspFramework(env);
    const created = await createAchievement(env, hub, {
      orgId: hub.org.id,
      key: `ob2-expiring-${kind}`,
      programmeId: null,
      name: '期限付きバッジ',
      description: '一年間有効な修了証。',
      criteriaNarrative: '講座を修了すること。',
      validDays: 365,
      frameworkId: framework.id,
      skillCodes: framework.codes,
      images: { png: testPng() },
    });
    const published = await publishAchievement(env, hub, { achievementId: created.id });
    const { credentialId: id } = await issueBadge(env, hub, {
      achievementId: published.id,
      email: 'expiring@example.jp',
      name: '期限 花子',
    });
    const signed = (await (await app.request(`/badges/${id}.json`)).json()) as OpenBadgeCredential;
    const doc = ob2AssertionSchema.parse(await json(`/ob2/assertions/${id}`));
    expect(signed.validUntil).toBeDefined();
    expect(doc.expires).toBe(signed.validUntil);
  });

  it('answers a revoked Assertion with 410 Gone and {revoked: true}, never the issuer’s own reason', async () => {
    const { credentialId: id } = await issueBadge(env, hub, {
      achievementId: achievement.id,
      email: 'revoked-ob2@example.jp',
      name: '取消 三郎',
    });
    await revokeBadge(env, hub, { credentialId: id, reason: '受講記録の誤りのため(内部メモ)' });
    const res = await get(`/ob2/assertions/${id}`);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toBe('application/ld+json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const text = await res.text();
    expect(text).not.toContain('内部メモ');
    expect(ob2RevokedAssertionSchema.parse(JSON.parse(text))).toEqual({
      '@context': CONTEXT.OB_V2,
      id: `${BASE}/ob2/assertions/${id}`,
      revoked: true,
      revocationReason: OB2_REVOCATION_REASON.revoked,
    });
    const image = await get(`/ob2/assertions/${id}.png`);
    expect(image.status).toBe(410);
    expect(((await image.json()) as { revoked: boolean }).revoked).toBe(true);
    // The BadgeClass and the issuer stay: other earners' badges still point at them.
    await json(`/ob2/badges/${versionId}`);
  });

  it('revokes a corrected badge as corrected, and keeps the award date in its replacement', async () => {
    const { credentialId: id } = await issueBadge(env, hub, {
      achievementId: achievement.id,
      email: 'corrected-ob2@example.jp',
      name: '訂正 二郎',
    });
    const before = ob2AssertionSchema.parse(await json(`/ob2/assertions/${id}`));
    env.clock.advance(60_000);
    const corrected = await correctBadge(env, hub, { credentialId: id, name: '訂正 次郎' });
    const old = ob2RevokedAssertionSchema.parse(await json(`/ob2/assertions/${id}`, 410));
    expect(old.revocationReason).toBe(OB2_REVOCATION_REASON.corrected);
    const replacement = ob2AssertionSchema.parse(await json(`/ob2/assertions/${corrected.credentialId}`));
    expect(replacement.id).toBe(`${BASE}/ob2/assertions/${corrected.credentialId}`);
    expect(replacement.issuedOn).toBe(before.issuedOn);
    expect(replacement.recipient.identity).toBe(
      sha256Identity('corrected-ob2@example.jp', replacement.recipient.salt),
    );
  });

  it('answers 404 for unknown ids, drafts and organisations that do not issue', async () => {
    const unknown = '3b241101-e2bb-4255-8caf-4136c566a962';
    for (const path of [
      `/ob2/assertions/${unknown}`,
      `/ob2/assertions/${unknown}.png`,
      `/ob2/badges/${unknown}`,
      `/ob2/issuers/${unknown}`,
      // A credential's id is not a BadgeClass's, nor an organisation's.
      `/ob2/badges/${credentialId}`,
      `/ob2/issuers/${credentialId}`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(await res.json()).toEqual({ error: 'not_found' });
    }
    for (const path of ['/ob2/assertions/not-a-uuid', `/ob2/assertions/${credentialId}x`, `/ob2/badges/1`]) {
      expect((await get(path)).status, path).toBe(404);
    }
    // An upper-case id is the same badge.
    expect((await get(`/ob2/assertions/${credentialId.toUpperCase()}`)).status).toBe(200);

    const framework = await dsspFramework(env);
    const draft = await createAchievement(env, hub, {
      orgId: hub.org.id,
      key: `ob2-draft-${kind}`,
      programmeId: null,
      name: '下書き',
      description: '公開前。',
      criteriaNarrative: '未定。',
      frameworkId: framework.id,
      skillCodes: framework.codes,
      images: { png: testPng() },
    });
    const draftVersion = await env.db
      .selectFrom('achievement_versions')
      .select('id')
      .where('achievement_id', '=', draft.id)
      .executeTakeFirstOrThrow();
    expect((await get(`/ob2/badges/${draftVersion.id}`)).status).toBe(404);
    const ministry = await makeOrg(env, 'ministry');
    expect((await get(`/ob2/issuers/${ministry}`)).status).toBe(404);
  });

  it('puts neither the earner’s address nor their name in any document it served', async () => {
    expect(fetched.length).toBeGreaterThan(10);
    const all = fetched.join('\n').toLowerCase();
    for (const secret of [
      EARNER,
      EARNER.split('@')[0] ?? '',
      OTHER,
      EARNER_NAME,
      '取消 三郎',
      '訂正 次郎',
      '訂正 二郎',
    ]) {
      expect(all).not.toContain(secret.toLowerCase());
    }
    for (const secret of ['revoked-ob2@', 'corrected-ob2@', 'expiring@', 'ld@example']) {
      expect(all).not.toContain(secret);
    }
  });
});
