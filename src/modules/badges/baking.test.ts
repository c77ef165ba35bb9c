import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  BakingError,
  bakePng,
  bakeSvg,
  extractFromPng,
  extractFromSvg,
  OB_SVG_NAMESPACE,
  PNG_KEYWORD,
  unbakePng,
} from './baking.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid 2×2 RGBA PNG with a tEXt chunk, made here so the test owns every byte. */
function samplePng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.from([0, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Comment\0マナビ badge', 'utf8')),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    types.push(png.toString('latin1', offset + 4, offset + 8));
    offset += 12 + length;
  }
  return types;
}

const CREDENTIAL_JSON = JSON.stringify({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  name: '地域企業協働プログラム 修了 — "quotes", <tags> & ]]> and emoji 🎓',
  narrative: 'line one\nline two\ttabbed',
});
const JWT = 'eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJodHRwczovL2R4cS5leGFtcGxlLmpwIn0.c2lnbmF0dXJlLWJ5dGVz';

describe('PNG baking', () => {
  it('adds exactly one uncompressed iTXt chunk before IEND and reads back the same bytes', () => {
    const png = samplePng();
    const baked = bakePng(png, CREDENTIAL_JSON);
    expect(chunkTypes(baked)).toEqual(['IHDR', 'tEXt', 'IDAT', 'iTXt', 'IEND']);
    const extracted = extractFromPng(baked);
    expect(extracted).toBe(CREDENTIAL_JSON);
    expect(Buffer.from(extracted ?? '', 'utf8').equals(Buffer.from(CREDENTIAL_JSON, 'utf8'))).toBe(true);
    // Keyword, NUL, compression flag 0, method 0, empty language and translated keyword.
    const at = baked.indexOf(Buffer.from(`${PNG_KEYWORD}\0`, 'latin1'));
    expect([...baked.subarray(at + PNG_KEYWORD.length + 1, at + PNG_KEYWORD.length + 5)]).toEqual([
      0, 0, 0, 0,
    ]);
    // Removing the chunk gives back the original file byte for byte.
    expect(unbakePng(baked).equals(png)).toBe(true);
  });

  it('replaces an earlier credential instead of adding a second one', () => {
    const png = samplePng();
    const once = bakePng(png, CREDENTIAL_JSON);
    const twice = bakePng(once, JWT);
    expect(chunkTypes(twice).filter((t) => t === 'iTXt')).toHaveLength(1);
    expect(extractFromPng(twice)).toBe(JWT);
    expect(bakePng(once, CREDENTIAL_JSON).equals(once)).toBe(true);
  });

  it('returns null for a PNG without a badge, and refuses damaged or ambiguous files', () => {
    const png = samplePng();
    expect(extractFromPng(png)).toBeNull();
    expect(() => extractFromPng(Buffer.from('GIF89a'))).toThrow(BakingError);
    const baked = bakePng(png, CREDENTIAL_JSON);
    const corrupted = Buffer.from(baked);
    const textAt = corrupted.indexOf(Buffer.from('quotes', 'utf8'));
    corrupted[textAt] = 0x51;
    expect(() => extractFromPng(corrupted)).toThrow(/CRC/);
    expect(() => extractFromPng(baked.subarray(0, baked.length - 5))).toThrow(BakingError);
    const iend = baked.subarray(baked.length - 12);
    const itxtStart = baked.length - 12 - (12 + Buffer.byteLength(CREDENTIAL_JSON) + PNG_KEYWORD.length + 5);
    const itxt = baked.subarray(itxtStart, baked.length - 12);
    const doubled = Buffer.concat([baked.subarray(0, baked.length - 12), itxt, iend]);
    expect(() => extractFromPng(doubled)).toThrow(/more than one/);
    expect(() => extractFromPng(Buffer.concat([baked, Buffer.from('trailing')]))).toThrow(/IEND/);
  });
});

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a badge <svg> drawn by hand -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" aria-label="バッジ">
  <circle cx="50" cy="50" r="40" fill="#0031d8"/>
</svg>
`;

describe('SVG baking', () => {
  it('bakes JSON in CDATA under the OB 3.0 namespace and reads back exactly what was baked', () => {
    const baked = bakeSvg(SVG, CREDENTIAL_JSON);
    expect(baked).toContain(`xmlns:openbadges="${OB_SVG_NAMESPACE}"`);
    expect(baked.match(/<openbadges:credential>/g)).toHaveLength(1);
    expect(baked).toContain('<![CDATA[');
    expect(extractFromSvg(baked)).toBe(CREDENTIAL_JSON);
    // The rest of the image is untouched.
    expect(baked).toContain('<circle cx="50" cy="50" r="40" fill="#0031d8"/>');
    expect(baked.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  });

  it('bakes a JWT in verify="" and replaces an earlier credential', () => {
    const once = bakeSvg(SVG, CREDENTIAL_JSON);
    const twice = bakeSvg(once, JWT);
    expect(twice).toContain(`<openbadges:credential verify="${JWT}"></openbadges:credential>`);
    expect(twice.match(/openbadges:credential/g)).toHaveLength(2); // one start tag, one end tag
    expect(twice.match(/xmlns:openbadges=/g)).toHaveLength(1);
    expect(extractFromSvg(twice)).toBe(JWT);
    expect(bakeSvg(once, CREDENTIAL_JSON)).toBe(once);
  });

  it('handles a self-closing root and reads credentials baked by others', () => {
    const baked = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"/>', JWT);
    expect(baked).toBe(
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="${OB_SVG_NAMESPACE}"><openbadges:credential verify="${JWT}"></openbadges:credential></svg>`,
    );
    const other = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="${OB_SVG_NAMESPACE}">
  <openbadges:credential>&lt;not CDATA&gt; &amp; &#x1F393;</openbadges:credential></svg>`;
    expect(extractFromSvg(other)).toBe('<not CDATA> & 🎓');
    const selfClosing = `<svg xmlns:openbadges="${OB_SVG_NAMESPACE}"><openbadges:credential verify='${JWT}'/></svg>`;
    expect(extractFromSvg(selfClosing)).toBe(JWT);
  });

  it('returns null without a credential and refuses ambiguous or broken markup', () => {
    expect(extractFromSvg(SVG)).toBeNull();
    // Commented-out or CDATA-quoted elements are not credentials.
    expect(extractFromSvg('<svg><!-- <openbadges:credential verify="a.b.c"/> --></svg>')).toBeNull();
    const two = bakeSvg(SVG, JWT).replace('</svg>', `<openbadges:credential verify="${JWT}"/></svg>`);
    expect(() => extractFromSvg(two)).toThrow(/more than one/);
    expect(() => extractFromSvg('<svg><openbadges:credential><![CDATA[{"a":1}')).toThrow(BakingError);
    expect(() => bakeSvg('<html></html>', JWT)).toThrow(/not an SVG/);
    expect(() => bakeSvg('<svg xmlns:openbadges="http://openbadges.org"></svg>', JWT)).toThrow(/namespace/);
  });
});
