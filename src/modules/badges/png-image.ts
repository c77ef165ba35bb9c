import { crc32, deflateSync, inflateSync } from 'node:zlib';

/**
 * Re-encoding of an uploaded badge image (issue 4 §3 "uploaded PNG/SVG, re-encoded"; SECURITY.md: images are
 * served only after we re-encoded them). The PNG is taken apart and written again from what it means, not
 * copied: the header is checked, the image data is inflated (bounded by the size the header implies, so a
 * decompression bomb stops at once) and every scanline's filter byte is checked, then a new file is written
 * with IHDR, PLTE, tRNS, one IDAT (the same scanlines, compressed again) and IEND. Every other chunk —
 * text and metadata (which may carry personal data or an earlier badge's credential), colour profiles,
 * private chunks, anything after the image data — is left out.
 */

export const MAX_PNG_UPLOAD_BYTES = 2 * 1024 * 1024;
/** Badge images are shown at a few hundred pixels; larger is refused rather than stored for every badge. */
export const MAX_PNG_SIDE = 2048;

export class ImageError extends Error {
  /** For people, in Japanese. */
  readonly messageJa: string;
  constructor(messageJa: string, detail: string) {
    super(detail);
    this.name = 'ImageError';
    this.messageJa = messageJa;
  }
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BROKEN = 'PNG 画像として読めません。画像編集ソフトで PNG 形式に保存し直してください';

export type PngInfo = { width: number; height: number; bitDepth: number; colourType: number };

/** Bit depths the PNG specification allows per colour type (ISO/IEC 15948 §11.2.2). */
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

type Chunk = { type: string; data: Buffer };

function chunks(buf: Buffer): Chunk[] {
  if (!isPng(buf)) throw new ImageError(BROKEN, 'not a PNG file');
  const out: Chunk[] = [];
  let at = 8;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new ImageError(BROKEN, 'truncated chunk');
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const end = at + 8 + length;
    if (length > 0x7fffffff || end + 4 > buf.length) throw new ImageError(BROKEN, `truncated chunk ${type}`);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageError(BROKEN, 'malformed chunk type');
    if (crc32(buf.subarray(at + 4, end)) !== buf.readUInt32BE(end)) {
      throw new ImageError(BROKEN, `bad CRC in chunk ${type}`);
    }
    out.push({ type, data: buf.subarray(at + 8, end) });
    at = end + 4;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR') throw new ImageError(BROKEN, 'no IHDR first');
  if (out.at(-1)?.type !== 'IEND') throw new ImageError(BROKEN, 'no IEND');
  return out;
}

function header(data: Buffer): PngInfo & { interlace: number } {
  if (data.length !== 13) throw new ImageError(BROKEN, 'IHDR has the wrong length');
  const info = {
    width: data.readUInt32BE(0),
    height: data.readUInt32BE(4),
    bitDepth: data[8] ?? 0,
    colourType: data[9] ?? 0,
    interlace: data[12] ?? 0,
  };
  if (!DEPTHS[info.colourType]?.includes(info.bitDepth) || data[10] !== 0 || data[11] !== 0) {
    throw new ImageError(BROKEN, 'IHDR names an impossible format');
  }
  if (info.interlace > 1) throw new ImageError(BROKEN, 'unknown interlace method');
  if (info.width < 1 || info.height < 1 || info.width > MAX_PNG_SIDE || info.height > MAX_PNG_SIDE) {
    throw new ImageError(
      `画像の大きさは縦横 ${MAX_PNG_SIDE} ピクセル以内にしてください`,
      `PNG is ${info.width}x${info.height}`,
    );
  }
  return info;
}

/** Adam7 passes: [x start, y start, x step, y step] (ISO/IEC 15948 §8.2). */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Each reduced image's scanline count and bytes per scanline (filter byte included). */
function scanlines(info: PngInfo & { interlace: number }): { rows: number; bytes: number }[] {
  const bitsPerPixel = (CHANNELS[info.colourType] ?? 1) * info.bitDepth;
  const line = (width: number) => 1 + Math.ceil((width * bitsPerPixel) / 8);
  if (info.interlace === 0) return [{ rows: info.height, bytes: line(info.width) }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    rows: Math.ceil(Math.max(0, info.height - y0) / dy),
    width: Math.ceil(Math.max(0, info.width - x0) / dx),
  }))
    .filter((p) => p.rows > 0 && p.width > 0)
    .map((p) => ({ rows: p.rows, bytes: line(p.width) }));
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * The uploaded PNG re-encoded as described above, with its dimensions. Throws ImageError (with a Japanese
 * message for the form) for anything that is not a complete, well-formed PNG of an acceptable size.
 */
export function reencodePng(input: Uint8Array): { png: Buffer; info: PngInfo } {
  if (input.length > MAX_PNG_UPLOAD_BYTES) {
    throw new ImageError(
      `画像が大きすぎます(${MAX_PNG_UPLOAD_BYTES / 1024 / 1024}MB まで)`,
      'PNG upload too large',
    );
  }
  const all = chunks(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  const ihdr = all[0] as Chunk;
  const info = header(ihdr.data);
  const plte = all.filter((c) => c.type === 'PLTE');
  const trns = all.filter((c) => c.type === 'tRNS');
  const idatAt = all.map((c, i) => (c.type === 'IDAT' ? i : -1)).filter((i) => i >= 0);
  if (idatAt.length === 0) throw new ImageError(BROKEN, 'no image data');
  if (idatAt.some((i, n) => n > 0 && i !== (idatAt[n - 1] as number) + 1)) {
    throw new ImageError(BROKEN, 'IDAT chunks are not consecutive');
  }
  if (plte.length > 1 || trns.length > 1) throw new ImageError(BROKEN, 'repeated PLTE or tRNS');
  const palette = plte[0]?.data;
  if (info.colourType === 3 && !palette) throw new ImageError(BROKEN, 'indexed PNG without a palette');
  if (palette && (palette.length === 0 || palette.length % 3 !== 0 || palette.length > 768)) {
    throw new ImageError(BROKEN, 'malformed palette');
  }
  const passes = scanlines(info);
  const expected = passes.reduce((sum, p) => sum + p.rows * p.bytes, 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idatAt.map((i) => (all[i] as Chunk).data)), {
      maxOutputLength: expected + 1,
    });
  } catch {
    throw new ImageError(BROKEN, 'image data does not inflate to the size the header implies');
  }
  if (raw.length !== expected) throw new ImageError(BROKEN, 'image data has the wrong length');
  let at = 0;
  for (const pass of passes) {
    for (let row = 0; row < pass.rows; row++) {
      if ((raw[at] ?? 255) > 4) throw new ImageError(BROKEN, 'unknown scanline filter');
      at += pass.bytes;
    }
  }

  const parts = [SIGNATURE, chunk('IHDR', ihdr.data)];
  // A palette is data only for indexed images; for true colour it is a hint we can drop.
  if (info.colourType === 3 && palette) parts.push(chunk('PLTE', palette));
  const transparency = trns[0]?.data;
  if (transparency && [0, 2, 3].includes(info.colourType)) parts.push(chunk('tRNS', transparency));
  parts.push(chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)));
  return {
    png: Buffer.concat(parts),
    info: { width: info.width, height: info.height, bitDepth: info.bitDepth, colourType: info.colourType },
  };
}

/** The dimensions of a PNG we stored (already re-encoded). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!isPng(buf) || buf.length < 24) throw new ImageError(BROKEN, 'not a PNG file');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
