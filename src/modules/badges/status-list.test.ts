import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { describe, expect, it } from 'vitest';
import { signDataIntegrity } from './credential.js';
import { createDocumentLoader } from './document-loader.js';
import { controllerDocument, generateIssuerKey, loadSigningKey, verificationMethodDocument } from './keys.js';
import {
  allocateStatusIndex,
  buildStatusListCredential,
  createStatusList,
  decodeStatusList,
  encodeStatusList,
  getStatusBit,
  MIN_STATUS_LIST_SIZE,
  type RandomInt,
  StatusListError,
  setStatusBit,
  statusBitFromListCredential,
  statusListEntry,
} from './status-list.js';

/** A scripted random source: returns the given values in turn, then repeats the last. */
function scripted(...values: number[]): RandomInt {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

describe('bitstring', () => {
  it('has 131,072 entries (16 KB) by default and refuses smaller lists', () => {
    const list = createStatusList();
    expect(MIN_STATUS_LIST_SIZE).toBe(131_072);
    expect(list.length).toBe(16 * 1024);
    expect(() => createStatusList(65_536)).toThrow(StatusListError);
    expect(() => createStatusList(131_073)).toThrow(StatusListError);
    expect(createStatusList(262_144).length).toBe(32 * 1024);
  });

  it('numbers entries from the left-most bit of the first byte', () => {
    const list = createStatusList();
    setStatusBit(list, 0, true);
    expect(list[0]).toBe(0x80);
    setStatusBit(list, 7, true);
    expect(list[0]).toBe(0x81);
    setStatusBit(list, 131_071, true);
    expect(list[16_383]).toBe(0x01);
    expect(getStatusBit(list, 0)).toBe(true);
    expect(getStatusBit(list, 1)).toBe(false);
    setStatusBit(list, 0, false);
    expect(getStatusBit(list, 0)).toBe(false);
    expect(() => getStatusBit(list, 131_072)).toThrow(/out of range/);
    expect(() => setStatusBit(list, -1, true)).toThrow(/out of range/);
  });

  it('encodes as multibase u + base64url(gzip) and decodes back exactly', () => {
    const list = createStatusList();
    for (const i of [0, 5, 4242, 99_999, 131_071]) setStatusBit(list, i, true);
    const encoded = encodeStatusList(list);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(encoded).not.toContain('=');
    const decoded = decodeStatusList(encoded);
    expect(Buffer.from(decoded).equals(Buffer.from(list))).toBe(true);
    // An empty 16 KB list compresses to a few dozen bytes (the point of GZIP here).
    expect(encodeStatusList(createStatusList()).length).toBeLessThan(100);
    // Interoperates with any GZIP: decode what plain zlib made.
    expect(decodeStatusList(`u${gzipSync(Buffer.from([0x80, 0x01])).toString('base64url')}`)).toEqual(
      new Uint8Array([0x80, 0x01]),
    );
  });

  it('refuses malformed or oversized encoded lists', () => {
    for (const bad of ['', 'zabc', 'u!!', 'uAAAA', `u${Buffer.from('not gzip').toString('base64url')}`]) {
      expect(() => decodeStatusList(bad)).toThrow(StatusListError);
    }
    // A gzip bomb: 20 MB of zeros compresses to ~20 KB; decoding stops at the 16 MB ceiling.
    const bomb = `u${gzipSync(Buffer.alloc(20 * 1024 * 1024)).toString('base64url')}`;
    expect(() => decodeStatusList(bomb)).toThrow(StatusListError);
  });
});

describe('allocating indexes', () => {
  it('takes the random draw when it is free, and draws again on a collision', () => {
    expect(allocateStatusIndex(new Set(), MIN_STATUS_LIST_SIZE, scripted(4242))).toBe(4242);
    expect(allocateStatusIndex(new Set([4242, 17]), MIN_STATUS_LIST_SIZE, scripted(4242, 17, 99))).toBe(99);
  });

  it('never reuses an index, scans after repeated collisions and refuses a full list', () => {
    const size = MIN_STATUS_LIST_SIZE;
    const used = new Set<number>([7, 8, 9]);
    // The random source keeps answering 7: after the random attempts it scans on from 7.
    expect(allocateStatusIndex(used, size, scripted(7))).toBe(10);
    const almostFull = new Set<number>(Array.from({ length: size }, (_, i) => i));
    almostFull.delete(123_456);
    expect(allocateStatusIndex(almostFull, size, scripted(0))).toBe(123_456);
    almostFull.add(123_456);
    expect(() => allocateStatusIndex(almostFull, size, scripted(0))).toThrow(/full/);
  });

  it('allocates distinct indexes with the real random source', () => {
    const used = new Set<number>();
    for (let i = 0; i < 2000; i++) used.add(allocateStatusIndex(used));
    expect(used.size).toBe(2000);
    expect([...used].every((i) => Number.isInteger(i) && i >= 0 && i < MIN_STATUS_LIST_SIZE)).toBe(true);
  });
});

describe('status list credential', () => {
  it('is a signed BitstringStatusListCredential whose bits the entries point at', async () => {
    const secret = randomBytes(32);
    const issuer = 'https://dxq.example.jp/issuers/secretariat';
    const stored = await generateIssuerKey(secret, issuer);
    const key = await loadSigningKey(secret, stored);
    const url = 'https://dxq.example.jp/status/secretariat/1';

    const list = createStatusList();
    setStatusBit(list, 48_213, true);
    const unsigned = buildStatusListCredential({
      id: url,
      issuer,
      list,
      validFrom: new Date('2026-04-01T00:00:00Z'),
    });
    expect(unsigned).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer,
      validFrom: '2026-04-01T00:00:00Z',
      credentialSubject: {
        id: `${url}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList: encodeStatusList(list),
      },
    });
    const loader = createDocumentLoader({
      resolveIssuerKey: async (u) =>
        u === stored.publicKey.id
          ? verificationMethodDocument(stored.publicKey)
          : u === issuer
            ? controllerDocument(issuer, [stored.publicKey])
            : null,
    });
    const signed = await signDataIntegrity(unsigned, key, { documentLoader: loader });
    const result = await vc.verifyCredential({
      credential: signed,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: loader,
    });
    expect(result.verified).toBe(true);
    expect(loader.refused()).toEqual([]);

    expect(statusBitFromListCredential(signed, statusListEntry(url, 48_213))).toBe(true);
    expect(statusBitFromListCredential(signed, statusListEntry(url, 48_214))).toBe(false);
    expect(() => statusBitFromListCredential(signed, statusListEntry(`${url}x`, 1))).toThrow(StatusListError);
    expect(() => statusBitFromListCredential(signed, statusListEntry(url, 1, 'suspension'))).toThrow(
      /statusPurpose/,
    );
    expect(() => statusBitFromListCredential(signed, statusListEntry(url, 131_072))).toThrow(/out of range/);
  });
});
