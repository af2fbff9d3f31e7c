import { describe, expect, it } from "vitest";
import type { Timespan } from "../../src/datasets/types.js";
import { explicitWindow, timespanWindow } from "../../src/query/timespan.js";

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("timespanWindow", () => {
  const now = new Date("2024-03-31T23:59:59Z");
  it.each<[Timespan, string | null, string | null]>([
    ["TODAY", "2024-03-31T00:00:00.000Z", "2024-04-01T00:00:00.000Z"],
    ["YESTERDAY", "2024-03-30T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_7_DAYS", "2024-03-24T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_14_DAYS", "2024-03-17T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_30_DAYS", "2024-03-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_90_DAYS", "2024-01-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_180_DAYS", "2023-10-03T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_365_DAYS", "2023-04-01T00:00:00.000Z", "2024-03-31T00:00:00.000Z"],
    ["LAST_MONTH", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["LAST_3_MONTHS", "2023-12-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["LAST_6_MONTHS", "2023-09-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["LAST_1_YEAR", "2023-03-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["LAST_3_YEARS", "2021-03-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["LIFETIME", null, null],
  ])("%s at 2024-03-31T23:59:59Z is [%s, %s)", (timespan, start, end) => {
    const window = timespanWindow(timespan, now);
    expect([iso(window.start), iso(window.end)]).toEqual([start, end]);
  });

  it("crosses year boundaries in January", () => {
    const window = timespanWindow("LAST_MONTH", new Date("2025-01-01T00:00:00Z"));
    expect([iso(window.start), iso(window.end)]).toEqual([
      "2024-12-01T00:00:00.000Z",
      "2025-01-01T00:00:00.000Z",
    ]);
  });
});

describe("explicitWindow", () => {
  it("includes the end instant", () => {
    const window = explicitWindow(new Date("2024-01-01T00:00:00Z"), new Date("2024-01-31T00:00:00Z"));
    expect([iso(window.start), iso(window.end)]).toEqual([
      "2024-01-01T00:00:00.000Z",
      "2024-01-31T00:00:01.000Z",
    ]);
  });
  it("leaves a missing bound open", () => {
    expect(explicitWindow(undefined, undefined)).toEqual({ start: null, end: null });
  });
});
