/**
 * The metadata tables as Kysely sees them on PostgreSQL (the tables are shared with the SQLite
 * adapter, see `../kysely/schema.ts`; this file fixes how instants and booleans are represented).
 *
 * Representation (PostgreSQL):
 * - Instants are `timestamptz`. We only ever write millisecond-precision `Date`s, and node-postgres
 *   reads `timestamptz` back as a `Date` (it keeps milliseconds), so round-trips are exact.
 * - Booleans are `boolean`.
 * - Counters that can exceed 2^31 (`row_count`, `bytes`, `duration_ms`) are `bigint`; the store's
 *   pool parses `int8` into a JS number (refusing values beyond 2^53), so they read back as numbers.
 * - Ids are `text COLLATE "C"`: compared and sorted byte-wise (UTF-8), exactly like SQLite's BINARY.
 * - `name_key` columns hold `foldName(name)` (see `rows.ts`) so case-insensitive name filters behave
 *   exactly like the SQLite adapter's and can use an index.
 */

import type * as Shared from "../kysely/schema.js";

export type ReportQueriesTable = Shared.ReportQueriesTable<Date>;
export type ReportsTable = Shared.ReportsTable<Date, boolean>;
export type ExecutionsTable = Shared.ExecutionsTable<Date>;
export type CallbackDeliveriesTable = Shared.CallbackDeliveriesTable<Date>;
export type CallbackAttemptsTable = Shared.CallbackAttemptsTable<Date>;
export type MetadataDatabase = Shared.MetadataTables<Date, boolean>;
