import { ImageError } from './png-image.js';

/**
 * Sanitising an uploaded SVG badge image (issue 4 §3; SECURITY.md: no scripts, no outside servers). The file
 * is parsed as XML and written again from an allow-list: only static SVG drawing elements and presentation
 * attributes survive; scripts, event handlers, animation, foreignObject, metadata and other namespaces are
 * dropped with their content; links may only point inside the document (`#id`), and embedded raster images
 * only as base64 data: URIs; CSS (style attributes and <style>) may not import or point outside. A DOCTYPE
 * (entities, external DTDs) is refused outright. What was removed is reported, so the form can say so.
 */

export const MAX_SVG_UPLOAD_BYTES = 512 * 1024;
const MAX_DEPTH = 64;
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const BROKEN = 'SVG 画像として読めません。画像編集ソフトで SVG 形式に保存し直してください';

const ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'title',
  'desc',
  'symbol',
  'use',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'pattern',
  'marker',
  'image',
  'style',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
]);

const ATTRIBUTES = new Set(
  `id class style transform viewBox width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength
  fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
  stroke-dasharray stroke-dashoffset stroke-opacity opacity offset stop-color stop-opacity gradientUnits
  gradientTransform spreadMethod clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits
  patternUnits patternContentUnits patternTransform preserveAspectRatio font-family font-size font-weight
  font-style font-variant text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing
  word-spacing text-decoration writing-mode dx dy rotate textLength lengthAdjust startOffset visibility
  display color filter filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4
  values type tableValues slope intercept amplitude exponent flood-color flood-opacity markerWidth
  markerHeight refX refY orient markerUnits marker-start marker-mid marker-end href xlink:href xml:space
  version paint-order vector-effect shape-rendering text-rendering image-rendering
  color-interpolation color-interpolation-filters mix-blend-mode isolation radius dy media`
    .split(/\s+/)
    .filter(Boolean),
);

/** Embedded rasters are allowed only as data: URIs of these types (no outside reference, nothing active). */
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/;

export type SanitisedSvg = { svg: string; removed: string[] };

type Attr = { name: string; value: string };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new ImageError(BROKEN, 'bare & in SVG');
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || code === 0) throw new ImageError(BROKEN, 'bad character reference');
      return String.fromCodePoint(code);
    }
    const named = ENTITIES[ref];
    if (named === undefined) throw new ImageError(BROKEN, `undefined entity ${whole}`);
    return named;
  });
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** CSS that stays inside the document: no @import, no url() but url(#id), no escapes or legacy expressions. */
function isSafeCss(css: string): boolean {
  if (/@import|@font-face|expression\s*\(|javascript:|\\|<\/?|behavior\s*:|-moz-binding/i.test(css)) {
    return false;
  }
  for (const m of css.matchAll(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    if (!/^#[A-Za-z_][\w.-]*$/.test(m[2] ?? '')) return false;
  }
  return !/url\s*\(/i.test(css.replace(/url\s*\(\s*(['"]?)#[A-Za-z_][\w.-]*\1\s*\)/gi, ''));
}

function safeAttribute(element: string, attr: Attr): boolean {
  const { name, value } = attr;
  if (!ATTRIBUTES.has(name)) return false;
  if (name === 'href' || name === 'xlink:href') {
    const v = value.trim();
    if (/^#[A-Za-z_][\w.-]*$/.test(v)) return true;
    return element === 'image' && DATA_IMAGE.test(v);
  }
  if (name === 'style') return isSafeCss(value);
  // Presentation attributes may hold url(#id) (fill, filter, clip-path, mask, markers), never another URL.
  return isSafeCss(value);
}

type Token =
  | { kind: 'open'; name: string; attrs: Attr[]; selfClosing: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const NAME = /^[A-Za-z_][\w.:-]*/;

function parseAttributes(source: string): Attr[] {
  const attrs: Attr[] = [];
  let rest = source;
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (!rest) return attrs;
    const m = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
    if (!m?.[1]) throw new ImageError(BROKEN, 'malformed attribute');
    if (attrs.some((a) => a.name === m[1])) throw new ImageError(BROKEN, `repeated attribute ${m[1]}`);
    attrs.push({ name: m[1], value: decode(m[3] ?? m[4] ?? '') });
    rest = rest.slice(m[0].length);
  }
}

function* tokens(svg: string): Generator<Token> {
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    if (lt < 0) {
      yield { kind: 'text', text: decode(svg.slice(i)) };
      return;
    }
    if (lt > i) yield { kind: 'text', text: decode(svg.slice(i, lt)) };
    const end = (marker: string, from: number) => {
      const at = svg.indexOf(marker, from);
      if (at < 0) throw new ImageError(BROKEN, `unterminated ${marker}`);
      return at;
    };
    if (svg.startsWith('<!--', lt)) {
      i = end('-->', lt + 4) + 3;
    } else if (svg.startsWith('<![CDATA[', lt)) {
      const stop = end(']]>', lt + 9);
      yield { kind: 'text', text: svg.slice(lt + 9, stop) };
      i = stop + 3;
    } else if (svg.startsWith('<!', lt)) {
      // DOCTYPE and the like: entity definitions and external DTDs are exactly what we will not process.
      throw new ImageError(
        'DOCTYPE 宣言を含む SVG は使えません。書き出し時に DOCTYPE を含めない設定にしてください',
        'DOCTYPE in SVG',
      );
    } else if (svg.startsWith('<?', lt)) {
      i = end('?>', lt + 2) + 2; // the XML declaration, or a processing instruction (xml-stylesheet): dropped
    } else if (svg.startsWith('</', lt)) {
      const stop = end('>', lt);
      const name = svg.slice(lt + 2, stop).trim();
      if (!NAME.test(name)) throw new ImageError(BROKEN, 'malformed end tag');
      yield { kind: 'close', name };
      i = stop + 1;
    } else {
      let quote: string | null = null;
      let stop = -1;
      for (let j = lt + 1; j < svg.length; j++) {
        const c = svg[j];
        if (quote) {
          if (c === quote) quote = null;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') {
          stop = j;
          break;
        }
      }
      if (stop < 0) throw new ImageError(BROKEN, 'unterminated tag');
      const inner = svg.slice(lt + 1, stop);
      const selfClosing = inner.endsWith('/');
      const body = selfClosing ? inner.slice(0, -1) : inner;
      const name = NAME.exec(body)?.[0];
      if (!name) throw new ImageError(BROKEN, 'malformed start tag');
      yield { kind: 'open', name, attrs: parseAttributes(body.slice(name.length)), selfClosing };
      i = stop + 1;
    }
  }
}

/**
 * The SVG, parsed and written again from the allow-list (see the top of this file). Throws ImageError for a
 * file that is not well-formed SVG, has a DOCTYPE or is too large.
 */
export function sanitiseSvg(input: Uint8Array | string): SanitisedSvg {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > MAX_SVG_UPLOAD_BYTES) {
    throw new ImageError(`SVG 画像が大きすぎます(${MAX_SVG_UPLOAD_BYTES / 1024}KB まで)`, 'SVG too large');
  }
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new ImageError('SVG 画像は UTF-8 で保存してください', 'SVG is not UTF-8');
  }
  text = text.replace(/^\uFEFF/, '');

  const removed = new Set<string>();
  const out: string[] = [];
  const stack: { name: string; kept: boolean }[] = [];
  let skipping = 0; // depth inside a dropped element
  let usesXlink = false;
  let roots = 0;

  for (const token of tokens(text)) {
    if (token.kind === 'text') {
      if (stack.length === 0) {
        if (token.text.trim()) throw new ImageError(BROKEN, 'text outside the root element');
        continue;
      }
      const parent = stack.at(-1);
      if (skipping || !parent?.kept) continue;
      if (parent.name === 'style' && !isSafeCss(token.text)) {
        removed.add('style の内容(外部参照)');
        continue;
      }
      out.push(escapeText(token.text));
      continue;
    }
    if (token.kind === 'close') {
      const open = stack.pop();
      if (!open || open.name !== token.name) throw new ImageError(BROKEN, 'mismatched end tag');
      if (skipping) skipping--;
      else if (open.kept) out.push(`</${open.name}>`);
      continue;
    }
    if (stack.length === 0) {
      roots++;
      if (roots > 1 || token.name !== 'svg') throw new ImageError(BROKEN, 'the root element is not <svg>');
      const ns = token.attrs.find((a) => a.name === 'xmlns')?.value;
      if (ns !== undefined && ns !== SVG_NS)
        throw new ImageError(BROKEN, 'the root is not in the SVG namespace');
    }
    if (stack.length >= MAX_DEPTH) throw new ImageError(BROKEN, 'SVG nested too deeply');
    const keep = !skipping && ELEMENTS.has(token.name);
    if (!keep && !skipping) removed.add(`<${token.name}>`);
    if (!token.selfClosing) {
      stack.push({ name: token.name, kept: keep });
      if (!keep) skipping++;
    }
    if (!keep) continue;
    const attrs: string[] = stack.length <= 1 && token.name === 'svg' ? [`xmlns="${SVG_NS}"`] : [];
    for (const attr of token.attrs) {
      if (attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) continue;
      if (!safeAttribute(token.name, attr)) {
        removed.add(`${attr.name} 属性`);
        continue;
      }
      if (attr.name === 'xlink:href') usesXlink = true;
      attrs.push(`${attr.name}="${escapeAttr(attr.value)}"`);
    }
    out.push(`<${[token.name, ...attrs].join(' ')}${token.selfClosing ? '/>' : '>'}`);
  }
  if (stack.length > 0 || roots === 0) throw new ImageError(BROKEN, 'unterminated SVG');
  let svg = out.join('');
  if (usesXlink) svg = svg.replace(/^<svg /, `<svg xmlns:xlink="${XLINK_NS}" `);
  return { svg, removed: [...removed] };
}

/** An SVG that shows a PNG (embedded as a data: URI): the baked SVG of a badge whose image is PNG only. */
export function svgWrappingPng(png: Uint8Array, size: { width: number; height: number }): string {
  const { width, height } = size;
  const data = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64');
  return (
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<image width="${width}" height="${height}" href="data:image/png;base64,${data}"/></svg>`
  );
}
