import { describe, expect, it } from "vitest";
import { nextRetryAt, RETRY_BASE_MS, retryDelayMs } from "../../src/executions/retry.js";

const now = new Date("2024-06-01T00:00:00.000Z");

describe("retryDelayMs", () => {
  it.each([
    // attempt, random, wait
    [1, 0, RETRY_BASE_MS / 2],
    [1, 0.5, RETRY_BASE_MS],
    [1, 0.999, RETRY_BASE_MS * 1.499],
    [2, 0.5, 2 * RETRY_BASE_MS],
    [3, 0, 2 * RETRY_BASE_MS],
    [3, 0.5, 4 * RETRY_BASE_MS],
    [4, 0.25, 0.75 * 8 * RETRY_BASE_MS],
  ])("attempt %i with random %d waits %d ms", (attempt, random, wait) => {
    expect(retryDelayMs(attempt, () => random)).toBeCloseTo(wait, 6);
  });
});

describe("nextRetryAt", () => {
  it.each([
    // attempt, maxAttempts, random, wait (null: no attempt left)
    [1, 3, 0.5, RETRY_BASE_MS],
    [2, 3, 0, RETRY_BASE_MS],
    [3, 3, 0.5, null],
    [4, 3, 0.5, null],
    [1, 1, 0.5, null],
  ])("attempt %i of %i (random %d): wait %s", (attempt, maxAttempts, random, wait) => {
    const at = nextRetryAt(attempt, maxAttempts, now, () => random);
    expect(at).toEqual(wait === null ? null : new Date(now.getTime() + wait));
  });
});
