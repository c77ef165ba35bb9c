import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { Client, type TestApp, testApp } from '../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../test/db.js';
import { createApp } from '../app.js';

// robots.txt names the sitemap on BASE_URL; /privacy and /accessibility show the 問い合わせ窓口 from
// CONTACT_NAME / CONTACT_EMAIL, and no address when none is configured.

describe.each(dbKinds())('public site contact and robots.txt on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
  });
  afterAll(() => env.close());

  const get = async (a: TestApp, path: string) => {
    const res = await new Client(a, env).get(path);
    expect(res.status).toBe(200);
    return res.text();
  };
  const configured = () =>
    createApp({
      ...env,
      config: {
        ...env.config,
        baseUrl: 'https://dxq.example.jp',
        contact: { name: 'マナビDX Quest 事務局 受付', email: 'contact@dxq.example.jp' },
      },
    });

  it('robots.txt points to the sitemap on BASE_URL', async () => {
    const robots = await get(app, '/robots.txt');
    expect(robots).toBe(
      'User-agent: *\nDisallow: /admin/\nDisallow: /account\n\nSitemap: http://localhost:3000/sitemap.xml\n',
    );
    expect(await get(configured(), '/robots.txt')).toContain(
      '\nSitemap: https://dxq.example.jp/sitemap.xml\n',
    );
  });

  it('privacy and accessibility pages name the secretariat as the contact and invent no address', async () => {
    for (const path of ['/privacy', '/accessibility']) {
      const html = await get(app, path);
      expect(html).toContain('<h2 id="contact">問い合わせ窓口</h2>');
      expect(html).toContain('<dd>マナビDX Quest 事務局</dd>');
      expect(html).toContain(
        '各プログラムの案内メールに記載しているマナビDX Quest 事務局の窓口をご利用ください。',
      );
      expect(html).toContain('<a href="#contact">問い合わせ窓口</a>');
      expect(html).not.toContain('mailto:');
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    }
  });

  it('shows CONTACT_NAME and CONTACT_EMAIL when configured', async () => {
    const a = configured();
    for (const path of ['/privacy', '/accessibility']) {
      const html = await get(a, path);
      expect(html).toContain('<dd>マナビDX Quest 事務局 受付</dd>');
      expect(html).toContain('<a href="mailto:contact@dxq.example.jp">contact@dxq.example.jp</a>');
      expect(html).not.toContain('案内メールに記載している');
    }
  });
});

describe('contact settings', () => {
  const base = { SECRET_KEY: 'k'.repeat(32) };
  it('default to the secretariat without an address, and refuse an invalid address', () => {
    expect(loadConfig(base).contact).toEqual({ name: 'マナビDX Quest 事務局', email: undefined });
    expect(
      loadConfig({ ...base, CONTACT_NAME: ' 事務局 受付 ', CONTACT_EMAIL: 'info@dxq.example.jp' }).contact,
    ).toEqual({ name: '事務局 受付', email: 'info@dxq.example.jp' });
    expect(() => loadConfig({ ...base, CONTACT_EMAIL: 'not an address' })).toThrow(ConfigError);
  });
});
