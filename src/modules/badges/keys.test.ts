import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  BadgeKeyError,
  controllerDocument,
  generateIssuerKey,
  loadSigningKey,
  openSecretKey,
  SigningKey,
  sealSecretKey,
} from './keys.js';
import { isEd25519Multibase } from './multibase.js';

const ISSUER = 'https://dxq.example.jp/issuers/hub-1';

describe('issuer keys', () => {
  it('generates an Ed25519 Multikey controlled by the issuer, with the secret sealed', async () => {
    const secret = randomBytes(32);
    const stored = await generateIssuerKey(secret, ISSUER);
    expect(stored.publicKey).toEqual({
      id: `${ISSUER}#${stored.publicKey.publicKeyMultibase}`,
      type: 'Multikey',
      controller: ISSUER,
      publicKeyMultibase: expect.stringMatching(/^z6Mk/),
    });
    expect(isEd25519Multibase(stored.publicKey.publicKeyMultibase)).toBe(true);
    expect(stored.sealedSecretKey).toMatch(/^obk1\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // The secret key multibase (z + base58 of 0x8026 + 64 bytes) appears nowhere in clear.
    expect(JSON.stringify(stored)).not.toMatch(/zrv[1-9A-HJ-NP-Za-km-z]{80,}/);

    const key = await loadSigningKey(secret, stored);
    expect(key.publicKey()).toEqual(stored.publicKey);
  });

  it('never serialises or prints the secret key', async () => {
    const secret = randomBytes(32);
    const stored = await generateIssuerKey(secret, ISSUER);
    const key = await loadSigningKey(secret, stored);
    const secretKeyMultibase = openSecretKey(secret, stored.publicKey.id, stored.sealedSecretKey);
    const jwk = await key.privateJwk();
    for (const shown of [JSON.stringify(key), inspect(key, { depth: 10, showHidden: true }), String(key)]) {
      expect(shown).not.toContain(secretKeyMultibase);
      expect(shown).not.toContain(jwk.d);
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual(stored.publicKey);
    expect(Object.keys(key)).toEqual(['id', 'controller', 'publicKeyMultibase']);
  });

  it('cannot be opened with another server secret, for another key id, or after tampering', async () => {
    const secret = randomBytes(32);
    const stored = await generateIssuerKey(secret, ISSUER);
    await expect(loadSigningKey(randomBytes(32), stored)).rejects.toThrow(BadgeKeyError);
    // The sealed secret is bound to its key id: copied onto another key record it does not open.
    const other = await generateIssuerKey(secret, ISSUER);
    await expect(
      loadSigningKey(secret, { publicKey: other.publicKey, sealedSecretKey: stored.sealedSecretKey }),
    ).rejects.toThrow(BadgeKeyError);
    const parts = stored.sealedSecretKey.split('.');
    const ciphertext = Buffer.from(parts[4] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    parts[4] = ciphertext.toString('base64url');
    await expect(loadSigningKey(secret, { ...stored, sealedSecretKey: parts.join('.') })).rejects.toThrow(
      BadgeKeyError,
    );
    expect(() => openSecretKey(secret, stored.publicKey.id, 'v1.a.b.c')).toThrow(/format/);
  });

  it('refuses a secret key that does not belong to the public key', async () => {
    const secret = randomBytes(32);
    const a = await generateIssuerKey(secret, ISSUER);
    const b = await generateIssuerKey(secret, ISSUER);
    const bSecret = openSecretKey(secret, b.publicKey.id, b.sealedSecretKey);
    // Re-seal b's secret under a's id: decryption succeeds, the pair check must still refuse it.
    const forged = {
      publicKey: a.publicKey,
      sealedSecretKey: sealSecretKey(secret, a.publicKey.id, bSecret),
    };
    await expect(loadSigningKey(secret, forged)).rejects.toThrow(/does not match/);
    await expect(
      SigningKey.fromMultikey({ ...a.publicKey, publicKeyMultibase: 'z6Mkxyz', secretKeyMultibase: bSecret }),
    ).rejects.toThrow(/not an Ed25519/);
  });

  it('builds a controller document listing every key that may still verify old badges', async () => {
    const secret = randomBytes(32);
    const old = await generateIssuerKey(secret, ISSUER);
    const current = await generateIssuerKey(secret, ISSUER);
    const foreign = await generateIssuerKey(secret, 'https://dxq.example.jp/issuers/other');
    const doc = controllerDocument(ISSUER, [old.publicKey, current.publicKey, foreign.publicKey]);
    expect(doc).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: ISSUER,
      verificationMethod: [old.publicKey, current.publicKey],
      assertionMethod: [old.publicKey.id, current.publicKey.id],
    });
    expect(JSON.stringify(doc)).not.toContain('obk1');
  });
});
