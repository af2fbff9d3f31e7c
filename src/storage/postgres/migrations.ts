/**
 * Numbered schema migrations of the PostgreSQL metadata store, applied at open by
 * `migrateToLatest` below (which also makes concurrent starts safe).
 *
 * Rules:
 * - A migration, once released, never changes: add `002_…`, `003_…` instead. Names sort
 *   lexicographically, so keep the three-digit prefix.
 * - Plain SQL with inlined literals (status lists etc.) instead of live constants, so their
 *   meaning cannot drift. Unqualified names: the tables land in the connection's current schema.
 * - `001_initial` is the logical schema of the SQLite adapter's `001_initial` + `002_execution_queue`,
 *   in PostgreSQL types (see `schema.ts`), plus partial indexes for the claim and scheduler queries.
 */
import { type Kysely, type Migration, sql } from "kysely";

function statements(...ddl: string[]): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of ddl) await sql.raw(statement).execute(db);
    },
  };
}

const m001_initial = statements(
  `create table report_queries (
    id text collate "C" primary key,
    tenant text not null,
    program text not null constraint report_queries_program_check check (program in ('mpn', 'cmp')),
    name text not null,
    name_key text not null,
    description text not null,
    query_text text not null,
    user_name text not null,
    created_time timestamptz not null,
    modified_time timestamptz
  )`,
  `create index report_queries_scope_created_idx on report_queries (tenant, program, created_time, id)`,
  `create index report_queries_scope_name_idx on report_queries (tenant, program, name_key)`,

  `create table reports (
    id text collate "C" primary key,
    tenant text not null,
    program text not null constraint reports_program_check check (program in ('mpn', 'cmp')),
    name text not null,
    name_key text not null,
    description text not null,
    query_id text collate "C" not null,
    query_text text not null,
    start_time timestamptz not null,
    recurrence_interval integer not null,
    recurrence_count integer,
    execute_now boolean not null,
    query_start_time timestamptz,
    query_end_time timestamptz,
    format text not null constraint reports_format_check check (format in ('csv', 'tsv')),
    compression text not null constraint reports_compression_check check (compression in ('none', 'gzip')),
    callback_url text,
    callback_method text constraint reports_callback_method_check
      check (callback_method is null or callback_method in ('GET', 'POST')),
    status text not null constraint reports_status_check check (status in ('Active', 'Paused', 'Inactive')),
    user_name text not null,
    created_time timestamptz not null,
    modified_time timestamptz,
    -- Target of the executions' composite foreign key: an execution's scope is its report's.
    constraint reports_id_scope_unique unique (id, tenant, program)
  )`,
  `create index reports_scope_created_idx on reports (tenant, program, created_time, id)`,
  `create index reports_scope_query_idx on reports (tenant, program, query_id, status)`,
  `create index reports_scope_name_idx on reports (tenant, program, name_key)`,
  // The ExecuteNow quota: ExecuteNow reports of a scope created within a window.
  `create index reports_execute_now_idx on reports (tenant, program, created_time) where execute_now`,
  // The scheduler's scan of Active reports, by id.
  `create index reports_active_idx on reports (id) where status = 'Active'`,

  `create table executions (
    id text collate "C" primary key,
    report_id text collate "C" not null,
    tenant text not null,
    program text not null,
    scheduled_time timestamptz not null,
    window_start timestamptz,
    window_end timestamptz,
    status text not null constraint executions_status_check
      check (status in ('Pending', 'Running', 'Paused', 'Completed', 'Failed')),
    lease_owner text,
    lease_expires_at timestamptz,
    attempts integer not null,
    next_attempt_at timestamptz not null,
    file_key text,
    row_count bigint,
    bytes bigint,
    sha256 text,
    generated_time timestamptz,
    failure_code text,
    failure_reason text,
    skipped_slots integer not null default 0,
    created_time timestamptz not null,
    modified_time timestamptz,
    -- One execution per report and slot: the scheduler's idempotency key.
    constraint executions_report_slot_unique unique (report_id, scheduled_time),
    -- Target of the deliveries' composite foreign key: a delivery's report and scope are its execution's.
    constraint executions_id_scope_unique unique (id, report_id, tenant, program),
    constraint executions_report_fk foreign key (report_id, tenant, program)
      references reports (id, tenant, program) on delete cascade
  )`,
  `create index executions_scope_created_idx on executions (tenant, program, created_time, id)`,
  // Claiming due work, oldest first: WHERE status = 'Pending' AND next_attempt_at <= now ORDER BY next_attempt_at, id.
  `create index executions_pending_due_idx on executions (next_attempt_at, id) where status = 'Pending'`,
  // Reclaiming expired leases: WHERE status = 'Running' AND lease_expires_at <= now (few rows: one per worker slot).
  `create index executions_running_lease_idx on executions (lease_expires_at) where status = 'Running'`,
  // The scheduler: does a report still have an unfinished execution?
  `create index executions_unfinished_idx on executions (report_id)
    where status in ('Pending', 'Paused', 'Running')`,
  // Retention: finished executions scheduled before a cutoff, oldest first.
  `create index executions_finished_idx on executions (scheduled_time, id)
    where status in ('Completed', 'Failed')`,

  `create table callback_deliveries (
    id text collate "C" primary key,
    execution_id text collate "C" not null,
    report_id text collate "C" not null,
    tenant text not null,
    program text not null constraint callback_deliveries_program_check check (program in ('mpn', 'cmp')),
    url text not null,
    method text not null constraint callback_deliveries_method_check check (method in ('GET', 'POST')),
    payload text not null,
    status text not null constraint callback_deliveries_status_check
      check (status in ('Pending', 'Delivered', 'Failed')),
    attempts integer not null,
    next_attempt_at timestamptz not null,
    lease_owner text,
    lease_expires_at timestamptz,
    last_status_code integer,
    last_error text,
    delivered_at timestamptz,
    created_time timestamptz not null,
    -- One delivery per execution.
    constraint callback_deliveries_execution_unique unique (execution_id),
    constraint callback_deliveries_execution_fk foreign key (execution_id, report_id, tenant, program)
      references executions (id, report_id, tenant, program) on delete cascade
  )`,
  // Claiming due deliveries (a leased delivery stays Pending; its lease is checked per row).
  `create index callback_deliveries_pending_due_idx on callback_deliveries (next_attempt_at, id)
    where status = 'Pending'`,
  `create index callback_deliveries_report_idx on callback_deliveries (report_id)`,

  `create table callback_attempts (
    delivery_id text collate "C" not null
      constraint callback_attempts_delivery_fk references callback_deliveries (id) on delete cascade,
    attempt integer not null,
    at timestamptz not null,
    status_code integer,
    error text,
    duration_ms bigint not null,
    constraint callback_attempts_pk primary key (delivery_id, attempt)
  )`,
);

/** Reports' SpreadsheetSafe extension; reports from before it are written as they always were. */
const m002_spreadsheet_safe = statements(
  "alter table reports add column spreadsheet_safe boolean not null default false",
);

/** Programs come from catalog data (built-in and users' catalog files), no longer from a fixed list. */
const m003_catalog_programs = statements(
  "alter table report_queries drop constraint report_queries_program_check",
  "alter table reports drop constraint reports_program_check",
  "alter table callback_deliveries drop constraint callback_deliveries_program_check",
);

/** Loads of rows into datasets (`src/loads/model.ts`). */
const m004_loads = statements(
  `create table loads (
    id text collate "C" primary key,
    tenant text not null,
    program text not null,
    dataset text not null,
    mode text not null constraint loads_mode_check check (mode in ('append', 'replace')),
    status text not null constraint loads_status_check check (status in ('Running', 'Completed', 'Failed')),
    row_count bigint,
    bytes bigint,
    failure_reason text,
    started_time timestamptz not null,
    finished_time timestamptz
  )`,
  // Listing, newest first.
  `create index loads_started_idx on loads (started_time, id)`,
);

/**
 * Rate-limit token buckets shared by every process (docs/operations.md): one row per tenant, or
 * per tenant and operation for operations with a rate of their own. PostgreSQL only: with SQLite
 * there is one process, which keeps its buckets in memory.
 */
const m005_rate_limits = statements(
  `create table rate_limit_buckets (
    bucket text collate "C" primary key,
    tokens double precision not null,
    updated_at timestamptz not null,
    allowed boolean not null
  )`,
);

/** Reports gain `callback_on_failure` (the CallbackOnFailure extension); existing reports: false. */
const m006_callback_on_failure = statements(
  "alter table reports add column callback_on_failure boolean not null default false",
);

/**
 * Rate-limit buckets skip the write-ahead log: they are taken on every API request, and a bucket is
 * worth nothing after a crash (it is truncated then, so every tenant starts with a full bucket),
 * while a logged upsert waits for a WAL flush. Measured (bench/rate-limit.ts, docs/benchmarks.md):
 * 2–2.6× the takes per second of the logged table. Not replicated to standbys: after a failover the
 * buckets start full, the same as after a crash.
 */
const m014_unlogged_rate_limits = statements("alter table rate_limit_buckets set unlogged");

/**
 * Results in parts (issue #14, MaxFileSizeMB): reports gain `max_file_size_mb` (null: the
 * deployment's default); executions gain `parts`, the JSON list of a result's parts (null: one file).
 */
const m015_execution_parts = statements(
  `alter table reports add column max_file_size_mb integer
    constraint reports_max_file_size_mb_check check (max_file_size_mb is null or max_file_size_mb > 0)`,
  "alter table executions add column parts text",
);

/** The audit log (docs/operations.md): listed by time, filtered by tenant; purged by time. */
const m007_audit_log = statements(
  `create table audit_log (
    id text collate "C" primary key,
    created_time timestamptz not null,
    tenant text not null,
    actor text not null,
    request_id text,
    action text not null,
    program text,
    target text,
    outcome text not null constraint audit_log_outcome_check check (outcome in ('success', 'failure')),
    status_code integer,
    detail text
  )`,
  "create index audit_log_time_idx on audit_log (created_time, id)",
  "create index audit_log_tenant_idx on audit_log (tenant, created_time, id)",
);

/** Report formats `parquet` and `json`, compression `zstd` (issue #14): the two CHECKs widened. */
const m008_report_formats = statements(
  `alter table reports drop constraint reports_format_check,
    add constraint reports_format_check check (format in ('csv', 'tsv', 'parquet', 'json'))`,
  `alter table reports drop constraint reports_compression_check,
    add constraint reports_compression_check check (compression in ('none', 'gzip', 'zstd'))`,
);

/** Extension `QueryWindow` of scheduled reports (issue #14): null = TIMESPAN, as before. */
const m009_query_window = statements(
  `alter table reports add column query_window text constraint reports_query_window_check
    check (query_window is null or query_window in ('SinceLastSuccess'))`,
);

/**
 * Dataset file sets (issue #11, docs/loading.md): the current Parquet files of each (program, table,
 * tenant) as one versioned row, replaced in one transaction by a load's commit; files a commit
 * superseded, deleted after a grace period; a load's heartbeat (a killed load is failed by a sweep);
 * the data version each execution read.
 */
const m010_dataset_files = statements(
  `create table dataset_file_sets (
    program text collate "C" not null,
    dataset_table text collate "C" not null,
    tenant text collate "C" not null,
    version bigint not null,
    files text not null,
    row_count bigint not null,
    committed_time timestamptz not null,
    primary key (program, dataset_table, tenant)
  )`,
  `create table retired_dataset_files (
    name text collate "C" primary key,
    retired_time timestamptz not null
  )`,
  "create index retired_dataset_files_time_idx on retired_dataset_files (retired_time)",
  "alter table loads add column heartbeat_time timestamptz",
  "alter table executions add column data_version text",
);

/**
 * The stand-in for client developers (issue #18): test clocks, the clock a report lives on, and
 * the fault rules every process reads (one row, `id` 'current').
 */
const m011_stand_in = statements(
  `create table test_clocks (
    id text collate "C" primary key,
    tenant text not null,
    program text not null,
    name text not null,
    frozen_time timestamptz not null,
    status text not null constraint test_clocks_status_check check (status in ('Ready', 'Advancing')),
    created_time timestamptz not null,
    modified_time timestamptz
  )`,
  "create index test_clocks_scope_created_idx on test_clocks (tenant, program, created_time, id)",
  // No index of its own: a clock's reports are looked up within the scope, whose index serves.
  "alter table reports add column test_clock_id text",
  `create table fault_rules (
    id text primary key,
    rules text not null,
    modified_time timestamptz not null
  )`,
);

/**
 * Calendar schedules and backfills (issue #14): reports gain the extension fields `Schedule` and
 * `TimeZone` (null: interval schedules, as before); executions record their origin: null for the
 * schedule's own, `backfill` for those a backfill created (they keep their past slot instead of
 * moving to the latest due one).
 */
const m012_calendar_schedules = statements(
  "alter table reports add column schedule text, add column time_zone text",
  `alter table executions add column origin text constraint executions_origin_check
    check (origin is null or origin in ('backfill'))`,
);

/** All migrations, by name. Append only. */
export const METADATA_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "001_initial": m001_initial,
  "002_spreadsheet_safe": m002_spreadsheet_safe,
  "003_catalog_programs": m003_catalog_programs,
  "004_loads": m004_loads,
  "005_rate_limits": m005_rate_limits,
  "006_callback_on_failure": m006_callback_on_failure,
  "007_audit_log": m007_audit_log,
  "008_report_formats": m008_report_formats,
  "009_query_window": m009_query_window,
  "010_dataset_files": m010_dataset_files,
  "011_stand_in": m011_stand_in,
  "012_calendar_schedules": m012_calendar_schedules,
  "014_unlogged_rate_limits": m014_unlogged_rate_limits,
  "015_execution_parts": m015_execution_parts,
});

/** The bookkeeping table: the layout of Kysely's `Migrator` (so either runner can take over). */
export const MIGRATION_TABLE = "kysely_migration";

/**
 * Applies every pending migration in one transaction; returns the names applied (empty when the
 * schema is current). `db` must resolve unqualified names to `schema` (its search_path); `schema`
 * is created when missing. Throws the migration's error, with the failing name, and refuses a
 * database that a newer version has migrated further than this one knows.
 *
 * Safe when several processes start at once: the transaction first takes an advisory lock
 * (`lockKeys`, per schema), so the others wait, then find the migrations applied. A small runner
 * of our own rather than Kysely's `Migrator`, whose catalogue introspection grows with every schema
 * in the database (slow when each test has its own).
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  schema: string,
  lockKeys: readonly [number, number],
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${lockKeys[0]}, ${lockKeys[1]})`.execute(trx);
    await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    const table = sql.id(schema, MIGRATION_TABLE);
    await sql`create table if not exists ${table} (
      name varchar(255) not null primary key,
      timestamp varchar(255) not null
    )`.execute(trx);
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(trx);
    const applied = new Set(rows.map((r) => r.name));
    const unknown = [...applied].filter((name) => !(name in METADATA_MIGRATIONS));
    if (unknown.length > 0) {
      throw new Error(
        `The metadata schema ${schema} has migrations this version does not know (${unknown.sort().join(", ")}): ` +
          "it was migrated by a newer OpenInsights",
      );
    }
    const pending = Object.keys(METADATA_MIGRATIONS)
      .sort()
      .filter((name) => !applied.has(name));
    for (const name of pending) {
      try {
        await METADATA_MIGRATIONS[name]!.up(trx);
      } catch (error) {
        throw new Error(`Metadata migration ${name} failed`, { cause: error });
      }
      await sql`insert into ${table} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(
        trx,
      );
    }
    return pending;
  });
}
