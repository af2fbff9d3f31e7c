import { describe, expect, it } from "vitest";
import {
  BASE_DELAY_MS,
  decideNext,
  GIVE_UP_AFTER_MS,
  giveUpAt,
  MAX_DELAY_MS,
  nextAttemptAt,
  nextDelayMs,
} from "../../src/webhooks/backoff.js";

const low = () => 0;
const high = () => 0.999_999;

describe("nextDelayMs", () => {
  it("starts around 10 s and doubles", () => {
    expect(nextDelayMs(1, low)).toBe(BASE_DELAY_MS / 2);
    expect(nextDelayMs(1, high)).toBeLessThan(BASE_DELAY_MS);
    expect(nextDelayMs(1, high)).toBeGreaterThan(BASE_DELAY_MS - 10);
    expect(nextDelayMs(2, low)).toBe(BASE_DELAY_MS);
    expect(nextDelayMs(3, low)).toBe(2 * BASE_DELAY_MS);
    expect(nextDelayMs(4, () => 0.5)).toBe(0.75 * 8 * BASE_DELAY_MS);
  });

  it("stays within [d/2, d] for every attempt and never exceeds one hour", () => {
    for (let attempt = 1; attempt <= 200; attempt++) {
      const d = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.5, 0.75, 0.999_999, 1]) {
        const delay = nextDelayMs(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(d / 2);
        expect(delay).toBeLessThanOrEqual(d);
        expect(delay).toBeLessThanOrEqual(MAX_DELAY_MS);
      }
    }
    expect(nextDelayMs(1000, high)).toBeGreaterThan(MAX_DELAY_MS - 10);
  });

  it("tolerates odd attempts and random values", () => {
    expect(nextDelayMs(0, low)).toBe(BASE_DELAY_MS / 2);
    expect(nextDelayMs(-3, () => -1)).toBe(BASE_DELAY_MS / 2);
    expect(nextDelayMs(1, () => 7)).toBe(BASE_DELAY_MS);
    expect(Number.isFinite(nextDelayMs(Number.MAX_SAFE_INTEGER, high))).toBe(true);
  });
});

describe("nextAttemptAt", () => {
  const created = new Date("2024-05-01T00:00:00Z");

  it("is now + the delay while within 24 hours", () => {
    const now = new Date(created.getTime() + 60_000);
    expect(nextAttemptAt(created, 1, now, low)).toEqual(new Date(now.getTime() + BASE_DELAY_MS / 2));
  });

  it("shortens the last wait to the 24-hour mark, then gives up", () => {
    expect(giveUpAt(created)).toEqual(new Date(created.getTime() + GIVE_UP_AFTER_MS));
    const late = new Date(created.getTime() + GIVE_UP_AFTER_MS - 60_000);
    expect(nextAttemptAt(created, 30, late, high)).toEqual(giveUpAt(created));
    expect(nextAttemptAt(created, 31, giveUpAt(created), low)).toBeNull();
    expect(nextAttemptAt(created, 31, new Date(giveUpAt(created).getTime() + 1), low)).toBeNull();
  });

  it("a delivery failing forever makes a bounded number of attempts over 24 hours", () => {
    for (const random of [low, high, Math.random]) {
      let now = created;
      let attempts = 1;
      for (;;) {
        const next = nextAttemptAt(created, attempts, now, random);
        if (next === null) break;
        expect(next.getTime()).toBeGreaterThan(now.getTime());
        now = next;
        attempts++;
      }
      expect(now).toEqual(giveUpAt(created));
      expect(attempts).toBeGreaterThan(20);
      expect(attempts).toBeLessThan(70);
    }
  });
});

describe("decideNext", () => {
  const delivery = { createdTime: new Date("2024-05-01T00:00:00Z") };

  it("maps an attempt to the next state", () => {
    const now = new Date("2024-05-01T01:00:00Z");
    expect(decideNext(delivery, 3, { ok: true }, now, low)).toEqual({ status: "Delivered" });
    expect(decideNext(delivery, 3, { ok: false }, now, low)).toEqual({
      status: "Pending",
      nextAttemptAt: new Date(now.getTime() + 2 * BASE_DELAY_MS),
    });
    expect(decideNext(delivery, 40, { ok: false }, new Date("2024-05-02T00:00:00Z"), low)).toEqual({
      status: "Failed",
    });
  });
});
