import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { zipStream } from './zip-writer.js';

/** The streamed zip (zip-writer.ts) as another implementation reads it: names, contents and CRCs. */

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunked(text: string, size: number) {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  yield new Uint8Array(0);
}

describe('zipStream', () => {
  const big = Array.from({ length: 20_000 }, (_, i) => `行 ${i} 髙橋 𠮷子 ${Math.sin(i)}\n`).join('');
  const entries = () => [
    { name: 'a.txt', data: 'hello' },
    { name: 'dir/日本語.xml', data: Buffer.from('<x>ok</x>') },
    { name: 'big.txt', stream: chunked(big, 65_536) },
    { name: 'empty.txt', stream: chunked('', 1) },
  ];

  it('writes an archive that jszip reads back with its CRCs checked', async () => {
    const zip = await JSZip.loadAsync(await bytesOf(zipStream(entries())), { checkCRC32: true });
    expect(Object.keys(zip.files)).toEqual(['a.txt', 'dir/日本語.xml', 'big.txt', 'empty.txt']);
    expect(await zip.file('a.txt')?.async('string')).toBe('hello');
    expect(await zip.file('dir/日本語.xml')?.async('string')).toBe('<x>ok</x>');
    expect(await zip.file('big.txt')?.async('string')).toBe(big);
    expect(await zip.file('empty.txt')?.async('string')).toBe('');
  });

  it('is byte-identical for the same content, and compresses', async () => {
    const a = await bytesOf(zipStream(entries()));
    const b = await bytesOf(zipStream(entries()));
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBeLessThan(Buffer.byteLength(big) / 3);
  });

  it('passes on a failing source as an error', async () => {
    async function* failing() {
      yield Buffer.from('part');
      throw new Error('source failed');
    }
    await expect(bytesOf(zipStream([{ name: 'x', stream: failing() }]))).rejects.toThrow(/source failed/);
  });
});
