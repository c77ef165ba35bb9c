import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../lib/errors.js';
import {
  buildOpenBadgeCredential,
  type OpenBadgeCredential,
  type SignedOpenBadgeCredential,
  signOpenBadge,
  signOpenBadgeJwt,
} from '../credential.js';
import { createDocumentLoader, didKeyOf, type KeyDocument } from '../document-loader.js';
import {
  controllerDocument,
  generateIssuerKey,
  loadSigningKey,
  type StoredIssuerKey,
  verificationMethodDocument,
} from '../keys.js';
import { SAMPLE_ISSUER, sampleOpenBadgeInput } from '../sample.js';
import type { StatusChecker, VerifyOptions } from '../verify.js';
import { verifyOpenBadge } from '../verify.js';
import { encodeBase58 } from './base58.js';
import { type BadgePool, BadgePoolError, createBadgePool, type SigningKeyMaterial } from './index.js';
import { workersForTesting } from './pool.js';

const execFileAsync = promisify(execFile);
const NOW = new Date('2026-06-01T00:00:00Z');
const CREATED = '2026-04-01T09:00:00Z';

const serverSecret = randomBytes(32);
let stored: StoredIssuerKey;
let sealed: SigningKeyMaterial;
let credential: OpenBadgeCredential;
let pool: BadgePool;

async function resolveIssuerKey(url: string): Promise<KeyDocument | null> {
  if (url === stored.publicKey.id) return verificationMethodDocument(stored.publicKey);
  if (url === SAMPLE_ISSUER.id) return controllerDocument(SAMPLE_ISSUER.id, [stored.publicKey]);
  return null;
}
const checkStatus: StatusChecker = async (entry) => entry.statusListIndex === '7';

/** The Digital Bazaar verifier, in this thread, as an independent check of what the pool signed. */
async function independentlyVerified(signed: unknown): Promise<boolean> {
  const result = await vc.verifyCredential({
    credential: signed,
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader: createDocumentLoader({ resolveIssuerKey }),
    checkStatus: async () => ({ verified: true }),
    now: NOW,
  });
  return result.verified;
}

/** A did:key issuer whose 32-byte secret seed we hold as raw bytes (Node's own Ed25519 key generation). */
function rawDidKey(): SigningKeyMaterial & { kind: 'raw' } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x as string, 'base64url');
  const multibase = `z${encodeBase58(Uint8Array.from([0xed, 0x01, ...publicKey]))}`;
  const did = didKeyOf(multibase);
  return {
    kind: 'raw',
    publicKey: {
      id: `${did}#${multibase}`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: multibase,
    },
    secretKey: Buffer.from(jwk.d as string, 'base64url'),
  };
}

beforeAll(async () => {
  stored = await generateIssuerKey(serverSecret, SAMPLE_ISSUER.id);
  sealed = { kind: 'sealed', stored, serverSecret };
  credential = buildOpenBadgeCredential(sampleOpenBadgeInput());
  pool = createBadgePool({ size: 2 });
  await pool.ready();
});

afterAll(async () => {
  await pool?.terminate();
});

describe('badge pool: signing', () => {
  it('signs in a worker what the Digital Bazaar verifier accepts in the main thread', async () => {
    const signed = await pool.sign(credential, sealed);
    expect(Array.isArray(signed.proof)).toBe(true);
    expect(signed.proof[0]).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: stored.publicKey.id,
    });
    expect(await independentlyVerified(signed)).toBe(true);
    // The caller's server secret is cloned for the worker, not taken away.
    expect(serverSecret.every((b) => b === 0)).toBe(false);
  });

  it('gives byte for byte the credential in-process signing gives, with the shape cache warm', async () => {
    const key = await loadSigningKey(serverSecret, stored);
    const inProcess = await signOpenBadge(credential, key, { created: CREATED });
    // Many times: each worker templates the shape on its second sight, then canonicalises from the template.
    const fromPool = await Promise.all(
      Array.from({ length: 12 }, () => pool.sign(credential, sealed, { created: CREATED })),
    );
    for (const signed of fromPool) expect(signed).toEqual(inProcess);
    const workers = await pool.workerStats();
    expect(workers).toHaveLength(2);
    expect(workers.reduce((n, w) => n + (w.canonical?.fast ?? 0), 0)).toBeGreaterThan(0);
    for (const w of workers) expect(w.canonical?.mismatches).toBe(0);

    // A different credential of the same shape (a template hit) still signs its own content.
    const other = buildOpenBadgeCredential(
      sampleOpenBadgeInput({ recipient: { email: 'other@example.jp', salt: 'Zq8vQm8rXw1pLs0b' } }),
    );
    const otherSigned = await pool.sign(other, sealed, { created: CREATED });
    expect(otherSigned).toEqual(await signOpenBadge(other, key, { created: CREATED }));
    expect(otherSigned.proof[0]?.proofValue).not.toBe(inProcess.proof[0]?.proofValue);
    expect(await independentlyVerified(otherSigned)).toBe(true);
  });

  it('signs with raw secret bytes, copied and transferred, leaving the caller’s buffer as it was', async () => {
    const raw = rawDidKey();
    const before = Buffer.from(raw.secretKey);
    const didCredential = buildOpenBadgeCredential(
      sampleOpenBadgeInput({
        issuer: { id: raw.publicKey.controller, name: 'did:key 発行者', url: 'https://a.example' },
      }),
    );
    const signed = await pool.sign(didCredential, raw);
    expect(Buffer.from(raw.secretKey).equals(before)).toBe(true);
    expect(signed.proof[0]?.verificationMethod).toBe(raw.publicKey.id);
    expect(await independentlyVerified(signed)).toBe(true);
  });

  it('signs VC-JWTs that verify like in-process ones', async () => {
    const jwt = await pool.sign(credential, sealed, { format: 'jwt' });
    expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const key = await loadSigningKey(serverSecret, stored);
    expect(jwt).toBe(await signOpenBadgeJwt(credential, key));
    const result = await pool.verify(jwt, { resolveIssuerKey, checkStatus, now: NOW });
    expect(result.summary).toBe('valid');
  });
});

describe('badge pool: verification', () => {
  let signed: SignedOpenBadgeCredential;
  let jwt: string;
  beforeAll(async () => {
    signed = await pool.sign(credential, sealed, { created: CREATED });
    jwt = await pool.sign(credential, sealed, { format: 'jwt' });
  });

  it('gives the same result as verifyOpenBadge in-process, whatever the input', async () => {
    const revoked = await pool.sign(
      buildOpenBadgeCredential(
        sampleOpenBadgeInput({
          status: { statusListCredential: 'https://dxq.example.jp/status/secretariat/1', statusListIndex: 7 },
        }),
      ),
      sealed,
    );
    const tampered = { ...signed, name: '改ざんされたバッジ' };
    const expired = await pool.sign(
      buildOpenBadgeCredential(sampleOpenBadgeInput({ validUntil: new Date('2026-05-01T00:00:00Z') })),
      sealed,
    );
    const cases: [unknown, VerifyOptions][] = [
      [signed, { resolveIssuerKey, checkStatus, now: NOW }],
      [
        JSON.stringify(signed),
        { resolveIssuerKey, checkStatus, now: NOW, recipientEmail: 'learner@example.jp' },
      ],
      [signed, { resolveIssuerKey, checkStatus, now: NOW, recipientEmail: 'someone@example.jp' }],
      [signed, { now: NOW }], // no key store: the issuer's key cannot be looked up
      [tampered, { resolveIssuerKey, checkStatus, now: NOW }],
      [revoked, { resolveIssuerKey, checkStatus, now: NOW }],
      [expired, { resolveIssuerKey, checkStatus, now: NOW }],
      [jwt, { resolveIssuerKey, checkStatus, now: NOW }],
      [{ ...signed, '@context': [...signed['@context'], 'https://evil.example/ctx.json'] }, { now: NOW }],
      ['not a credential', {}],
      [null, {}],
      [
        signed,
        {
          resolveIssuerKey,
          now: NOW,
          checkStatus: async () => {
            throw new Error('status store down');
          },
        },
      ],
    ];
    for (const [input, options] of cases) {
      const [inProcess, inPool] = await Promise.all([
        verifyOpenBadge(input, options),
        pool.verify(input, options),
      ]);
      expect(inPool).toEqual(inProcess);
    }
  });

  it('asks the calling thread for status and keys, and only for them', async () => {
    const asked: string[] = [];
    const result = await pool.verify(signed, {
      now: NOW,
      resolveIssuerKey: async (url) => {
        asked.push(url);
        return resolveIssuerKey(url);
      },
      checkStatus: async (entry) => {
        asked.push(entry.id);
        return false;
      },
    });
    expect(result.summary).toBe('valid');
    expect(asked.sort()).toEqual(
      [stored.publicKey.id, SAMPLE_ISSUER.id, 'https://dxq.example.jp/status/secretariat/1#48213'].sort(),
    );
    expect(result.refusedUrls).toEqual([]);
  });
});

describe('badge pool: failures', () => {
  it('rejects a bad task alone and keeps serving', async () => {
    const broken = { ...credential, type: 'OpenBadgeCredential' } as unknown as OpenBadgeCredential;
    await expect(pool.sign(broken, sealed)).rejects.toThrow(/OB 3.0 schema/);

    const wrongSecret: SigningKeyMaterial = { kind: 'sealed', stored, serverSecret: randomBytes(32) };
    const error = await pool.sign(credential, wrongSecret).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('BadgeKeyError');
    expect((error as Error).message).not.toContain(stored.sealedSecretKey);

    const elsewhere = buildOpenBadgeCredential(
      sampleOpenBadgeInput({
        issuer: { id: 'https://other.example.jp/issuer', name: '他', url: 'https://o.example' },
      }),
    );
    await expect(pool.sign(elsewhere, sealed)).rejects.toThrow(/not the credential's issuer/);

    const tooBig = buildOpenBadgeCredential(
      sampleOpenBadgeInput({ description: 'あ'.repeat(2000), name: 'い'.repeat(300) }),
    );
    tooBig.credentialSubject.achievement.criteria.narrative = 'う'.repeat(5000);
    await expect(pool.sign(tooBig, sealed)).rejects.toBeInstanceOf(AppError);

    const shortRaw = { ...rawDidKey(), secretKey: new Uint8Array(5) };
    await expect(pool.sign(credential, shortRaw)).rejects.toThrow(/32-byte/);

    // Input that cannot be cloned to a worker fails before it gets there.
    await expect(pool.verify({ f: () => 1 })).rejects.toBeInstanceOf(BadgePoolError);

    expect(await independentlyVerified(await pool.sign(credential, sealed))).toBe(true);
    expect(pool.stats()).toMatchObject({ restarts: 0, ready: 2, queued: 0, inFlight: 0 });
  });

  it('replaces a worker that dies, failing only the tasks it was running', async () => {
    const victim = workersForTesting(pool)[0];
    const running = Array.from({ length: 6 }, () => pool.sign(credential, sealed));
    await victim?.terminate();
    const settled = await Promise.allSettled(running);
    const failures = settled.filter((s) => s.status === 'rejected');
    for (const f of failures) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(BadgePoolError);
    expect(settled.some((s) => s.status === 'fulfilled')).toBe(true);

    await pool.ready();
    const after = await Promise.all(Array.from({ length: 4 }, () => pool.sign(credential, sealed)));
    for (const signed of after) expect(await independentlyVerified(signed)).toBe(true);
    expect(pool.stats()).toMatchObject({ restarts: 1, ready: 2 });
  });
});

describe('badge pool: shutting down', () => {
  it('close() finishes queued work, stops every worker, then refuses new work', async () => {
    const own = createBadgePool({ size: 2 });
    const workers = workersForTesting(own);
    const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
    const queued = Array.from({ length: 5 }, () => own.sign(credential, sealed));
    await own.close();
    expect((await Promise.all(queued)).length).toBe(5);
    expect(await Promise.all(exits)).toHaveLength(2);
    expect(own.stats()).toMatchObject({ queued: 0, inFlight: 0, completed: 5 });
    await expect(own.sign(credential, sealed)).rejects.toBeInstanceOf(BadgePoolError);
    await expect(own.verify('{}')).rejects.toThrow(/closed/);
  });

  it('terminate() stops at once and rejects what was waiting', async () => {
    const own = createBadgePool({ size: 1 });
    const queued = Promise.allSettled(Array.from({ length: 4 }, () => own.sign(credential, sealed)));
    await own.terminate();
    const settled = await queued;
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(workersForTesting(own).every((w) => w.threadId === -1)).toBe(true);
  });

  it('does not keep the process alive once idle, even if never closed', async () => {
    // A child process that signs once through a pool and then simply ends its script.
    const module = (name: string) => JSON.stringify(new URL(name, import.meta.url).href);
    const script = `
      import { randomBytes } from 'node:crypto';
      import { buildOpenBadgeCredential } from ${module('../credential.ts')};
      import { generateIssuerKey } from ${module('../keys.ts')};
      import { sampleOpenBadgeInput, SAMPLE_ISSUER } from ${module('../sample.ts')};
      import { createBadgePool } from ${module('./pool.ts')};
      const serverSecret = randomBytes(32);
      const stored = await generateIssuerKey(serverSecret, SAMPLE_ISSUER.id);
      const pool = createBadgePool({ size: 1 });
      await pool.ready(); // starting workers keep the process alive; idle ones do not
      const credential = buildOpenBadgeCredential(sampleOpenBadgeInput());
      const signed = await pool.sign(credential, { kind: 'sealed', stored, serverSecret });
      console.log(signed.proof.length);
    `;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', tsx, '--input-type=module', '--eval', script],
      { timeout: 20_000 },
    );
    expect(stdout.trim()).toBe('1');
  });
});
