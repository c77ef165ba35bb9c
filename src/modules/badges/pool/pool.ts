import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, type Transferable, Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../../lib/errors.js';
import type { OpenBadgeCredential, SignedOpenBadgeCredential } from '../credential.js';
import type { VerificationResult, VerifyOptions } from '../verify.js';
import {
  type CallReply,
  type CallRequest,
  type FromWorker,
  type ProofFormat,
  type SigningKeyMaterial,
  type SignRequest,
  type StatsRequest,
  type TaskResult,
  toWireError,
  type VerifyRequest,
  type WireError,
  type WorkerStats,
} from './protocol.js';
import type { WorkerOptions } from './worker.js';

/**
 * A small worker_threads pool for the CPU-bound half of Open Badges (issue 4 §10, decision 0020): eddsa-rdfc-2022
 * signing and verification spend ~4 ms of CPU each in JSON-LD canonicalisation, so bulk issuance and bulk
 * verification use every core by running them in `size` workers (default: os.availableParallelism()).
 *
 * - `sign(credential, key, opts)` → the signed credential (proof as an array), or a VC-JWT with `format: 'jwt'`.
 *   The key travels as material, never as a `SigningKey` (see `SigningKeyMaterial` in protocol.ts): sealed
 *   (stored key + server secret: opened inside the worker) or raw secret bytes (copied and transferred).
 * - `verify(input, opts)` → exactly what `verifyOpenBadge` returns in-process. `checkStatus` and
 *   `resolveIssuerKey` are functions of the calling thread (database lookups): the worker asks for each answer
 *   by message, so the options are the same as in-process.
 * - A task that fails (bad input, wrong key) rejects alone; a worker that dies (crash, out of memory) rejects its
 *   in-flight tasks and is replaced. Idle workers do not keep the process alive. `close()` finishes the queued
 *   work and stops the workers; `terminate()` stops them at once and rejects what is left.
 */

export type BadgePoolOptions = {
  /** Worker threads; defaults to os.availableParallelism(). */
  size?: number;
  /** Tasks handed to one worker at a time (the next one is waiting when the current one ends). Default 2. */
  tasksPerWorker?: number;
  /** Loaded signing keys each worker keeps (LRU). Default 16. */
  keyCacheSize?: number;
  /** Canonicalise documents of a known shape from a template in the workers (canonical-cache.ts). Default true. */
  canonicalCache?: boolean;
  /**
   * V8 heap limits per worker. Default with the shape cache: old generation 128 MB, young generation 16 MB — a
   * worker's live data is ~40 MB, and without limits V8 lets each worker's heap grow to ~170 MB under load
   * (decision 0020). Without the shape cache every document goes through jsonld, whose large short-lived clones
   * need V8's default young generation (a 16 MB one makes it ~1.7× slower): old generation 192 MB only.
   * A worker that runs out is replaced like a crashed one.
   */
  resourceLimits?: ResourceLimits;
  /** Extra Node options for the workers (e.g. `--cpu-prof` to profile them). */
  execArgv?: string[];
};

export type PoolSignOptions = {
  /** `proof.created`; defaults to the moment the worker signs. */
  created?: Date | string;
  /** `data-integrity` (default): an embedded eddsa-rdfc-2022 proof; `jwt`: a VC-JWT (compact string). */
  format?: ProofFormat;
};

/** The same as verifyOpenBadge's options, but for the document loader (each worker has its own, offline). */
export type PoolVerifyOptions = Omit<VerifyOptions, 'documentLoader'>;

export type BadgePoolStats = {
  size: number;
  /** Workers started and ready. */
  ready: number;
  queued: number;
  inFlight: number;
  completed: number;
  failed: number;
  /** Workers that died and were replaced. */
  restarts: number;
};

export type BadgePool = {
  readonly size: number;
  sign(
    credential: OpenBadgeCredential,
    key: SigningKeyMaterial,
    options?: PoolSignOptions & { format?: 'data-integrity' },
  ): Promise<SignedOpenBadgeCredential>;
  sign(
    credential: OpenBadgeCredential,
    key: SigningKeyMaterial,
    options: PoolSignOptions & { format: 'jwt' },
  ): Promise<string>;
  verify(input: unknown, options?: PoolVerifyOptions): Promise<VerificationResult>;
  /** Resolves once every worker has started (the first tasks would otherwise wait for it). */
  ready(): Promise<void>;
  stats(): BadgePoolStats;
  /** Each running worker's cache counters (loaded keys, shape cache hits and checks). */
  workerStats(): Promise<WorkerStats[]>;
  /** Refuses new tasks, finishes the queued and running ones, then stops the workers. */
  close(): Promise<void>;
  /** Stops the workers now; queued and running tasks reject with BadgePoolError. */
  terminate(): Promise<void>;
};

export type { SigningKeyMaterial, WorkerStats } from './protocol.js';

export class BadgePoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BadgePoolError';
  }
}

type Callbacks = Pick<PoolVerifyOptions, 'checkStatus' | 'resolveIssuerKey'>;

type Task = {
  message: SignRequest | VerifyRequest | StatsRequest;
  transfer: Transferable[];
  callbacks: Callbacks;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
};

type Slot = {
  worker: Worker;
  index: number;
  ready: boolean;
  stopping: boolean;
  tasks: Map<number, Task>;
  started: Promise<void>;
};

/** Consecutive workers that die before becoming ready before the pool gives up (a broken install). */
const MAX_START_FAILURES = 3;

const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 };
const DEFAULT_LIMITS_WITHOUT_SHAPE_CACHE: ResourceLimits = { maxOldGenerationSizeMb: 192 };

/**
 * The worker's entry: the compiled `worker.js` beside this file, or, when running from the TypeScript sources
 * (tests, benchmarks under tsx), `worker.ts` loaded through tsx's hooks.
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./worker.js', import.meta.url) };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { url: new URL('./worker.ts', import.meta.url), execArgv: ['--import', tsx] };
}

function fromWire(error: WireError): Error {
  if (error.name === 'AppError' && error.code && error.messageJa !== undefined) {
    return new AppError(
      error.code as ErrorCode,
      error.messageJa,
      error.fields ? { fields: error.fields } : {},
    );
  }
  const e = new Error(error.message);
  e.name = error.name;
  return e;
}

/** The key material as it is posted: raw secret bytes copied into a buffer of their own, to be transferred. */
function wireKey(key: SigningKeyMaterial): { key: SigningKeyMaterial; transfer: Transferable[] } {
  if (key.kind !== 'raw') return { key, transfer: [] };
  const secretKey = new Uint8Array(key.secretKey.byteLength);
  secretKey.set(key.secretKey);
  return { key: { ...key, secretKey }, transfer: [secretKey.buffer] };
}

function scrub(task: Task): void {
  const { message } = task;
  if (message.type === 'sign' && message.key.kind === 'raw' && message.key.secretKey.byteLength > 0) {
    message.key.secretKey.fill(0);
  }
}

export function createBadgePool(options: BadgePoolOptions = {}): BadgePool {
  const size = options.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) throw new RangeError('pool size must be a positive integer');
  const perWorker = options.tasksPerWorker ?? 2;
  if (!Number.isInteger(perWorker) || perWorker < 1) throw new RangeError('tasksPerWorker must be >= 1');
  const workerOptions: WorkerOptions = {
    keyCacheSize: options.keyCacheSize ?? 16,
    canonicalCache: options.canonicalCache ?? true,
  };
  const entry = workerEntry();

  const slots: (Slot | null)[] = new Array(size).fill(null);
  const queue: Task[] = [];
  let queueHead = 0;
  let nextId = 1;
  let closing = false;
  let broken: Error | null = null;
  let startFailures = 0;
  const counts = { completed: 0, failed: 0, restarts: 0 };
  let drained: (() => void) | null = null;
  let closingDone: Promise<void> | null = null;

  const queued = () => queue.length - queueHead;
  const inFlight = () => slots.reduce((n, s) => n + (s?.tasks.size ?? 0), 0);

  function settle(task: Task, result: TaskResult): void {
    const counted = task.message.type !== 'stats';
    if (result.ok) {
      if (counted) counts.completed++;
      task.resolve(result.value as never);
    } else {
      if (counted) counts.failed++;
      task.reject(fromWire(result.error));
    }
  }

  function spawn(index: number): Slot {
    const worker = new Worker(entry.url, {
      workerData: workerOptions,
      resourceLimits:
        options.resourceLimits ??
        (workerOptions.canonicalCache ? DEFAULT_LIMITS : DEFAULT_LIMITS_WITHOUT_SHAPE_CACHE),
      ...(entry.execArgv || options.execArgv
        ? { execArgv: [...(entry.execArgv ?? []), ...(options.execArgv ?? [])] }
        : {}),
      stdout: false,
      stderr: false,
    });
    let markStarted: () => void = () => {};
    const slot: Slot = {
      worker,
      index,
      ready: false,
      stopping: false,
      tasks: new Map(),
      started: new Promise<void>((resolve) => {
        markStarted = resolve;
      }),
    };
    let lastError: unknown = null;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        slot.ready = true;
        startFailures = 0;
        markStarted();
        pump(); // also unrefs the worker if there is nothing for it to do
      } else if (message.type === 'done') {
        const task = slot.tasks.get(message.id);
        if (!task) return;
        slot.tasks.delete(message.id);
        settle(task, message);
        pump();
      } else if (message.type === 'call') {
        void answer(slot, message);
      }
    });
    worker.on('error', (error) => {
      lastError = error;
    });
    worker.on('exit', (code) => {
      if (slots[index] === slot) slots[index] = null;
      const reason = new BadgePoolError(
        `badge worker ${index} stopped (exit code ${code})${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
        { cause: lastError },
      );
      for (const task of slot.tasks.values()) {
        if (task.message.type !== 'stats') counts.failed++;
        scrub(task);
        task.reject(reason);
      }
      slot.tasks.clear();
      markStarted();
      // Stopped on purpose (terminate, or close once drained). A worker that dies while close() drains the
      // queue is replaced like any other, so the queued work still gets done.
      if (slot.stopping) {
        checkDrained();
        return;
      }
      counts.restarts++;
      if (!slot.ready && ++startFailures >= MAX_START_FAILURES) {
        broken = new BadgePoolError('badge workers fail to start', { cause: lastError });
        failQueued(broken);
        checkDrained();
        return;
      }
      slots[index] = spawn(index);
      updateRefs();
    });
    return slot;
  }

  async function answer(slot: Slot, call: CallRequest): Promise<void> {
    const task = slot.tasks.get(call.taskId);
    let reply: CallReply;
    try {
      const fn = task?.callbacks[call.fn];
      if (!fn) throw new Error(`no ${call.fn} callback for this task`);
      const value = await (fn as (arg: unknown) => Promise<unknown>)(call.arg);
      reply = { type: 'reply', callId: call.callId, ok: true, value };
    } catch (error) {
      reply = { type: 'reply', callId: call.callId, ok: false, error: toWireError(error) };
    }
    try {
      if (slots[slot.index] === slot) slot.worker.postMessage(reply);
    } catch (error) {
      // The answer could not be cloned (a callback returned a function, a class instance…): say so instead.
      slot.worker.postMessage({
        type: 'reply',
        callId: call.callId,
        ok: false,
        error: toWireError(
          new BadgePoolError(`the ${call.fn} answer could not be sent to the worker: ${String(error)}`),
        ),
      } satisfies CallReply);
    }
  }

  function pump(): void {
    while (queued() > 0) {
      let best: Slot | null = null;
      for (const slot of slots) {
        if (!slot?.ready || slot.stopping || slot.tasks.size >= perWorker) continue;
        if (!best || slot.tasks.size < best.tasks.size) best = slot;
      }
      if (!best) return;
      const task = queue[queueHead] as Task;
      queue[queueHead++] = undefined as never;
      if (queueHead > 1024 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
      best.tasks.set(task.message.id, task);
      try {
        best.worker.postMessage(task.message, task.transfer);
      } catch (error) {
        // The task's own data could not be cloned: only this task fails.
        best.tasks.delete(task.message.id);
        counts.failed++;
        scrub(task);
        task.reject(new BadgePoolError('the task could not be sent to a worker', { cause: error }));
      }
    }
    updateRefs();
    checkDrained();
  }

  /**
   * Workers keep the process alive only while they start or have work (a task running, or tasks waiting).
   * A started, idle pool that nobody closed does not hold the process open.
   */
  function updateRefs(): void {
    const waiting = queued() > 0;
    for (const slot of slots) {
      if (!slot || slot.stopping) continue;
      if (!slot.ready || slot.tasks.size > 0 || waiting) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  function failQueued(error: Error): void {
    while (queued() > 0) {
      const task = queue[queueHead] as Task;
      queue[queueHead++] = undefined as never;
      counts.failed++;
      scrub(task);
      task.reject(error);
    }
    queue.length = 0;
    queueHead = 0;
    updateRefs();
  }

  function checkDrained(): void {
    if (drained && queued() === 0 && inFlight() === 0) {
      const done = drained;
      drained = null;
      done();
    }
  }

  function submit<T>(build: (id: number) => Omit<Task, 'resolve' | 'reject'>): Promise<T> {
    if (closing) return Promise.reject(new BadgePoolError('the badge pool is closed'));
    if (broken) return Promise.reject(broken);
    return new Promise<T>((resolve, reject) => {
      const task: Task = { ...build(nextId++), resolve: resolve as (v: never) => void, reject };
      queue.push(task);
      pump();
    });
  }

  for (let i = 0; i < size; i++) slots[i] = spawn(i);

  async function stopAll(): Promise<void> {
    await Promise.all(
      slots.map(async (slot) => {
        if (!slot) return;
        slot.stopping = true;
        await slot.worker.terminate();
      }),
    );
  }

  const pool: BadgePool = {
    size,
    sign(credential: OpenBadgeCredential, key: SigningKeyMaterial, signOptions: PoolSignOptions = {}) {
      return submit((id) => {
        const { key: wired, transfer } = wireKey(key);
        const message: SignRequest = {
          type: 'sign',
          id,
          credential,
          key: wired,
          format: signOptions.format ?? 'data-integrity',
        };
        if (signOptions.created !== undefined) message.created = signOptions.created;
        return { message, transfer, callbacks: {} };
      });
    },
    verify(input: unknown, verifyOptions: PoolVerifyOptions = {}) {
      const { checkStatus, resolveIssuerKey, now, recipientEmail } = verifyOptions;
      return submit<VerificationResult>((id) => {
        const message: VerifyRequest = {
          type: 'verify',
          id,
          input,
          callbacks: { checkStatus: Boolean(checkStatus), resolveIssuerKey: Boolean(resolveIssuerKey) },
        };
        if (now) message.now = now;
        if (recipientEmail !== undefined) message.recipientEmail = recipientEmail;
        const callbacks: Callbacks = {};
        if (checkStatus) callbacks.checkStatus = checkStatus;
        if (resolveIssuerKey) callbacks.resolveIssuerKey = resolveIssuerKey;
        return { message, transfer: [], callbacks };
      });
    },
    async ready() {
      await Promise.all(slots.map((s) => s?.started));
      if (broken) throw broken;
    },
    stats() {
      return {
        size,
        ready: slots.filter((s) => s?.ready).length,
        queued: queued(),
        inFlight: inFlight(),
        ...counts,
      };
    },
    workerStats() {
      if (closing) return Promise.reject(new BadgePoolError('the badge pool is closed'));
      const ready = slots.filter((s): s is Slot => Boolean(s?.ready && !s.stopping));
      return Promise.all(
        ready.map(
          (slot) =>
            new Promise<WorkerStats>((resolve, reject) => {
              const message: StatsRequest = { type: 'stats', id: nextId++ };
              slot.tasks.set(message.id, {
                message,
                transfer: [],
                callbacks: {},
                resolve: resolve as (v: never) => void,
                reject,
              });
              slot.worker.postMessage(message);
              updateRefs();
            }),
        ),
      );
    },
    close() {
      closingDone ??= (async () => {
        closing = true;
        if (queued() > 0 || inFlight() > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            checkDrained();
          });
        }
        await stopAll();
      })();
      return closingDone;
    },
    async terminate() {
      closing = true;
      failQueued(new BadgePoolError('the badge pool was terminated'));
      await stopAll();
      const done = drained as (() => void) | null;
      drained = null;
      done?.();
    },
  } as BadgePool;
  internals.set(pool, { slots });
  return pool;
}

/** For tests: the pool's worker slots (to stop one as a crash would). Not part of the module's API. */
const internals = new WeakMap<BadgePool, { slots: (Slot | null)[] }>();

export function workersForTesting(pool: BadgePool): Worker[] {
  return (internals.get(pool)?.slots ?? []).flatMap((s) => (s ? [s.worker] : []));
}
