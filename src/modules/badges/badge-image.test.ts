import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors.js';
import { prepareImage } from './badge-image.js';
import { testPng } from './badges.test-support.js';
import { bakePng, extractFromPng } from './baking.js';
import { ImageError, reencodePng } from './png-image.js';
import { sanitiseSvg } from './svg-image.js';

function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    types.push(png.toString('latin1', at + 4, at + 8));
    at += 12 + length;
  }
  return types;
}

describe('PNG re-encoding', () => {
  it('keeps the pixels and drops every ancillary chunk, an earlier badge included', () => {
    const text = { type: 'tEXt', data: Buffer.from('Author\0someone@example.jp', 'latin1') };
    const baked = bakePng(testPng(8, 8, [text]), '{"old":"badge"}');
    expect(extractFromPng(baked)).toBe('{"old":"badge"}');
    const { png, info } = reencodePng(baked);
    expect(info).toEqual({ width: 8, height: 8, bitDepth: 8, colourType: 6 });
    expect(chunkTypes(png)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(extractFromPng(png)).toBeNull();
    // Same scanlines: re-encoding the result again gives the same bytes.
    expect(reencodePng(png).png.equals(png)).toBe(true);
  });

  it('refuses broken files, impossible headers, oversized images and decompression bombs', () => {
    const good = testPng();
    const damaged = Buffer.from(good);
    damaged[30] = (damaged[30] ?? 0) ^ 0xff;
    expect(() => reencodePng(damaged)).toThrow(ImageError);
    expect(() => reencodePng(good.subarray(0, good.length - 12))).toThrow(ImageError);
    expect(() => reencodePng(Buffer.from('GIF89a'))).toThrow(ImageError);
    expect(() => reencodePng(testPng(4000, 1))).toThrow(/4000x1/);
    // IDAT that inflates far past what an 8×8 image needs.
    const bomb = Buffer.from(testPng());
    const idat = deflateSync(Buffer.alloc(10_000_000));
    const head = bomb.subarray(0, 33); // signature + IHDR
    const chunk = (type: string, data: Buffer) => {
      const b = Buffer.alloc(12 + data.length);
      b.writeUInt32BE(data.length, 0);
      b.write(type, 4, 'latin1');
      data.copy(b, 8);
      b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
      return b;
    };
    expect(() =>
      reencodePng(Buffer.concat([head, chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])),
    ).toThrow(/inflate/);
  });

  it('turns image problems into a form error on the field', () => {
    try {
      prepareImage(Buffer.from('hello'), 'imagePng');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'VALIDATION')).toBe(true);
      expect((e as { fields?: Record<string, string> }).fields?.imagePng).toBeTruthy();
    }
  });
});

describe('SVG sanitising', () => {
  it('keeps the drawing and removes scripts, handlers, outside references and foreign content', () => {
    const input = `<?xml version="1.0"?>
<!-- made by hand -->
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="x" viewBox="0 0 10 10" onload="alert(1)" inkscape:version="1">
  <style>.a{fill:#123456}</style>
  <style>@import url(https://evil.example/a.css);</style>
  <script>alert(1)</script>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect class="a" width="10" height="10" fill="url(#g)" style="stroke: url(https://evil.example/p)"/>
  <a href="https://evil.example"><circle r="2"/></a>
  <use href="#g"/><use xlink:href="https://evil.example/s.svg#x"/>
  <image href="https://evil.example/track.png"/>
  <image href="data:image/png;base64,iVBORw0KGgo="/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <text x="1" y="5">修了 &amp; &lt;証&gt;</text>
  <animate attributeName="href" to="javascript:alert(1)"/>
</svg>`;
    const { svg, removed } = sanitiseSvg(input);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')).toBe(true);
    for (const bad of [
      'script',
      'onload',
      'evil.example',
      'foreignObject',
      'animate',
      'inkscape',
      '<a ',
      'stylesheet',
    ]) {
      expect(svg).not.toContain(bad);
    }
    expect(svg).toContain('<style>.a{fill:#123456}</style>');
    expect(svg).toContain('fill="url(#g)"');
    expect(svg).toContain('<use href="#g"/>');
    expect(svg).toContain('href="data:image/png;base64,iVBORw0KGgo="');
    expect(svg).toContain('修了 &amp; &lt;証&gt;');
    expect(removed).toEqual(expect.arrayContaining(['<script>', 'onload 属性', '<foreignObject>', '<a>']));
    // The output is itself acceptable input and comes back unchanged.
    expect(sanitiseSvg(svg).svg).toBe(svg);
  });

  it('refuses DOCTYPEs (entities), non-SVG roots and broken markup', () => {
    expect(() =>
      sanitiseSvg(
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
      ),
    ).toThrow(/DOCTYPE/);
    expect(() => sanitiseSvg('<html><body/></html>')).toThrow(ImageError);
    expect(() => sanitiseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow(ImageError);
    expect(() => sanitiseSvg('<svg xmlns="http://www.w3.org/2000/svg">&bogus;</svg>')).toThrow(ImageError);
  });
});
