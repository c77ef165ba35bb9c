import MarkdownIt, { type RendererRule, type Token } from 'markdown-it';

/**
 * Programme descriptions are Markdown written by operator and hub staff and shown to the public, so the
 * renderer is the sanitiser (SECURITY.md, IPA #5: no raw HTML from users):
 * - `html: false`: raw HTML in the source is escaped as text, never passed through;
 * - links only to http, https and mailto (an allow-list, so `javascript:`, `data:`, `vbscript:` and whatever
 *   comes next are refused; a refused link stays as plain text);
 * - images are rendered as a plain link, never `<img>`: a page must not make the browser fetch from another
 *   host (tender 16)⑥, CSP `img-src 'self'`);
 * - no inline `style` (table alignment becomes a class): CSP has no 'unsafe-inline' for styles;
 * - headings are shifted down so a description cannot add a second h1 (WCAG 1.3.1, one h1 per page).
 */

const ALLOWED_LINK = /^(?:https?:\/\/|mailto:)/i;

export function isAllowedLink(url: string): boolean {
  // markdown-it has already decoded entities and percent-encoded the URL; anything that does not start with
  // an allowed scheme (including relative and protocol-relative URLs) is refused.
  return ALLOWED_LINK.test(url.trim());
}

function attr(t: Token, name: string): string {
  const v = t.attrGet(name);
  return v === null ? '' : String(v);
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
md.validateLink = isAllowedLink;

// Heading levels: `#` becomes h(1 + offset), capped at h6. Open and close tokens are shifted alike.
// The offset travels in markdown-it's per-render `env`.
const shiftHeading: RendererRule = (tokens, idx, options, env, self) => {
  const t = tokens[idx];
  const offset = typeof env?.headingOffset === 'number' ? env.headingOffset : 0;
  if (t) t.tag = `h${Math.min(6, Number(t.tag.slice(1)) + offset)}`;
  return self.renderToken(tokens, idx, options);
};
md.renderer.rules.heading_open = shiftHeading;
md.renderer.rules.heading_close = shiftHeading;

// Links to other sites: no window.opener and no Referer for them (the page's own policy is same-origin).
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const t = tokens[idx];
  if (t && /^https?:/i.test(attr(t, 'href'))) t.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, idx, options);
};

// An image becomes a link to it, labelled with its alt text, so nothing is fetched unless the reader asks.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const t = tokens[idx];
  if (!t) return '';
  const src = attr(t, 'src');
  const alt = self.renderInlineAsText(t.children ?? [], options, env).trim();
  const label = md.utils.escapeHtml(`画像: ${alt || src}`);
  if (!isAllowedLink(src)) return label;
  return `<a href="${md.utils.escapeHtml(src)}" rel="noopener noreferrer">${label}</a>`;
};

// Table alignment as a class instead of an inline style (CSP style-src 'self').
const alignCell: RendererRule = (tokens, idx, options, _env, self) => {
  const t: Token | undefined = tokens[idx];
  const style = t ? attr(t, 'style') : '';
  if (t && style) {
    const align = /text-align:(left|right|center)/.exec(style)?.[1];
    t.attrs = (t.attrs ?? []).filter(([name]) => name !== 'style');
    if (align) t.attrJoin('class', `align-${align}`);
  }
  return self.renderToken(tokens, idx, options);
};
md.renderer.rules.th_open = alignCell;
md.renderer.rules.td_open = alignCell;

/**
 * Renders a programme description to HTML that is safe to insert as-is. `headingOffset` 2 (the default)
 * turns `#` into h3, for a description placed under the page's h1 and a section h2.
 */
export function renderMarkdown(source: string, opts: { headingOffset?: number } = {}): string {
  return md.render(source, { headingOffset: opts.headingOffset ?? 2 });
}

/** Plain text of a description (for meta descriptions): the rendered text without any markup. */
export function markdownToText(source: string): string {
  const tokens = md.parse(source, { headingOffset: 0 });
  const parts: string[] = [];
  for (const t of tokens) {
    if (t.type === 'inline') parts.push(md.renderer.renderInlineAsText(t.children ?? [], md.options, {}));
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
