import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { signOpenBadge, signOpenBadgeJwt } from '../credential.js';
import type { KeyDocument } from '../document-loader.js';
import { loadSigningKey, SigningKey } from '../keys.js';
import type { StatusAnswer } from '../verify.js';
import { verifyOpenBadge } from '../verify.js';
import { encodeBase58 } from './base58.js';
import { installCanonicalCache } from './canonical-cache.js';
import { Lru } from './lru.js';
import {
  type CallbackName,
  type FromWorker,
  type SigningKeyMaterial,
  type SignRequest,
  type StatsRequest,
  type ToWorker,
  toWireError,
  type VerifyRequest,
  type WireError,
  type WorkerStats,
} from './protocol.js';

/**
 * A badge pool worker (pool.ts starts it): signs and verifies Open Badges with the same core functions as the
 * main thread (credential.ts, verify.ts), hence the same bundled, offline-only document loader. Keeps:
 * - an LRU of loaded signing keys, keyed by a SHA-256 fingerprint of the key material (so the same key id
 *   with other material is loaded afresh); the clear secret exists only inside `SigningKey` objects here;
 * - the shape cache of JSON-LD → RDF (canonical-cache.ts), unless the pool turned it off.
 * The document loader needs no cache of ours: it serves a static map, and jsonld keeps resolved contexts per
 * thread (an LRU keyed by URL) across calls, whichever loader instance asked. Nothing is logged.
 */

export type WorkerOptions = { keyCacheSize: number; canonicalCache: boolean };

const port = parentPort;
if (!port) throw new Error('pool/worker.ts runs as a worker thread only');
const options = workerData as WorkerOptions;
const canonicalStats = options.canonicalCache ? installCanonicalCache() : null;

const keys = new Lru<string, Promise<SigningKey>>(options.keyCacheSize);

function post(message: FromWorker): void {
  (port as NonNullable<typeof port>).postMessage(message);
}

function fingerprint(material: SigningKeyMaterial): string {
  const hash = createHash('sha256');
  const field = (value: string | Uint8Array) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.byteLength);
    hash.update(length).update(bytes);
  };
  const publicKey = material.kind === 'sealed' ? material.stored.publicKey : material.publicKey;
  field(material.kind);
  field(publicKey.id);
  field(publicKey.controller);
  field(publicKey.publicKeyMultibase);
  if (material.kind === 'sealed') {
    field(material.stored.sealedSecretKey);
    field(material.serverSecret);
  } else {
    field(material.secretKey);
  }
  return hash.digest('base64url');
}

/** Multicodec `ed25519-priv` (0x1300) as a varint, before the 32-byte seed in `secretKeyMultibase`. */
const ED25519_PRIV_HEADER = [0x80, 0x26];

async function openKey(material: SigningKeyMaterial): Promise<SigningKey> {
  if (material.kind === 'sealed') {
    const secret = material.serverSecret;
    return loadSigningKey(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength), material.stored);
  }
  const seed = material.secretKey;
  if (seed.byteLength !== 32 && seed.byteLength !== 64) {
    throw new Error('secretKey must be the 32-byte Ed25519 seed (or 64 bytes: seed + public key)');
  }
  const bytes = new Uint8Array(2 + 32);
  bytes.set(ED25519_PRIV_HEADER, 0);
  bytes.set(seed.subarray(0, 32), 2);
  const secretKeyMultibase = `z${encodeBase58(bytes)}`;
  bytes.fill(0);
  return SigningKey.fromMultikey({ ...material.publicKey, secretKeyMultibase });
}

async function signingKey(material: SigningKeyMaterial): Promise<SigningKey> {
  const id = fingerprint(material);
  let key = keys.get(id);
  if (!key) {
    key = openKey(material);
    keys.set(id, key);
    key.catch(() => keys.delete(id));
  }
  try {
    return await key;
  } finally {
    // This thread's copies of the secrets: cleared once used (the loaded key, if any, is in the LRU).
    if (material.kind === 'sealed') material.serverSecret.fill(0);
    else material.secretKey.fill(0);
  }
}

// ——— callbacks answered by the calling thread ———

function fromWire(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

let nextCallId = 1;
const pendingCalls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function callCaller(taskId: number, fn: CallbackName, arg: unknown): Promise<unknown> {
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pendingCalls.set(callId, { resolve, reject });
    post({ type: 'call', taskId, callId, fn, arg });
  });
}

// ——— tasks ———

async function sign(request: SignRequest): Promise<unknown> {
  const key = await signingKey(request.key);
  if (request.format === 'jwt') return signOpenBadgeJwt(request.credential, key);
  return signOpenBadge(
    request.credential,
    key,
    request.created === undefined ? {} : { created: request.created },
  );
}

function verify(request: VerifyRequest): Promise<unknown> {
  const { callbacks, id } = request;
  return verifyOpenBadge(request.input, {
    ...(request.now ? { now: request.now } : {}),
    ...(request.recipientEmail === undefined ? {} : { recipientEmail: request.recipientEmail }),
    ...(callbacks.checkStatus
      ? { checkStatus: async (entry) => (await callCaller(id, 'checkStatus', entry)) as StatusAnswer }
      : {}),
    ...(callbacks.resolveIssuerKey
      ? {
          resolveIssuerKey: async (url) =>
            (await callCaller(id, 'resolveIssuerKey', url)) as KeyDocument | null | undefined,
        }
      : {}),
  });
}

function stats(): WorkerStats {
  const heap = getHeapStatistics();
  return {
    threadId,
    keys: keys.size,
    canonical: canonicalStats ? canonicalStats() : null,
    heap: { usedMb: heap.used_heap_size / 2 ** 20, totalMb: heap.total_heap_size / 2 ** 20 },
  };
}

async function run(request: SignRequest | VerifyRequest | StatsRequest): Promise<void> {
  try {
    const value =
      request.type === 'stats' ? stats() : await (request.type === 'sign' ? sign(request) : verify(request));
    post({ type: 'done', id: request.id, ok: true, value: value as never });
  } catch (error) {
    post({ type: 'done', id: request.id, ok: false, error: toWireError(error) });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'reply') {
    const pending = pendingCalls.get(message.callId);
    if (!pending) return;
    pendingCalls.delete(message.callId);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(fromWire(message.error));
    return;
  }
  void run(message);
});

post({ type: 'ready' });
