import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/clock.js';
import { isAppError } from '../../lib/errors.js';
import type { AppEnv, CurrentSession } from '../../web/context.js';
import { rateLimit } from '../../web/middleware/rate-limit.js';
import { LIMITS } from './rate-limit.js';
import { WindowCounter } from './window-counter.js';

const limit = { name: 't', max: 3, windowMs: 60_000 };

describe('WindowCounter', () => {
  it('allows max hits per window and refuses the next, per subject', () => {
    const c = new WindowCounter(limit);
    expect([1, 2, 3].map(() => c.hit('a', 1000))).toEqual([true, true, true]);
    expect(c.hit('a', 1001)).toBe(false);
    expect(c.hit('b', 1001)).toBe(true); // another account has its own budget
  });

  it('starts a new window once the old one has passed', () => {
    const c = new WindowCounter(limit);
    for (let i = 0; i < 4; i++) c.hit('a', 0);
    expect(c.hit('a', 59_999)).toBe(false);
    expect(c.hit('a', 60_000)).toBe(true);
  });

  it('stays within maxKeys, dropping expired windows first and then the oldest', () => {
    const c = new WindowCounter(limit, 100);
    for (let i = 0; i < 100; i++) c.hit(`old-${i}`, 0);
    for (let i = 0; i < 50; i++) c.hit(`new-${i}`, 61_000);
    expect(c.size).toBe(50); // every expired window went when the bound was passed
    for (let i = 50; i < 300; i++) c.hit(`new-${i}`, 61_000);
    expect(c.size).toBe(100);
    for (let i = 0; i < 3; i++) c.hit('new-299', 61_000);
    expect(c.hit('new-299', 61_000)).toBe(false); // the newest window kept its count
  });
});

describe('rateLimit middleware', () => {
  function app(clock: TestClock, who: { userId?: string; ip: string }) {
    const a = new Hono<AppEnv>();
    a.use(async (c, next) => {
      c.set('ip', who.ip);
      c.set('session', who.userId ? ({ user_id: who.userId } as CurrentSession) : null);
      await next();
    });
    a.use(rateLimit({ clock }));
    a.onError((e, c) => c.text(isAppError(e) ? e.code : 'error', isAppError(e, 'RATE_LIMITED') ? 429 : 500));
    a.post('/x', (c) => c.text('ok'));
    a.get('/x', (c) => c.text('ok'));
    return a;
  }

  it('refuses the state change past the per-account ceiling with RATE_LIMITED, and never counts GETs', async () => {
    const clock = new TestClock(new Date('2026-12-01T00:00:00Z'));
    const a = app(clock, { userId: 'u1', ip: '192.0.2.1' });
    for (let i = 0; i < 50; i++) expect((await a.request('/x')).status).toBe(200);
    for (let i = 0; i < LIMITS.postPerAccount.max; i++) {
      expect((await a.request('/x', { method: 'POST' })).status).toBe(200);
    }
    const over = await a.request('/x', { method: 'POST' });
    expect(over.status).toBe(429);
    expect(await over.text()).toBe('RATE_LIMITED');
    clock.advance(LIMITS.postPerAccount.windowMs);
    expect((await a.request('/x', { method: 'POST' })).status).toBe(200);
  });

  it('counts visitors without a session per address', async () => {
    const clock = new TestClock(new Date('2026-12-01T00:00:00Z'));
    const a = app(clock, { ip: '192.0.2.9' });
    for (let i = 0; i < LIMITS.postPerIp.max; i++) await a.request('/x', { method: 'POST' });
    expect((await a.request('/x', { method: 'POST' })).status).toBe(429);
  });
});
