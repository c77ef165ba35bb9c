import { randomInt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { xsdDateTime } from './datetime.js';
import { CONTEXT } from './document-loader.js';

/**
 * W3C Bitstring Status List v1.0 (OPEN-BADGES.md §Status and lifecycle). A list is a bitstring of at least
 * 131,072 entries (16 KB), for herd privacy; bit `i` is the i-th bit counting from the most significant bit of
 * the first byte ("index 0 is the left-most bit"). It is published GZIP-compressed and base64url-encoded
 * without padding, with the multibase prefix `u`. A set bit means revoked (statusPurpose "revocation").
 */

export const MIN_STATUS_LIST_SIZE = 131_072;
/** Decoding refuses lists past this many entries (a 16 MB bitstring), so a small gzip bomb cannot exhaust memory. */
export const MAX_STATUS_LIST_SIZE = 134_217_728;

export type StatusPurpose = 'revocation' | 'suspension';

/** The `credentialStatus` of a credential. `statusListIndex` is a string of digits, as the spec requires. */
export type BitstringStatusListEntry = {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  statusListIndex: string;
  statusListCredential: string;
};

export class StatusListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusListError';
  }
}

/** A new, all-clear list of `size` entries (a multiple of 8, at least 131,072). */
export function createStatusList(size: number = MIN_STATUS_LIST_SIZE): Uint8Array {
  if (
    !Number.isInteger(size) ||
    size < MIN_STATUS_LIST_SIZE ||
    size % 8 !== 0 ||
    size > MAX_STATUS_LIST_SIZE
  ) {
    throw new StatusListError(`a status list has a multiple of 8 entries, at least ${MIN_STATUS_LIST_SIZE}`);
  }
  return new Uint8Array(size / 8);
}

function position(list: Uint8Array, index: number): { byte: number; mask: number } {
  if (!Number.isInteger(index) || index < 0 || index >= list.length * 8) {
    throw new StatusListError(`status list index ${index} is out of range (0..${list.length * 8 - 1})`);
  }
  return { byte: index >> 3, mask: 0x80 >> (index & 7) };
}

export function getStatusBit(list: Uint8Array, index: number): boolean {
  const { byte, mask } = position(list, index);
  return ((list[byte] ?? 0) & mask) !== 0;
}

/** Sets or clears one entry in place. */
export function setStatusBit(list: Uint8Array, index: number, value: boolean): void {
  const { byte, mask } = position(list, index);
  const current = list[byte] ?? 0;
  list[byte] = value ? current | mask : current & ~mask;
}

/** `encodedList`: multibase `u` + base64url (no padding) of the GZIP-compressed bitstring. */
export function encodeStatusList(list: Uint8Array): string {
  return `u${gzipSync(list).toString('base64url')}`;
}

/** The bitstring of an `encodedList`. Throws StatusListError on anything malformed or oversized. */
export function decodeStatusList(encodedList: string): Uint8Array {
  if (typeof encodedList !== 'string' || !/^u[A-Za-z0-9_-]+$/.test(encodedList)) {
    throw new StatusListError('encodedList is not multibase base64url (u…)');
  }
  let bits: Buffer;
  try {
    bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), {
      maxOutputLength: MAX_STATUS_LIST_SIZE / 8,
    });
  } catch {
    throw new StatusListError('encodedList is not a GZIP-compressed bitstring within the size limit');
  }
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
}

/** A source of uniform random integers in [0, maxExclusive). */
export type RandomInt = (maxExclusive: number) => number;

export const secureRandomInt: RandomInt = (maxExclusive) => randomInt(maxExclusive);

/** Random draws before falling back to a scan (a list that full should be closed and a new one opened). */
const RANDOM_ATTEMPTS = 32;

/**
 * Picks an unused index at random (OPEN-BADGES.md: "indexes allocated at random without reuse"), a pure
 * function of the used set and the random source. After RANDOM_ATTEMPTS collisions it scans from a random
 * start, so it always finds the last free entry; throws StatusListError when the list is full.
 */
export function allocateStatusIndex(
  used: ReadonlySet<number>,
  size: number = MIN_STATUS_LIST_SIZE,
  random: RandomInt = secureRandomInt,
): number {
  if (used.size >= size) throw new StatusListError('the status list is full: open a new one');
  for (let attempt = 0; attempt < RANDOM_ATTEMPTS; attempt++) {
    const candidate = random(size);
    if (!used.has(candidate)) return candidate;
  }
  const start = random(size);
  for (let step = 0; step < size; step++) {
    const candidate = (start + step) % size;
    if (!used.has(candidate)) return candidate;
  }
  throw new StatusListError('the status list is full: open a new one');
}

/** The `credentialStatus` pointing at entry `index` of the list credential at `statusListCredential`. */
export function statusListEntry(
  statusListCredential: string,
  index: number,
  statusPurpose: StatusPurpose = 'revocation',
): BitstringStatusListEntry {
  if (!Number.isInteger(index) || index < 0) throw new StatusListError('status list index must be >= 0');
  return {
    id: `${statusListCredential}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose,
    statusListIndex: String(index),
    statusListCredential,
  };
}

export type StatusListCredential = {
  '@context': string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  validUntil?: string;
  credentialSubject: {
    id: string;
    type: 'BitstringStatusList';
    statusPurpose: StatusPurpose;
    encodedList: string;
  };
  proof?: Record<string, unknown>[];
};

/**
 * The unsigned BitstringStatusListCredential for a list (sign it with `signDataIntegrity` using the same
 * issuer key as the badges, and serve it at its permanent `id`).
 */
export function buildStatusListCredential(input: {
  id: string;
  issuer: string;
  list: Uint8Array;
  validFrom: Date;
  validUntil?: Date;
  statusPurpose?: StatusPurpose;
}): StatusListCredential {
  const credential: StatusListCredential = {
    '@context': [CONTEXT.VC_V2],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: xsdDateTime(input.validFrom),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose ?? 'revocation',
      encodedList: encodeStatusList(input.list),
    },
  };
  if (input.validUntil) credential.validUntil = xsdDateTime(input.validUntil);
  return credential;
}

/**
 * Reads the bit an entry points at from a status list credential (whose proof the caller has checked).
 * Throws StatusListError if the list does not match the entry (other URL, other purpose, index past the end).
 */
export function statusBitFromListCredential(
  listCredential: unknown,
  entry: BitstringStatusListEntry,
): boolean {
  const subject = (listCredential as { id?: unknown; credentialSubject?: Record<string, unknown> } | null)
    ?.credentialSubject;
  if ((listCredential as { id?: unknown } | null)?.id !== entry.statusListCredential) {
    throw new StatusListError('the status list credential is not the one the entry points at');
  }
  if (subject?.type !== 'BitstringStatusList' || typeof subject.encodedList !== 'string') {
    throw new StatusListError('not a BitstringStatusList credential');
  }
  if (subject.statusPurpose !== entry.statusPurpose) {
    throw new StatusListError('the status list has another statusPurpose than the entry');
  }
  return getStatusBit(decodeStatusList(subject.encodedList), parseStatusIndex(entry.statusListIndex));
}

/** `statusListIndex` as a number: digits only (no sign, exponent or spaces), within MAX_STATUS_LIST_SIZE. */
export function parseStatusIndex(value: unknown): number {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(value)) {
    throw new StatusListError('statusListIndex must be a string of digits');
  }
  const index = Number(value);
  if (index >= MAX_STATUS_LIST_SIZE) throw new StatusListError('statusListIndex is out of range');
  return index;
}
