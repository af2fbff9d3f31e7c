/**
 * The metadata tables as Kysely sees them on PostgreSQL (column names are snake_case; the
 * row ↔ entity mapping lives in `rows.ts`). Same logical schema as the SQLite adapter.
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

export interface ReportQueriesTable {
  id: string;
  tenant: string;
  program: string;
  name: string;
  name_key: string;
  description: string;
  query_text: string;
  user_name: string;
  created_time: Date;
  modified_time: Date | null;
}

export interface ReportsTable {
  id: string;
  tenant: string;
  program: string;
  name: string;
  name_key: string;
  description: string;
  query_id: string;
  query_text: string;
  start_time: Date;
  recurrence_interval: number;
  recurrence_count: number | null;
  execute_now: boolean;
  query_start_time: Date | null;
  query_end_time: Date | null;
  format: string;
  compression: string;
  callback_url: string | null;
  callback_method: string | null;
  status: string;
  user_name: string;
  created_time: Date;
  modified_time: Date | null;
}

export interface ExecutionsTable {
  id: string;
  report_id: string;
  tenant: string;
  program: string;
  scheduled_time: Date;
  window_start: Date | null;
  window_end: Date | null;
  status: string;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  attempts: number;
  next_attempt_at: Date;
  file_key: string | null;
  row_count: number | null;
  bytes: number | null;
  sha256: string | null;
  generated_time: Date | null;
  failure_code: string | null;
  failure_reason: string | null;
  skipped_slots: number;
  created_time: Date;
  modified_time: Date | null;
}

/** The callback outbox: one row per execution (`execution_id` is unique). */
export interface CallbackDeliveriesTable {
  id: string;
  execution_id: string;
  report_id: string;
  tenant: string;
  program: string;
  url: string;
  method: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_time: Date;
}

/** One row per delivery attempt; primary key (delivery_id, attempt). */
export interface CallbackAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface MetadataDatabase {
  report_queries: ReportQueriesTable;
  reports: ReportsTable;
  executions: ExecutionsTable;
  callback_deliveries: CallbackDeliveriesTable;
  callback_attempts: CallbackAttemptsTable;
}
