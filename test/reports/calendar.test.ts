import { describe, expect, it } from "vitest";
import {
  type CalendarRule,
  calendarSlotAfter,
  canonicalTimeZone,
  cronExpressionProblem,
  shortestWallClockGapHours,
} from "../../src/reports/calendar.js";

/** The first `n` slots strictly after `from`. */
function slots(expression: string, timeZone: string, from: string, n: number): string[] {
  const rule: CalendarRule = { expression, timeZone };
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < n; i++) {
    const slot = calendarSlotAfter(rule, after);
    if (!slot) break;
    out.push(slot.toISOString().replace(".000Z", "Z"));
    after = slot;
  }
  return out;
}

describe("calendarSlotAfter: the daylight-saving rule on both changes of several zones", () => {
  it.each<[string, string, string, string, string[]]>([
    // name, expression, zone, from, the slots that follow (UTC)
    [
      "Paris, weekdays 06:00 across spring forward (CET +1 → CEST +2 on Sun 2026-03-29)",
      "0 6 * * 1-5",
      "Europe/Paris",
      "2026-03-26T00:00:00Z",
      ["2026-03-26T05:00:00Z", "2026-03-27T05:00:00Z", "2026-03-30T04:00:00Z", "2026-03-31T04:00:00Z"],
    ],
    [
      "Paris, weekdays 06:00 across fall back (Sun 2026-10-25)",
      "0 6 * * 1-5",
      "Europe/Paris",
      "2026-10-22T00:00:00Z",
      ["2026-10-22T04:00:00Z", "2026-10-23T04:00:00Z", "2026-10-26T05:00:00Z"],
    ],
    [
      "Paris, 02:30 does not exist on 2026-03-29: the first valid time after the gap, 03:00 CEST",
      "30 2 * * *",
      "Europe/Paris",
      "2026-03-28T00:00:00Z",
      ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
    ],
    [
      "Paris, 02:30 happens twice on 2026-10-25: once, at the first (CEST) pass",
      "30 2 * * *",
      "Europe/Paris",
      "2026-10-24T00:00:00Z",
      ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
    ],
    [
      "Paris, 02:00 and 02:30 both in the gap: one run at 03:00",
      "0,30 2 * * *",
      "Europe/Paris",
      "2026-03-28T23:00:00Z",
      ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"],
    ],
    [
      "Paris, every 4 hours across fall back: each wall-clock time once (04:00 is 5 h after 00:00)",
      "0 */4 * * *",
      "Europe/Paris",
      "2026-10-24T20:00:00Z",
      ["2026-10-24T22:00:00Z", "2026-10-25T03:00:00Z", "2026-10-25T07:00:00Z"],
    ],
    [
      "New York, 02:30 skipped on 2026-03-08 (EST −5 → EDT −4): 03:00 EDT",
      "30 2 * * *",
      "America/New_York",
      "2026-03-07T00:00:00Z",
      ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"],
    ],
    [
      "New York, 01:30 repeated on 2026-11-01: once, in EDT",
      "30 1 * * *",
      "America/New_York",
      "2026-10-31T00:00:00Z",
      ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
    ],
    [
      "Sydney (southern hemisphere), 02:30 repeated on 2026-04-05 (AEDT +11 → AEST +10): once",
      "30 2 * * *",
      "Australia/Sydney",
      "2026-04-03T00:00:00Z",
      ["2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"],
    ],
    [
      "Sydney, 02:30 skipped on 2026-10-04 (AEST +10 → AEDT +11): 03:00 AEDT",
      "30 2 * * *",
      "Australia/Sydney",
      "2026-10-02T00:00:00Z",
      ["2026-10-02T16:30:00Z", "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z"],
    ],
    [
      "Santiago, midnight skipped on 2026-09-06 (−4 → −3): 01:00",
      "0 0 * * *",
      "America/Santiago",
      "2026-09-04T00:00:00Z",
      ["2026-09-04T04:00:00Z", "2026-09-05T04:00:00Z", "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z"],
    ],
    [
      "Lord Howe, a half-hour change: 02:15 skipped on 2026-10-04 (+10:30 → +11), runs at 02:30",
      "15 2 * * *",
      "Australia/Lord_Howe",
      "2026-10-02T00:00:00Z",
      ["2026-10-02T15:45:00Z", "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"],
    ],
    [
      "Kolkata, no daylight saving: fixed offset +5:30",
      "0 9 1 * *",
      "Asia/Kolkata",
      "2026-01-15T00:00:00Z",
      ["2026-02-01T03:30:00Z", "2026-03-01T03:30:00Z"],
    ],
    [
      "UTC, the last day of February in a leap year",
      "0 0 29 2 *",
      "UTC",
      "2026-01-01T00:00:00Z",
      ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"],
    ],
  ])("%s", (_name, expression, timeZone, from, expected) => {
    expect(slots(expression, timeZone, from, expected.length)).toEqual(expected);
  });

  it("a slot passed in the second pass of a repeated hour is not run again", () => {
    // 2026-10-25 Paris: 02:30 CEST = 00:30Z (the slot), 02:30 CET = 01:30Z (its second pass).
    const rule = { expression: "30 2 * * *", timeZone: "Europe/Paris" };
    expect(calendarSlotAfter(rule, new Date("2026-10-25T00:30:00Z"))?.toISOString()).toBe(
      "2026-10-26T01:30:00.000Z",
    );
    expect(calendarSlotAfter(rule, new Date("2026-10-25T01:45:00Z"))?.toISOString()).toBe(
      "2026-10-26T01:30:00.000Z",
    );
  });

  it("never returns a slot at or before `after`, and never the same instant twice", () => {
    const rule = { expression: "0,30 2 * * *", timeZone: "Europe/Paris" };
    expect(calendarSlotAfter(rule, new Date("2026-03-29T01:00:00Z"))?.toISOString()).toBe(
      "2026-03-30T00:00:00.000Z",
    );
  });

  it("has no slot after the last date an expression matches", () => {
    expect(calendarSlotAfter({ expression: "0 0 30 2 *", timeZone: "UTC" }, new Date(0))).toBeNull();
  });
});

describe("expression and zone checks", () => {
  it.each<[string, string | RegExp | null]>([
    ["0 6 * * 1-5", null],
    ["0 6 * * MON-FRI", null],
    ["@daily", null],
    ["0 0 30 2 *", "it never matches a date"],
    ["61 6 * * *", /minute/],
    ["0 6 * * * *", "it has 6 fields"],
    ["0 6 * *", "it has 4 fields"],
    ["every", "it has 1 field"],
    ["every day", /./],
    ["", /./],
  ])("%j → %s", (expression, problem) => {
    const found = cronExpressionProblem(expression);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it.each<[string, string | null]>([
    ["Europe/Paris", "Europe/Paris"],
    ["europe/paris", "Europe/Paris"],
    ["UTC", "UTC"],
    ["Mars/Olympus_Mons", null],
    ["", null],
  ])("zone %j → %s", (zone, canonical) => {
    expect(canonicalTimeZone(zone)).toBe(canonical);
  });

  it.each<[string, number]>([
    ["0 6 * * 1-5", 24],
    ["0 */4 * * *", 4],
    ["0 6,18 * * *", 12],
    ["0 6,8 * * *", 2],
    ["0 0 1 * *", 28 * 24],
  ])("shortest wall-clock gap of %j: %d h", (expression, hours) => {
    expect(shortestWallClockGapHours(expression, new Date("2026-01-01T00:00:00Z"))).toBe(hours);
  });
});
