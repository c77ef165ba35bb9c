import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/app.js';
import { EICAR, startClamd, type TestClamd } from '../../../test/clamd.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { dsspFramework, publishedAchievement, testPng } from '../badges.test-support.js';
import { idIn, location, postMultipart, type StaffUser, staffUser } from './staff-test-support.js';

/**
 * SECURITY.md "Uploads": every badge upload is scanned by clamd (the real daemon, src/test/clamd.ts, whose test
 * signature is the MD5 of the whole EICAR string) before it is parsed: completion lists (CSV or XLSX, told
 * apart by content, so the name does not matter), achievement images (PNG, SVG) and the issuer image. An
 * infected file is refused with 422, the Japanese message at its own field, and nothing is stored; a clean
 * one goes on as before.
 */
describe.each(dbKinds())('badge uploads are scanned for malware on %s', { timeout: 60_000 }, (kind) => {
  let clamd: TestClamd;
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let frameworkId: string;
  let codes: [string, string];

  beforeAll(async () => {
    clamd = await startClamd();
    env = await createTestEnv(kind, { clamd: { url: clamd.url, timeoutMs: 10_000 } });
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    ({ id: frameworkId, codes } = await dsspFramework(env));
  });
  afterAll(async () => {
    await env?.close();
    clamd?.stop();
  });

  const eicar = (name: string, type?: string) => ({
    name,
    bytes: new TextEncoder().encode(EICAR),
    ...(type ? { type } : {}),
  });
  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(env.db)).rows[0]?.n;

  /** The page says the file was refused for malware, at the given field (its error tied to the control). */
  async function refusedAt(res: Response, ...fields: string[]) {
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const field of fields) {
      expect(html).toMatch(
        new RegExp(`id="f-${field}-error"[^>]*>[^<]*マルウェアが検出されたため、受け付けられません`),
      );
      expect(html).toContain(`aria-describedby="f-${field}-hint f-${field}-error"`);
      expect(html).toContain(`href="#f-${field}"`); // in the error summary
    }
    return html;
  }

  it('refuses an infected completion list (CSV or XLSX) and records no batch', async () => {
    for (const name of ['completion.csv', 'completion.xlsx']) {
      const res = await postMultipart(
        hub.client,
        '/admin/badges/bulk/upload',
        { orgId: hub.actor.org.id, format: 'ldp' },
        { file: eicar(name) },
      );
      await refusedAt(res, 'file');
    }
    expect(await count('issuance_batches')).toBe(0);
    expect(await count('issuance_rows')).toBe(0);

    await publishedAchievement(env, hub.actor, { key: 'scan-clean' });
    const clean = await postMultipart(
      hub.client,
      '/admin/badges/bulk/upload',
      { orgId: hub.actor.org.id, format: 'ldp' },
      {
        file: {
          name: 'completion.csv',
          bytes: new TextEncoder().encode(
            'email,name,achievement\r\nclean@example.jp,検査 花子,scan-clean\r\n',
          ),
        },
      },
    );
    expect(location(clean)).toMatch(/^\/admin\/badges\/batches\//);
    expect(await count('issuance_batches')).toBe(1);
  });

  it('refuses infected achievement images (PNG, SVG, both at once) and stores no achievement', async () => {
    const fields = (key: string) => ({
      orgId: hub.actor.org.id,
      key,
      name: 'スキャン検査',
      description: '検査用のバッジ。',
      criteriaNarrative: '検査に合格すること。',
      achievementType: 'CertificateOfCompletion',
      validDays: '',
      frameworkId,
      skillCodes: [codes[0]],
    });
    const before = await count('achievements');
    const png = { name: 'badge.png', bytes: testPng(), type: 'image/png' };
    for (const [files, refused] of [
      [{ imagePng: eicar('badge.png', 'image/png') }, ['imagePng']],
      [{ imagePng: png, imageSvg: eicar('badge.svg', 'image/svg+xml') }, ['imageSvg']],
      [
        { imagePng: eicar('badge.png', 'image/png'), imageSvg: eicar('badge.svg', 'image/svg+xml') },
        ['imagePng', 'imageSvg'],
      ],
    ] as const) {
      const res = await postMultipart(
        hub.client,
        '/admin/badges/achievements/new',
        fields('scan-new'),
        files,
      );
      const html = await refusedAt(res, ...refused);
      expect(html).toContain('value="スキャン検査"'); // the form keeps what was typed
    }
    expect(await count('achievements')).toBe(before);

    // Editing: a clean draft, then an infected image for it leaves the draft's image as it was.
    const created = await postMultipart(hub.client, '/admin/badges/achievements/new', fields('scan-edit'), {
      imagePng: png,
    });
    const id = idIn(location(created));
    const image = async () =>
      (
        await sql<{ png: Uint8Array | null; svg: string | null }>`
          select image_png as png, image_svg as svg from achievement_versions
          where achievement_id = ${id}`.execute(env.db)
      ).rows;
    const was = await image();
    const edit = await postMultipart(
      hub.client,
      `/admin/badges/achievements/${id}/edit`,
      fields('scan-edit'),
      {
        imageSvg: eicar('badge.svg', 'image/svg+xml'),
      },
    );
    await refusedAt(edit, 'imageSvg');
    expect(await image()).toEqual(was);
  });

  it('refuses an infected issuer image and leaves the profile unsaved', async () => {
    const profile = {
      orgId: hub.actor.org.id,
      name: '東北地域企業協働ハブ',
      url: 'https://tohoku.example.jp',
      email: '',
      description: '',
    };
    const before = await sql<{ image: Uint8Array | null; name: string }>`
      select image, name from issuer_profiles where organisation_id = ${hub.actor.org.id}`.execute(env.db);
    const res = await postMultipart(hub.client, '/admin/badges/issuer', profile, {
      image: eicar('logo.png', 'image/png'),
    });
    const html = await refusedAt(res, 'image');
    expect(html).toContain('value="https://tohoku.example.jp"');
    const after = await sql<{ image: Uint8Array | null; name: string }>`
      select image, name from issuer_profiles where organisation_id = ${hub.actor.org.id}`.execute(env.db);
    expect(after.rows).toEqual(before.rows);

    const clean = await postMultipart(hub.client, '/admin/badges/issuer', profile, {
      image: { name: 'logo.png', bytes: testPng(), type: 'image/png' },
    });
    expect(location(clean)).toContain('done=saved');
  });
});
