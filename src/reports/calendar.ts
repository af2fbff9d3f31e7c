/**
 * Calendar schedules (extension fields `Schedule` and `TimeZone`), pure: a 5-field cron expression
 * read on the wall clock of an IANA time zone, and the instants its slots fall on.
 *
 * croner only matches the expression against wall-clock times (it runs in UTC here, so its own
 * daylight-saving handling never applies); turning a wall-clock time into an instant is ours, with
 * one rule for every expression (docs/scheduling.md, "Calendar schedules"):
 * - a wall-clock time that does not exist (the hour skipped when clocks go forward) runs at the
 *   first valid time after the gap — the instant of the change;
 * - a wall-clock time that exists twice (the hour repeated when clocks go back) runs once, at its
 *   first occurrence;
 * - times that land on the same instant (02:00 and 02:30 in a skipped hour, both at 03:00) run once.
 * The time zone rules are the runtime's (Node's ICU data), read through Intl.
 */
import { Cron } from "croner";
import { BoundedMap } from "../core/bounded-map.js";

export interface CalendarRule {
  /** The 5-field cron expression as given (minute hour day-of-month month day-of-week). */
  readonly expression: string;
  /** The IANA zone, canonical spelling (Intl's). */
  readonly timeZone: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Bounds every walk over an expression's matches: no rule needs more (see each use). */
const MAX_STEPS = 10_000;

/** The canonical IANA name of `timeZone`, or null when the runtime does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (timeZone.trim() === "") return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Why `expression` is not a usable 5-field cron expression, or null when it is. */
export function cronExpressionProblem(expression: string): string | null {
  // Counted here: croner's own message for a wrong count says "five, six, or seven" parts, but a
  // Schedule takes five only.
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length > 0 && !fields[0]!.startsWith("@") && fields.length !== 5) {
    return `it has ${fields.length} field${fields.length === 1 ? "" : "s"}`;
  }
  try {
    const job = matcher(expression);
    if (job.nextRun(new Date(0)) === null) return "it never matches a date";
    return null;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  }
}

/** How far `shortestWallClockGapHours` looks: a year and a bit, and at most this many matches. */
const GAP_HORIZON_MS = 400 * DAY_MS;
const GAP_MAX_MATCHES = 500;

/**
 * The shortest distance between two consecutive matches of the expression on the wall clock
 * (daylight-saving changes left out: they move a slot by the size of the change, not the pattern),
 * in hours, over its matches in the 400 days after `from` (at most 500 of them: a cron pattern
 * repeats within a week, a month or a year, and each match costs croner about a millisecond on
 * this machine). Infinity when it matches once at most.
 */
export function shortestWallClockGapHours(expression: string, from: Date): number {
  // Asked twice per report creation (the rules' 4 hours, the dataset's minimum), and again for
  // each report using the same expression: remembered per expression and day.
  const key = `${from.toISOString().slice(0, 10)} ${expression}`;
  const known = gaps.get(key);
  if (known !== undefined) return known;
  const gap = measureShortestGap(expression, from);
  gaps.set(key, gap);
  return gap;
}

const gaps = new BoundedMap<number>({ maxEntries: 1000, maxSize: 1000, sizeOf: () => 1 });

function measureShortestGap(expression: string, from: Date): number {
  const job = matcher(expression);
  const horizon = from.getTime() + GAP_HORIZON_MS;
  let previous = job.nextRun(from);
  let shortest = Number.POSITIVE_INFINITY;
  for (let step = 0; previous && previous.getTime() < horizon && step < GAP_MAX_MATCHES; step++) {
    const next = job.nextRun(previous);
    if (!next) break;
    shortest = Math.min(shortest, (next.getTime() - previous.getTime()) / HOUR_MS);
    previous = next;
  }
  return shortest;
}

/** The first slot of `rule` strictly after `after`, or null when the expression matches no later date. */
export function calendarSlotAfter(rule: CalendarRule, after: Date): Date | null {
  const job = matcher(rule.expression);
  const zone = zoneClock(rule.timeZone);
  // Wall-clock matches are walked from a little before `after`'s wall-clock time: when `after`
  // is in the second pass of a repeated hour, matches of that hour map to its first pass (before
  // `after`) and are passed over by the comparison below.
  let wallClock: Date | null = new Date(zone.wallClock(after.getTime()) - 3 * HOUR_MS);
  for (let step = 0; step < MAX_STEPS; step++) {
    wallClock = job.nextRun(wallClock);
    if (!wallClock) return null;
    const instant = zone.instantOf(wallClock.getTime());
    if (instant > after.getTime()) return new Date(instant);
  }
  return null;
}

/** The first slot at or after `at`. */
export function calendarSlotAtOrAfter(rule: CalendarRule, at: Date): Date | null {
  return calendarSlotAfter(rule, new Date(at.getTime() - 1));
}

/** croner matching wall-clock times written as UTC instants, in 5-field mode. */
function matcher(expression: string): Cron {
  return new Cron(expression.trim(), { timezone: "Etc/UTC", mode: "5-part", paused: true });
}

interface ZoneClock {
  /** The wall-clock time of an instant, written as the UTC instant with the same fields. */
  wallClock(instant: number): number;
  /** The instant of a wall-clock time, by the rule above. */
  instantOf(wallClock: number): number;
}

const clocks = new Map<string, ZoneClock>();

function zoneClock(timeZone: string): ZoneClock {
  const known = clocks.get(timeZone);
  if (known) return known;
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const wallClock = (instant: number): number => {
    const part: Record<string, number> = {};
    for (const { type, value } of format.formatToParts(new Date(instant))) part[type] = Number(value);
    const utc = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
    // Intl drops milliseconds; keep them so that the mapping is exact.
    return utc + (((instant % 1000) + 1000) % 1000);
  };
  const offset = (instant: number) => wallClock(instant) - instant;
  const instantOf = (local: number): number => {
    // The offsets in force a day either side cover every zone's changes (they are months apart).
    const before = offset(local - DAY_MS);
    const after = offset(local + DAY_MS);
    const valid = [...new Set([before, after])]
      .map((o) => local - o)
      .filter((instant) => wallClock(instant) === local)
      .sort((a, b) => a - b);
    if (valid.length > 0) return valid[0]!; // repeated: the first pass
    if (after <= before) return local - before;
    // Skipped: the change happens between local − after and local − before; find its instant
    // (to the second: changes fall on whole seconds).
    let lo = Math.floor((local - after) / 1000);
    let hi = Math.ceil((local - before) / 1000);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid * 1000) === after) hi = mid;
      else lo = mid + 1;
    }
    return hi * 1000;
  };
  const clock = { wallClock, instantOf };
  clocks.set(timeZone, clock);
  return clock;
}
