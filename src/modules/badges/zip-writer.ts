import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * A zip archive written as a stream (PKWARE APPNOTE 6.3: deflated entries, sizes in a data descriptor after
 * each entry's data), for xlsx-stream.ts. Every step is pulled: an entry's next input chunk is read only when
 * the archive's reader asks for more, so a large entry never sits in memory whole and a slow reader slows the
 * source down. Compression is Node's own zlib (native, off the main thread), several times faster than a
 * JavaScript deflate.
 *
 * Not ZIP64: an entry or the archive past 4 GiB, or more than 65,535 entries, is refused (an error from the
 * stream, never a corrupt file). The IPA export is far below that (~5 KB per credential).
 */

export type ZipEntry =
  | { name: string; data: string | Uint8Array }
  | { name: string; stream: AsyncIterable<Uint8Array> };

const LIMIT = 0xffffffff;
/** Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8. */
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;
/** A fixed time (2000-01-01 00:00) so two archives of the same content are byte-identical. */
const DOS_TIME = 0;
const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;

type Written = { name: Buffer; crc: number; compressed: number; size: number; offset: number };

function checked(n: number, what: string): number {
  if (n > LIMIT) throw new Error(`zip: ${what} is past 4 GiB (no ZIP64)`);
  return n;
}

function localHeader(name: Buffer): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(VERSION, 4);
  h.writeUInt16LE(FLAGS, 6);
  h.writeUInt16LE(DEFLATE, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  // CRC and sizes (14–25) stay 0: they are in the data descriptor.
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

function dataDescriptor(e: Written): Buffer {
  const d = Buffer.alloc(16);
  d.writeUInt32LE(0x08074b50, 0);
  d.writeUInt32LE(e.crc, 4);
  d.writeUInt32LE(checked(e.compressed, 'an entry'), 8);
  d.writeUInt32LE(checked(e.size, 'an entry'), 12);
  return d;
}

function centralHeader(e: Written): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(VERSION, 4);
  h.writeUInt16LE(VERSION, 6);
  h.writeUInt16LE(FLAGS, 8);
  h.writeUInt16LE(DEFLATE, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.compressed, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  // Extra field, comment, disk, attributes (30–41): none.
  h.writeUInt32LE(checked(e.offset, 'the archive'), 42);
  return Buffer.concat([h, e.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  if (count > 0xffff) throw new Error('zip: more than 65,535 entries (no ZIP64)');
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  h.writeUInt16LE(count, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(checked(size, 'the archive'), 12);
  h.writeUInt32LE(checked(offset, 'the archive'), 16);
  return h;
}

/** Deflates `source` chunk by chunk (a sync flush after each, so each chunk's output leaves with it). */
async function* deflated(source: AsyncIterable<Uint8Array>, e: Written): AsyncGenerator<Buffer> {
  const z = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  let failed: Error | null = null;
  z.on('data', (b: Buffer) => out.push(b));
  z.on('error', (err) => {
    failed = err;
  });
  const take = () => {
    if (failed) throw failed;
    const b = Buffer.concat(out.splice(0));
    e.compressed += b.length;
    return b;
  };
  try {
    for await (const input of source) {
      if (input.length === 0) continue;
      e.crc = crc32(input, e.crc);
      e.size += input.length;
      z.write(input);
      await new Promise<void>((resolve) => z.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      const b = take();
      if (b.length) yield b;
    }
    await new Promise<void>((resolve, reject) => {
      z.once('end', resolve);
      z.once('error', reject);
      z.end();
    });
    const b = take();
    if (b.length) yield b;
  } finally {
    z.close();
  }
}

/** The archive's bytes, entry by entry; returning early stops reading the current entry's source. */
export async function* zipStream(entries: Iterable<ZipEntry>): AsyncGenerator<Uint8Array> {
  const written: Written[] = [];
  let offset = 0;
  const emit = (b: Buffer) => {
    offset += b.length;
    return b;
  };
  for (const entry of entries) {
    const e: Written = { name: Buffer.from(entry.name, 'utf8'), crc: 0, compressed: 0, size: 0, offset };
    yield emit(localHeader(e.name));
    if ('data' in entry) {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
      const body = deflateRawSync(data, { level: 6 });
      e.crc = crc32(data);
      e.size = data.length;
      e.compressed = body.length;
      yield emit(body);
    } else {
      for await (const b of deflated(entry.stream, e)) yield emit(b);
    }
    yield emit(dataDescriptor(e));
    written.push(e);
  }
  const start = offset;
  for (const e of written) yield emit(centralHeader(e));
  yield endOfCentralDirectory(written.length, offset - start, start);
}
