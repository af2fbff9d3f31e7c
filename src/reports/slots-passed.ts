/**
 * Which slots of a schedule an advance of a test clock passes, pure: the clock supplies the "now"
 * of the one slot rule (`reports/schedule.ts`), which is asked for one slot after another.
 */
import { nextRunTimes, type Schedule } from "./schedule.js";

export interface PassedSlots {
  /** The slots in (after, through] (or [first slot, through] when `after` is null), in order, at most `limit`. */
  readonly slots: readonly Date[];
  /** True when more slots than `limit` were passed. */
  readonly overLimit: boolean;
}

/**
 * The slots of `schedule` later than `after` and not later than `through`. `after` null means from
 * the schedule's first slot on (a report new on a clock).
 */
export function slotsPassed(
  schedule: Schedule,
  after: Date | null,
  through: Date,
  limit: number,
): PassedSlots {
  const slots: Date[] = [];
  // "future" catch-up at an instant is the first slot at or after it; one millisecond past
  // `after` makes it the first slot strictly later.
  let plan = nextRunTimes(schedule, after === null ? schedule.startTime : new Date(after.getTime() + 1), {
    lastSlot: null,
    catchUp: "future",
  });
  while (plan !== null && plan.slot.getTime() <= through.getTime()) {
    if (slots.length === limit) return { slots, overLimit: true };
    slots.push(plan.slot);
    plan = nextRunTimes(schedule, plan.slot, { lastSlot: plan.slot, catchUp: "future" });
  }
  return { slots, overLimit: false };
}
