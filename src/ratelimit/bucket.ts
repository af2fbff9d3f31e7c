/**
 * The token bucket, as pure arithmetic: a bucket holds up to `perMinute` tokens (a minute's burst),
 * refills at `perMinute` per minute, and each request takes one. The in-process buckets run this
 * code; the PostgreSQL buckets run the same arithmetic in one SQL statement.
 */

/** A bucket after a request: whether the request got a token, and the tokens left. */
export interface TokenTaken {
  readonly allowed: boolean;
  readonly tokens: number;
}

export interface BucketState {
  readonly tokens: number;
  /** Epoch milliseconds of the last take. */
  readonly at: number;
}

/** Tokens after `elapsedMs` of refill (multiplied first, so whole seconds refill whole tokens exactly). */
export function refill(tokens: number, elapsedMs: number, perMinute: number): number {
  return Math.min(perMinute, Math.max(0, tokens) + (Math.max(0, elapsedMs) * perMinute) / 60_000);
}

/** Takes one token from `state` (undefined: a full bucket) at `now`. */
export function takeToken(
  state: BucketState | undefined,
  perMinute: number,
  now: number,
): { readonly state: BucketState; readonly taken: TokenTaken } {
  const available = state ? refill(state.tokens, now - state.at, perMinute) : perMinute;
  const allowed = available >= 1;
  const tokens = allowed ? available - 1 : available;
  return { state: { tokens, at: Math.max(now, state?.at ?? now) }, taken: { allowed, tokens } };
}

/** What the answer says about the limit (RateLimit-* and Retry-After headers). */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Whole requests left now. */
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Seconds until the next request is allowed (0 when this one was). */
  readonly retryAfterSeconds: number;
}

export function decision(taken: TokenTaken, perMinute: number): RateLimitDecision {
  const secondsFor = (tokens: number) => Math.ceil((tokens * 60) / perMinute);
  return {
    allowed: taken.allowed,
    limit: perMinute,
    remaining: Math.floor(taken.tokens),
    resetSeconds: secondsFor(perMinute - taken.tokens),
    retryAfterSeconds: taken.allowed ? 0 : Math.max(1, secondsFor(1 - taken.tokens)),
  };
}
