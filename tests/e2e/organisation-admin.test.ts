import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrg, makeUser, type TestUser } from '../../src/test/app.js';
import {
  checkA11y,
  correlationId,
  type E2E,
  latestMail,
  signInStaff,
  startE2E,
  submit,
  urlFrom,
  visit,
} from './harness.js';

/**
 * Secretariat admin creates a regional hub and invites its admin; the invitee accepts from the mail, sets a
 * name and password, signs in with MFA enrolment and sees only their own organisation.
 */
describe('organisation administration and invitation', { timeout: 180_000 }, () => {
  let e2e: E2E;
  let admin: TestUser;
  let secretariatId: string;
  let hubId = '';
  let acceptUrl = '';
  const secretariatName = 'e2e 事務局';
  const hubName = 'e2e 北海道DXハブ';
  const invitee = `hub-admin-${Date.now().toString(36)}@example.jp`;
  const inviteePassword = 'a-long-and-unusual-passphrase-for-e2e';

  beforeAll(async () => {
    e2e = await startE2E();
    secretariatId = await makeOrg(e2e.env, 'secretariat', secretariatName);
    admin = await makeUser(e2e.env, { orgId: secretariatId, role: 'admin' });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  let page: Page;

  it('secretariat admin signs in (with enrolment) and opens the organisation list', async () => {
    page = await e2e.newPage();
    await signInStaff(e2e, page, admin.email, admin.password);
    await visit(page, '/admin/organisations');
    await expect.poll(() => page.locator('main table').textContent()).toContain(secretariatName);
  });

  it('creates a regional hub; a missing field re-renders the form with errors first', async () => {
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: '組織を登録する' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/admin/organisations/new');
    await checkA11y(page, '/admin/organisations/new');

    await page.getByLabel('組織名').fill(hubName);
    await page.getByLabel('種別', { exact: false }).selectOption({ label: '地域ハブ団体(3層)' });
    expect(await submit(page, '登録する')).toBe(422); // a regional hub needs its prefecture
    expect(await page.locator('#f-prefectureCode').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, '/admin/organisations/new (errors)');

    await page.getByLabel('都道府県').selectOption({ label: '北海道' });
    expect(await submit(page, '登録する')).toBe(200);
    const url = new URL(page.url());
    expect(url.searchParams.get('done')).toBe('created');
    hubId = url.pathname.split('/').pop() ?? '';
    await expect.poll(() => page.locator('h1').textContent()).toBe(hubName);
    await checkA11y(page, '/admin/organisations/:id?done=created');
  });

  it('invites a hub admin, whose invitation mail carries the link', async () => {
    await page.getByLabel('メールアドレス').fill('not an address');
    await page.getByLabel('役割').selectOption({ label: '管理者' });
    expect(await submit(page, '招待メールを送る')).toBe(422);
    await checkA11y(page, '/admin/organisations/:id (invitation errors)');

    await page.getByLabel('メールアドレス').fill(invitee);
    await page.getByLabel('役割').selectOption({ label: '管理者' });
    expect(await submit(page, '招待メールを送る')).toBe(200);
    expect(new URL(page.url()).searchParams.get('done')).toBe('invited');
    await expect.poll(() => page.locator('main').textContent()).toContain(invitee);
    await checkA11y(page, '/admin/organisations/:id?done=invited');

    const mail = await latestMail(e2e.env, invitee);
    expect(mail.template).toBe('invitation');
    expect(mail.body).toContain(hubName);
    acceptUrl = urlFrom(mail.body, e2e.baseUrl, '/invitations/');
  });

  let hubPage: Page;

  it('the invitee accepts: name and password (a mismatch first), then the staff login page', async () => {
    hubPage = await e2e.newPage(); // another person, another browser context
    const res = await hubPage.goto(acceptUrl);
    expect(res?.status()).toBe(200);
    await expect.poll(() => hubPage.locator('main').textContent()).toContain(hubName);
    await checkA11y(hubPage, '/invitations/:token');

    await hubPage.getByLabel('氏名').fill('北海 花子');
    await hubPage.locator('#f-password').fill(inviteePassword);
    await hubPage.locator('#f-confirm').fill(`${inviteePassword}-typo`);
    expect(await submit(hubPage, '承諾してアカウントを作成する')).toBe(422);
    expect(await hubPage.locator('#f-confirm').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(hubPage, '/invitations/:token (errors)');

    await hubPage.locator('#f-password').fill(inviteePassword);
    await hubPage.locator('#f-confirm').fill(inviteePassword);
    expect(await submit(hubPage, '承諾してアカウントを作成する')).toBe(200);
    const url = new URL(hubPage.url());
    expect(`${url.pathname}${url.search}`).toBe('/login/staff?done=invited');
    await checkA11y(hubPage, '/login/staff?done=invited');

    // The link is used up.
    const again = await hubPage.goto(acceptUrl);
    expect(again?.status()).toBe(410);
    await checkA11y(hubPage, '/invitations/:token (accepted)');
  });

  it('the hub admin signs in, enrols MFA and sees only their own organisation', async () => {
    await signInStaff(e2e, hubPage, invitee, inviteePassword);
    await expect.poll(() => hubPage.locator('main').textContent()).toContain(hubName);

    // The list is not theirs to see: they are taken to their own organisation.
    expect((await hubPage.goto('/admin/organisations'))?.status()).toBe(200);
    expect(new URL(hubPage.url()).pathname).toBe(`/admin/organisations/${hubId}`);
    await expect.poll(() => hubPage.locator('main').textContent()).toContain('北海 花子');
    await checkA11y(hubPage, '/admin/organisations/:hubId (hub admin)');

    const res = await hubPage.goto(`/admin/organisations/${secretariatId}`);
    expect([403, 404]).toContain(res?.status());
    expect(await hubPage.locator('main').textContent()).not.toContain(secretariatName);
    await correlationId(hubPage);
    await checkA11y(hubPage, '/admin/organisations/:secretariatId (hub admin)');

    expect([403, 404]).toContain(
      (await hubPage.goto(`/admin/organisations/${secretariatId}/edit`))?.status(),
    );
    await checkA11y(hubPage, '/admin/organisations/:secretariatId/edit (hub admin)');
    expect((await hubPage.goto('/admin/organisations/new'))?.status()).toBe(403);
    await checkA11y(hubPage, '/admin/organisations/new (hub admin)');
  });

  it('made no request outside 127.0.0.1 and logged no script or CSP error', () => {
    e2e.assertClean();
  });
});
