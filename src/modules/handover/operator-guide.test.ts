import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOM } from '../../lib/csv.js';
import { Client, testApp } from '../../test/app.js';
import { createTestEnv, type TestEnv } from '../../test/db.js';
import { createDocumentLoader } from '../badges/document-loader.js';
import { validateAchievementCredential } from '../badges/schema.js';
import { verifyOpenBadge } from '../badges/verify.js';

// The operators' hand-over (issue 4 §8a): the page and the ZIP carry the template, every DSS-P code with the
// page its targetUrl points to, the required fields, the verification steps and a sample that really verifies.

describe('operators’ Open Badges guide', () => {
  let env: TestEnv;
  let client: Client;
  beforeAll(async () => {
    env = await createTestEnv('pglite', { baseUrl: 'https://dxq.example.jp' });
    client = new Client(testApp(env), env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('is a public page with the fields, the DSS-P codes and the steps', async () => {
    const res = await client.get('/open-badges/guide');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>オープンバッジ発行手順(ケーススタディ運営事業者向け)</h1>');
    expect(html).toContain('eddsa-rdfc-2022');
    expect(html).toContain('href="https://dxq.example.jp/frameworks/dss-p/2.0/1.1.1"');
    expect(html).toContain('href="/open-badges/guide/package.zip"');
    const items = await env.db
      .selectFrom('skill_items')
      .innerJoin('skill_frameworks', 'skill_frameworks.id', 'skill_items.framework_id')
      .select('code')
      .where('slug', '=', 'dss-p')
      .where('version', '=', '2.0')
      .execute();
    expect(items.length).toBe(67);
    for (const { code } of items) expect(html).toContain(`/frameworks/dss-p/2.0/${code}"`);
  });

  it('hands over a ZIP whose sample credential verifies offline, with the codes as an Excel-ready CSV', async () => {
    const res = await client.get('/open-badges/guide/package.zip');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const zip = await JSZip.loadAsync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(zip.files).sort()).toEqual([
      'README.md',
      'achievement-template.json',
      'dss-p-alignment-codes.csv',
      'required-fields.csv',
      'sample-credential.json',
      'verification-steps.md',
    ]);
    const csv = (await zip.file('dss-p-alignment-codes.csv')?.async('string')) ?? '';
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(68);
    expect(csv).toContain('"1.1.1",');

    const template = JSON.parse((await zip.file('achievement-template.json')?.async('string')) ?? '{}');
    expect(template.type).toEqual(['Achievement']);
    expect(template.alignment[0]).toMatchObject({ type: ['Alignment'], targetType: 'ext:DSSPSkillItem' });
    expect(template.alignment[0].targetFramework).toContain('2.0');

    const sample = JSON.parse((await zip.file('sample-credential.json')?.async('string')) ?? '{}');
    expect(validateAchievementCredential(sample).ok).toBe(true);
    expect(sample.issuer.id).toMatch(/^did:key:z6Mk/);
    const loader = createDocumentLoader();
    const independent = await vc.verifyCredential({
      credential: sample,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: loader,
      checkStatus: async () => ({ verified: true }),
    });
    expect(independent.verified).toBe(true);
    expect(loader.refused()).toEqual([]);
    // Our own verifier: the proof passes; the example status list cannot be reached, and says so.
    const ours = await verifyOpenBadge(sample, { checkStatus: async () => 'unknown' });
    expect(ours.steps.find((s) => s.step === 'proof')?.outcome).toBe('passed');
    expect(ours.summary).toBe('indeterminate');
  });
});
