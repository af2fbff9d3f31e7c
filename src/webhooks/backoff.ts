/**
 * The retry schedule of callback deliveries: exponential backoff with jitter, for up to 24 hours.
 *
 * After attempt n fails, the next one waits a random time in [d/2, d) where
 * d = min(10 s × 2^(n−1), 1 h) ("equal jitter": spread out so that deliveries that failed together
 * do not retry together, yet never much sooner than the exponential step). Waits are therefore
 * about 5–10 s, 10–20 s, 20–40 s, … up to 30–60 min, and the last attempt happens at the
 * 24-hour mark after the delivery was created; after that the delivery is Failed.
 */
import type { CallbackDelivery, DeliveryNext } from "./model.js";

export const BASE_DELAY_MS = 10_000;
export const MAX_DELAY_MS = 60 * 60 * 1000;
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

/** The wait after attempt number `attempt` (1 = the first try) failed. `random` returns [0, 1). */
export function nextDelayMs(attempt: number, random: () => number): number {
  const step = Math.max(1, Math.floor(attempt)) - 1;
  // 2^19 × 10 s is far beyond the cap; limiting the exponent keeps the arithmetic finite.
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(step, 20));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + (r * ceiling) / 2);
}

/** When retries stop: 24 hours after the delivery was created. */
export function giveUpAt(createdTime: Date): Date {
  return new Date(createdTime.getTime() + GIVE_UP_AFTER_MS);
}

/**
 * When to try again after attempt `attempt` failed at `now`, or null to give up (the 24 hours are
 * over). A wait that would end past the 24-hour mark is shortened so one last attempt happens then.
 */
export function nextAttemptAt(
  createdTime: Date,
  attempt: number,
  now: Date,
  random: () => number,
): Date | null {
  const deadline = giveUpAt(createdTime).getTime();
  if (now.getTime() >= deadline) return null;
  return new Date(Math.min(now.getTime() + nextDelayMs(attempt, random), deadline));
}

/**
 * The delivery's next state after an attempt: Delivered on a 2xx, else Pending until the next
 * attempt, or Failed once the 24 hours are over. `attempt` is the number of the attempt just made.
 */
export function decideNext(
  delivery: Pick<CallbackDelivery, "createdTime">,
  attempt: number,
  result: { readonly ok: boolean },
  now: Date,
  random: () => number = Math.random,
): DeliveryNext {
  if (result.ok) return { status: "Delivered" };
  const next = nextAttemptAt(delivery.createdTime, attempt, now, random);
  return next === null ? { status: "Failed" } : { status: "Pending", nextAttemptAt: next };
}
