import type { Limit } from './rate-limit.js';

/**
 * A fixed-window counter in this process's memory, for the coarse ceiling on state-changing requests
 * (decision 0019). The strict limits — sign-in attempts, lock-out, mails — stay in the database (rate-limit.ts),
 * where every instance counts together; this one must cost nothing at a deadline, when every applicant's
 * submission would otherwise write a counter row. With N instances a client can reach N × the limit.
 *
 * Memory is bounded: windows are kept in the order they started, so expired ones are dropped from the front,
 * and past `maxKeys` the oldest go first.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: Limit,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts a hit of `subject` at `now` (ms); false when this hit is over the limit. */
  hit(subject: string, now: number): boolean {
    let w = this.windows.get(subject);
    if (!w || now - w.start >= this.limit.windowMs || now < w.start) {
      this.windows.delete(subject);
      w = { start: now, count: 0 };
      this.windows.set(subject, w);
      if (this.windows.size > this.maxKeys) this.prune(now);
    }
    w.count++;
    return w.count <= this.limit.max;
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.maxKeys && now - w.start < this.limit.windowMs) break;
      this.windows.delete(key);
    }
  }
}
