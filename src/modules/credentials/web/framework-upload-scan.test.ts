import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, staffClient, testApp } from '../../../test/app.js';
import { EICAR, startClamd, type TestClamd } from '../../../test/clamd.js';
import { createTestEnv, type TestEnv } from '../../../test/db.js';
import { itemsCsv, templateRows } from '../framework-template.js';

// SECURITY.md "Uploads": the framework import scans each file with clamd before parsing it. An infected file
// is refused at its field and leaves no import record; a clean one goes on to the dry run.

describe('framework import uploads are scanned for malware', { timeout: 60_000 }, () => {
  let clamd: TestClamd;
  let env: TestEnv;
  let client: Client;

  beforeAll(async () => {
    clamd = await startClamd();
    env = await createTestEnv('pglite', { clamd: { url: clamd.url, timeoutMs: 10_000 } });
    ({ client } = await staffClient(testApp(env), env, 'secretariat', 'staff'));
  });
  afterAll(async () => {
    await env?.close();
    clamd?.stop();
  });

  async function upload(bytes: Uint8Array, name: string) {
    const body = new FormData();
    body.set('_csrf', await client.csrfToken());
    for (const [k, v] of Object.entries({
      slug: 'scan-test',
      version: '1.0',
      name: '検査',
      provenance: 'テスト',
    }))
      body.set(k, v);
    body.set('file', new File([new Uint8Array(bytes)], name));
    return client.app.request('/admin/frameworks/import', {
      method: 'POST',
      body,
      headers: { cookie: client.cookieHeader() },
    });
  }
  const imports = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from framework_imports`.execute(env.db)).rows[0]?.n;

  it('refuses an infected file at its field and records nothing', async () => {
    // The test signature is the MD5 of the whole file (a .hdb signature), so the file is the EICAR string itself.
    const res = await upload(new TextEncoder().encode(EICAR), 'list.csv');
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('マルウェアが検出されたため');
    expect(await imports()).toBe(0);
  });

  it('passes a clean file on to the dry run', async () => {
    const res = await upload(new TextEncoder().encode(itemsCsv(templateRows())), 'list.csv');
    expect(res.status).toBe(303);
    expect(await imports()).toBe(1);
  });
});
