import { describe, expect, it } from "vitest";
import {
  type CatchUp,
  nextRunTimes,
  reportSchedule,
  type Schedule,
  slotsInRange,
} from "../../src/reports/schedule.js";

const T0 = "2024-03-01T00:00:00.000Z";
const at = (iso: string) => new Date(iso);
const schedule = (intervalHours: number, count: number | null, start = T0): Schedule => ({
  startTime: at(start),
  intervalHours,
  count,
});

describe("nextRunTimes", () => {
  it.each<[string, Schedule, string, string | null, CatchUp, string | null, number]>([
    // name, schedule, now, lastSlot, catchUp → slot, skipped
    [
      "first slot is StartTime, even long before it",
      schedule(24, 3),
      "2024-02-01T00:00:00Z",
      null,
      "latest",
      T0,
      0,
    ],
    ["first slot when StartTime is now", schedule(24, 3), T0, null, "latest", T0, 0],
    [
      "after the first slot comes StartTime + interval",
      schedule(24, 3),
      "2024-03-01T01:00:00Z",
      T0,
      "latest",
      "2024-03-02T00:00:00.000Z",
      0,
    ],
    [
      "4-hour interval",
      schedule(4, null),
      "2024-03-01T00:00:01Z",
      T0,
      "latest",
      "2024-03-01T04:00:00.000Z",
      0,
    ],
    [
      "2160-hour interval (90 days)",
      schedule(2160, null),
      "2024-03-02T00:00:00Z",
      T0,
      "latest",
      "2024-05-30T00:00:00.000Z",
      0,
    ],
    [
      "count reached → done",
      schedule(24, 2),
      "2024-03-05T00:00:00Z",
      "2024-03-02T00:00:00Z",
      "latest",
      null,
      0,
    ],
    ["count 1 after its run → done", schedule(24, 1), "2024-03-01T00:00:00Z", T0, "latest", null, 0],
    [
      "indefinite keeps going",
      schedule(24, null),
      "2024-12-31T00:00:00Z",
      "2024-12-30T00:00:00Z",
      "latest",
      "2024-12-31T00:00:00.000Z",
      0,
    ],
    [
      "downtime: run only the most recent missed slot",
      schedule(24, null),
      "2024-03-05T12:00:00Z",
      T0,
      "latest",
      "2024-03-05T00:00:00.000Z",
      3,
    ],
    [
      "downtime never runs past the count",
      schedule(24, 3),
      "2024-03-10T00:00:00Z",
      T0,
      "latest",
      "2024-03-03T00:00:00.000Z",
      1,
    ],
    [
      "downtime before the first run",
      schedule(6, null),
      "2024-03-01T13:00:00Z",
      null,
      "latest",
      "2024-03-01T12:00:00.000Z",
      2,
    ],
    [
      "resume: the first slot not yet past",
      schedule(24, null),
      "2024-03-05T12:00:00Z",
      T0,
      "future",
      "2024-03-06T00:00:00.000Z",
      4,
    ],
    [
      "resume exactly on a slot runs it",
      schedule(24, null),
      "2024-03-05T00:00:00Z",
      T0,
      "future",
      "2024-03-05T00:00:00.000Z",
      3,
    ],
    ["resume past the last slot → done", schedule(24, 3), "2024-03-10T00:00:00Z", T0, "future", null, 0],
    ["resume before anything ran", schedule(24, 5), "2024-02-01T00:00:00Z", null, "future", T0, 0],
    [
      "UTC arithmetic across a DST change",
      schedule(24, null, "2024-03-30T01:30:00Z"),
      "2024-03-31T02:00:00Z",
      "2024-03-30T01:30:00Z",
      "latest",
      "2024-03-31T01:30:00.000Z",
      0,
    ],
  ])("%s", (_name, sched, now, lastSlot, catchUp, expectedSlot, skipped) => {
    const plan = nextRunTimes(sched, at(now), { lastSlot: lastSlot ? at(lastSlot) : null, catchUp });
    if (expectedSlot === null) {
      expect(plan).toBeNull();
    } else {
      expect(plan?.slot.toISOString()).toBe(expectedSlot);
      expect(plan?.skipped).toBe(skipped);
    }
  });

  it("numbers slots from 0", () => {
    const plan = nextRunTimes(schedule(4, null), at("2024-03-01T09:00:00Z"), {
      lastSlot: at(T0),
      catchUp: "latest",
    });
    expect(plan).toMatchObject({ index: 2, skipped: 1 });
  });
});

/** Weekdays 06:00 in Paris from Thursday 2026-03-26 (DST starts Sunday 2026-03-29). */
const paris = (count: number | null, start = "2026-03-26T00:00:00Z"): Schedule => ({
  startTime: at(start),
  calendar: { expression: "0 6 * * 1-5", timeZone: "Europe/Paris" },
  count,
});

describe("nextRunTimes, calendar schedules", () => {
  it.each<[string, Schedule, string, string | null, CatchUp, string | null, number, number | null]>([
    // name, schedule, now, lastSlot, catchUp → slot, skipped, index
    [
      "first slot: the calendar's first time at or after StartTime",
      paris(null),
      "2026-03-25T00:00:00Z",
      null,
      "latest",
      "2026-03-26T05:00:00Z",
      0,
      null,
    ],
    [
      "StartTime on a slot runs it",
      paris(3, "2026-03-26T05:00:00Z"),
      "2026-03-26T05:00:00Z",
      null,
      "latest",
      "2026-03-26T05:00:00Z",
      0,
      0,
    ],
    [
      "over the weekend and the DST change: Monday 06:00 CEST",
      paris(null),
      "2026-03-27T06:00:00Z",
      "2026-03-27T05:00:00Z",
      "latest",
      "2026-03-30T04:00:00Z",
      0,
      null,
    ],
    [
      "downtime: the most recent missed slot, the others counted as skipped",
      paris(null),
      "2026-03-31T12:00:00Z",
      "2026-03-26T05:00:00Z",
      "latest",
      "2026-03-31T04:00:00Z",
      2,
      null,
    ],
    [
      "downtime, count 3: stops at the last counted slot",
      paris(3),
      "2026-04-10T00:00:00Z",
      "2026-03-26T05:00:00Z",
      "latest",
      "2026-03-30T04:00:00Z",
      1,
      2,
    ],
    ["count used up", paris(2), "2026-04-10T00:00:00Z", "2026-03-27T05:00:00Z", "latest", null, 0, null],
    [
      "resume: the first slot not yet past",
      paris(null),
      "2026-03-30T12:00:00Z",
      "2026-03-26T05:00:00Z",
      "future",
      "2026-03-31T04:00:00Z",
      2,
      null,
    ],
    [
      "resume past the last counted slot → done",
      paris(3),
      "2026-04-10T00:00:00Z",
      "2026-03-26T05:00:00Z",
      "future",
      null,
      0,
      null,
    ],
  ])("%s", (_name, sched, now, lastSlot, catchUp, expectedSlot, skipped, index) => {
    const plan = nextRunTimes(sched, at(now), { lastSlot: lastSlot ? at(lastSlot) : null, catchUp });
    if (expectedSlot === null) {
      expect(plan).toBeNull();
    } else {
      expect(plan?.slot.toISOString()).toBe(at(expectedSlot).toISOString());
      expect(plan?.skipped).toBe(skipped);
      expect(plan?.index).toBe(index);
    }
  });

  it("reads a stored report: calendar when it has a cron expression, interval otherwise", () => {
    const fields = { startTime: at(T0), recurrenceInterval: 24, recurrenceCount: null };
    expect(reportSchedule({ ...fields, schedule: null, timeZone: null })).toEqual({
      startTime: at(T0),
      intervalHours: 24,
      count: null,
    });
    expect(
      reportSchedule({ ...fields, recurrenceInterval: 0, schedule: "0 6 * * *", timeZone: "Asia/Tokyo" }),
    ).toEqual({
      startTime: at(T0),
      calendar: { expression: "0 6 * * *", timeZone: "Asia/Tokyo" },
      count: null,
    });
  });
});

describe("slotsInRange (backfills)", () => {
  it("interval slots extend before StartTime, both ends included", () => {
    const slots = slotsInRange(schedule(24, 2), at("2024-02-27T00:00:00Z"), at("2024-03-01T00:00:00Z"), 10);
    expect(slots.map((d) => d.toISOString())).toEqual([
      "2024-02-27T00:00:00.000Z",
      "2024-02-28T00:00:00.000Z",
      "2024-02-29T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
    ]);
  });

  it("calendar slots in the range, whatever StartTime and the count say", () => {
    const slots = slotsInRange(
      paris(1, "2026-06-01T00:00:00Z"),
      at("2026-03-27T00:00:00Z"),
      at("2026-03-31T00:00:00Z"),
      10,
    );
    expect(slots.map((d) => d.toISOString())).toEqual([
      "2026-03-27T05:00:00.000Z",
      "2026-03-30T04:00:00.000Z",
    ]);
  });

  it("stops one past the limit, so that the caller can tell there are more", () => {
    expect(
      slotsInRange(schedule(4, null), at("2024-01-01T00:00:00Z"), at("2024-12-31T00:00:00Z"), 5),
    ).toHaveLength(6);
    expect(slotsInRange(paris(null), at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z"), 5)).toHaveLength(
      6,
    );
  });

  it("an empty range has no slots", () => {
    expect(
      slotsInRange(schedule(24, null), at("2024-03-01T01:00:00Z"), at("2024-03-01T23:00:00Z"), 5),
    ).toEqual([]);
  });
});
