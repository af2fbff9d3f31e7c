/**
 * The scheduling rule, pure: which slot a report runs next. Slots are StartTime + k × interval,
 * k = 0 … RecurrenceCount − 1 (unbounded when the count is absent), in UTC milliseconds — no
 * calendar or daylight-saving arithmetic. See docs/scheduling.md.
 */

export interface Schedule {
  readonly startTime: Date;
  /** Hours between slots (4–2160). */
  readonly intervalHours: number;
  /** Number of slots; null = indefinitely. */
  readonly count: number | null;
}

export interface PlannedSlot {
  readonly slot: Date;
  /** k: the slot's position in the schedule, from 0. */
  readonly index: number;
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

const HOUR_MS = 3_600_000;

/** The next slot after `lastSlot` (null: the report has not run yet), or null when the schedule is used up. */
export function nextRunTimes(
  schedule: Schedule,
  now: Date,
  options: { readonly lastSlot: Date | null; readonly catchUp: CatchUp },
): PlannedSlot | null {
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
