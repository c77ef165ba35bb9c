import { describe, expect, it } from 'vitest';
import { isAllowedLink, markdownToText, renderMarkdown } from './markdown.js';

const TAGS = new Set(
  'p a strong em code pre ul ol li blockquote hr br h3 h4 h5 h6 table thead tbody tr th td s'.split(' '),
);
const ATTRS = new Set(['href', 'rel', 'class', 'start']);

/**
 * Every element and attribute in the output is on an allow-list, and every href is http(s) or mailto: nothing
 * can run script, load a resource or style the page. Text is escaped, so any `<` in the output opens a real tag.
 */
function expectInert(html: string): void {
  for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    const [, tag = '', rest = ''] = m;
    expect(TAGS, `element <${tag}> in ${html}`).toContain(tag.toLowerCase());
    for (const a of rest.matchAll(/\s([^\s=]+)(?:="([^"]*)")?/g)) {
      const [, name = '', value = ''] = a;
      expect(ATTRS, `attribute ${name} in ${html}`).toContain(name);
      if (name === 'href') expect(value).toMatch(/^(?:https?:\/\/|mailto:)/);
      if (name === 'class') expect(value).toMatch(/^(?:align-(?:left|right|center)|language-[a-z]+)$/);
    }
  }
}

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const html = renderMarkdown('## 内容\n\n地域企業の **実データ** を使います。\n\n- 週6時間\n- 2か月');
    expect(html).toContain('<h4>内容</h4>');
    expect(html).toContain('<strong>実データ</strong>');
    expect(html).toContain('<li>週6時間</li>');
  });

  it('escapes raw HTML instead of passing it through', () => {
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<svg onload=alert(1)>',
      '<style>body{display:none}</style>',
      '<div style="position:fixed">x</div>',
      '<!-- <script>alert(1)</script> -->',
    ];
    for (const p of payloads) {
      const html = renderMarkdown(`${p}\n\ninline ${p} text`);
      expectInert(html);
      expect(html).toContain('&lt;');
    }
    expect(renderMarkdown('<script>alert(1)</script>')).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('refuses javascript:, vbscript:, data: and relative links in every link syntax', () => {
    const sources = [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x]( javascript:alert(1) )',
      '[x](java\tscript:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](&#x6A;avascript&#58;alert(1))',
      '[x](javascript&colon;alert(1))',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[x](data:image/png;base64,iVBORw0KGgo=)',
      '[x](//evil.example/)',
      '[x](/admin)',
      '<javascript:alert(1)>',
      '<data:text/html,<script>alert(1)</script>>',
      '[x][r]\n\n[r]: javascript:alert(1)',
      '[x](file:///etc/passwd)',
    ];
    for (const s of sources) {
      const html = renderMarkdown(s);
      expectInert(html);
      expect(html).not.toContain('<a ');
    }
  });

  it('keeps http, https and mailto links, with rel="noopener noreferrer" on web links', () => {
    const html = renderMarkdown(
      '[事務局](https://example.jp/a?b=1&c=2) と <http://example.jp> と [メール](mailto:info@example.jp)',
    );
    expect(html).toContain('<a href="https://example.jp/a?b=1&amp;c=2" rel="noopener noreferrer">事務局</a>');
    expect(html).toContain('<a href="http://example.jp" rel="noopener noreferrer">http://example.jp</a>');
    expect(html).toContain('<a href="mailto:info@example.jp">メール</a>');
  });

  it('links bare URLs (linkify), but never a quote-breaking one', () => {
    const html = renderMarkdown('詳しくは https://example.jp/x"onmouseover="alert(1) をご覧ください');
    expect(html).toContain('rel="noopener noreferrer"');
    expectInert(html);
    expect(html).not.toContain('"onmouseover');
  });

  it('renders images as a plain link and never as <img> (no request to another host)', () => {
    const html = renderMarkdown('![会場の写真](https://cdn.example.com/p.png "写真")');
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '<a href="https://cdn.example.com/p.png" rel="noopener noreferrer">画像: 会場の写真</a>',
    );
    for (const s of [
      '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
      '![x" onerror="alert(1)](https://e.example/x.png)',
      '![<img src=x onerror=alert(1)>](https://e.example/x.png)',
      '![x](javascript:alert(1))',
    ]) {
      expectInert(renderMarkdown(s));
    }
  });

  it('keeps HTML entities as text: an encoded tag stays text', () => {
    const html = renderMarkdown('&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;');
    expectInert(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes code spans and blocks', () => {
    const html = renderMarkdown('`<script>` and\n\n```html\n<script>alert(1)</script>\n```');
    expectInert(html);
    expect(html).toContain('<code>&lt;script&gt;</code>');
  });

  it('shifts headings so a description cannot add an h1, capped at h6', () => {
    const html = renderMarkdown('# A\n\n## B\n\n###### F\n\nSetext\n===');
    expect(html).not.toMatch(/<h[12][ >]/);
    expect(html).toContain('<h3>A</h3>');
    expect(html).toContain('<h4>B</h4>');
    expect(html).toContain('<h6>F</h6>');
    expect(html).toContain('<h3>Setext</h3>');
    expect(renderMarkdown('# A', { headingOffset: 1 })).toContain('<h2>A</h2>');
  });

  it('aligns table cells with a class, not an inline style (CSP)', () => {
    const html = renderMarkdown('| a | b |\n|:--|--:|\n| 1 | 2 |');
    expect(html).toContain('<th class="align-left">a</th>');
    expect(html).toContain('<td class="align-right">2</td>');
    expectInert(html);
  });
});

describe('isAllowedLink', () => {
  it('allows only absolute http, https and mailto', () => {
    expect(isAllowedLink('https://example.jp')).toBe(true);
    expect(isAllowedLink('HTTP://example.jp')).toBe(true);
    expect(isAllowedLink('mailto:a@example.jp')).toBe(true);
    for (const bad of ['javascript:x', 'data:x', '/x', '//x', 'ftp://x', 'https:x', '']) {
      expect(isAllowedLink(bad)).toBe(false);
    }
  });
});

describe('markdownToText', () => {
  it('gives plain text for meta descriptions, with markup and HTML removed', () => {
    expect(markdownToText('## 内容\n\n**実データ** を使う <b>x</b>')).toBe('内容 実データ を使う <b>x</b>');
  });
});
