/**
 * The scheduling rule, pure: which slot a report runs next. Two kinds of schedule give the slots
 * (docs/scheduling.md):
 * - interval (RecurrenceInterval): StartTime + k × interval, in UTC milliseconds — no calendar or
 *   daylight-saving arithmetic;
 * - calendar (extension fields Schedule and TimeZone): the cron expression's times in the zone at
 *   or after StartTime, by the daylight-saving rule of `calendar.ts`.
 * Either way k = 0 … RecurrenceCount − 1 (unbounded when the count is absent).
 */
import { type CalendarRule, calendarSlotAfter, calendarSlotAtOrAfter } from "./calendar.js";

export type Schedule = IntervalSchedule | CalendarSchedule;

export interface IntervalSchedule {
  readonly startTime: Date;
  /** Hours between slots (4–2160). */
  readonly intervalHours: number;
  /** Number of slots; null = indefinitely. */
  readonly count: number | null;
}

export interface CalendarSchedule {
  /** When live runs begin: the first slot is the calendar's first time at or after it. */
  readonly startTime: Date;
  readonly calendar: CalendarRule;
  /** Number of slots; null = indefinitely. */
  readonly count: number | null;
}

export interface PlannedSlot {
  readonly slot: Date;
  /**
   * k: the slot's position in the schedule, from 0. Null for a calendar schedule without a count:
   * numbering its slots would take a walk over the report's whole history, and nothing needs it.
   */
  readonly index: number | null;
  /** Slots passed over to reach this one. */
  readonly skipped: number;
}

/**
 * - `latest` (the scheduler after downtime): when slots were missed, run the most recent missed
 *   one once and skip the earlier ones.
 * - `future` (resume after pause): continue from the first slot at or after now; slots that
 *   passed while paused are not run later.
 */
export type CatchUp = "latest" | "future";

/** The schedule of a stored report's fields: calendar when it has a cron expression. */
export function reportSchedule(report: {
  readonly startTime: Date;
  readonly recurrenceInterval: number;
  readonly recurrenceCount: number | null;
  readonly schedule: string | null;
  readonly timeZone: string | null;
}): Schedule {
  if (report.schedule !== null) {
    return {
      startTime: report.startTime,
      calendar: { expression: report.schedule, timeZone: report.timeZone ?? "UTC" },
      count: report.recurrenceCount,
    };
  }
  return {
    startTime: report.startTime,
    intervalHours: report.recurrenceInterval,
    count: report.recurrenceCount,
  };
}

const HOUR_MS = 3_600_000;
/**
 * Bounds a walk over a calendar schedule's slots (counting slots skipped after downtime, or up to
 * a RecurrenceCount): 20,000 slots are over 9 years of the 4-hourly maximum rate.
 */
export const MAX_CALENDAR_WALK = 20_000;

/** The next slot after `lastSlot` (null: the report has not run yet), or null when the schedule is used up. */
export function nextRunTimes(
  schedule: Schedule,
  now: Date,
  options: { readonly lastSlot: Date | null; readonly catchUp: CatchUp },
): PlannedSlot | null {
  if ("calendar" in schedule) return nextCalendarRun(schedule, now, options);
  const start = schedule.startTime.getTime();
  const interval = schedule.intervalHours * HOUR_MS;
  const lastIndex = schedule.count === null ? Number.POSITIVE_INFINITY : schedule.count - 1;
  const candidate =
    options.lastSlot === null ? 0 : Math.round((options.lastSlot.getTime() - start) / interval) + 1;
  if (candidate > lastIndex) return null;

  const elapsed = now.getTime() - start;
  let index: number;
  if (options.catchUp === "latest") {
    const latestDue = elapsed < 0 ? -1 : Math.floor(elapsed / interval);
    index = Math.max(candidate, Math.min(latestDue, lastIndex));
  } else {
    const firstNotPast = elapsed <= 0 ? 0 : Math.ceil(elapsed / interval);
    index = Math.max(candidate, firstNotPast);
    if (index > lastIndex) return null;
  }
  return { slot: new Date(start + index * interval), index, skipped: index - candidate };
}

function nextCalendarRun(
  schedule: CalendarSchedule,
  now: Date,
  options: { readonly lastSlot: Date | null; readonly catchUp: CatchUp },
): PlannedSlot | null {
  const { calendar, count } = schedule;
  const candidate =
    options.lastSlot === null
      ? calendarSlotAtOrAfter(calendar, schedule.startTime)
      : calendarSlotAfter(calendar, options.lastSlot);
  if (!candidate) return null;
  // The candidate's index is only needed (and only counted) when a count bounds the schedule.
  const candidateIndex = count === null ? null : slotsBetween(schedule, schedule.startTime, candidate);
  if (candidateIndex !== null && candidateIndex >= count!) return null;
  const lastIndex = count === null ? Number.POSITIVE_INFINITY : count - 1;

  // Walk forward from the candidate: `latest` stops at the last slot due by now, `future` at the
  // first slot not yet past; neither goes beyond the last slot the count allows.
  const beyondCount = (skippedSoFar: number) => (candidateIndex ?? 0) + skippedSoFar + 1 > lastIndex;
  let slot = candidate;
  let skipped = 0;
  if (options.catchUp === "future") {
    while (slot.getTime() < now.getTime() && skipped < MAX_CALENDAR_WALK) {
      const next = calendarSlotAfter(calendar, slot);
      if (!next || beyondCount(skipped)) return null; // every remaining slot is past
      slot = next;
      skipped++;
    }
  } else {
    while (skipped < MAX_CALENDAR_WALK) {
      const next = calendarSlotAfter(calendar, slot);
      if (!next || next.getTime() > now.getTime() || beyondCount(skipped)) break;
      slot = next;
      skipped++;
    }
  }
  return { slot, index: candidateIndex === null ? null : candidateIndex + skipped, skipped };
}

/** Slots of a calendar schedule in [from, before), at most MAX_CALENDAR_WALK. */
function slotsBetween(schedule: CalendarSchedule, from: Date, before: Date): number {
  let n = 0;
  let slot = calendarSlotAtOrAfter(schedule.calendar, from);
  while (slot && slot.getTime() < before.getTime() && n < MAX_CALENDAR_WALK) {
    n++;
    slot = calendarSlotAfter(schedule.calendar, slot);
  }
  return n;
}

/**
 * The slots of `schedule` in [from, to], oldest first, ignoring StartTime and RecurrenceCount
 * (a backfill covers the past the live schedule never ran), at most `limit` + 1 of them so that a
 * caller can tell "more than limit".
 */
export function slotsInRange(schedule: Schedule, from: Date, to: Date, limit: number): Date[] {
  const slots: Date[] = [];
  if ("calendar" in schedule) {
    let slot = calendarSlotAtOrAfter(schedule.calendar, from);
    while (slot && slot.getTime() <= to.getTime() && slots.length <= limit) {
      slots.push(slot);
      slot = calendarSlotAfter(schedule.calendar, slot);
    }
    return slots;
  }
  // Interval slots extend before StartTime the same way: StartTime + k × interval, k < 0 too.
  const start = schedule.startTime.getTime();
  const interval = schedule.intervalHours * HOUR_MS;
  for (let k = Math.ceil((from.getTime() - start) / interval); slots.length <= limit; k++) {
    const slot = start + k * interval;
    if (slot > to.getTime()) break;
    slots.push(new Date(slot));
  }
  return slots;
}
