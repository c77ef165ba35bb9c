import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bakePng, bakeSvg, extractFromPng, extractFromSvg } from './baking.js';
import {
  buildOpenBadgeCredential,
  type SignedOpenBadgeCredential,
  signDataIntegrity,
  signOpenBadge,
  signOpenBadgeJwt,
} from './credential.js';
import { BUNDLED_CONTEXTS, createDocumentLoader, type KeyDocument } from './document-loader.js';
import {
  controllerDocument,
  generateDidKeySigningKey,
  generateIssuerKey,
  loadSigningKey,
  type PublicMultikey,
  type SigningKey,
  verificationMethodDocument,
} from './keys.js';
import { SAMPLE_ISSUER, sampleOpenBadgeInput } from './sample.js';
import {
  createStatusList,
  encodeStatusList,
  setStatusBit,
  statusBitFromListCredential,
} from './status-list.js';
import {
  type StatusChecker,
  type VerificationResult,
  type VerifyOptions,
  verifyOpenBadge,
} from './verify.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const LIST_URL = 'https://dxq.example.jp/status/secretariat/1';

let key: SigningKey;
let otherKey: SigningKey;
let publicKeys: PublicMultikey[];
let signed: SignedOpenBadgeCredential;

/** Our key store: the issuer's controller document and each key, as the issuers module will serve them. */
async function resolveIssuerKey(url: string): Promise<KeyDocument | null> {
  const method = publicKeys.find((k) => k.id === url);
  if (method) return verificationMethodDocument(method);
  if (url === SAMPLE_ISSUER.id) return controllerDocument(SAMPLE_ISSUER.id, publicKeys.slice(0, 1));
  return null;
}

/** Our status lists: index 48213 is clear, 7 is revoked; lists of other hosts are 'unknown' (no fetching). */
const list = createStatusList();
setStatusBit(list, 7, true);
const checkStatus: StatusChecker = async (entry) => {
  if (entry.statusListCredential !== LIST_URL) return 'unknown';
  return statusBitFromListCredential(
    {
      id: LIST_URL,
      credentialSubject: {
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList: encodeStatusList(list),
      },
    },
    entry,
  );
};

function verify(input: unknown, options: VerifyOptions = {}): Promise<VerificationResult> {
  return verifyOpenBadge(input, { resolveIssuerKey, checkStatus, now: NOW, ...options });
}

function step(result: VerificationResult, name: string) {
  const found = result.steps.find((s) => s.step === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
}

beforeAll(async () => {
  const secret = randomBytes(32);
  const stored = await generateIssuerKey(secret, SAMPLE_ISSUER.id);
  const other = await generateIssuerKey(secret, SAMPLE_ISSUER.id);
  key = await loadSigningKey(secret, stored);
  otherKey = await loadSigningKey(secret, other);
  // The second key exists but is not in the issuer's controller document (e.g. withdrawn after a leak).
  publicKeys = [stored.publicKey, other.publicKey];
  signed = await signOpenBadge(buildOpenBadgeCredential(sampleOpenBadgeInput()), key);
});

// No step may open a connection: any attempt fails the test.
let connect: ReturnType<typeof vi.spyOn>;
let fetchSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  connect = vi.spyOn(net.Socket.prototype, 'connect');
  fetchSpy = vi.spyOn(globalThis, 'fetch');
});
afterEach(() => {
  expect(connect).not.toHaveBeenCalled();
  expect(fetchSpy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('a valid badge', () => {
  it('passes every step, each reported in Japanese, with no URL outside the bundle', async () => {
    const loader = createDocumentLoader({ resolveIssuerKey });
    const result = await verify(signed, { documentLoader: loader, recipientEmail: 'Learner@Example.jp' });
    expect(result.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['parse', 'passed'],
      ['schema', 'passed'],
      ['proof', 'passed'],
      ['status', 'passed'],
      ['validity', 'passed'],
      ['recipient', 'passed'],
    ]);
    expect(result.verified).toBe(true);
    expect(result.summary).toBe('valid');
    expect(result.format).toBe('json-ld');
    expect(step(result, 'status').message).toBe('失効していません');
    expect(step(result, 'validity').message).toBe('有効です(2026年3月31日 9:00 から)');
    expect(loader.refused()).toEqual([]);
    for (const r of loader.requests) {
      expect(r.source === 'context' ? BUNDLED_CONTEXTS.has(r.url) : r.source === 'issuer').toBe(true);
    }
  });

  it('accepts the same credential as JSON text, with a single proof object, and as a VC-JWT', async () => {
    expect((await verify(JSON.stringify(signed, null, 2))).verified).toBe(true);
    expect((await verify({ ...signed, proof: signed.proof[0] })).verified).toBe(true);
    const jwt = await signOpenBadgeJwt(buildOpenBadgeCredential(sampleOpenBadgeInput()), key);
    const result = await verify(` ${jwt}\n`, { recipientEmail: 'learner@example.jp' });
    expect(result.format).toBe('jwt');
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect(result.verified).toBe(true);
  });

  it('verifies a did:key issuer offline, and skips status and recipient when they do not apply', async () => {
    const didKey = await generateDidKeySigningKey();
    const input = sampleOpenBadgeInput({ issuer: { ...SAMPLE_ISSUER, id: didKey.controller } });
    delete input.status;
    const credential = await signOpenBadge(buildOpenBadgeCredential(input), didKey);
    const result = await verifyOpenBadge(credential, { now: NOW });
    expect(result.verified).toBe(true);
    expect(step(result, 'status')).toMatchObject({ ok: true, outcome: 'skipped' });
    expect(step(result, 'recipient')).toMatchObject({ ok: true, outcome: 'skipped' });
  });

  it('round-trips through baked PNG and SVG and still verifies', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const json = JSON.stringify(signed);
    expect(extractFromPng(bakePng(png, json))).toBe(json);
    expect((await verify(extractFromPng(bakePng(png, json)))).verified).toBe(true);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>';
    expect((await verify(extractFromSvg(bakeSvg(svg, json)))).verified).toBe(true);
  });
});

describe('a bad badge gives a clear failed step, never a crash', () => {
  it('tampered content: the proof fails', async () => {
    const tampered = structuredClone(signed);
    tampered.credentialSubject.achievement.name = '別のプログラム 修了';
    const result = await verify(tampered);
    expect(step(result, 'schema').outcome).toBe('passed');
    expect(step(result, 'proof')).toMatchObject({
      ok: false,
      outcome: 'failed',
      message: '署名が一致しません。内容が改ざんされているか、別の鍵で署名されています',
    });
    expect(result.summary).toBe('invalid');
    expect(result.verified).toBe(false);
  });

  it('wrong key: a signature by another key, or by a key the issuer does not list', async () => {
    const forged = structuredClone(signed);
    const byOther = await signOpenBadge(buildOpenBadgeCredential(sampleOpenBadgeInput()), otherKey);
    forged.proof = [{ ...(byOther.proof[0] as (typeof forged.proof)[0]), verificationMethod: key.id }];
    expect(step(await verify(forged), 'proof').message).toMatch(/署名が一致しません/);
    expect(step(await verify(byOther), 'proof').message).toBe(
      '署名に使われた鍵が、発行者の鍵として登録されていません',
    );
    // Someone signs a badge in our issuer's name with their own did:key (the Digital Bazaar library lets them).
    const intruder = await generateDidKeySigningKey();
    const impostor = await vc.issue({
      credential: buildOpenBadgeCredential(sampleOpenBadgeInput()),
      suite: new DataIntegrityProof({ signer: intruder.signer(), cryptosuite }),
      documentLoader: createDocumentLoader(),
    });
    const result = await verify(impostor);
    expect(step(result, 'proof').message).toBe('署名に使われた鍵が、発行者の鍵として登録されていません');
  });

  it('revoked: status fails and the summary says revoked', async () => {
    const revoked = await signOpenBadge(
      buildOpenBadgeCredential(
        sampleOpenBadgeInput({ status: { statusListCredential: LIST_URL, statusListIndex: 7 } }),
      ),
      key,
    );
    const result = await verify(revoked);
    expect(step(result, 'proof').outcome).toBe('passed');
    expect(step(result, 'status')).toMatchObject({
      ok: false,
      outcome: 'failed',
      message: 'このバッジは失効しています',
    });
    expect(result.summary).toBe('revoked');
    expect(result.verified).toBe(false);
  });

  it('status that cannot be checked is "unknown", never "not revoked"', async () => {
    const elsewhere = await signOpenBadge(
      buildOpenBadgeCredential(
        sampleOpenBadgeInput({
          status: { statusListCredential: 'https://other.example/status/1', statusListIndex: 1 },
        }),
      ),
      key,
    );
    for (const result of [
      await verify(elsewhere),
      await verify(signed, { checkStatus: undefined }),
      await verify(signed, {
        checkStatus: async () => {
          throw new Error('database down');
        },
      }),
    ]) {
      expect(step(result, 'status')).toMatchObject({ ok: false, outcome: 'unknown' });
      expect(step(result, 'status').message).toContain('「失効していない」という意味ではありません');
      expect(result.summary).toBe('indeterminate');
      expect(result.verified).toBe(false);
    }
  });

  it('expired or not yet valid: the validity step fails, the proof still passes', async () => {
    const expiring = await signOpenBadge(
      buildOpenBadgeCredential(sampleOpenBadgeInput({ validUntil: new Date('2026-05-01T00:00:00Z') })),
      key,
    );
    const expired = await verify(expiring);
    expect(step(expired, 'proof').outcome).toBe('passed');
    expect(step(expired, 'validity')).toMatchObject({ ok: false, outcome: 'failed' });
    expect(step(expired, 'validity').message).toBe('有効期限が切れています(2026年5月1日 9:00 まで)');
    expect(expired.summary).toBe('invalid');
    const early = await verify(signed, { now: new Date('2026-03-01T00:00:00Z') });
    expect(step(early, 'validity').message).toMatch(/まだ有効になっていません/);
    const jwt = await signOpenBadgeJwt(
      buildOpenBadgeCredential(sampleOpenBadgeInput({ validUntil: new Date('2026-05-01T00:00:00Z') })),
      key,
    );
    const expiredJwt = await verify(jwt);
    expect(step(expiredJwt, 'proof').outcome).toBe('passed');
    expect(step(expiredJwt, 'validity').outcome).toBe('failed');
  });

  it('a remote context: refused by the loader, reported, nothing fetched', async () => {
    const remote = structuredClone(signed) as unknown as { '@context': string[] };
    remote['@context'].push('https://evil.example/context.jsonld');
    const loader = createDocumentLoader({ resolveIssuerKey });
    const result = await verify(remote, { documentLoader: loader });
    expect(step(result, 'proof').message).toContain('https://evil.example/context.jsonld');
    expect(step(result, 'proof').message).toContain('外部への取得は行いません');
    expect(result.refusedUrls).toEqual(['https://evil.example/context.jsonld']);
    expect(loader.refused()).toEqual(['https://evil.example/context.jsonld']);
  });

  it('unknown JSON-LD terms: the proof fails (safe mode), not the process', async () => {
    const unsignedExtra = { ...buildOpenBadgeCredential(sampleOpenBadgeInput()), favouriteColour: 'blue' };
    await expect(signDataIntegrity(unsignedExtra, key)).rejects.toThrow(/safe mode/i);
    const added = { ...structuredClone(signed), favouriteColour: 'blue' };
    const result = await verify(added);
    expect(step(result, 'proof')).toMatchObject({ ok: false, outcome: 'failed' });
    expect(step(result, 'proof').message).toMatch(/定義されていない項目/);
  });

  it('a key store that does not answer: the proof is unknown, not failed', async () => {
    const result = await verify(signed, {
      resolveIssuerKey: async () => {
        throw new Error('database down');
      },
    });
    expect(step(result, 'proof')).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(result.summary).toBe('indeterminate');
  });

  it('a recipient e-mail that does not match fails the recipient step only', async () => {
    const result = await verify(signed, { recipientEmail: 'someone-else@example.jp' });
    expect(step(result, 'recipient')).toMatchObject({
      ok: false,
      message: '受領者のメールアドレスと一致しません',
    });
    expect(step(result, 'proof').ok).toBe(true);
    expect(result.summary).toBe('invalid');
  });

  it('garbage input of every kind', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const inputs: unknown[] = [
      undefined,
      null,
      '',
      42,
      true,
      [],
      ['a'],
      '{',
      '[1,2]',
      'hello',
      'a.b.c',
      'eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln',
      cyclic,
      { hello: 'world' },
      { '@context': 'https://www.w3.org/ns/credentials/v2', type: 'VerifiableCredential', proof: 'x' },
      { ...signed, proof: [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' }] },
      { ...signed, proof: [{ type: 'Ed25519Signature2020', proofValue: 'z1' }] },
      { ...signed, proof: [{ ...signed.proof[0], verificationMethod: 'did:key:z6Mkbogus#z6Mkbogus' }] },
      { ...signed, proof: [{ ...signed.proof[0], verificationMethod: 'https://evil.example/key#1' }] },
      { ...signed, credentialStatus: { type: 'BitstringStatusListEntry', statusListIndex: '-1' } },
      { ...signed, credentialStatus: { ...signed.credentialStatus, statusListIndex: '1e5' } },
      { ...signed, credentialStatus: { type: '1EdTechRevocationList', id: 'https://x.example/r' } },
      { ...signed, validFrom: 'tomorrow', validUntil: 12 },
      { ...signed, credentialSubject: { identifier: 'x' } },
      { ...signed, issuer: ['a', 'b'] },
      JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`),
      'x'.repeat(300 * 1024),
    ];
    for (const input of inputs) {
      const result = await verify(input, { recipientEmail: 'learner@example.jp' });
      expect(result.verified).toBe(false);
      expect(result.steps).toHaveLength(6);
      for (const s of result.steps) expect(s.message).toMatch(/[ぁ-んァ-ン一-龠]/);
    }
  });
});
