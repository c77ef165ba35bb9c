import type { Child } from 'hono/jsx';
import type { Actor } from '../../lib/actor.js';
import { type Locale, t } from '../../lib/i18n.js';

export type PageCtx = {
  locale: Locale;
  nonce: string;
  csrfToken: string;
  actor: Actor;
  path: string;
  requestId: string;
  /** A staff session that still has to pass MFA: show only "sign out". */
  pendingMfa: boolean;
};

/**
 * Description and Open Graph tags for public pages (shared links show a title and summary). `url` is
 * absolute (config.baseUrl). No og:image: a picture would have to be our own absolute URL (tender 16)⑥).
 */
export type PageMeta = {
  description: string;
  url: string;
  type?: 'website' | 'article';
};

type NavItem = { href: string; label: string };

function navItems(ctx: PageCtx): NavItem[] {
  const a = ctx.actor;
  const items: NavItem[] = [
    { href: '/', label: t(ctx.locale, 'nav.home') },
    { href: '/programmes', label: t(ctx.locale, 'nav.catalogue') },
  ];
  if (a.type === 'staff') {
    items.push({ href: '/dashboard', label: t(ctx.locale, 'nav.dashboard') });
    items.push({ href: '/admin/organisations', label: t(ctx.locale, 'nav.organisations') });
    if (a.org.kind === 'case_study_operator' || a.org.kind === 'regional_hub') {
      items.push({ href: '/admin/programmes', label: t(ctx.locale, 'nav.programmes') });
      items.push({ href: '/admin/applications', label: t(ctx.locale, 'nav.applications') });
      items.push({ href: '/admin/badges', label: t(ctx.locale, 'nav.badges') });
    }
    if (a.org.kind === 'ministry') {
      items.push({ href: '/admin/applications/overview', label: t(ctx.locale, 'nav.overview') });
      items.push({ href: '/admin/badges/overview', label: t(ctx.locale, 'nav.badges') });
    }
    if (a.org.kind === 'secretariat') {
      items.push({ href: '/admin/programmes', label: t(ctx.locale, 'nav.programmes') });
      items.push({ href: '/admin/frameworks', label: t(ctx.locale, 'nav.frameworks') });
      items.push({ href: '/admin/badges', label: t(ctx.locale, 'nav.badges') });
      items.push({ href: '/admin/applications/overview', label: t(ctx.locale, 'nav.overview') });
      items.push({ href: '/admin/audit', label: t(ctx.locale, 'nav.audit') });
      items.push({ href: '/admin/outbox', label: t(ctx.locale, 'nav.outbox') });
    }
  }
  if (a.type === 'learner') {
    items.push({ href: '/dashboard', label: t(ctx.locale, 'nav.dashboard') });
    items.push({ href: '/my/applications', label: t(ctx.locale, 'nav.myApplications') });
    items.push({ href: '/my/badges', label: t(ctx.locale, 'nav.myBadges') });
  }
  if (a.type === 'staff' || a.type === 'learner')
    items.push({ href: '/account', label: t(ctx.locale, 'nav.account') });
  return items;
}

function MetaTags(props: { meta: PageMeta; title: string; siteName: string }) {
  const { meta } = props;
  return (
    <>
      <meta name="description" content={meta.description} />
      <link rel="canonical" href={meta.url} />
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={meta.description} />
      <meta property="og:url" content={meta.url} />
      <meta property="og:type" content={meta.type ?? 'website'} />
      <meta property="og:site_name" content={props.siteName} />
      <meta property="og:locale" content="ja_JP" />
    </>
  );
}

export function Layout(props: { ctx: PageCtx; title: string; meta?: PageMeta; children?: Child }) {
  const { ctx } = props;
  const signedIn = ctx.actor.type === 'staff' || ctx.actor.type === 'learner' || ctx.pendingMfa;
  const otherLocale: Locale = ctx.locale === 'ja' ? 'en' : 'ja';
  return (
    <html lang={ctx.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} | ${t(ctx.locale, 'site.name')}`}</title>
        {props.meta ? (
          <MetaTags meta={props.meta} title={props.title} siteName={t(ctx.locale, 'site.name')} />
        ) : null}
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/fonts/noto-sans-jp/400.css" />
        <link rel="stylesheet" href="/assets/fonts/noto-sans-jp/700.css" />
        <link rel="stylesheet" href="/assets/tokens.css" />
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/app.js" nonce={ctx.nonce} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t(ctx.locale, 'nav.skip')}
        </a>
        <header class="site-header">
          <div class="container header-inner">
            <a class="brand" href="/">
              <span class="brand-name">{t(ctx.locale, 'site.name')}</span>
              <span class="brand-tagline">{t(ctx.locale, 'site.tagline')}</span>
            </a>
            <div class="header-tools">
              <a href={`${ctx.path}?lang=${otherLocale}`} lang={otherLocale} hreflang={otherLocale}>
                {t(ctx.locale, 'lang.switch')}
              </a>
              {signedIn ? (
                <form method="post" action="/logout" class="inline-form">
                  <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                  <button type="submit" class="button-link">
                    {t(ctx.locale, 'nav.logout')}
                  </button>
                </form>
              ) : (
                <a href="/login">{t(ctx.locale, 'nav.login')}</a>
              )}
            </div>
          </div>
          {ctx.pendingMfa ? null : (
            <nav class="site-nav" aria-label={t(ctx.locale, 'nav.main')}>
              <ul class="container">
                {navItems(ctx).map((item) => (
                  <li>
                    <a href={item.href} aria-current={isCurrent(ctx.path, item.href) ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <div class="container">{props.children}</div>
        </main>
        <footer class="site-footer">
          <div class="container">
            <ul class="footer-links">
              <li>
                <a href="/faq">{t(ctx.locale, 'footer.faq')}</a>
              </li>
              <li>
                <a href="/privacy">{t(ctx.locale, 'footer.privacy')}</a>
              </li>
              <li>
                <a href="/accessibility">{t(ctx.locale, 'footer.accessibility')}</a>
              </li>
              <li>
                <a href="/frameworks">{t(ctx.locale, 'footer.frameworks')}</a>
              </li>
              <li>
                <a href="/verify">{t(ctx.locale, 'footer.verify')}</a>
              </li>
              <li>
                <a href="/open-badges/guide">{t(ctx.locale, 'footer.badgeGuide')}</a>
              </li>
            </ul>
            <p>{t(ctx.locale, 'footer.operator')}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}

function isCurrent(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}
