/**
 * Coalesces concurrent calls of one operation into batches: a call runs at once while fewer than `maxInFlight`
 * batches are running; otherwise it waits, and when a batch finishes every waiting call (up to `maxBatch`) goes
 * in the next one. Under a light load nothing waits and every batch has one item; under a deadline rush the
 * calls that arrive while the database is busy share one statement (issue 3, 9(b): one round trip, one
 * commit and one socket write for many requests instead of one each).
 *
 * `run` gets the items in arrival order and returns one result per item in the same order. If it throws,
 * every call of that batch rejects with the error.
 */
export type Coalesced<I, O> = (item: I) => Promise<O>;

export function coalesce<I, O>(
  run: (items: I[]) => Promise<O[]>,
  opts: { maxBatch: number; maxInFlight: number },
): Coalesced<I, O> {
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < opts.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, opts.maxBatch);
      inFlight++;
      Promise.resolve()
        .then(() => run(batch.map((w) => w.item)))
        .then(
          (results) => {
            if (results.length !== batch.length) {
              throw new Error(`coalesce: ${results.length} results for ${batch.length} items`);
            }
            batch.forEach((w, i) => {
              w.resolve(results[i] as O);
            });
          },
          (e: unknown) => {
            for (const w of batch) w.reject(e);
          },
        )
        .catch((e: unknown) => {
          for (const w of batch) w.reject(e);
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}

/** One coalesced operation per key object (per database handle): created on first use, dropped with the key. */
export function coalescedPer<K extends object, I, O>(
  make: (key: K) => Coalesced<I, O>,
): (key: K) => Coalesced<I, O> {
  const byKey = new WeakMap<K, Coalesced<I, O>>();
  return (key) => {
    let c = byKey.get(key);
    if (!c) {
      c = make(key);
      byKey.set(key, c);
    }
    return c;
  };
}
