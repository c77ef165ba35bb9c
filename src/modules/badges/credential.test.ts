import { randomBytes } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors.js';
import {
  buildOpenBadgeCredential,
  hashEmail,
  identityHash,
  MAX_CREDENTIAL_BYTES,
  type OpenBadgeCredential,
  signDataIntegrity,
  signOpenBadge,
  signOpenBadgeJwt,
  targetFramework,
} from './credential.js';
import { BUNDLED_CONTEXTS, createDocumentLoader } from './document-loader.js';
import {
  controllerDocument,
  generateIssuerKey,
  loadSigningKey,
  SigningKey,
  verificationMethodDocument,
} from './keys.js';
import { SAMPLE_ISSUER, sampleOpenBadgeInput } from './sample.js';
import { validateAchievementCredential } from './schema.js';

/**
 * OB 3.0 Implementation Guide, "Linked Data Proof Test Vector for Open Badges 3.0" (1EdTech, 2025): the key
 * pair, credential, `created` and expected proofValue as published. Ed25519 is deterministic, so signing
 * this credential with this key must reproduce the proof exactly.
 */
const VECTOR = {
  publicKeyHex: '4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5',
  secretKeyHex:
    '6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be44bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5',
  publicKeyMultibase: 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
  secretKeyMultibase:
    'zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx',
  controller: 'https://example.edu/issuers/565049',
  created: '2010-01-01T19:23:24Z',
  proofValue: 'z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr',
  credential: {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: 'http://example.com/credentials/3527',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {
      id: 'https://example.edu/issuers/565049',
      type: ['Profile'],
      url: 'https://www.imsglobal.org',
      name: 'Example Corp',
    },
    validFrom: '2010-01-01T00:00:00Z',
    name: 'Teamwork Badge',
    credentialSubject: {
      id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://example.com/achievements/21st-century-skills/teamwork',
        type: ['Achievement'],
        criteria: {
          narrative:
            'Team members are nominated for this badge by their peers and recognized upon review by Example Corp management.',
        },
        description:
          'This badge recognizes the development of the capacity to collaborate within a group environment.',
        name: 'Teamwork',
      },
    },
  },
};

/** A loader for the independent verifier: bundled contexts plus our issuer's key documents. */
function loaderFor(keys: { id: string; type: 'Multikey'; controller: string; publicKeyMultibase: string }[]) {
  const docs = new Map<string, Record<string, unknown> & { id: string }>();
  for (const k of keys) {
    docs.set(k.id, verificationMethodDocument(k));
    docs.set(k.controller, controllerDocument(k.controller, keys));
  }
  return createDocumentLoader({ resolveIssuerKey: async (url) => docs.get(url) });
}

async function sampleKey() {
  const secret = randomBytes(32);
  const stored = await generateIssuerKey(secret, SAMPLE_ISSUER.id);
  return { key: await loadSigningKey(secret, stored), publicKey: stored.publicKey };
}

describe('golden test: the OB 3.0 eddsa-rdfc-2022 test vector', () => {
  it('reproduces the published proofValue bit for bit, with no URL outside the bundle', async () => {
    const key = await SigningKey.fromMultikey({
      id: `${VECTOR.controller}#${VECTOR.publicKeyMultibase}`,
      type: 'Multikey',
      controller: VECTOR.controller,
      publicKeyMultibase: VECTOR.publicKeyMultibase,
      secretKeyMultibase: VECTOR.secretKeyMultibase,
    });
    // The multibase keys are the published hex keys.
    const pair = await Ed25519Multikey.from({
      type: 'Multikey',
      publicKeyMultibase: VECTOR.publicKeyMultibase,
      secretKeyMultibase: VECTOR.secretKeyMultibase,
    });
    const raw = await pair.export({ raw: true, secretKey: true });
    expect(Buffer.from(raw.publicKey as Uint8Array).toString('hex')).toBe(VECTOR.publicKeyHex);
    expect(Buffer.from(raw.secretKey as Uint8Array).toString('hex')).toBe(VECTOR.secretKeyHex);

    const loader = createDocumentLoader();
    const signed = await signDataIntegrity(structuredClone(VECTOR.credential), key, {
      created: VECTOR.created,
      documentLoader: loader,
    });
    expect(signed.proof).toEqual([
      {
        type: 'DataIntegrityProof',
        created: VECTOR.created,
        verificationMethod: `${VECTOR.controller}#${VECTOR.publicKeyMultibase}`,
        cryptosuite: 'eddsa-rdfc-2022',
        proofPurpose: 'assertionMethod',
        proofValue: VECTOR.proofValue,
      },
    ]);
    const { proof: _proof, ...rest } = signed;
    expect(rest).toEqual(VECTOR.credential);
    expect(loader.refused()).toEqual([]);
    expect(new Set(loader.requests.map((r) => r.url))).toEqual(
      new Set([
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      ]),
    );
  });
});

describe('recipient identity', () => {
  it('hashes the spec vector: a@example.com salted with Kosher', () => {
    const expected = 'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399';
    expect(identityHash('a@example.com', 'Kosher')).toBe(expected);
    expect(hashEmail('a@example.com', 'Kosher')).toBe(expected);
    // dxq normalises the address before hashing (at issuance and in the recipient check alike).
    expect(hashEmail('  A@EXAMPLE.COM ', 'Kosher')).toBe(expected);
    expect(hashEmail('ａ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'Kosher')).toBe(expected);
  });
});

describe('building an OpenBadgeCredential', () => {
  it('has exactly the shape of OPEN-BADGES.md §Shape', () => {
    const credential = buildOpenBadgeCredential(sampleOpenBadgeInput());
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ]);
    expect(credential.id).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.validFrom).toBe('2026-03-31T00:00:00Z');
    expect(credential).not.toHaveProperty('issuanceDate');
    expect(credential).not.toHaveProperty('validUntil');
    expect(credential.issuer).toEqual({
      id: 'https://dxq.example.jp/issuers/secretariat',
      type: ['Profile'],
      name: 'マナビDX Quest 事務局',
      url: 'https://dxq.example.jp',
      email: 'badges@dxq.example.jp',
      image: {
        id: 'https://dxq.example.jp/issuers/secretariat/logo.png',
        type: 'Image',
        caption: 'マナビDX Quest',
      },
    });
    const subject = credential.credentialSubject;
    expect(subject.type).toEqual(['AchievementSubject']);
    expect(subject).not.toHaveProperty('id');
    expect(subject.identifier).toEqual([
      {
        type: 'IdentityObject',
        identityType: 'emailAddress',
        hashed: true,
        salt: 'Kz3vQm8rXw1pLs0a',
        identityHash: hashEmail('learner@example.jp', 'Kz3vQm8rXw1pLs0a'),
      },
    ]);
    expect(JSON.stringify(credential)).not.toContain('learner@example.jp');
    const achievement = subject.achievement;
    expect(achievement).toMatchObject({
      type: ['Achievement'],
      achievementType: 'CertificateOfCompletion',
      inLanguage: 'ja',
      image: {
        id: 'https://dxq.example.jp/achievements/regional-collaboration/2026/badge.png',
        type: 'Image',
      },
      criteria: { narrative: expect.stringContaining('修了判定') },
    });
    expect(achievement.alignment[1]).toEqual({
      type: ['Alignment'],
      targetName: 'データ・AI理解・活用',
      targetUrl: 'https://dxq.example.jp/frameworks/dss-p/2.0/2.1.1',
      targetFramework: 'デジタルスキル標準(DSS-P) 共通スキルリスト ver.2.0',
      targetCode: '2.1.1',
      targetType: 'ext:DSSPSkillItem',
    });
    expect(credential.credentialStatus).toEqual({
      id: 'https://dxq.example.jp/status/secretariat/1#48213',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '48213',
      statusListCredential: 'https://dxq.example.jp/status/secretariat/1',
    });
    expect(validateAchievementCredential(credential)).toEqual({ ok: true });
  });

  it('adds the OB extensions context (third) only when an extension type is used', () => {
    const plain = buildOpenBadgeCredential(sampleOpenBadgeInput());
    expect(plain['@context']).toHaveLength(2);
    const withSchema = buildOpenBadgeCredential(sampleOpenBadgeInput({ includeCredentialSchema: true }));
    expect(withSchema['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(withSchema.credentialSchema).toEqual([
      {
        id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
        type: '1EdTechJsonSchemaValidator2019',
      },
    ]);
  });

  it('writes validUntil, awardedDate, evidence links and a subject id when given', () => {
    const credential = buildOpenBadgeCredential(
      sampleOpenBadgeInput({
        validUntil: '2029-03-31T00:00:00+09:00',
        recipient: {
          email: 'learner@example.jp',
          subjectId: 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
        },
        evidence: [{ id: 'https://dxq.example.jp/evidence/1', name: '最終提案' }],
      }),
    );
    expect(credential.validUntil).toBe('2029-03-30T15:00:00Z');
    expect(credential.awardedDate).toBe('2026-03-31T00:00:00Z');
    expect(credential.credentialSubject.id).toMatch(/^did:key:/);
    expect(credential.credentialSubject.identifier[0]?.salt).toMatch(/^[\w-]{22}$/);
    expect(credential.evidence).toEqual([
      { id: 'https://dxq.example.jp/evidence/1', type: ['Evidence'], name: '最終提案' },
    ]);
    expect(targetFramework({ name: 'DSS-P', version: 'ver.1.2' })).toBe('DSS-P ver.1.2');
  });

  it('refuses bad input with a VALIDATION AppError naming the fields', () => {
    const attempts: Parameters<typeof sampleOpenBadgeInput>[0][] = [
      { recipient: { email: 'not-an-address' } },
      { evidence: [{ id: 'data:image/png;base64,AAAA' }] },
      { issuer: { ...SAMPLE_ISSUER, url: 'javascript:alert(1)' } },
      { validFrom: 'yesterday' },
      { validUntil: new Date('2020-01-01T00:00:00Z') },
    ];
    for (const overrides of attempts) {
      let error: unknown;
      try {
        buildOpenBadgeCredential(sampleOpenBadgeInput(overrides));
      } catch (e) {
        error = e;
      }
      expect(isAppError(error, 'VALIDATION')).toBe(true);
      expect(Object.keys((error as { fields: object }).fields).length).toBeGreaterThan(0);
    }
  });
});

describe('signing', () => {
  it('signs with eddsa-rdfc-2022; Digital Bazaar verifies it independently; the 1EdTech schema accepts it', async () => {
    const { key, publicKey } = await sampleKey();
    const loader = createDocumentLoader();
    const signed = await signOpenBadge(buildOpenBadgeCredential(sampleOpenBadgeInput()), key, {
      documentLoader: loader,
    });
    expect(Array.isArray(signed.proof)).toBe(true);
    expect(signed.proof).toHaveLength(1);
    expect(signed.proof[0]).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: publicKey.id,
      proofValue: expect.stringMatching(/^z[1-9A-HJ-NP-Za-km-z]+$/),
    });
    expect(validateAchievementCredential(signed)).toEqual({ ok: true });
    expect(Buffer.byteLength(JSON.stringify(signed))).toBeLessThan(MAX_CREDENTIAL_BYTES);
    expect(loader.refused()).toEqual([]);

    const verifierLoader = loaderFor([publicKey]);
    const result = await vc.verifyCredential({
      credential: signed,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: verifierLoader,
      checkStatus: async () => ({ verified: true }),
    });
    expect(result.verified).toBe(true);
    expect(verifierLoader.refused()).toEqual([]);
    for (const r of [...loader.requests, ...verifierLoader.requests]) {
      expect(r.source === 'context' ? BUNDLED_CONTEXTS.has(r.url) : r.source === 'issuer').toBe(true);
    }
  });

  it('signs a credential that uses the extensions context (safe mode would fail without it)', async () => {
    const { key, publicKey } = await sampleKey();
    const credential = buildOpenBadgeCredential(sampleOpenBadgeInput({ includeCredentialSchema: true }));
    const signed = await signOpenBadge(credential, key);
    const result = await vc.verifyCredential({
      credential: signed,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: loaderFor([publicKey]),
      checkStatus: async () => ({ verified: true }),
    });
    expect(result.verified).toBe(true);
    const withoutExtensions: OpenBadgeCredential = {
      ...credential,
      '@context': credential['@context'].slice(0, 2),
    };
    await expect(signOpenBadge(withoutExtensions, key)).rejects.toThrow(/safe mode/i);
  });

  it('refuses to sign with a key of another issuer, and a credential over 16 KB', async () => {
    const { key } = await sampleKey();
    const other = buildOpenBadgeCredential(
      sampleOpenBadgeInput({ issuer: { ...SAMPLE_ISSUER, id: 'https://dxq.example.jp/issuers/other' } }),
    );
    await expect(signOpenBadge(other, key)).rejects.toThrow(/controller/);
    const big = buildOpenBadgeCredential(
      sampleOpenBadgeInput({
        evidence: Array.from({ length: 10 }, (_, i) => ({
          id: `https://dxq.example.jp/evidence/${i}`,
          narrative: 'あ'.repeat(600),
        })),
      }),
    );
    const error = await signOpenBadge(big, key).catch((e: unknown) => e);
    expect(isAppError(error, 'VALIDATION')).toBe(true);
  });

  it('issues a VC-JWT: header {alg, kid, typ} only, payload = credential + iss, jti, nbf, sub, exp', async () => {
    const { key, publicKey } = await sampleKey();
    const credential = buildOpenBadgeCredential(
      sampleOpenBadgeInput({
        validUntil: new Date('2029-03-31T00:00:00Z'),
        recipient: { email: 'learner@example.jp', subjectId: 'did:example:learner' },
      }),
    );
    const jwt = await signOpenBadgeJwt(credential, key);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', kid: publicKey.id, typ: 'JWT' });
    const payload = decodeJwt(jwt);
    const { iss, jti, nbf, exp, sub, ...body } = payload;
    expect(body).toEqual(credential);
    expect(iss).toBe(credential.issuer.id);
    expect(jti).toBe(credential.id);
    expect(nbf).toBe(Date.parse('2026-03-31T00:00:00Z') / 1000);
    expect(exp).toBe(Date.parse('2029-03-31T00:00:00Z') / 1000);
    expect(sub).toBe('did:example:learner');
    const verifyKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: (await key.privateJwk()).x }, 'EdDSA');
    await expect(
      jwtVerify(jwt, verifyKey, { currentDate: new Date('2027-01-01T00:00:00Z') }),
    ).resolves.toBeTruthy();

    const noExpiry = decodeJwt(await signOpenBadgeJwt(buildOpenBadgeCredential(sampleOpenBadgeInput()), key));
    expect(noExpiry).not.toHaveProperty('exp');
    expect(noExpiry).not.toHaveProperty('sub');
  });
});
