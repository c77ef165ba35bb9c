import { crc32, inflateSync } from 'node:zlib';

/**
 * Baking a credential into a badge image, and reading it back (OB 3.0 §5.3, OPEN-BADGES.md §Delivery).
 * PNG: exactly one uncompressed `iTXt` chunk with keyword `openbadgecredential`, before `IEND`; baking again
 * replaces it. SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the root and one
 * `<openbadges:credential>` right inside it, holding the JSON in CDATA or a JWT in `verify="…"`.
 * Extraction returns exactly the string that was baked. No image decoding: only chunks and markup are touched.
 */

export const PNG_KEYWORD = 'openbadgecredential';
/**
 * The keyword of the iTXt chunk that carries an Open Badges 2.0 assertion (OB 2.0 Baking Specification 1.0,
 * "PNGs"): used only for the optional OB 2.0 export (ob2/), never together with a 3.0 credential.
 */
export const OB2_PNG_KEYWORD = 'openbadges';
export const OB_SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

export class BakingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BakingError';
  }
}

const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// ——— PNG ———

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest text we read back from a chunk (a credential is under 16 KB; this leaves room for other issuers). */
const MAX_CREDENTIAL_TEXT = 1024 * 1024;

type PngChunk = { type: string; start: number; dataStart: number; dataEnd: number; end: number };

/** Splits a PNG into chunks, checking the signature, every length and CRC, IHDR first and IEND last. */
function readPngChunks(png: Uint8Array): PngChunk[] {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < PNG_SIGNATURE.length || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new BakingError('not a PNG file');
  }
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset < buf.length) {
    if (offset + 12 > buf.length) throw new BakingError('truncated PNG chunk');
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (length > 0x7fffffff || dataEnd + 4 > buf.length) throw new BakingError(`truncated PNG chunk ${type}`);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new BakingError('malformed PNG chunk type');
    const crc = buf.readUInt32BE(dataEnd);
    if (crc32(buf.subarray(offset + 4, dataEnd)) !== crc)
      throw new BakingError(`bad CRC in PNG chunk ${type}`);
    chunks.push({ type, start: offset, dataStart, dataEnd, end: dataEnd + 4 });
    offset = dataEnd + 4;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new BakingError('PNG does not start with IHDR');
  if (chunks.at(-1)?.type !== 'IEND' || offset !== buf.length) {
    throw new BakingError('PNG does not end with IEND');
  }
  return chunks;
}

function isTextChunk(buf: Buffer, chunk: PngChunk, keyword: string): boolean {
  if (chunk.type !== 'iTXt') return false;
  const prefix = Buffer.from(`${keyword}\0`, 'latin1');
  return buf.subarray(chunk.dataStart, chunk.dataStart + prefix.length).equals(prefix);
}

function isCredentialChunk(buf: Buffer, chunk: PngChunk): boolean {
  return isTextChunk(buf, chunk, PNG_KEYWORD);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with `credential` (JSON text or a compact JWT) baked in; an earlier credential chunk is replaced. */
export function bakePng(png: Uint8Array, credential: string): Buffer {
  return bakePngText(png, PNG_KEYWORD, credential);
}

/**
 * The PNG with `text` in one uncompressed iTXt chunk with `keyword`, before IEND; an earlier chunk with the
 * same keyword is replaced (both baking specifications allow only one). `bakePng` is this for OB 3.0.
 */
export function bakePngText(png: Uint8Array, keyword: string, text: string): Buffer {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const chunks = readPngChunks(buf);
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translation + NUL, UTF-8.
  const data = Buffer.concat([
    Buffer.from(`${keyword}\0`, 'latin1'),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from(text, 'utf8'),
  ]);
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const chunk of chunks) {
    if (isTextChunk(buf, chunk, keyword)) continue;
    if (chunk.type === 'IEND') parts.push(pngChunk('iTXt', data));
    parts.push(buf.subarray(chunk.start, chunk.end));
  }
  return Buffer.concat(parts);
}

/**
 * The credential baked into a PNG, or null if there is none. Throws BakingError for a damaged PNG or for
 * more than one credential chunk (which one would be the badge?).
 */
export function extractFromPng(png: Uint8Array): string | null {
  return extractPngText(png, PNG_KEYWORD);
}

/** The text of the iTXt chunk with `keyword` (null if none; BakingError if damaged or repeated). */
export function extractPngText(png: Uint8Array, keyword: string): string | null {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const found = readPngChunks(buf).filter((c) => isTextChunk(buf, c, keyword));
  if (found.length === 0) return null;
  if (found.length > 1) throw new BakingError(`the PNG holds more than one ${keyword} chunk`);
  const chunk = found[0] as PngChunk;
  let pos = chunk.dataStart + keyword.length + 1;
  const compressed = buf[pos];
  const method = buf[pos + 1];
  pos += 2;
  const languageEnd = buf.indexOf(0, pos);
  if (languageEnd < 0 || languageEnd >= chunk.dataEnd) throw new BakingError('malformed iTXt chunk');
  const translatedEnd = buf.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0 || translatedEnd >= chunk.dataEnd) throw new BakingError('malformed iTXt chunk');
  const text = buf.subarray(translatedEnd + 1, chunk.dataEnd);
  if (compressed === 0) return text.toString('utf8');
  if (compressed !== 1 || method !== 0) throw new BakingError('unknown iTXt compression');
  // We never compress, but other bakers may; inflate with a ceiling.
  try {
    return inflateSync(text, { maxOutputLength: MAX_CREDENTIAL_TEXT }).toString('utf8');
  } catch {
    throw new BakingError('compressed iTXt chunk could not be inflated within the size limit');
  }
}

/** The PNG without any credential chunk (byte-identical to the image before baking). */
export function unbakePng(png: Uint8Array): Buffer {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const chunks = readPngChunks(buf).filter((c) => !isCredentialChunk(buf, c));
  return Buffer.concat([PNG_SIGNATURE, ...chunks.map((c) => buf.subarray(c.start, c.end))]);
}

// ——— SVG ———

const ELEMENT = 'openbadges:credential';

type Span = { start: number; end: number };

/** The root `<svg …>` start tag, after any XML declaration, comments, processing instructions or doctype. */
function rootStartTag(svg: string): Span & { selfClosing: boolean } {
  const prolog = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>)*/.exec(
    svg,
  );
  const start = prolog?.[0].length ?? 0;
  if (!/^<svg[\s/>]/.test(svg.slice(start, start + 5))) throw new BakingError('not an SVG document');
  let quote: string | null = null;
  for (let i = start + 4; i < svg.length; i++) {
    const c = svg[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return { start, end: i + 1, selfClosing: svg[i - 1] === '/' };
    }
  }
  throw new BakingError('unterminated <svg> start tag');
}

type CredentialElement = Span & { verify: string | null; content: string };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

function attribute(startTag: string, name: string): string | null {
  const match = new RegExp(`\\s${name.replace(':', '\\:')}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(startTag);
  if (!match) return null;
  return decodeEntities(match[2] ?? match[3] ?? '');
}

/** Every `<openbadges:credential>` element, found by a scan that skips comments and CDATA sections. */
function credentialElements(svg: string): CredentialElement[] {
  const found: CredentialElement[] = [];
  let i = svg.indexOf('<');
  while (i >= 0 && i < svg.length) {
    if (svg.startsWith('<!--', i)) {
      const end = svg.indexOf('-->', i + 4);
      if (end < 0) throw new BakingError('unterminated comment in SVG');
      i = svg.indexOf('<', end + 3);
    } else if (svg.startsWith('<![CDATA[', i)) {
      const end = svg.indexOf(']]>', i + 9);
      if (end < 0) throw new BakingError('unterminated CDATA section in SVG');
      i = svg.indexOf('<', end + 3);
    } else if (svg.startsWith(`<${ELEMENT}`, i) && /[\s/>]/.test(svg[i + ELEMENT.length + 1] ?? '')) {
      const element = readCredentialElement(svg, i);
      found.push(element);
      i = svg.indexOf('<', element.end);
    } else {
      i = svg.indexOf('<', i + 1);
    }
  }
  return found;
}

function readCredentialElement(svg: string, start: number): CredentialElement {
  const tagEnd = svg.indexOf('>', start);
  if (tagEnd < 0) throw new BakingError('unterminated <openbadges:credential> tag');
  const startTag = svg.slice(start, tagEnd + 1);
  const verify = attribute(startTag, 'verify');
  if (startTag.endsWith('/>')) return { start, end: tagEnd + 1, verify, content: '' };
  let content = '';
  let i = tagEnd + 1;
  for (;;) {
    if (i >= svg.length) throw new BakingError('unterminated <openbadges:credential> element');
    if (svg.startsWith('<![CDATA[', i)) {
      const end = svg.indexOf(']]>', i + 9);
      if (end < 0) throw new BakingError('unterminated CDATA section in SVG');
      content += svg.slice(i + 9, end);
      i = end + 3;
    } else if (svg.startsWith('<!--', i)) {
      const end = svg.indexOf('-->', i + 4);
      if (end < 0) throw new BakingError('unterminated comment in SVG');
      i = end + 3;
    } else if (svg.startsWith(`</${ELEMENT}`, i)) {
      const end = svg.indexOf('>', i);
      if (end < 0) throw new BakingError('unterminated </openbadges:credential> tag');
      return { start, end: end + 1, verify, content };
    } else if (svg[i] === '<') {
      throw new BakingError('unexpected markup inside <openbadges:credential>');
    } else {
      const next = svg.indexOf('<', i);
      const stop = next < 0 ? svg.length : next;
      content += decodeEntities(svg.slice(i, stop));
      i = stop;
    }
  }
}

/** CDATA cannot contain `]]>`: split it across two sections, which extraction joins back. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * The SVG with `credential` baked in: a compact JWT goes into `verify="…"`, JSON into CDATA. An existing
 * credential element is replaced; the namespace is declared on the root if it is not already.
 */
export function bakeSvg(svg: string, credential: string): string {
  const existing = credentialElements(svg);
  let doc = svg;
  for (const element of [...existing].reverse()) doc = doc.slice(0, element.start) + doc.slice(element.end);

  const root = rootStartTag(doc);
  let startTag = doc.slice(root.start, root.end);
  const declared = attribute(startTag, 'xmlns:openbadges');
  if (declared !== null && declared !== OB_SVG_NAMESPACE) {
    throw new BakingError('the SVG binds the openbadges prefix to another namespace');
  }
  if (declared === null) {
    const cut = root.selfClosing ? startTag.length - 2 : startTag.length - 1;
    startTag = `${startTag.slice(0, cut).replace(/\s+$/, '')} xmlns:openbadges="${OB_SVG_NAMESPACE}"${startTag.slice(cut)}`;
  }
  const element = JWT_PATTERN.test(credential)
    ? `<${ELEMENT} verify="${credential}"></${ELEMENT}>`
    : `<${ELEMENT}>${cdata(credential)}</${ELEMENT}>`;
  if (root.selfClosing) {
    const open = `${startTag.slice(0, -2).replace(/\s+$/, '')}>`;
    return `${doc.slice(0, root.start)}${open}${element}</svg>${doc.slice(root.end)}`;
  }
  return `${doc.slice(0, root.start)}${startTag}${element}${doc.slice(root.end)}`;
}

/**
 * The credential baked into an SVG (the `verify` attribute's JWT, else the element's text), or null if there
 * is none. Throws BakingError for more than one credential element or broken markup around it.
 */
export function extractFromSvg(svg: string): string | null {
  const found = credentialElements(svg);
  if (found.length === 0) return null;
  if (found.length > 1) throw new BakingError('the SVG holds more than one openbadges:credential element');
  const element = found[0] as CredentialElement;
  return element.verify ?? element.content;
}
