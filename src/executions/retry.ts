/**
 * The retry policy of executions: a transient failure (engine or storage error) is tried again
 * until `maxAttempts` attempts in all have been made. After attempt n fails, the next one waits
 * 30 s × 2^(n−1) × a random factor in [0.5, 1.5): about 30 s, 1 min, 2 min, … with jitter so that
 * executions that failed together do not retry together. See docs/scheduling.md.
 */

export const RETRY_BASE_MS = 30_000;

/** The wait after attempt number `attempt` (1 = the first try) failed. `random` returns [0, 1). */
export function retryDelayMs(attempt: number, random: () => number): number {
  return RETRY_BASE_MS * 2 ** (attempt - 1) * (0.5 + random());
}

/** When to try again after attempt `attempt` failed at `now`, or null when no attempt is left. */
export function nextRetryAt(
  attempt: number,
  maxAttempts: number,
  now: Date,
  random: () => number,
): Date | null {
  if (attempt >= maxAttempts) return null;
  return new Date(now.getTime() + retryDelayMs(attempt, random));
}
