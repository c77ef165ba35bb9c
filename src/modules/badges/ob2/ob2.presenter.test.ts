import { describe, expect, it } from 'vitest';
import { CORRECTED } from '../revocation.service.js';
import { OB2_REVOCATION_REASON } from './ob2.labels.js';
import { presentAssertion, presentIssuer, presentRevokedAssertion } from './ob2.presenter.js';
import { ob2AssertionSchema, ob2IssuerSchema, ob2RevokedAssertionSchema } from './ob2.schema.js';
import { ob2ContentType } from './web/ob2.routes.js';

/** The OB 2.0 presenter on its own: what it refuses to publish, and the edge cases of its inputs. */

const BASE = 'https://dxq.example.jp/dxq';
const ID = '3b241101-e2bb-4255-8caf-4136c566a962';
const VERSION = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const HASH = `sha256$${'a'.repeat(64)}`;

function credential(o: { identifier?: unknown[]; evidence?: unknown[]; validUntil?: string } = {}) {
  return {
    validFrom: '2026-04-01T00:00:00Z',
    awardedDate: '2026-03-01T09:00:00+09:00',
    ...(o.validUntil ? { validUntil: o.validUntil } : {}),
    credentialSubject: {
      identifier: o.identifier ?? [
        {
          type: 'IdentityObject',
          identityType: 'emailAddress',
          hashed: true,
          salt: 'Kosher',
          identityHash: HASH,
        },
      ],
    },
    ...(o.evidence ? { evidence: o.evidence } : {}),
  };
}

const present = (c: Record<string, unknown>) =>
  presentAssertion({ baseUrl: BASE, credentialId: ID, achievementVersionId: VERSION, credential: c });

describe('presentAssertion', () => {
  it('keeps the credential’s salt and hash, dates in UTC, and URLs under BASE_URL’s path', () => {
    const doc = present(credential({ validUntil: '2027-04-01T00:00:00Z' }));
    expect(ob2AssertionSchema.parse(doc)).toEqual(doc);
    expect(doc).toEqual({
      '@context': 'https://w3id.org/openbadges/v2',
      id: `${BASE}/ob2/assertions/${ID}`,
      type: 'Assertion',
      recipient: { type: 'email', hashed: true, salt: 'Kosher', identity: HASH },
      badge: `${BASE}/ob2/badges/${VERSION}`,
      verification: { type: 'hosted' },
      // The award date (kept by corrections), written in UTC.
      issuedOn: '2026-03-01T00:00:00Z',
      image: `${BASE}/ob2/assertions/${ID}.png`,
      expires: '2027-04-01T00:00:00Z',
    });
  });

  it('publishes nothing for a recipient that is not a salted SHA-256 e-mail hash', () => {
    const plain = {
      type: 'IdentityObject',
      identityType: 'emailAddress',
      hashed: false,
      identityHash: 'a@b.jp',
    };
    expect(present(credential({ identifier: [plain] }))).toBeNull();
    const unsalted = {
      type: 'IdentityObject',
      identityType: 'emailAddress',
      hashed: true,
      identityHash: HASH,
    };
    expect(present(credential({ identifier: [unsalted] }))).toBeNull();
    const md5 = { ...unsalted, salt: 'x', identityHash: `md5$${'a'.repeat(32)}` };
    expect(present(credential({ identifier: [md5] }))).toBeNull();
    const did = { type: 'IdentityObject', identityType: 'did', hashed: true, salt: 'x', identityHash: HASH };
    expect(present(credential({ identifier: [did] }))).toBeNull();
    expect(present(credential({ identifier: [] }))).toBeNull();
    expect(present({ credentialSubject: {} })).toBeNull();
  });

  it('maps evidence links and narratives, and drops entries with neither', () => {
    const doc = present(
      credential({
        evidence: [
          { id: 'https://portfolio.example.jp/1', type: ['Evidence'], narrative: '最終提案' },
          { type: ['Evidence'], narrative: '発表を行った' },
          { id: 'not a url', type: ['Evidence'] },
        ],
      }),
    );
    expect(doc?.evidence).toEqual([
      { type: 'Evidence', id: 'https://portfolio.example.jp/1', narrative: '最終提案' },
      { type: 'Evidence', narrative: '発表を行った' },
    ]);
    expect(ob2AssertionSchema.safeParse(doc).success).toBe(true);
  });
});

describe('presentRevokedAssertion', () => {
  it('says only whether a correction replaced it, never the issuer’s own reason', () => {
    const revoked = presentRevokedAssertion({
      baseUrl: BASE,
      credentialId: ID,
      revocationReason: '内部メモ',
    });
    expect(ob2RevokedAssertionSchema.parse(revoked)).toEqual({
      '@context': 'https://w3id.org/openbadges/v2',
      id: `${BASE}/ob2/assertions/${ID}`,
      revoked: true,
      revocationReason: OB2_REVOCATION_REASON.revoked,
    });
    expect(
      presentRevokedAssertion({ baseUrl: BASE, credentialId: ID, revocationReason: CORRECTED })
        .revocationReason,
    ).toBe(OB2_REVOCATION_REASON.corrected);
  });
});

describe('presentIssuer', () => {
  it('scopes hosted verification to /ob2/ of this site and leaves out what is not set', () => {
    const doc = presentIssuer({
      baseUrl: BASE,
      orgId: VERSION,
      name: '北海道ハブ',
      url: 'https://hub.example.jp/',
      email: 'badges@hub.example.jp',
      description: '',
      imageUrl: undefined,
    });
    expect(ob2IssuerSchema.parse(doc)).toEqual({
      '@context': 'https://w3id.org/openbadges/v2',
      id: `${BASE}/ob2/issuers/${VERSION}`,
      type: 'Profile',
      name: '北海道ハブ',
      url: 'https://hub.example.jp/',
      email: 'badges@hub.example.jp',
      verification: { type: 'VerificationObject', startsWith: `${BASE}/ob2/` },
    });
  });
});

describe('ob2ContentType (OB 2.0 §Setting Content-Type)', () => {
  it('answers JSON-LD unless only plain JSON is asked for', () => {
    expect(ob2ContentType(undefined)).toBe('application/ld+json');
    expect(ob2ContentType('*/*')).toBe('application/ld+json');
    expect(ob2ContentType('application/ld+json')).toBe('application/ld+json');
    expect(ob2ContentType('application/ld+json, application/json;q=0.9')).toBe('application/ld+json');
    expect(ob2ContentType('application/json')).toBe('application/json');
    expect(ob2ContentType('Application/JSON; charset=utf-8, text/plain, */*')).toBe('application/json');
  });
});
