import type { OpenBadgeCredential, SignedOpenBadgeCredential } from '../credential.js';
import type { PublicMultikey, StoredIssuerKey } from '../keys.js';
import type { VerificationResult } from '../verify.js';
import type { CanonicalCacheStats } from './canonical-cache.js';

/**
 * Messages between the badge pool (pool.ts) and its worker threads (worker.ts). Everything here crosses the
 * thread boundary by structured clone, except secret key bytes, which are transferred (see pool.ts).
 */

/**
 * How a worker gets the signing key: never a `SigningKey` object (it cannot cross threads, and its secret
 * stays private), but either
 * - `sealed`: the key as stored (public key + the AES-GCM-sealed secret) and the server secret; the worker
 *   opens it with `loadSigningKey` (keys.ts), so the clear secret exists only inside the worker; or
 * - `raw`: the public key and the 32-byte Ed25519 secret seed, whose bytes the pool copies into a fresh
 *   buffer and transfers (no copy of it stays in the calling thread's message queue).
 * The worker checks that secret and public key belong together and keeps a few loaded keys in an LRU.
 */
export type SigningKeyMaterial =
  | { kind: 'sealed'; stored: StoredIssuerKey; serverSecret: Uint8Array }
  | { kind: 'raw'; publicKey: PublicMultikey; secretKey: Uint8Array };

export type ProofFormat = 'data-integrity' | 'jwt';

export type SignRequest = {
  type: 'sign';
  id: number;
  credential: OpenBadgeCredential;
  key: SigningKeyMaterial;
  format: ProofFormat;
  created?: string | Date;
};

export type VerifyRequest = {
  type: 'verify';
  id: number;
  input: unknown;
  now?: Date;
  recipientEmail?: string;
  /** Which callbacks the caller gave: the worker asks the calling thread for each answer (`CallRequest`). */
  callbacks: { checkStatus: boolean; resolveIssuerKey: boolean };
};

/** Asks one worker for its cache counters (`WorkerStats`). */
export type StatsRequest = { type: 'stats'; id: number };

export type WorkerStats = {
  threadId: number;
  /** Loaded signing keys in the worker's LRU. */
  keys: number;
  /** The shape cache's counters (canonical-cache.ts), or null when it is off. */
  canonical: CanonicalCacheStats | null;
  /** The worker's V8 heap now, MB: in use, and reserved. */
  heap: { usedMb: number; totalMb: number };
};

export type CallbackName = 'checkStatus' | 'resolveIssuerKey';

/** The answer to a worker's `CallRequest`. */
export type CallReply = { type: 'reply'; callId: number; ok: true; value: unknown } | CallFailure;
type CallFailure = { type: 'reply'; callId: number; ok: false; error: WireError };

export type ToWorker = SignRequest | VerifyRequest | StatsRequest | CallReply;

/** An error as it crosses the boundary: name, message and, for AppError, its code and fields. */
export type WireError = {
  name: string;
  message: string;
  code?: string;
  messageJa?: string;
  fields?: Record<string, string>;
};

export type TaskResult =
  | {
      type: 'done';
      id: number;
      ok: true;
      value: SignedOpenBadgeCredential | string | VerificationResult | WorkerStats;
    }
  | { type: 'done'; id: number; ok: false; error: WireError };

/** A worker asks the calling thread to run one of the task's callbacks (status lookup, issuer key lookup). */
export type CallRequest = { type: 'call'; taskId: number; callId: number; fn: CallbackName; arg: unknown };

export type FromWorker = { type: 'ready' } | TaskResult | CallRequest;

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; messageJa?: unknown; fields?: unknown };
  const wire: WireError = { name: e.name, message: e.message };
  if (typeof e.code === 'string') wire.code = e.code;
  if (typeof e.messageJa === 'string') wire.messageJa = e.messageJa;
  if (e.fields && typeof e.fields === 'object') wire.fields = { ...(e.fields as Record<string, string>) };
  return wire;
}
