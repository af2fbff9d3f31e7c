/**
 * The metadata tables as Kysely sees them (the tables themselves are shared, see
 * `../kysely/schema.ts`; this file fixes how instants and booleans are represented).
 *
 * Representation (SQLite):
 * - Instants are INTEGER milliseconds since the Unix epoch (UTC). `Date#getTime()` in,
 *   `new Date(ms)` out: exact to the millisecond, compared and sorted numerically, and free of
 *   text-format pitfalls (offsets, fractional digits, years outside 0000–9999).
 * - Booleans are INTEGER 0/1 (with a CHECK constraint).
 * - `name_key` columns hold `foldName(name)` so case-insensitive name filters work for all of
 *   Unicode (SQLite's `lower()` folds ASCII only) and can use an index.
 */

import type * as Shared from "../kysely/schema.js";

export type ReportQueriesTable = Shared.ReportQueriesTable<number>;
export type ReportsTable = Shared.ReportsTable<number, number>;
export type ExecutionsTable = Shared.ExecutionsTable<number>;
export type CallbackDeliveriesTable = Shared.CallbackDeliveriesTable<number>;
export type CallbackAttemptsTable = Shared.CallbackAttemptsTable<number>;
export type MetadataDatabase = Shared.MetadataTables<number, number>;
