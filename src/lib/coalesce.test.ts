import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.js';

/** A batch runner whose batches finish when the test says so. */
function gated() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (items: number[]) => {
    batches.push(items);
    return new Promise<number[]>((resolve) => {
      gates.push(() => resolve(items.map((x) => x * 10)));
    });
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return { batches, gates, run, tick };
}

describe('coalesce', () => {
  it('runs a call at once while a slot is free, and gathers the calls that wait into one batch', async () => {
    const g = gated();
    const call = coalesce(g.run, { maxBatch: 3, maxInFlight: 2 });
    const results = [1, 2, 3, 4, 5, 6].map((x) => call(x));
    await g.tick();
    expect(g.batches).toEqual([[1], [2]]); // two slots, each taken by the first caller
    g.gates[0]?.();
    await g.tick();
    expect(g.batches).toEqual([[1], [2], [3, 4, 5]]); // the waiting calls share one, up to maxBatch
    g.gates[1]?.();
    await g.tick();
    expect(g.batches[3]).toEqual([6]);
    for (const open of g.gates.slice(2)) open();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('rejects every call of a failed batch, and only those', async () => {
    let n = 0;
    const call = coalesce(
      async (items: number[]) => {
        n++;
        if (items.includes(3)) throw new Error('batch failed');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const r = await Promise.allSettled([call(1), call(2), call(3), call(4)]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(await call(5)).toBe(5);
    expect(n).toBe(3);
  });

  it('rejects when the runner returns the wrong number of results', async () => {
    const call = coalesce(async () => [], { maxBatch: 10, maxInFlight: 1 });
    await expect(call(1)).rejects.toThrow(/0 results for 1 items/);
  });
});
