import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DID_CONTEXT_V1, type KeyDocument, MULTIKEY_CONTEXT_V1, resolveDidKey } from './document-loader.js';
import { isEd25519Multibase } from './multibase.js';

/**
 * Issuer signing keys (OPEN-BADGES.md §Proofs, SECURITY.md "signing keys are never exported"): Ed25519 as
 * W3C Multikey, one or more per issuing organisation. The secret half exists in clear only inside a
 * `SigningKey` in memory; at rest it is sealed with AES-256-GCM under a key derived by HKDF-SHA256 from the
 * server secret (config.secretKey), bound to the key's id so a sealed secret cannot be moved to another key
 * record. Nothing here returns or serialises the secret: `toJSON()` and `inspect` show the public key only.
 */

/** The public half, as published in the issuer's key document and named by `proof.verificationMethod`. */
export type PublicMultikey = {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
};

/** What a repository stores per key: the public key in clear, the secret key sealed. */
export type StoredIssuerKey = {
  publicKey: PublicMultikey;
  sealedSecretKey: string;
};

const SEAL_VERSION = 'obk1';
const HKDF_INFO = 'dxq:badges:issuer-signing-key:v1';

export class BadgeKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BadgeKeyError';
  }
}

function sealingKey(serverSecret: Buffer, salt: Buffer): Buffer {
  if (serverSecret.length < 32) throw new BadgeKeyError('the server secret must be at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', serverSecret, salt, HKDF_INFO, 32));
}

function additionalData(keyId: string): Buffer {
  return Buffer.from(`${HKDF_INFO}:${keyId}`, 'utf8');
}

/** `obk1.<salt>.<iv>.<tag>.<ciphertext>` (base64url), a fresh HKDF salt and GCM nonce each time. */
export function sealSecretKey(serverSecret: Buffer, keyId: string, secretKeyMultibase: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(serverSecret, salt), iv);
  cipher.setAAD(additionalData(keyId));
  const ciphertext = Buffer.concat([cipher.update(secretKeyMultibase, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, salt, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws BadgeKeyError if the box is malformed, was sealed for another key id, or under another secret. */
export function openSecretKey(serverSecret: Buffer, keyId: string, sealed: string): string {
  const [version, salt, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== SEAL_VERSION || !salt || !iv || !tag || !ciphertext || rest.length > 0) {
    throw new BadgeKeyError('unknown sealed signing key format');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      sealingKey(serverSecret, Buffer.from(salt, 'base64url')),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(additionalData(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (cause) {
    // Wrong SECRET_KEY, a record copied onto another key id, or a damaged value: all look the same to GCM.
    throw new BadgeKeyError(`signing key ${keyId} could not be decrypted (wrong server secret?)`, { cause });
  }
}

/** An Ed25519 key able to sign. Holds the secret key privately; serialises as its public key only. */
export class SigningKey {
  readonly id: string;
  readonly controller: string;
  readonly publicKeyMultibase: string;
  readonly #pair: Ed25519Multikey.Ed25519KeyPair;

  private constructor(pair: Ed25519Multikey.Ed25519KeyPair, id: string, controller: string) {
    this.#pair = pair;
    this.id = id;
    this.controller = controller;
    this.publicKeyMultibase = pair.publicKeyMultibase;
  }

  /** Builds a key from its Multikey form, checking that the secret and public halves belong together. */
  static async fromMultikey(key: PublicMultikey & { secretKeyMultibase: string }): Promise<SigningKey> {
    if (!isEd25519Multibase(key.publicKeyMultibase)) {
      throw new BadgeKeyError('publicKeyMultibase is not an Ed25519 Multikey public key');
    }
    if (!/^z[1-9A-HJ-NP-Za-km-z]+$/.test(key.secretKeyMultibase)) {
      throw new BadgeKeyError('secretKeyMultibase is not base58-btc multibase');
    }
    const pair = await Ed25519Multikey.from({
      '@context': MULTIKEY_CONTEXT_V1,
      type: 'Multikey',
      id: key.id,
      controller: key.controller,
      publicKeyMultibase: key.publicKeyMultibase,
      secretKeyMultibase: key.secretKeyMultibase,
    });
    const probe = new TextEncoder().encode(`dxq key check ${key.id}`);
    let matches = false;
    try {
      const signature = await pair.signer().sign({ data: probe });
      matches = await pair.verifier().verify({ data: probe, signature });
    } catch {
      matches = false;
    }
    if (!matches) throw new BadgeKeyError(`secret key does not match public key ${key.id}`);
    return new SigningKey(pair, key.id, key.controller);
  }

  /** The signer the Data Integrity suite calls; its `id` becomes `proof.verificationMethod`. */
  signer(): Ed25519Multikey.Ed25519Signer {
    return this.#pair.signer();
  }

  /**
   * Private JWK (RFC 8037) for VC-JWT signing with jose; used only inside this module (credential.ts).
   * Built here because the library's toJwk puts the 64-byte secret (seed + public key) in `d`, where a JWK
   * wants the 32-byte seed.
   */
  async privateJwk(): Promise<Ed25519Multikey.Jwk> {
    const raw = await this.#pair.export({ raw: true, secretKey: true, canonicalize: true });
    if (!(raw.publicKey instanceof Uint8Array) || !(raw.secretKey instanceof Uint8Array)) {
      throw new BadgeKeyError('key export returned no raw key');
    }
    return {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(raw.publicKey).toString('base64url'),
      d: Buffer.from(raw.secretKey).toString('base64url'),
    };
  }

  publicKey(): PublicMultikey {
    return {
      id: this.id,
      type: 'Multikey',
      controller: this.controller,
      publicKeyMultibase: this.publicKeyMultibase,
    };
  }

  toJSON(): PublicMultikey {
    return this.publicKey();
  }

  [inspect.custom](): string {
    return `SigningKey { id: '${this.id}' }`;
  }
}

/**
 * A new Ed25519 key for an issuer: `controller` is the issuer's id (`issuer.id` in every credential it
 * signs), the key id is `<controller>#<publicKeyMultibase>`. The secret half comes back sealed only.
 */
export async function generateIssuerKey(serverSecret: Buffer, controller: string): Promise<StoredIssuerKey> {
  const pair = await Ed25519Multikey.generate({ controller });
  const id = pair.id ?? `${controller}#${pair.publicKeyMultibase}`;
  const exported = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  const secretKeyMultibase = exported.secretKeyMultibase;
  if (typeof secretKeyMultibase !== 'string')
    throw new BadgeKeyError('key generation returned no secret key');
  return {
    publicKey: { id, type: 'Multikey', controller, publicKeyMultibase: pair.publicKeyMultibase },
    sealedSecretKey: sealSecretKey(serverSecret, id, secretKeyMultibase),
  };
}

/** Unseals a stored key for signing. Keep the result in memory only for as long as a batch needs it. */
export async function loadSigningKey(serverSecret: Buffer, stored: StoredIssuerKey): Promise<SigningKey> {
  const secretKeyMultibase = openSecretKey(serverSecret, stored.publicKey.id, stored.sealedSecretKey);
  return SigningKey.fromMultikey({ ...stored.publicKey, secretKeyMultibase });
}

/** A did:key signing key (issuer id = the DID): for tests and for issuers that have no web presence. */
export async function generateDidKeySigningKey(): Promise<SigningKey> {
  const pair = await Ed25519Multikey.generate();
  const method = resolveDidKey(`did:key:${pair.publicKeyMultibase}#${pair.publicKeyMultibase}`);
  const exported = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  if (!method || typeof exported.secretKeyMultibase !== 'string') throw new BadgeKeyError('did:key failed');
  return SigningKey.fromMultikey({
    id: method.id,
    type: 'Multikey',
    controller: String(method.controller),
    publicKeyMultibase: pair.publicKeyMultibase,
    secretKeyMultibase: exported.secretKeyMultibase,
  });
}

/** The document served for a key id (`proof.verificationMethod`, JWT `kid`). */
export function verificationMethodDocument(key: PublicMultikey): KeyDocument {
  return { '@context': MULTIKEY_CONTEXT_V1, ...pickPublic(key) };
}

/**
 * The issuer's controller document: every key that may still verify old badges (rotation keeps retired keys
 * here; only a compromised key is left out) listed under `assertionMethod`. DID v1 comes first in
 * `@context` so the proof library reads `assertionMethod` without JSON-LD framing (no extra context needed);
 * the same shape serves a `did:web` DID document.
 */
export function controllerDocument(controller: string, keys: readonly PublicMultikey[]): KeyDocument {
  const methods = keys.filter((k) => k.controller === controller).map(pickPublic);
  return {
    '@context': [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
    id: controller,
    verificationMethod: methods,
    assertionMethod: methods.map((k) => k.id),
  };
}

function pickPublic(key: PublicMultikey): PublicMultikey {
  return {
    id: key.id,
    type: 'Multikey',
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
  };
}
