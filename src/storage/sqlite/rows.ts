/**
 * Row ↔ entity mapping for the SQLite metadata store (representation: see `schema.ts`): the
 * shared mappers of `../kysely/rows.ts` with instants as epoch milliseconds and booleans as 0/1.
 */
import { rowMapping } from "../kysely/rows.js";

export { foldName } from "../kysely/rows.js";

/** A Date as epoch milliseconds; rejects invalid dates instead of storing NaN. */
export function toMs(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("Cannot store an invalid Date");
  return ms;
}

export const {
  toInstantOrNull: toMsOrNull,
  queryToRow,
  rowToQuery,
  reportToRow,
  rowToReport,
  executionToRow,
  rowToExecution,
  deliveryToRow,
  rowToDelivery,
  attemptToRow,
  rowToAttempt,
  auditToRow,
  rowToAudit,
  loadToRow,
  rowToLoad,
  testClockToRow,
  rowToTestClock,
  fromInstant,
} = rowMapping<number, number>({
  toInstant: toMs,
  fromInstant: (ms) => new Date(ms),
  toBool: (value) => (value ? 1 : 0),
  fromBool: (value) => value === 1,
});
