import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

/**
 * Zip-bomb guard for uploaded ZIP containers (XLSX), run before any unpacker opens them. Two steps:
 * 1. the central directory's claims, read without inflating anything: too many entries, ZIP64, or claimed
 *    sizes beyond the limit in total refuse the file unopened;
 * 2. each entry inflated with its own claim as the ceiling (zlib's `maxOutputLength`): an archive that lies
 *    about its sizes stops after inflating at most what it claimed. JSZip (inside exceljs) only compares the
 *    real size with the claim after inflating the whole entry, which is too late for a bomb.
 * Only stored (0) and deflated (8) entries are accepted: they are all that Excel writes and all JSZip reads.
 * Inflating runs on libuv's thread pool (async zlib), so a large upload does not stall other requests.
 */

export type ZipCheck = 'ok' | 'too_large' | 'bad';

export type ZipLimits = {
  /** The most all entries together may unpack to. */
  maxUnpackedBytes: number;
  /** The most entries the archive may hold (an XLSX has a few dozen). */
  maxEntries: number;
};

type Entry = { flags: number; method: number; packed: number; unpacked: number; localOffset: number };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const inflateRawAsync = promisify(inflateRaw);

/** The central directory's entries, or why the archive is refused before anything is inflated. */
export function zipEntries(bytes: Uint8Array, limits: ZipLimits): Entry[] | 'too_large' | 'bad' {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes plus a comment of up to 65,535 bytes, at the very end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'bad';
  const count = view.getUint16(eocd + 10, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  // ZIP64 (0xffff entries or a 4 GB offset): far beyond any spreadsheet we take.
  if (count === 0xffff || cdOffset === 0xffffffff || count > limits.maxEntries) return 'too_large';
  const entries: Entry[] = [];
  let at = cdOffset;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) return 'bad';
    const entry: Entry = {
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      packed: view.getUint32(at + 20, true),
      unpacked: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    if (entry.unpacked === 0xffffffff || entry.packed === 0xffffffff) return 'too_large';
    total += entry.unpacked;
    if (total > limits.maxUnpackedBytes) return 'too_large';
    entries.push(entry);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** An entry's compressed bytes, found through its local header; null when they are not inside the file. */
function entryData(bytes: Uint8Array, e: Entry): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = e.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) return null;
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + e.packed;
  return end > bytes.length ? null : bytes.subarray(start, end);
}

/** Whether the archive may be handed to an unpacker: 'too_large' (a bomb, or just too big) or 'bad' (broken). */
export async function checkZip(bytes: Uint8Array, limits: ZipLimits): Promise<ZipCheck> {
  const entries = zipEntries(bytes, limits);
  if (typeof entries === 'string') return entries;
  for (const e of entries) {
    const data = entryData(bytes, e);
    if (!data || e.flags & 0x1) return 'bad'; // outside the file, or encrypted
    if (e.method === 0) {
      if (data.length !== e.unpacked) return 'bad';
      continue;
    }
    if (e.method !== 8) return 'bad';
    try {
      // maxOutputLength must be at least 1; an empty entry inflates to 0 bytes.
      const out = await inflateRawAsync(data, { maxOutputLength: Math.max(e.unpacked, 1) });
      if (out.length !== e.unpacked) return 'bad';
    } catch (err) {
      return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'bad';
    }
  }
  return 'ok';
}
