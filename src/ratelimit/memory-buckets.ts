/** Token buckets in this process's memory: the rate limit of a single process (SQLite metadata). */
import { type BucketState, refill, type TokenTaken, takeToken } from "./bucket.js";

/** Above this many buckets, full ones (the same as absent) are dropped. */
const SWEEP_ABOVE = 10_000;

export class MemoryBuckets {
  private readonly buckets = new Map<string, BucketState & { readonly perMinute: number }>();

  take(key: string, perMinute: number, now: Date): TokenTaken {
    const { state, taken } = takeToken(this.buckets.get(key), perMinute, now.getTime());
    this.buckets.set(key, { ...state, perMinute });
    if (this.buckets.size > SWEEP_ABOVE) this.sweep(now.getTime());
    return taken;
  }

  private sweep(now: number): void {
    for (const [key, state] of this.buckets) {
      if (refill(state.tokens, now - state.at, state.perMinute) >= state.perMinute) this.buckets.delete(key);
    }
  }
}
