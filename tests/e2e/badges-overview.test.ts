import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededAccount, seedDemo } from '../../src/db/seed/demo.js';
import { publishedAchievement } from '../../src/modules/badges/badges.test-support.js';
import { issueBadge } from '../../src/modules/badges/issue.service.js';
import { revokeBadge } from '../../src/modules/badges/revocation.service.js';
import { staffActor } from '../../src/test/application-factories.js';
import { checkA11y, type E2E, signInStaff, startE2E, visit } from './harness.js';

/**
 * METI's view of badges on the demo data: signed in as the demo METI viewer, the main menu's バッジ leads to
 * the overview of badges issued and revoked (figures only), which passes axe-core; /admin/badges itself
 * leads there too.
 */
describe('METI reads the badge overview', { timeout: 120_000 }, () => {
  let e2e: E2E;
  let accounts: SeededAccount[];
  let page: Page;

  beforeAll(async () => {
    e2e = await startE2E();
    accounts = await seedDemo(e2e.env);
    const hubId = (
      await e2e.env.db
        .selectFrom('organisations')
        .select('id')
        .where('kind', '=', 'regional_hub')
        .orderBy('name')
        .executeTakeFirstOrThrow()
    ).id;
    const hub = await staffActor(e2e.env, 'regional_hub', 'staff', hubId);
    const achievement = await publishedAchievement(e2e.env, hub);
    for (const [i, email] of ['overview-1@example.jp', 'overview-2@example.jp'].entries()) {
      const { credentialId } = await issueBadge(e2e.env, hub, {
        achievementId: achievement.id,
        email,
        name: '受講 太郎',
      });
      if (i === 1) await revokeBadge(e2e.env, hub, { credentialId, reason: '受講記録の誤り' });
    }
  });
  afterAll(async () => {
    e2e?.assertClean();
    await e2e?.close();
  });

  it('goes from the main menu to the overview, which passes axe-core', async () => {
    const meti = accounts.find((a) => a.email.startsWith('meti@'));
    if (!meti) throw new Error('no demo METI account');
    page = await e2e.newPage();
    await signInStaff(e2e, page, meti.email, meti.password);
    await page
      .getByRole('navigation', { name: 'メインメニュー' })
      .getByRole('link', { name: 'バッジ' })
      .click();
    await page.waitForURL(/\/admin\/badges\/overview$/);
    await checkA11y(page, '/admin/badges/overview');
    await expect.poll(() => page.locator('h1').textContent()).toBe('バッジの発行状況');
    const byOrg = page.getByRole('table', { name: /組織別の発行数と取り消し数/ });
    await expect.poll(() => byOrg.locator('tfoot').textContent()).toMatch(/合計\s*2\s*1/);
    expect(await page.locator('main').textContent()).not.toContain('overview-1@example.jp');
  });

  it('answers /admin/badges with the overview, and filters by fiscal year', async () => {
    await visit(page, '/admin/badges');
    expect(new URL(page.url()).pathname).toBe('/admin/badges/overview');
    await page.getByLabel('年度(授与日)').selectOption({ index: 1 });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '表示する' }).click()]);
    expect(new URL(page.url()).search).toMatch(/^\?fy=\d{4}$/);
    await checkA11y(page, '/admin/badges/overview?fy=');
  });
});
