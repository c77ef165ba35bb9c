/**
 * What a ZIP (an XLSX) says it unpacks to, read from its central directory before anything is inflated: a
 * small upload that would unpack to gigabytes (a zip bomb) is refused unopened. The sizes are the archive's
 * own claims; the unpacker (JSZip, inside exceljs) checks each entry's real length against them after
 * inflating, so a lying archive fails there, and uploads are secretariat-only and ≤ 1 MB.
 */
export function checkZipSize(
  bytes: Uint8Array,
  maxUnpacked: number,
  maxEntries = 500,
): 'ok' | 'too_large' | 'bad' {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes plus a comment of up to 65,535 bytes, at the very end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'bad';
  const entries = view.getUint16(eocd + 10, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff) return 'too_large'; // ZIP64: far beyond any framework
  if (entries > maxEntries) return 'too_large';
  let at = cdOffset;
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return 'bad';
    const unpacked = view.getUint32(at + 24, true);
    if (unpacked === 0xffffffff) return 'too_large';
    total += unpacked;
    if (total > maxUnpacked) return 'too_large';
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return 'ok';
}
