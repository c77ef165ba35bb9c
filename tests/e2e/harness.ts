import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { type ServerType, serve } from '@hono/node-server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { normalizeEmail } from '../../src/lib/text.js';
import { decryptSecret } from '../../src/lib/tokens.js';
import { totpCode } from '../../src/modules/identity/totp.js';
import { createTestEnv, type TestEnv } from '../../src/test/db.js';
import { createApp } from '../../src/web/app.js';

/**
 * End-to-end harness: the real app (createApp on a fresh, migrated PGlite database) served over HTTP on
 * 127.0.0.1 and an ephemeral port, driven by Debian's Chromium through playwright-core. The server runs on
 * real time (systemClock), so TOTP codes computed here match the server's. Every page a journey visits is
 * checked with axe-core, and every request the browser makes must stay on 127.0.0.1 (tender 16)⑥).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export type E2E = {
  env: TestEnv;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies) with request and console recording. */
  newPage(): Promise<Page>;
  /** Throws if any page went off 127.0.0.1 or logged a script/CSP error. Call before close(). */
  assertClean(): void;
  close(): Promise<void>;
};

export async function startE2E(): Promise<E2E> {
  const env = await createTestEnv('pglite');
  const app = createApp({ ...env, clock: systemClock });
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  // The deps share this config object: links in mails now point at the port actually listened on.
  env.config.baseUrl = baseUrl;

  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await env.close();
    throw new Error(`cannot start Chromium at ${CHROMIUM} (apt-get install -y chromium): ${String(e)}`);
  }
  const contexts: BrowserContext[] = [];
  const outside: string[] = [];
  const consoleErrors: string[] = [];

  return {
    env,
    baseUrl,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'ja-JP' });
      contexts.push(context);
      context.setDefaultTimeout(10_000); // fail a missing element well inside the test's own timeout
      // Record and refuse anything not on our own origin's host; data:/blob: never leave the machine.
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLocal(url)) return route.continue();
        outside.push(url);
        return route.abort('blockedbyclient');
      });
      context.on('request', (req) => {
        if (!isLocal(req.url()) && !outside.includes(req.url())) outside.push(req.url());
      });
      const page = await context.newPage();
      page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
      page.on('console', (msg) => {
        // A 4xx document (the error pages under test) is logged as "Failed to load resource": expected.
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
          consoleErrors.push(`${page.url()}: ${msg.text()}`);
      });
      return page;
    },
    assertClean() {
      if (outside.length)
        throw new Error(`requests to hosts other than 127.0.0.1:\n  ${outside.join('\n  ')}`);
      if (consoleErrors.length)
        throw new Error(`script errors or CSP violations in the console:\n  ${consoleErrors.join('\n  ')}`);
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await env.close();
    },
  };
}

function isLocal(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return u.hostname === '127.0.0.1';
}

/** axe-core with the WCAG 2.0/2.1 A and AA rules: any violation fails with a readable list. */
export async function checkA11y(page: Page, label = page.url()): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const lines = result.violations.map((v) => {
    const nodes = v.nodes.map(
      (n) => `    at ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
    );
    return `  [${v.impact ?? '-'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
  });
  if (lines.length)
    throw new Error(`axe-core: ${lines.length} violation(s) on ${label}\n${lines.join('\n')}`);
}

/** Navigates (or waits after a click), asserts the HTTP status and runs axe on the result. */
export async function visit(page: Page, path: string, status = 200): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status(), `status of ${path}`).toBe(status);
  await checkA11y(page, path);
}

/** Clicks a submit button and waits for the navigation the form causes; returns its final status. */
export async function submit(page: Page, buttonName: string | RegExp): Promise<number | undefined> {
  const [res] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: buttonName }).click(),
  ]);
  return res?.status();
}

/** The correlation id shown on an error page, matching the X-Request-Id shape (a UUID). */
export async function correlationId(page: Page): Promise<string> {
  const text = (await page.locator('.correlation code').textContent()) ?? '';
  expect(text).toMatch(/^[0-9a-f-]{36}$/);
  return text;
}

export type Mail = { to: string; subject: string; body: string; template: string };

/** The newest mail_outbox row for an address (mails land there when SMTP_URL is unset). */
export async function latestMail(env: TestEnv, to: string): Promise<Mail> {
  const row = await env.db
    .selectFrom('mail_outbox')
    .select(['to_address', 'subject', 'body_text', 'template'])
    .where('to_address', '=', normalizeEmail(to))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new Error(`no mail in the outbox for ${to}`);
  return { to: row.to_address, subject: row.subject, body: row.body_text, template: row.template };
}

/** The first http(s) URL in a mail body that starts with baseUrl + pathPrefix. */
export function urlFrom(body: string, baseUrl: string, pathPrefix = '/'): string {
  const found = body.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  const url = found.find((u) => u.startsWith(`${baseUrl}${pathPrefix}`));
  if (!url) throw new Error(`no ${baseUrl}${pathPrefix}… link in mail:\n${body}`);
  return url;
}

/** The TOTP secret the server holds for a user (pending or enrolled), decrypted with the server key. */
export async function totpSecretOf(env: TestEnv, email: string): Promise<string> {
  const row = await env.db
    .selectFrom('users')
    .select('totp_secret_enc')
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirstOrThrow();
  if (!row.totp_secret_enc) throw new Error(`${email} has no TOTP secret yet`);
  return decryptSecret(env.config.secretKey, 'totp', row.totp_secret_enc);
}

const STEP_MS = 30_000;

/**
 * A code the server will accept now and has not seen: the server refuses a step not newer than the last one
 * used (replay), and accepts one step of drift, so after a use in the current step the next step's code
 * is valid; two uses within one step wait for the next step.
 */
export async function freshTotp(env: TestEnv, email: string): Promise<string> {
  const secret = await totpSecretOf(env, email);
  const row = await env.db
    .selectFrom('users')
    .select('totp_last_step')
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirstOrThrow();
  const last = row.totp_last_step === null ? -1 : Number(row.totp_last_step);
  for (;;) {
    const current = Math.floor(Date.now() / STEP_MS);
    // Near the end of a step, skip it: the code must still be current when the server checks it.
    const msLeft = STEP_MS - (Date.now() % STEP_MS);
    const candidates = msLeft < 2_000 ? [current + 1] : [current, current + 1];
    const step = candidates.find((s) => s > last);
    if (step !== undefined) return totpCode(secret, new Date(step * STEP_MS));
    await new Promise((r) => setTimeout(r, msLeft + 50));
  }
}

/** Signs a learner in through the real magic-link pages, each checked with axe. Ends on /dashboard. */
export async function signInByLink(e2e: E2E, page: Page, email: string): Promise<void> {
  await visit(page, '/login/link');
  await page.getByLabel('メールアドレス').fill(email);
  expect(await submit(page, 'ログイン用リンクを送る')).toBe(200);
  await checkA11y(page, '/login/link/sent');
  await visit(page, urlFrom((await latestMail(e2e.env, email)).body, e2e.baseUrl, '/login/link/'));
  expect(await submit(page, 'ログインする')).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  await checkA11y(page, '/dashboard (learner)');
}

/**
 * Signs staff in through the real pages: password, then enrolment (first time) or a code, each page
 * checked with axe. Ends on /dashboard.
 */
export async function signInStaff(e2e: E2E, page: Page, email: string, password: string): Promise<void> {
  await visit(page, '/login/staff');
  await page.getByLabel('メールアドレス').fill(email);
  await page.getByLabel('パスワード').fill(password);
  expect(await submit(page, 'ログイン')).toBe(200);
  const path = new URL(page.url()).pathname;
  expect(['/mfa/enrol', '/login/mfa']).toContain(path);
  await checkA11y(page, path);
  await page.getByLabel('確認コード').fill(await freshTotp(e2e.env, email));
  expect(await submit(page, path === '/mfa/enrol' ? '登録する' : '確認する')).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  await checkA11y(page, '/dashboard');
}
