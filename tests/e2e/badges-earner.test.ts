import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedAchievement } from '../../src/modules/badges/badges.test-support.js';
import { extractFromPng } from '../../src/modules/badges/baking.js';
import { issueBadge } from '../../src/modules/badges/issue.service.js';
import { revokeBadge } from '../../src/modules/badges/revocation.service.js';
import { staffActor } from '../../src/test/application-factories.js';
import { checkA11y, type E2E, latestMail, startE2E, submit, urlFrom, visit } from './harness.js';

/**
 * An earner's journey (issue 4 §5): a hub issues a badge to a learner's address; the learner opens the claim
 * link from the mail, signs in by e-mail link, claims the badge, finds it on /my/badges and its page,
 * downloads the baked PNG and follows the verification link, which says the badge is valid. axe-core checks
 * every page on the way, and no request leaves 127.0.0.1 (the LinkedIn link is only a link).
 */
describe('an earner receives a badge', { timeout: 180_000 }, () => {
  let e2e: E2E;
  let credentialId = '';
  let revokedId = '';
  const learner = `earner-${Date.now().toString(36)}@example.jp`;

  beforeAll(async () => {
    e2e = await startE2E();
    const hub = await staffActor(e2e.env, 'regional_hub', 'staff');
    const achievement = await publishedAchievement(e2e.env, hub);
    ({ credentialId } = await issueBadge(e2e.env, hub, {
      achievementId: achievement.id,
      email: learner,
      name: '修了 花子',
      format: 'ldp',
    }));
    const other = await publishedAchievement(e2e.env, hub);
    ({ credentialId: revokedId } = await issueBadge(e2e.env, hub, {
      achievementId: other.id,
      email: `revoked-${learner}`,
      name: '修了 花子',
    }));
    await revokeBadge(e2e.env, hub, { credentialId: revokedId, reason: '受講記録の誤り' });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('claims the badge from the mail, sees it, downloads it and verifies it', async () => {
    const page = await e2e.newPage();
    const mail = await latestMail(e2e.env, learner);
    expect(mail.template).toBe('badge_issued');
    const claimUrl = urlFrom(mail.body, e2e.baseUrl, `/badges/${credentialId}?claim=`);

    // Not signed in: the claim link leads to the sign-in by e-mail link, which comes back to it.
    const first = await page.goto(claimUrl);
    expect(first?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/login/link');
    await checkA11y(page, '/login/link?next=/badges/…');
    await page.getByLabel('メールアドレス').fill(learner);
    expect(await submit(page, 'ログイン用リンクを送る')).toBe(200);
    await checkA11y(page, '/login/link/sent');
    await visit(page, urlFrom((await latestMail(e2e.env, learner)).body, e2e.baseUrl, '/login/link/'));
    expect(await submit(page, 'ログインする')).toBe(200);
    expect(page.url()).toBe(claimUrl);
    await expect.poll(() => page.locator('h1').textContent()).toBe('地域企業協働プログラム 修了');
    await checkA11y(page, 'badge page with the claim button');

    // Claim: the badge is now on /my/badges, reachable from the navigation.
    expect(await submit(page, 'バッジを受け取る')).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/my/badges');
    await expect
      .poll(() => page.locator('.notice-success').textContent())
      .toContain('バッジを受け取りました。');
    await checkA11y(page, '/my/badges after claiming');
    await page
      .getByRole('navigation', { name: 'メインメニュー' })
      .getByRole('link', { name: 'バッジ' })
      .click();
    await page.waitForURL(/\/my\/badges$/);
    await checkA11y(page, '/my/badges');

    // Its page: what it certifies, the skills, downloads, verification and the LinkedIn link.
    await page.getByRole('link', { name: '地域企業協働プログラム 修了' }).click();
    await page.waitForURL(new RegExp(`/badges/${credentialId}$`));
    await checkA11y(page, '/badges/:id (owner)');
    await expect.poll(() => page.getByText('あなたのバッジです。').count()).toBe(1);
    expect(await page.getByRole('img', { name: 'バッジ画像「地域企業協働プログラム 修了」' }).count()).toBe(
      1,
    );
    const linkedIn = await page.getByRole('link', { name: /LinkedIn/ }).getAttribute('href');
    expect(linkedIn).toMatch(/^https:\/\/www\.linkedin\.com\/profile\/add\?startTask=CERTIFICATION_NAME&/);
    expect(new URL(linkedIn ?? '').searchParams.get('certUrl')).toBe(`${e2e.baseUrl}/badges/${credentialId}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'バッジ画像(PNG、証明データ入り)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`badge-${credentialId}.png`);
    const png = await readFile(await download.path());
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const baked = JSON.parse(extractFromPng(png) ?? '{}') as { id?: string };
    expect(baked.id).toBe(`urn:uuid:${credentialId}`);

    await Promise.all([
      page.waitForURL(/\/verify\?url=/),
      page.getByRole('link', { name: 'このバッジを検証する' }).click(),
    ]);
    await expect.poll(() => page.getByText('有効なバッジです').count()).toBeGreaterThan(0);
    await checkA11y(page, '/verify?url=…');

    // Anyone else sees the same public page (no claim, no name), also without a session.
    const visitor = await e2e.newPage();
    await visit(visitor, `/badges/${credentialId}`);
    expect(await visitor.getByText('あなたのバッジです。').count()).toBe(0);
    expect(await visitor.getByText('修了 花子').count()).toBe(0);
    // A revoked badge says so at the top of its page.
    await visit(visitor, `/badges/${revokedId}`);
    await expect
      .poll(() => visitor.locator('.notice-warning').textContent())
      .toContain('失効したバッジです。');

    e2e.assertClean();
  });
});
