import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './context.js';
import { formFields } from './forms.js';

describe('formFields', () => {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    const first = await formFields(c);
    const again = await formFields(c); // the CSRF check and the route read the same fields
    return c.json({ same: first === again, fields: first });
  });
  const post = async (body: BodyInit, headers: Record<string, string> = {}) =>
    (await (await app.request('/', { method: 'POST', body, headers })).json()) as {
      same: boolean;
      fields: Record<string, unknown>;
    };

  it('decodes an urlencoded form as parseBody({ all: true }) does: repeats and [] names as arrays', async () => {
    const r = await post('a=1&b=x+y&b=%E9%AB%99%F0%A0%AE%B7&c%5B%5D=only&d=&e=%ZZ', {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(r.same).toBe(true);
    expect(r.fields).toEqual({ a: '1', b: ['x y', '髙𠮷'], 'c[]': ['only'], d: '', e: '%ZZ' });
  });

  it('reads a multipart form through Hono', async () => {
    const form = new FormData();
    form.append('a', '1');
    form.append('a', '2');
    form.append('name', '髙橋 𠮷子');
    const r = await post(form);
    expect(r.fields).toEqual({ a: ['1', '2'], name: '髙橋 𠮷子' });
  });
});
