import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../context.js';
import { bodyLimit } from './body-limit.js';

describe('bodyLimit', () => {
  const app = new Hono<AppEnv>();
  app.use(bodyLimit(10, (c) => c.text('too big', 413)));
  app.post('/', async (c) => c.text(`got ${(await c.req.text()).length}`));
  app.get('/', (c) => c.text('get'));

  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request('/', { method: 'POST', body, headers });

  it('judges a body with a Content-Length by the header, before anything reads it', async () => {
    expect(await (await post('x'.repeat(10), { 'content-length': '10' })).text()).toBe('got 10');
    const big = await post('x', { 'content-length': '11' });
    expect(big.status).toBe(413);
    expect(await big.text()).toBe('too big');
    expect((await post('x', { 'content-length': '1e3' })).status).toBe(413);
  });

  it('counts a body without a usable Content-Length while reading it', async () => {
    expect(await (await post('x'.repeat(10))).text()).toBe('got 10');
    expect((await post('x'.repeat(11))).status).toBe(413);
  });

  it('lets reads through', async () => {
    expect(await (await app.request('/')).text()).toBe('get');
  });
});
