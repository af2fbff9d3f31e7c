/**
 * The metadata tables as Kysely sees them, shared by the SQLite and PostgreSQL adapters (column
 * names are snake_case; the row ↔ entity mapping lives in `rows.ts`).
 *
 * The two engines agree on every column but the representation of instants (`I`) and booleans
 * (`B`); each adapter's `schema.ts` fixes both and says why. `name_key` columns hold
 * `foldName(name)` so case-insensitive name filters work for all of Unicode, identically on both
 * engines, and can use an index.
 */

export interface ReportQueriesTable<I> {
  id: string;
  tenant: string;
  program: string;
  name: string;
  name_key: string;
  description: string;
  query_text: string;
  user_name: string;
  created_time: I;
  modified_time: I | null;
}

export interface ReportsTable<I, B> {
  id: string;
  tenant: string;
  program: string;
  name: string;
  name_key: string;
  description: string;
  query_id: string;
  query_text: string;
  start_time: I;
  recurrence_interval: number;
  recurrence_count: number | null;
  execute_now: B;
  query_start_time: I | null;
  query_end_time: I | null;
  query_window: string | null;
  /** Added by `012_calendar_schedules` (existing rows: null, interval schedules). */
  schedule: string | null;
  time_zone: string | null;
  format: string;
  compression: string;
  spreadsheet_safe: B;
  /** Added by `015_execution_parts` (existing rows: null, the deployment's default). */
  max_file_size_mb: number | null;
  callback_url: string | null;
  callback_method: string | null;
  /** Added by `006_callback_on_failure` (existing rows: false). */
  callback_on_failure: B;
  /** Added by `011_stand_in`: the test clock the report lives on (null: the wall clock). */
  test_clock_id: string | null;
  status: string;
  user_name: string;
  created_time: I;
  modified_time: I | null;
}

export interface ExecutionsTable<I> {
  id: string;
  report_id: string;
  tenant: string;
  program: string;
  scheduled_time: I;
  window_start: I | null;
  window_end: I | null;
  status: string;
  lease_owner: string | null;
  lease_expires_at: I | null;
  attempts: number;
  next_attempt_at: I;
  file_key: string | null;
  row_count: number | null;
  bytes: number | null;
  sha256: string | null;
  generated_time: I | null;
  failure_code: string | null;
  failure_reason: string | null;
  /** Added by `002_execution_queue` (existing rows: 0). */
  skipped_slots: number;
  /** Added by `012_calendar_schedules`: null for the schedule's own executions, or "backfill". */
  origin: string | null;
  created_time: I;
  modified_time: I | null;
  /** Added by `010_dataset_files`: the data version a Completed execution read. */
  data_version: string | null;
  /** Added by `015_execution_parts`: JSON `ExecutionPart[]` of a result in parts; null for one file. */
  parts: string | null;
}

/** The callback outbox: one row per execution (`execution_id` is unique). */
export interface CallbackDeliveriesTable<I> {
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
  next_attempt_at: I;
  lease_owner: string | null;
  lease_expires_at: I | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: I | null;
  created_time: I;
}

/** One row per delivery attempt; primary key (delivery_id, attempt). */
export interface CallbackAttemptsTable<I> {
  delivery_id: string;
  attempt: number;
  at: I;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The audit log (`007_audit_log`). */
export interface AuditLogTable<I> {
  id: string;
  created_time: I;
  tenant: string;
  actor: string;
  request_id: string | null;
  action: string;
  program: string | null;
  target: string | null;
  outcome: string;
  status_code: number | null;
  detail: string | null;
}

/** Loads of rows into datasets (`src/loads/model.ts`), newest first by (started_time, id). */
export interface LoadsTable<I> {
  id: string;
  tenant: string;
  program: string;
  dataset: string;
  mode: string;
  status: string;
  row_count: number | null;
  bytes: number | null;
  failure_reason: string | null;
  started_time: I;
  finished_time: I | null;
  /** Added by `010_dataset_files`: the last sign of life of a Running load. */
  heartbeat_time: I | null;
}

/** The current Parquet files of each (program, table, tenant) (`010_dataset_files`). */
export interface DatasetFileSetsTable<I> {
  program: string;
  dataset_table: string;
  tenant: string;
  version: number;
  /** JSON: `DatasetFile[]`. */
  files: string;
  row_count: number;
  committed_time: I;
}

/** Files a commit superseded, deleted once no query or export can still read them. */
export interface RetiredDatasetFilesTable<I> {
  name: string;
  retired_time: I;
}

/** Test clocks (`011_stand_in`). */
export interface TestClocksTable<I> {
  id: string;
  tenant: string;
  program: string;
  name: string;
  frozen_time: I;
  status: string;
  created_time: I;
  modified_time: I | null;
}

/** The fault rules (`011_stand_in`): one row, id 'current', the rules as JSON. */
export interface FaultRulesTable<I> {
  id: string;
  rules: string;
  modified_time: I;
}

export interface MetadataTables<I, B> {
  test_clocks: TestClocksTable<I>;
  fault_rules: FaultRulesTable<I>;
  loads: LoadsTable<I>;
  dataset_file_sets: DatasetFileSetsTable<I>;
  retired_dataset_files: RetiredDatasetFilesTable<I>;
  report_queries: ReportQueriesTable<I>;
  reports: ReportsTable<I, B>;
  executions: ExecutionsTable<I>;
  callback_deliveries: CallbackDeliveriesTable<I>;
  callback_attempts: CallbackAttemptsTable<I>;
  audit_log: AuditLogTable<I>;
}
