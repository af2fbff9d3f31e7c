/**
 * The metadata tables as Kysely sees them (column names are snake_case; the row ↔ entity
 * mapping lives in `rows.ts`).
 *
 * Representation (SQLite):
 * - Instants are INTEGER milliseconds since the Unix epoch (UTC). `Date#getTime()` in,
 *   `new Date(ms)` out: exact to the millisecond, compared and sorted numerically, and free of
 *   text-format pitfalls (offsets, fractional digits, years outside 0000–9999).
 * - Booleans are INTEGER 0/1 (with a CHECK constraint).
 * - `name_key` columns hold `foldName(name)` so case-insensitive name filters work for all of
 *   Unicode (SQLite's `lower()` folds ASCII only) and can use an index.
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
  created_time: number;
  modified_time: number | null;
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
  start_time: number;
  recurrence_interval: number;
  recurrence_count: number | null;
  execute_now: number;
  query_start_time: number | null;
  query_end_time: number | null;
  format: string;
  compression: string;
  callback_url: string | null;
  callback_method: string | null;
  status: string;
  user_name: string;
  created_time: number;
  modified_time: number | null;
}

export interface ExecutionsTable {
  id: string;
  report_id: string;
  tenant: string;
  program: string;
  scheduled_time: number;
  window_start: number | null;
  window_end: number | null;
  status: string;
  lease_owner: string | null;
  lease_expires_at: number | null;
  attempts: number;
  next_attempt_at: number;
  file_key: string | null;
  row_count: number | null;
  bytes: number | null;
  sha256: string | null;
  generated_time: number | null;
  failure_code: string | null;
  failure_reason: string | null;
  /** Added by `002_execution_queue` (existing rows: 0). */
  skipped_slots: number;
  created_time: number;
  modified_time: number | null;
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
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_time: number;
}

/** One row per delivery attempt; primary key (delivery_id, attempt). */
export interface CallbackAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: number;
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
