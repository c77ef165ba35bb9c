import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_CONTEXTS,
  CONTEXT,
  createDocumentLoader,
  DocumentNotAvailableError,
  didKeyOf,
  resolveDidKey,
} from './document-loader.js';
import { controllerDocument, verificationMethodDocument } from './keys.js';

const SPEC_KEY = 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';

describe('bundled contexts', () => {
  it('serves VC v2, OB 3.0.x (3.0.3 included), the OB extensions, VC v1 and OB 2.0, and nothing else', async () => {
    const urls = [...BUNDLED_CONTEXTS.keys()];
    expect(urls).toEqual(
      expect.arrayContaining([
        'https://www.w3.org/ns/credentials/v2',
        'https://www.w3.org/2018/credentials/v1',
        'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
        'https://w3id.org/openbadges/v2',
      ]),
    );
    const loader = createDocumentLoader();
    for (const url of urls) {
      const { document, documentUrl } = await loader(url);
      expect(documentUrl).toBe(url);
      expect(document).toHaveProperty('@context');
    }
    expect(loader.refused()).toEqual([]);
    const ob2 = (await loader(CONTEXT.OB_V2)).document as { '@context': Record<string, unknown> };
    expect(ob2['@context'].obi).toBe('https://w3id.org/openbadges#');
    expect(ob2['@context'].BadgeClass).toBe('obi:BadgeClass');
    // Pins the parsed content of the bundled OB 2.0 context (contexts/README.md): formatting may change, terms not.
    expect(createHash('sha256').update(JSON.stringify(ob2)).digest('hex')).toBe(
      '20006b2c0dc7acbbc130fff812a70d532c6e8917cf05da037939c98ca06ec657',
    );
  });

  it('throws a clear error on any other URL, and records it', async () => {
    const loader = createDocumentLoader();
    for (const url of [
      'https://example.org/context.jsonld',
      'http://www.w3.org/ns/credentials/v2', // http, not https: not the bundled URL
      'https://www.w3.org/ns/credentials/v2/',
      'https://w3id.org/security/v2',
      'file:///etc/passwd',
    ]) {
      const error = await loader(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentNotAvailableError);
      expect((error as Error).message).toContain(url);
      expect((error as Error).message).toMatch(/never fetched/);
    }
    expect(loader.refused()).toHaveLength(5);
    expect(loader.requests.every((r) => r.source === 'refused')).toBe(true);
  });
});

describe('did:key (Ed25519, offline)', () => {
  it('resolves the DID document and the verification method of the spec key', async () => {
    const loader = createDocumentLoader();
    const did = `did:key:${SPEC_KEY}`;
    const method = (await loader(`${did}#${SPEC_KEY}`)).document;
    expect(method).toEqual({
      '@context': 'https://w3id.org/security/multikey/v1',
      id: `${did}#${SPEC_KEY}`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: SPEC_KEY,
    });
    const doc = (await loader(did)).document as { assertionMethod: string[]; '@context': string[] };
    expect(doc['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
    expect(doc.assertionMethod).toEqual([`${did}#${SPEC_KEY}`]);
    expect(loader.requests.map((r) => r.source)).toEqual(['did:key', 'did:key']);
    expect(didKeyOf(SPEC_KEY)).toBe(did);
  });

  it('refuses malformed or non-Ed25519 did:keys', async () => {
    const bad = [
      'did:key:z6Mkxyz', // too short
      `did:key:${SPEC_KEY}#z6MkOther`, // fragment is not the key
      'did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc', // X25519, not Ed25519
      'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', // secp256k1
      'did:key:not-base58-0OIl',
    ];
    const loader = createDocumentLoader();
    for (const url of bad) {
      expect(resolveDidKey(url)).toBeNull();
      await expect(loader(url)).rejects.toThrow(DocumentNotAvailableError);
    }
    expect(loader.requests.every((r) => r.reason === 'invalid_did_key')).toBe(true);
  });
});

describe('issuer key hook', () => {
  const key = {
    id: `https://dxq.example.jp/issuers/hub-1#${SPEC_KEY}`,
    type: 'Multikey' as const,
    controller: 'https://dxq.example.jp/issuers/hub-1',
    publicKeyMultibase: SPEC_KEY,
  };
  const docs = new Map([
    [key.id, verificationMethodDocument(key)],
    [key.controller, controllerDocument(key.controller, [key])],
  ]);

  it('serves our issuers’ key documents from the function it is given', async () => {
    const asked: string[] = [];
    const loader = createDocumentLoader({
      resolveIssuerKey: async (url) => {
        asked.push(url);
        return docs.get(url);
      },
    });
    expect((await loader(key.id)).document).toEqual(verificationMethodDocument(key));
    expect((await loader(key.controller)).document).toMatchObject({ assertionMethod: [key.id] });
    await expect(loader('https://dxq.example.jp/issuers/unknown')).rejects.toThrow(/never fetched/);
    // Contexts never reach the hook.
    await loader(CONTEXT.VC_V2);
    expect(asked).toEqual([key.id, key.controller, 'https://dxq.example.jp/issuers/unknown']);
  });

  it('refuses a hook answer whose id is not the URL, and reports a failing key store as such', async () => {
    const wrongId = createDocumentLoader({ resolveIssuerKey: async () => verificationMethodDocument(key) });
    await expect(wrongId('https://dxq.example.jp/issuers/hub-2#k')).rejects.toThrow(/malformed key document/);
    const down = createDocumentLoader({
      resolveIssuerKey: async () => {
        throw new Error('database unavailable');
      },
    });
    await expect(down(key.id)).rejects.toThrow(/key store did not answer/);
    expect(down.requests).toEqual([{ url: key.id, source: 'refused', reason: 'key_lookup_failed' }]);
  });
});
