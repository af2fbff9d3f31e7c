/**
 * Numbered schema migrations of the metadata store, run by Kysely's `Migrator` at open.
 *
 * Rules:
 * - A migration, once released, never changes: add `002_…`, `003_…` instead. Names sort
 *   lexicographically, so keep the three-digit prefix.
 * - Migrations inline their own literals (status lists etc.) instead of importing live
 *   constants, so their meaning cannot drift.
 * - The DDL goes through Kysely's schema builder and stays dialect-neutral except for the
 *   column types in `T` below; a PostgreSQL adapter can copy this file and only swap `T`
 *   (instant → timestamptz, bool → boolean, int → bigint where needed).
 */
import {
  type ColumnDataType,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from "kysely";

/** Column types of the logical schema, as SQLite stores them (see `schema.ts`). */
const T = {
  text: "text",
  /** Milliseconds since the Unix epoch, UTC. */
  instant: "integer",
  /** 0 or 1. */
  bool: "integer",
  /** 64-bit integer. */
  int: "integer",
} as const satisfies Record<string, ColumnDataType>;

/** `column IN ('a', 'b', …)` with literal values (DDL cannot bind parameters). */
function oneOf(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}

const m001_initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const programs = ["mpn", "cmp"];

    await db.schema
      .createTable("report_queries")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("name", T.text, (c) => c.notNull())
      .addColumn("name_key", T.text, (c) => c.notNull())
      .addColumn("description", T.text, (c) => c.notNull())
      .addColumn("query_text", T.text, (c) => c.notNull())
      .addColumn("user_name", T.text, (c) => c.notNull())
      .addColumn("created_time", T.instant, (c) => c.notNull())
      .addColumn("modified_time", T.instant)
      .addCheckConstraint("report_queries_program_check", oneOf("program", programs))
      .execute();
    await db.schema
      .createIndex("report_queries_scope_created_idx")
      .on("report_queries")
      .columns(["tenant", "program", "created_time", "id"])
      .execute();
    await db.schema
      .createIndex("report_queries_scope_name_idx")
      .on("report_queries")
      .columns(["tenant", "program", "name_key"])
      .execute();

    await db.schema
      .createTable("reports")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("name", T.text, (c) => c.notNull())
      .addColumn("name_key", T.text, (c) => c.notNull())
      .addColumn("description", T.text, (c) => c.notNull())
      .addColumn("query_id", T.text, (c) => c.notNull())
      .addColumn("query_text", T.text, (c) => c.notNull())
      .addColumn("start_time", T.instant, (c) => c.notNull())
      .addColumn("recurrence_interval", T.int, (c) => c.notNull())
      .addColumn("recurrence_count", T.int)
      .addColumn("execute_now", T.bool, (c) => c.notNull())
      .addColumn("query_start_time", T.instant)
      .addColumn("query_end_time", T.instant)
      .addColumn("format", T.text, (c) => c.notNull())
      .addColumn("compression", T.text, (c) => c.notNull())
      .addColumn("callback_url", T.text)
      .addColumn("callback_method", T.text)
      .addColumn("status", T.text, (c) => c.notNull())
      .addColumn("user_name", T.text, (c) => c.notNull())
      .addColumn("created_time", T.instant, (c) => c.notNull())
      .addColumn("modified_time", T.instant)
      // Target of the executions' composite foreign key: an execution's scope is its report's.
      .addUniqueConstraint("reports_id_scope_unique", ["id", "tenant", "program"])
      .addCheckConstraint("reports_program_check", oneOf("program", programs))
      .addCheckConstraint("reports_execute_now_check", sql`${sql.ref("execute_now")} in (0, 1)`)
      .addCheckConstraint("reports_format_check", oneOf("format", ["csv", "tsv"]))
      .addCheckConstraint("reports_compression_check", oneOf("compression", ["none", "gzip"]))
      .addCheckConstraint(
        "reports_callback_method_check",
        sql`${sql.ref("callback_method")} is null or ${oneOf("callback_method", ["GET", "POST"])}`,
      )
      .addCheckConstraint("reports_status_check", oneOf("status", ["Active", "Paused", "Inactive"]))
      .execute();
    await db.schema
      .createIndex("reports_scope_created_idx")
      .on("reports")
      .columns(["tenant", "program", "created_time", "id"])
      .execute();
    await db.schema
      .createIndex("reports_scope_query_idx")
      .on("reports")
      .columns(["tenant", "program", "query_id", "status"])
      .execute();
    await db.schema
      .createIndex("reports_scope_name_idx")
      .on("reports")
      .columns(["tenant", "program", "name_key"])
      .execute();

    await db.schema
      .createTable("executions")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("report_id", T.text, (c) => c.notNull())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("scheduled_time", T.instant, (c) => c.notNull())
      .addColumn("window_start", T.instant)
      .addColumn("window_end", T.instant)
      .addColumn("status", T.text, (c) => c.notNull())
      .addColumn("lease_owner", T.text)
      .addColumn("lease_expires_at", T.instant)
      .addColumn("attempts", T.int, (c) => c.notNull())
      .addColumn("next_attempt_at", T.instant, (c) => c.notNull())
      .addColumn("file_key", T.text)
      .addColumn("row_count", T.int)
      .addColumn("bytes", T.int)
      .addColumn("sha256", T.text)
      .addColumn("generated_time", T.instant)
      .addColumn("failure_code", T.text)
      .addColumn("failure_reason", T.text)
      .addColumn("created_time", T.instant, (c) => c.notNull())
      .addColumn("modified_time", T.instant)
      // One execution per report and slot: the scheduler's idempotency key.
      .addUniqueConstraint("executions_report_slot_unique", ["report_id", "scheduled_time"])
      .addForeignKeyConstraint(
        "executions_report_fk",
        ["report_id", "tenant", "program"],
        "reports",
        ["id", "tenant", "program"],
        (fk) => fk.onDelete("cascade"),
      )
      .addCheckConstraint(
        "executions_status_check",
        oneOf("status", ["Pending", "Running", "Paused", "Completed", "Failed"]),
      )
      .execute();
    await db.schema
      .createIndex("executions_scope_created_idx")
      .on("executions")
      .columns(["tenant", "program", "created_time", "id"])
      .execute();
    // Claiming due work: WHERE status = 'Pending' AND next_attempt_at <= now ORDER BY next_attempt_at.
    await db.schema
      .createIndex("executions_due_idx")
      .on("executions")
      .columns(["status", "next_attempt_at"])
      .execute();
  },
};

/**
 * The work queues: executions gain `skipped_slots` and the indexes their claims and retention
 * need; the callback outbox (`callback_deliveries`, one row per execution) and its attempt log.
 */
const m002_execution_queue: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("executions")
      .addColumn("skipped_slots", T.int, (c) => c.notNull().defaultTo(0))
      .execute();
    // Reclaiming expired leases: WHERE status = 'Running' AND lease_expires_at <= now.
    await db.schema
      .createIndex("executions_lease_idx")
      .on("executions")
      .columns(["status", "lease_expires_at"])
      .execute();
    // Retention: WHERE scheduled_time < before.
    await db.schema
      .createIndex("executions_scheduled_idx")
      .on("executions")
      .column("scheduled_time")
      .execute();
    // Target of the deliveries' composite foreign key: a delivery's report and scope are its execution's.
    await db.schema
      .createIndex("executions_id_scope_unique")
      .on("executions")
      .columns(["id", "report_id", "tenant", "program"])
      .unique()
      .execute();

    await db.schema
      .createTable("callback_deliveries")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("execution_id", T.text, (c) => c.notNull())
      .addColumn("report_id", T.text, (c) => c.notNull())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("url", T.text, (c) => c.notNull())
      .addColumn("method", T.text, (c) => c.notNull())
      .addColumn("payload", T.text, (c) => c.notNull())
      .addColumn("status", T.text, (c) => c.notNull())
      .addColumn("attempts", T.int, (c) => c.notNull())
      .addColumn("next_attempt_at", T.instant, (c) => c.notNull())
      .addColumn("lease_owner", T.text)
      .addColumn("lease_expires_at", T.instant)
      .addColumn("last_status_code", T.int)
      .addColumn("last_error", T.text)
      .addColumn("delivered_at", T.instant)
      .addColumn("created_time", T.instant, (c) => c.notNull())
      // One delivery per execution.
      .addUniqueConstraint("callback_deliveries_execution_unique", ["execution_id"])
      .addForeignKeyConstraint(
        "callback_deliveries_execution_fk",
        ["execution_id", "report_id", "tenant", "program"],
        "executions",
        ["id", "report_id", "tenant", "program"],
        (fk) => fk.onDelete("cascade"),
      )
      .addCheckConstraint("callback_deliveries_program_check", oneOf("program", ["mpn", "cmp"]))
      .addCheckConstraint("callback_deliveries_method_check", oneOf("method", ["GET", "POST"]))
      .addCheckConstraint(
        "callback_deliveries_status_check",
        oneOf("status", ["Pending", "Delivered", "Failed"]),
      )
      .execute();
    // Claiming due deliveries, and reclaiming expired leases.
    await db.schema
      .createIndex("callback_deliveries_due_idx")
      .on("callback_deliveries")
      .columns(["status", "next_attempt_at"])
      .execute();
    await db.schema
      .createIndex("callback_deliveries_lease_idx")
      .on("callback_deliveries")
      .columns(["status", "lease_expires_at"])
      .execute();

    await db.schema
      .createTable("callback_attempts")
      .addColumn("delivery_id", T.text, (c) => c.notNull())
      .addColumn("attempt", T.int, (c) => c.notNull())
      .addColumn("at", T.instant, (c) => c.notNull())
      .addColumn("status_code", T.int)
      .addColumn("error", T.text)
      .addColumn("duration_ms", T.int, (c) => c.notNull())
      .addPrimaryKeyConstraint("callback_attempts_pk", ["delivery_id", "attempt"])
      .addForeignKeyConstraint(
        "callback_attempts_delivery_fk",
        ["delivery_id"],
        "callback_deliveries",
        ["id"],
        (fk) => fk.onDelete("cascade"),
      )
      .execute();
  },
};

/** Reports' SpreadsheetSafe extension; reports from before it are written as they always were. */
const m003_spreadsheet_safe: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("reports")
      .addColumn("spreadsheet_safe", T.bool, (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/**
 * Programs come from catalog data (built-in and users' catalog files), no longer from a fixed
 * list: the three `program in ('mpn', 'cmp')` checks go. SQLite cannot drop a constraint; this is
 * its documented procedure for removing a CHECK, which leaves the stored rows as they are: edit
 * the table's definition in the schema table and bump the schema version (sqlite.org/lang_altertable.html,
 * "making other kinds of table schema changes"). The store lifts defensive mode for it.
 */
const m004_catalog_programs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const checks = {
      report_queries: "report_queries_program_check",
      reports: "reports_program_check",
      callback_deliveries: "callback_deliveries_program_check",
    };
    await editTableDefinitions(
      db,
      Object.entries(checks).map(([table, check]) => [
        table,
        (definition) => {
          const pattern = new RegExp(
            `,\\s*constraint "${check}" check \\("program" in \\('mpn', 'cmp'\\)\\)`,
          );
          if (!pattern.test(definition))
            throw new Error(`${table}: constraint ${check} not found in ${definition}`);
          return definition.replace(pattern, "");
        },
      ]),
    );
  },
};

/**
 * Edits the stored CREATE TABLE text of each table in place, in order, and bumps the schema
 * version so every connection reads the new definitions (sqlite.org/lang_altertable.html, "making
 * other kinds of table schema changes"). Sound only for edits the stored rows already satisfy
 * (removing or widening a CHECK); the store lifts defensive mode while migrations run.
 */
async function editTableDefinitions(
  db: Kysely<unknown>,
  edits: readonly (readonly [table: string, edit: (definition: string) => string])[],
): Promise<void> {
  const { rows: version } = await sql<{ schema_version: number }>`pragma schema_version`.execute(db);
  await sql`pragma writable_schema = on`.execute(db);
  for (const [table, edit] of edits) {
    const { rows } = await sql<{
      sql: string;
    }>`select sql from sqlite_schema where type = 'table' and name = ${table}`.execute(db);
    const definition = rows[0]?.sql ?? "";
    await sql`update sqlite_schema set sql = ${edit(definition)} where type = 'table' and name = ${table}`.execute(
      db,
    );
  }
  await sql.raw(`pragma schema_version = ${Number(version[0]!.schema_version) + 1}`).execute(db);
  await sql`pragma writable_schema = off`.execute(db);
}

/** Loads of rows into datasets (`src/loads/model.ts`). */
const m005_loads: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("loads")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("dataset", T.text, (c) => c.notNull())
      .addColumn("mode", T.text, (c) => c.notNull())
      .addColumn("status", T.text, (c) => c.notNull())
      .addColumn("row_count", T.int)
      .addColumn("bytes", T.int)
      .addColumn("failure_reason", T.text)
      .addColumn("started_time", T.instant, (c) => c.notNull())
      .addColumn("finished_time", T.instant)
      .addCheckConstraint("loads_mode_check", oneOf("mode", ["append", "replace"]))
      .addCheckConstraint("loads_status_check", oneOf("status", ["Running", "Completed", "Failed"]))
      .execute();
    // Listing, newest first.
    await db.schema.createIndex("loads_started_idx").on("loads").columns(["started_time", "id"]).execute();
  },
};

/** Reports gain `callback_on_failure` (the CallbackOnFailure extension); existing reports: 0. */
const m006_callback_on_failure: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("reports")
      .addColumn("callback_on_failure", T.bool, (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/** The audit log (docs/operations.md): listed by time, filtered by tenant; purged by time. */
const m007_audit_log: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("audit_log")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("created_time", T.instant, (c) => c.notNull())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("actor", T.text, (c) => c.notNull())
      .addColumn("request_id", T.text)
      .addColumn("action", T.text, (c) => c.notNull())
      .addColumn("program", T.text)
      .addColumn("target", T.text)
      .addColumn("outcome", T.text, (c) => c.notNull())
      .addColumn("status_code", T.int)
      .addColumn("detail", T.text)
      .addCheckConstraint("audit_log_outcome_check", oneOf("outcome", ["success", "failure"]))
      .execute();
    await db.schema
      .createIndex("audit_log_time_idx")
      .on("audit_log")
      .columns(["created_time", "id"])
      .execute();
    await db.schema
      .createIndex("audit_log_tenant_idx")
      .on("audit_log")
      .columns(["tenant", "created_time", "id"])
      .execute();
  },
};

/**
 * Report formats `parquet` and `json`, compression `zstd` (issue #14): widens two CHECKs of
 * `reports` in place, as 004 removed one (every stored row already satisfies the wider lists).
 */
const m008_report_formats: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const widen = (from: string, to: string) => (definition: string) => {
      if (!definition.includes(from)) throw new Error(`reports: ${from} not found in ${definition}`);
      return definition.replace(from, to);
    };
    await editTableDefinitions(db, [
      ["reports", widen(`"format" in ('csv', 'tsv')`, `"format" in ('csv', 'tsv', 'parquet', 'json')`)],
      ["reports", widen(`"compression" in ('none', 'gzip')`, `"compression" in ('none', 'gzip', 'zstd')`)],
    ]);
  },
};

/** Extension `QueryWindow` of scheduled reports (issue #14): null = TIMESPAN, as before. */
const m009_query_window: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("reports")
      .addColumn("query_window", T.text, (c) =>
        c.check(sql`${sql.ref("query_window")} is null or ${oneOf("query_window", ["SinceLastSuccess"])}`),
      )
      .execute();
  },
};

/**
 * Dataset file sets (issue #11, docs/loading.md): the current Parquet files of each (program, table,
 * tenant) as one versioned row, replaced in one transaction by a load's commit; files a commit
 * superseded, deleted after a grace period; a load's heartbeat (a killed load is failed by a sweep);
 * the data version each execution read.
 */
const m010_dataset_files: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("dataset_file_sets")
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("dataset_table", T.text, (c) => c.notNull())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("version", T.int, (c) => c.notNull())
      .addColumn("files", T.text, (c) => c.notNull())
      .addColumn("row_count", T.int, (c) => c.notNull())
      .addColumn("committed_time", T.instant, (c) => c.notNull())
      .addPrimaryKeyConstraint("dataset_file_sets_pk", ["program", "dataset_table", "tenant"])
      .execute();
    await db.schema
      .createTable("retired_dataset_files")
      .addColumn("name", T.text, (c) => c.primaryKey())
      .addColumn("retired_time", T.instant, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("retired_dataset_files_time_idx")
      .on("retired_dataset_files")
      .columns(["retired_time"])
      .execute();
    await db.schema.alterTable("loads").addColumn("heartbeat_time", T.instant).execute();
    await db.schema.alterTable("executions").addColumn("data_version", T.text).execute();
  },
};

/**
 * The stand-in for client developers (issue #18): test clocks, the clock a report lives on, and
 * the fault rules every process reads (one row, `id` 'current').
 */
const m011_stand_in: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("test_clocks")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("tenant", T.text, (c) => c.notNull())
      .addColumn("program", T.text, (c) => c.notNull())
      .addColumn("name", T.text, (c) => c.notNull())
      .addColumn("frozen_time", T.instant, (c) => c.notNull())
      .addColumn("status", T.text, (c) => c.notNull())
      .addColumn("created_time", T.instant, (c) => c.notNull())
      .addColumn("modified_time", T.instant)
      .addCheckConstraint("test_clocks_status_check", oneOf("status", ["Ready", "Advancing"]))
      .execute();
    await db.schema
      .createIndex("test_clocks_scope_created_idx")
      .on("test_clocks")
      .columns(["tenant", "program", "created_time", "id"])
      .execute();
    // No index of its own: a clock's reports are looked up within the scope, whose index serves.
    await db.schema.alterTable("reports").addColumn("test_clock_id", T.text).execute();
    await db.schema
      .createTable("fault_rules")
      .addColumn("id", T.text, (c) => c.primaryKey())
      .addColumn("rules", T.text, (c) => c.notNull())
      .addColumn("modified_time", T.instant, (c) => c.notNull())
      .execute();
  },
};

/**
 * Calendar schedules and backfills (issue #14): reports gain the extension fields `Schedule` and
 * `TimeZone` (null: interval schedules, as before); executions record their origin: null for the
 * schedule's own, `backfill` for those a backfill created (they keep their past slot instead of
 * moving to the latest due one).
 */
const m012_calendar_schedules: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("reports").addColumn("schedule", T.text).execute();
    await db.schema.alterTable("reports").addColumn("time_zone", T.text).execute();
    await db.schema
      .alterTable("executions")
      .addColumn("origin", T.text, (c) =>
        c.check(sql`${sql.ref("origin")} is null or ${oneOf("origin", ["backfill"])}`),
      )
      .execute();
  },
};

/**
 * Results in parts (issue #14, MaxFileSizeMB): reports gain `max_file_size_mb` (null: the
 * deployment's default); executions gain `parts`, the JSON list of a result's parts (null: one file).
 */
const m015_execution_parts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("reports")
      .addColumn("max_file_size_mb", T.int, (c) =>
        c.check(sql`${sql.ref("max_file_size_mb")} is null or ${sql.ref("max_file_size_mb")} > 0`),
      )
      .execute();
    await db.schema.alterTable("executions").addColumn("parts", T.text).execute();
  },
};

/** All migrations, by name. Append only. */
export const METADATA_MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  "001_initial": m001_initial,
  "002_execution_queue": m002_execution_queue,
  "003_spreadsheet_safe": m003_spreadsheet_safe,
  "004_catalog_programs": m004_catalog_programs,
  "005_loads": m005_loads,
  "006_callback_on_failure": m006_callback_on_failure,
  "007_audit_log": m007_audit_log,
  "008_report_formats": m008_report_formats,
  "009_query_window": m009_query_window,
  "010_dataset_files": m010_dataset_files,
  "011_stand_in": m011_stand_in,
  "012_calendar_schedules": m012_calendar_schedules,
  "015_execution_parts": m015_execution_parts,
});

/** An in-code provider (no directory scanning, so it works the same from `src/` and `dist/`). */
export const metadataMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...METADATA_MIGRATIONS };
  },
};

/**
 * Applies every pending migration; returns the names applied (empty when the schema is current).
 * Throws the migration's error, with the failing name, on failure. All of them run in one
 * transaction only when the dialect's adapter declares transactional DDL — Kysely's SQLite
 * adapter does not, the metadata store's dialect does (see `metadata-store.ts`).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: metadataMigrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`Metadata migration ${failed ?? "(setup)"} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
