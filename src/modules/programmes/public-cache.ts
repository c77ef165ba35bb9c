import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { readContentVersion } from './programme.repository.js';

/**
 * In-process cache for the public site (issue 3, item 9(a)): the catalogue, programme and top pages must run
 * at ≥ 0.5× a static page's throughput, and PGlite answers queries on the main thread at ~1.1k/s, so the
 * public pages cannot touch the database on every request.
 *
 * Correctness rests on three stamps per entry:
 * - the public content version (`content_versions`, bumped by every publish/edit/close): each instance
 *   re-reads it at most every `refreshMs` (250 ms), one query shared by all requests in that window, so an
 *   edit shows on every instance within a second without a query per request;
 * - a validity window on the application's clock: pages say "募集中" or "募集終了", which changes when a
 *   window opens or closes without any edit, so an entry expires at the next opens_at/closes_at it depends on;
 * - the key, which the caller builds from everything the output depends on (locale, canonical URL).
 * The store is an LRU bounded at `maxEntries`; concurrent misses of one key share one load.
 *
 * What is cached must not depend on the visitor: the web layer caches only pages for visitors without a
 * session, and renders them with NONCE_SLOT in place of the per-response CSP nonce (see withNonce).
 */

export type Fresh<T> = {
  value: T;
  /** Clock time (ms) from which the value is out of date even at the same content version. */
  validUntil?: number;
};

type Entry = { version: number; validFrom: number; validUntil: number; value: unknown };

export type PublicCacheOptions = { maxEntries?: number; refreshMs?: number };

// Same-process edits: the service that bumps the version can say so, and this process re-reads at once
// instead of up to refreshMs later. Other instances still rely on the periodic re-read.
const localEdits = new WeakMap<Database, number>();

/** Call after a transaction that bumped the public content version has committed. */
export function notePublicContentChanged(deps: Pick<Deps, 'db'>): void {
  localEdits.set(deps.db, (localEdits.get(deps.db) ?? 0) + 1);
}

export class PublicCache {
  readonly maxEntries: number;
  readonly refreshMs: number;
  readonly stats = { hits: 0, misses: 0, versionReads: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<unknown>>();
  private known: number | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<number> | null = null;
  private seenEdits = 0;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'clock'>,
    opts: PublicCacheOptions = {},
  ) {
    this.maxEntries = opts.maxEntries ?? 1000;
    this.refreshMs = opts.refreshMs ?? 250;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The version read less than refreshMs ago (and no local edit since), or undefined when it is due. */
  private freshVersion(): number | undefined {
    const edits = localEdits.get(this.deps.db) ?? 0;
    if (edits !== this.seenEdits || performance.now() - this.readAt >= this.refreshMs) return undefined;
    return this.known;
  }

  /** The public content version, read from the database at most once per refreshMs (single flight). */
  version(): Promise<number> {
    const fresh = this.freshVersion();
    if (fresh !== undefined) return Promise.resolve(fresh);
    const edits = localEdits.get(this.deps.db) ?? 0;
    const t = performance.now();
    if (!this.reading) {
      // The window starts when the query starts: an edit committed at T is seen by a read starting ≤ T+refreshMs.
      this.readAt = t;
      this.seenEdits = edits;
      this.stats.versionReads++;
      this.reading = readContentVersion(this.deps.db)
        .then((v) => {
          this.known = v;
          return v;
        })
        .finally(() => {
          this.reading = null;
        });
    }
    return this.reading;
  }

  /**
   * The cached value for `key` at the current version and clock time, or the result of `load(now)`, which is
   * stored. `load` must return only what any visitor may see.
   */
  async get<T>(key: string, load: (now: Date) => Promise<Fresh<T>>): Promise<T> {
    const version = await this.version();
    const now = this.deps.clock.now();
    const t = now.getTime();
    const hit = this.lookup(key, version, t);
    if (hit) return hit.value as T;
    const flightKey = `${version}\u0000${key}`;
    const pending = this.loading.get(flightKey);
    if (pending) return pending as Promise<T>;
    this.stats.misses++;
    const p = load(now)
      .then((fresh) => {
        // A load that a newer version overtook is returned to its callers but not kept.
        if (this.known === version) this.store(key, { version, validFrom: t, ...fresh });
        return fresh.value;
      })
      .finally(() => this.loading.delete(flightKey));
    this.loading.set(flightKey, p);
    return p;
  }

  /** The cached value for `key` if there is a current one; never loads. */
  async peek<T>(key: string): Promise<T | undefined> {
    return (
      this.peekSync<T>(key) ??
      (this.lookup(key, await this.version(), this.deps.clock.now().getTime())?.value as T | undefined)
    );
  }

  /** peek without waiting: undefined also when the version is due for a re-read (then use peek). */
  peekSync<T>(key: string): T | undefined {
    const version = this.freshVersion();
    if (version === undefined) return undefined;
    return this.lookup(key, version, this.deps.clock.now().getTime())?.value as T | undefined;
  }

  private lookup(key: string, version: number, t: number): Entry | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.version !== version || t < hit.validFrom || t >= hit.validUntil) return undefined;
    this.stats.hits++;
    this.entries.delete(key); // LRU: re-insert at the newest end
    this.entries.set(key, hit);
    return hit;
  }

  /** Drops every entry (the next request of each key loads again). */
  clear(): void {
    this.entries.clear();
  }

  private store(key: string, e: Omit<Entry, 'validUntil'> & { validUntil?: number | undefined }): void {
    this.entries.delete(key);
    this.entries.set(key, { ...e, validUntil: e.validUntil ?? Number.POSITIVE_INFINITY });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/** The earliest opens_at/closes_at after `now`: when "募集中/募集開始前/募集終了" next changes. */
export function nextWindowChange(
  programmes: readonly { opensAt: Date | null; closesAt: Date | null }[],
  now: Date,
): number {
  let next = Number.POSITIVE_INFINITY;
  const t = now.getTime();
  for (const p of programmes) {
    for (const d of [p.opensAt, p.closesAt]) {
      const v = d?.getTime();
      if (v !== undefined && v > t && v < next) next = v;
    }
  }
  return next;
}

/**
 * Cached HTML is rendered with this placeholder where the CSP nonce goes; each response puts its own fresh
 * nonce there. It is random per process, so no programme text can predict it, and only its first occurrence
 * (the script tag in <head>, before any user content) is ever replaced.
 */
export const NONCE_SLOT = `dxq-nonce-slot-${randomBytes(16).toString('hex')}`;

/**
 * A cached page as UTF-8 bytes on either side of the nonce slot: a response is then two memory copies and the
 * nonce, instead of re-encoding (and re-validating) tens of kilobytes of Japanese text every time.
 */
export type NonceSplitHtml = { head: Uint8Array<ArrayBuffer>; tail: Uint8Array<ArrayBuffer> | null };

export function splitAtNonce(html: string): NonceSplitHtml {
  const i = html.indexOf(NONCE_SLOT);
  if (i < 0) return { head: Buffer.from(html, 'utf8'), tail: null };
  return {
    head: Buffer.from(html.slice(0, i), 'utf8'),
    tail: Buffer.from(html.slice(i + NONCE_SLOT.length), 'utf8'),
  };
}

/** The page with this response's nonce (base64: ASCII, safe inside the attribute as it is). */
export function withNonce(page: NonceSplitHtml, nonce: string): Uint8Array<ArrayBuffer> {
  if (page.tail === null) return page.head;
  return Buffer.concat([page.head, Buffer.from(nonce, 'latin1'), page.tail]);
}
