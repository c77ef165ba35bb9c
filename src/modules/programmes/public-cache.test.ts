import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { bumpContentVersion } from './programme.repository.js';
import {
  NONCE_SLOT,
  nextWindowChange,
  notePublicContentChanged,
  PublicCache,
  splitAtNonce,
  withNonce,
} from './public-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dbKinds())('PublicCache on %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(kind);
  });
  afterAll(() => env.close());

  it('shares one version query and one load among concurrent requests', async () => {
    const cache = new PublicCache(env);
    let loads = 0;
    const load = async () => {
      loads++;
      await sleep(10);
      return { value: 'page' };
    };
    const got = await Promise.all(Array.from({ length: 200 }, () => cache.get('k', load)));
    expect(new Set(got)).toEqual(new Set(['page']));
    expect(loads).toBe(1);
    expect(cache.stats.versionReads).toBe(1);
    await Promise.all(Array.from({ length: 200 }, () => cache.get('k', load)));
    expect(loads).toBe(1);
    expect(cache.stats.versionReads).toBe(1);
    expect(cache.stats.hits).toBeGreaterThanOrEqual(200);
  });

  it('re-reads the version at most once per refresh interval and reloads after a bump', async () => {
    const cache = new PublicCache(env, { refreshMs: 40 });
    let n = 0;
    const load = async () => ({ value: ++n });
    expect(await cache.get('k', load)).toBe(1);
    for (let i = 0; i < 20; i++) await cache.get('k', load);
    expect(cache.stats.versionReads).toBe(1);
    await bumpContentVersion(env.db);
    expect(await cache.get('k', load)).toBe(1); // still inside the interval
    await sleep(50);
    expect(await cache.get('k', load)).toBe(2);
    expect(cache.stats.versionReads).toBe(2);
  });

  it('re-reads at once after a same-process edit is noted', async () => {
    const cache = new PublicCache(env, { refreshMs: 60_000 });
    let n = 0;
    const load = async () => ({ value: ++n });
    expect(await cache.get('k', load)).toBe(1);
    await bumpContentVersion(env.db);
    notePublicContentChanged(env);
    expect(await cache.get('k', load)).toBe(2);
  });

  it('expires an entry at its validUntil on the application clock, and when the clock goes back', async () => {
    const cache = new PublicCache(env);
    const start = env.clock.now().getTime();
    let n = 0;
    const load = async (now: Date) => ({ value: ++n, validUntil: now.getTime() + 1000 });
    expect(await cache.get('k', load)).toBe(1);
    env.clock.advance(999);
    expect(await cache.get('k', load)).toBe(1);
    env.clock.advance(1);
    expect(await cache.get('k', load)).toBe(2);
    env.clock.set(new Date(start));
    expect(await cache.get('k', load)).toBe(3);
  });

  it('is bounded: the least recently used entry goes first', async () => {
    const cache = new PublicCache(env, { maxEntries: 3 });
    const loaded: string[] = [];
    const load = (k: string) => async () => {
      loaded.push(k);
      return { value: k };
    };
    for (const k of ['a', 'b', 'c']) await cache.get(k, load(k));
    await cache.get('a', load('a')); // a is now the most recent
    await cache.get('d', load('d')); // evicts b
    expect(cache.size).toBe(3);
    await cache.get('a', load('a'));
    await cache.get('c', load('c'));
    expect(loaded).toEqual(['a', 'b', 'c', 'd']);
    await cache.get('b', load('b'));
    expect(loaded).toEqual(['a', 'b', 'c', 'd', 'b']);
    expect(cache.size).toBe(3);
  });

  it('does not keep a failed load', async () => {
    const cache = new PublicCache(env);
    await expect(cache.get('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('k', async () => ({ value: 'ok' }))).toBe('ok');
  });
});

describe('nonce slot', () => {
  it('puts each response’s nonce in the first slot only', () => {
    const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
    const page = splitAtNonce(`<script nonce="${NONCE_SLOT}"></script><p>日本語 ${NONCE_SLOT} 𠮷</p>`);
    expect(text(withNonce(page, 'a+b/c=='))).toBe(
      `<script nonce="a+b/c=="></script><p>日本語 ${NONCE_SLOT} 𠮷</p>`,
    );
    expect(text(withNonce(splitAtNonce('<p>no script</p>'), 'abc'))).toBe('<p>no script</p>');
  });

  it('is random per process and not guessable from a page', () => {
    expect(NONCE_SLOT).toMatch(/^dxq-nonce-slot-[0-9a-f]{32}$/);
  });
});

describe('nextWindowChange', () => {
  it('is the earliest opening or closing after now, or never', () => {
    const now = new Date('2026-07-01T00:00:00Z');
    const at = (s: string) => new Date(s);
    expect(
      nextWindowChange(
        [
          { opensAt: at('2026-06-01T00:00:00Z'), closesAt: at('2026-07-10T00:00:00Z') },
          { opensAt: at('2026-07-05T00:00:00Z'), closesAt: at('2026-08-01T00:00:00Z') },
          { opensAt: null, closesAt: null },
        ],
        now,
      ),
    ).toBe(at('2026-07-05T00:00:00Z').getTime());
    expect(nextWindowChange([{ opensAt: now, closesAt: now }], now)).toBe(Number.POSITIVE_INFINITY);
  });
});
