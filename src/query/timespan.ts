/**
 * The calendar meaning of TIMESPAN values and of explicit query windows, computed from an
 * injected "now" (never the wall clock). All arithmetic is in UTC. A window is half-open:
 * [start, end); a null bound is unbounded. See docs/query-language.md.
 */
import type { Timespan } from "../datasets/types.js";

export interface TimeWindow {
  readonly start: Date | null;
  readonly end: Date | null;
}

export const DEFAULT_TIMESPAN: Timespan = "LAST_6_MONTHS";

const DAY_MS = 86_400_000;

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function startOfUtcMonth(now: Date, monthsBack = 0): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1));
}

/**
 * Day spans (TODAY, YESTERDAY, LAST_n_DAYS) count whole UTC days; LAST_n_DAYS ends at the start of
 * today, so the partial current day is left out. Month spans count whole calendar months before the
 * current one (LAST_MONTH = the previous calendar month), so the partial current month is left out.
 */
export function timespanWindow(timespan: Timespan, now: Date): TimeWindow {
  const today = startOfUtcDay(now);
  const daysBack = (n: number): TimeWindow => ({ start: new Date(today.getTime() - n * DAY_MS), end: today });
  const monthsBack = (n: number): TimeWindow => ({
    start: startOfUtcMonth(now, n),
    end: startOfUtcMonth(now),
  });
  switch (timespan) {
    case "TODAY":
      return { start: today, end: new Date(today.getTime() + DAY_MS) };
    case "YESTERDAY":
      return daysBack(1);
    case "LAST_7_DAYS":
      return daysBack(7);
    case "LAST_14_DAYS":
      return daysBack(14);
    case "LAST_30_DAYS":
      return daysBack(30);
    case "LAST_90_DAYS":
      return daysBack(90);
    case "LAST_180_DAYS":
      return daysBack(180);
    case "LAST_365_DAYS":
      return daysBack(365);
    case "LAST_MONTH":
      return monthsBack(1);
    case "LAST_3_MONTHS":
      return monthsBack(3);
    case "LAST_6_MONTHS":
      return monthsBack(6);
    case "LAST_1_YEAR":
      return monthsBack(12);
    case "LAST_3_YEARS":
      return monthsBack(36);
    case "LIFETIME":
      return { start: null, end: null };
  }
}

/**
 * QueryStartTime/QueryEndTime (reports) and startTime/endTime (test query) name the first and the
 * last instant wanted, both included. Times have whole-second precision, so the inclusive end
 * becomes the exclusive bound one second later.
 */
export function explicitWindow(start: Date | undefined, end: Date | undefined): TimeWindow {
  return { start: start ?? null, end: end ? new Date(end.getTime() + 1000) : null };
}
