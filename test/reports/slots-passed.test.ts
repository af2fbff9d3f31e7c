/** The slots a test clock's advance passes, by table: (after, through], in order, bounded. */
import { describe, expect, it } from "vitest";
import { slotsPassed } from "../../src/reports/slots-passed.js";

const start = new Date("2026-01-02T00:00:00Z");
const daily = { startTime: start, intervalHours: 24, count: null };
const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString().slice(0, 16));
const t = (text: string) => new Date(`${text}Z`);

describe("slotsPassed", () => {
  it.each([
    [
      "from before the start",
      daily,
      t("2026-01-01T00:00"),
      t("2026-01-04T00:00"),
      ["2026-01-02T00:00", "2026-01-03T00:00", "2026-01-04T00:00"],
    ],
    [
      "a slot at `after` is not passed again",
      daily,
      t("2026-01-02T00:00"),
      t("2026-01-03T00:00"),
      ["2026-01-03T00:00"],
    ],
    ["between two slots", daily, t("2026-01-02T00:01"), t("2026-01-02T23:59"), []],
    ["no move", daily, t("2026-01-03T00:00"), t("2026-01-03T00:00"), []],
    ["a new report: from its first slot on", daily, null, t("2026-01-02T00:00"), ["2026-01-02T00:00"]],
    ["a new report before its start", daily, null, t("2026-01-01T12:00"), []],
    [
      "the count ends the slots",
      { ...daily, count: 2 },
      null,
      t("2026-02-01T00:00"),
      ["2026-01-02T00:00", "2026-01-03T00:00"],
    ],
    [
      "4-hourly",
      { startTime: start, intervalHours: 4, count: null },
      t("2026-01-02T05:00"),
      t("2026-01-02T16:00"),
      ["2026-01-02T08:00", "2026-01-02T12:00", "2026-01-02T16:00"],
    ],
  ] as const)("%s", (_name, schedule, after, through, expected) => {
    const passed = slotsPassed(schedule, after, through, 100);
    expect(iso(passed.slots)).toEqual(expected);
    expect(passed.overLimit).toBe(false);
  });

  it("stops at the limit and says more were passed", () => {
    const passed = slotsPassed(daily, null, t("2027-01-01T00:00"), 3);
    expect(iso(passed.slots)).toEqual(["2026-01-02T00:00", "2026-01-03T00:00", "2026-01-04T00:00"]);
    expect(passed.overLimit).toBe(true);
    expect(slotsPassed(daily, null, t("2026-01-04T00:00"), 3).overLimit).toBe(false);
    expect(slotsPassed(daily, null, t("2026-01-04T00:00"), 0).overLimit).toBe(true);
  });
});
