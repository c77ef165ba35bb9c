import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { type ErrorCode, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { STATUS_OF } from '../../../web/errors.js';
import { parseForm } from '../../../web/forms.js';
import { Layout, type PageMeta } from '../../../web/layout/layout.js';
import { pageCtx, redirect, render } from '../../../web/render.js';
import { claimBadge, type EarnerBadgeView, getCredentialForEarner, listMyBadges } from '../earner.service.js';
import { paths, siteUrl } from '../urls.js';
import { MY_BADGES_DONE, MyBadgesPage } from './earner-my-badges.js';
import { BadgePage, type ClaimState, type Ob2Links } from './earner-pages.js';

/**
 * The earner pages (issue 4 §5), mounted after the session and actor middleware (app.tsx):
 *
 *   GET  /badges/:id              the public page of a badge; with ?claim=<token> (the issuance mail's link)
 *                                 a visitor is sent to sign in by e-mail link and comes back here, where a
 *                                 signed-in learner gets a button to claim it
 *   POST /badges/:id/claim        claims it (CSRF-checked like every POST); then /my/badges
 *   GET  /my/badges               the signed-in learner's badges
 *
 * The documents /badges/:id.(json|jwt|png|svg) are badge-documents.routes.ts's, mounted earlier (with the
 * Open Badges 2.0 ones under /ob2/, linked from the page); the id here is a bare UUID, so the two never meet.
 * The claim is a POST behind a button, never done by the GET: mail scanners follow links, and a GET must not
 * change anything (as for the sign-in link).
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** newToken(): 32 random bytes in base64url; anything else cannot be a claim token. */
const CLAIM_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
const claimSchema = z.object({ claim: z.string().regex(CLAIM_TOKEN) });
/** Why claimBadge may say no (bad or foreign link, claimed by someone else, a link no longer valid): shown on the page. */
const CLAIM_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['FORBIDDEN', 'CONFLICT', 'INVALID_STATE']);

const claimPath = (id: string, token: string) => `/badges/${id}?claim=${encodeURIComponent(token)}`;
const signInTo = (c: AppContext, next: string) => redirect(c, `/login/link?next=${encodeURIComponent(next)}`);
const originOf = (c: AppContext) => new URL(c.get('deps').config.baseUrl).origin;
/** The badge's Open Badges 2.0 form (ob2/web/ob2.routes.ts), for wallets that take only 2.0. */
const ob2LinksOf = (c: AppContext, badge: EarnerBadgeView): Ob2Links => {
  const base = c.get('deps').config.baseUrl;
  return {
    assertionUrl: siteUrl(base, paths.ob2Assertion(badge.id)),
    imageUrl: siteUrl(base, paths.ob2AssertionImage(badge.id)),
  };
};

/** The badge page, with Open Graph tags for sharing (canonical: the page without ?claim=). */
function renderBadge(
  c: AppContext,
  badge: EarnerBadgeView,
  claim: ClaimState,
  status: ContentfulStatusCode = 200,
) {
  const ctx = pageCtx(c);
  const description =
    `${badge.issuer.name}が発行したオープンバッジ「${badge.name}」。${badge.description}`.slice(0, 200);
  const meta: PageMeta = { description, url: badge.publicUrl, type: 'website' };
  const body = <BadgePage badge={badge} claim={claim} origin={originOf(c)} ob2={ob2LinksOf(c, badge)} />;
  return c.html(
    html`<!DOCTYPE html>${(
      <Layout ctx={ctx} title={`${badge.name}(オープンバッジ)`} meta={meta}>
        {/* The badge is written in Japanese: marked so when the chrome is in English (WCAG 3.1.2). */}
        {ctx.locale === 'ja' ? body : <div lang="ja">{body}</div>}
      </Layout>
    )}`,
    status,
  );
}

export function earnerBadgeRoutes() {
  const app = new Hono<AppEnv>();
  const deps = (c: AppContext) => c.get('deps');

  app.get(`/badges/:id{${UUID}}`, async (c) => {
    const actor = c.get('actor');
    const token = c.req.query('claim');
    const claimToken = token !== undefined && CLAIM_TOKEN.test(token) ? token : undefined;
    const badge = await getCredentialForEarner(deps(c), actor, {
      credentialId: c.req.param('id'),
      ...(claimToken ? { claimToken } : {}),
    });
    let claim: ClaimState = { kind: 'none' };
    if (token !== undefined) {
      if (!claimToken || badge.viewer === 'public') claim = { kind: 'wrong-link' };
      else if (actor.type === 'anonymous') return signInTo(c, claimPath(badge.id, claimToken));
      else if (actor.type === 'staff') claim = { kind: 'staff' };
      else claim = { kind: 'offer', token: claimToken, csrf: c.get('csrfToken') };
    }
    return renderBadge(c, badge, claim);
  });

  app.post(`/badges/:id{${UUID}}/claim`, async (c) => {
    const actor = c.get('actor');
    const credentialId = c.req.param('id').toLowerCase();
    const form = await parseForm(c, claimSchema);
    if (actor.type === 'anonymous') {
      // Signed out since the page was shown (idle timeout): sign in and come back to the button.
      return signInTo(c, form.ok ? claimPath(credentialId, form.data.claim) : `/badges/${credentialId}`);
    }
    if (!form.ok) {
      const badge = await getCredentialForEarner(deps(c), actor, { credentialId });
      return renderBadge(c, badge, { kind: 'wrong-link' }, 422);
    }
    try {
      await claimBadge(deps(c), actor, { credentialId, claimToken: form.data.claim });
    } catch (e) {
      if (!isAppError(e) || !CLAIM_REFUSALS.has(e.code)) throw e;
      const badge = await getCredentialForEarner(deps(c), actor, { credentialId });
      const claim: ClaimState =
        actor.type === 'staff'
          ? { kind: 'staff' }
          : e.code === 'CONFLICT'
            ? {
                kind: 'failed',
                message: `${e.messageJa}。ご自身で受け取った覚えがある場合は、そのときのメールアドレスでログインし直してください。`,
              }
            : { kind: 'failed', message: e.messageJa };
      return renderBadge(c, badge, claim, STATUS_OF[e.code]);
    }
    return redirect(c, '/my/badges?done=claimed');
  });

  app.get('/my/badges', async (c) => {
    if (c.get('actor').type === 'anonymous') return signInTo(c, '/my/badges');
    const badges = await listMyBadges(deps(c), c.get('actor'));
    return render(
      c,
      'バッジ',
      <MyBadgesPage badges={badges} origin={originOf(c)} done={MY_BADGES_DONE[c.req.query('done') ?? '']} />,
    );
  });

  return app;
}
