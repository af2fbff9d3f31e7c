/**
 * Row ↔ entity mapping for the PostgreSQL metadata store (representation: see `schema.ts`): the
 * shared mappers of `../kysely/rows.ts` (the same ones the SQLite adapter uses, so both fold
 * names identically) with instants as `Date`s and booleans as booleans.
 */
import { rowMapping } from "../kysely/rows.js";

export { foldName } from "../kysely/rows.js";

/** A copy of a Date, rejecting invalid dates instead of storing garbage. */
export function toDate(date: Date): Date {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("Cannot store an invalid Date");
  return new Date(ms);
}

export const {
  toInstantOrNull: toDateOrNull,
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
} = rowMapping<Date, boolean>({
  toInstant: toDate,
  // node-postgres returns `timestamptz` as a Date; a copy keeps rows and entities independent.
  fromInstant: (date) => new Date(date.getTime()),
  toBool: (value) => value,
  fromBool: (value) => value,
});
