/**
 * The two multibase forms Open Badges 3.0 uses: base58-btc (`z…`, Multikey public keys, Data Integrity proof
 * values) and base64url without padding (`u…`, Bitstring Status List `encodedList`).
 * The Digital Bazaar key library accepts any string as `publicKeyMultibase` without checking it, so keys
 * that arrive from outside (did:key, a pasted credential) are checked here first.
 */

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_INDEX = new Map([...BASE58_ALPHABET].map((c, i) => [c, i]));

/** Multicodec `ed25519-pub` (0xed) as an unsigned varint: the two bytes before a raw Ed25519 public key. */
const ED25519_PUB_HEADER = [0xed, 0x01] as const;
const ED25519_PUBLIC_KEY_BYTES = 32;

/** Base58-btc (Bitcoin alphabet) to bytes; null when the text is not base58. Leading '1's are zero bytes. */
export function decodeBase58(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 256) return null;
  let value = 0n;
  for (const c of text) {
    const digit = BASE58_INDEX.get(c);
    if (digit === undefined) return null;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.push(Number(value & 0xffn));
    value >>= 8n;
  }
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/** Raw 32-byte Ed25519 public key of a Multikey `publicKeyMultibase`, or null if it is not one. */
export function ed25519PublicKeyFromMultibase(multibase: string): Uint8Array | null {
  if (!multibase.startsWith('z')) return null;
  const bytes = decodeBase58(multibase.slice(1));
  if (!bytes || bytes.length !== ED25519_PUB_HEADER.length + ED25519_PUBLIC_KEY_BYTES) return null;
  if (bytes[0] !== ED25519_PUB_HEADER[0] || bytes[1] !== ED25519_PUB_HEADER[1]) return null;
  return bytes.slice(ED25519_PUB_HEADER.length);
}

export function isEd25519Multibase(multibase: string): boolean {
  return ed25519PublicKeyFromMultibase(multibase) !== null;
}
