import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newExecution } from "../../src/executions/lifecycle.js";
import type { StoredExecution } from "../../src/executions/model.js";
import type { StoredReport } from "../../src/reports/model.js";
import { openSqliteMetadataStore } from "../../src/storage/sqlite/metadata-store.js";
import { METADATA_MIGRATIONS, migrateToLatest } from "../../src/storage/sqlite/migrations.js";
import { executionToRow, reportToRow } from "../../src/storage/sqlite/rows.js";

/** Every SQLite migration, in order, written out: a new one must be added here on purpose. */
const ALL_MIGRATIONS = [
  "001_initial",
  "002_execution_queue",
  "003_spreadsheet_safe",
  "004_catalog_programs",
  "005_loads",
  "006_callback_on_failure",
  "007_audit_log",
  "008_report_formats",
  "009_query_window",
  "010_dataset_files",
  "011_stand_in",
  "012_calendar_schedules",
  "015_execution_parts",
];

import { describeMetadataStoreContract, makeReport } from "./metadata-contract.js";

let dir: string;
let counter = 0;
const freshPath = () => join(dir, `metadata-${++counter}.sqlite`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openinsights-sqlite-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeMetadataStoreContract("sqlite", () => openSqliteMetadataStore({ path: freshPath() }));

function report(id: string): StoredReport {
  return makeReport({ tenant: "t", program: "mpn" }, id, {
    queryId: "q",
    queryText: "SELECT CustomerName FROM Customers",
    startTime: new Date("2024-01-01T00:00:00.000Z"),
    executeNow: true,
    user: "u",
    createdTime: new Date("2024-01-01T00:00:00.007Z"),
  });
}

const ids = (page: { items: readonly { id: string }[] }) => page.items.map((i) => i.id);

const quotas = { maxActiveReports: 10, maxExecuteNow: 10, executeNowWindowMs: 1, now: new Date(0) };

function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe("SQLite metadata store", () => {
  it("declares a single writer without SKIP LOCKED", async () => {
    const store = await openSqliteMetadataStore({ path: freshPath() });
    expect(store.capabilities).toEqual({ multiWriter: false, skipLocked: false });
    await store.close();
  });

  it("runs the migrations once; re-opening is a no-op", async () => {
    const path = freshPath();
    await (await openSqliteMetadataStore({ path })).close();
    await (await openSqliteMetadataStore({ path })).close();
    const applied = inspect(path, (db) =>
      db.prepare("select name from kysely_migration order by name").pluck().all(),
    );
    expect(applied).toEqual(Object.keys(METADATA_MIGRATIONS).sort());

    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    try {
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("migrates an empty database to the full schema", async () => {
    const path = freshPath();
    // As the store does: migrations 004 and 008 edit the schema table, which defensive mode forbids.
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(path).unsafeMode(true) }),
    });
    try {
      expect(await migrateToLatest(db)).toEqual(ALL_MIGRATIONS);
    } finally {
      await db.destroy();
    }
    const tables = inspect(path, (d) =>
      d.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all(),
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        "callback_attempts",
        "callback_deliveries",
        "executions",
        "fault_rules",
        "kysely_migration",
        "loads",
        "report_queries",
        "reports",
        "test_clocks",
      ]),
    );
  });

  it("uses WAL, foreign keys and a busy timeout", async () => {
    const path = freshPath();
    const store = await openSqliteMetadataStore({ path, busyTimeoutMs: 1234 });
    try {
      // The journal mode is persistent: another connection sees it.
      expect(inspect(path, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
    } finally {
      await store.close();
    }
  });

  it("rejects an invalid busy timeout", async () => {
    await expect(openSqliteMetadataStore({ path: freshPath(), busyTimeoutMs: -1 })).rejects.toThrow(
      RangeError,
    );
  });

  it("stores instants as epoch milliseconds and booleans as 0/1", async () => {
    const path = freshPath();
    const store = await openSqliteMetadataStore({ path });
    await store.createReport(report("r-1"), [], quotas);
    await store.close();
    const row = inspect(
      path,
      (db) =>
        db
          .prepare("select created_time, start_time, execute_now, query_start_time from reports")
          .get() as Record<string, unknown>,
    );
    expect(row).toEqual({
      created_time: Date.parse("2024-01-01T00:00:00.007Z"),
      start_time: Date.parse("2024-01-01T00:00:00.000Z"),
      execute_now: 1,
      query_start_time: null,
    });
  });

  it("keeps its data across close and re-open", async () => {
    const path = freshPath();
    const r = report("r-1");
    const first = await openSqliteMetadataStore({ path });
    expect(await first.createReport(r, [], quotas)).toEqual({ ok: true });
    expect(
      await first.createExecutions([
        {
          id: "e-1",
          reportId: r.id,
          tenant: r.tenant,
          program: r.program,
          scheduledTime: new Date("2024-01-02T00:00:00.000Z"),
          windowStart: null,
          windowEnd: null,
          status: "Completed",
          leaseOwner: null,
          leaseExpiresAt: null,
          attempts: 1,
          nextAttemptAt: new Date("2024-01-02T00:00:00.000Z"),
          fileKey: "k/e-1.csv",
          rowCount: 3,
          bytes: 42,
          sha256: null,
          generatedTime: new Date("2024-01-02T00:00:01.999Z"),
          failureCode: null,
          failureReason: null,
          skippedSlots: 0,
          backfill: false,
          createdTime: new Date("2024-01-01T00:00:00.000Z"),
          modifiedTime: null,
        },
      ]),
    ).toBe(1);
    await first.close();
    await first.close(); // idempotent

    const second = await openSqliteMetadataStore({ path });
    try {
      expect(await second.getReport({ tenant: "t", program: "mpn" }, r.id)).toEqual(r);
      const executions = await second.listExecutions(
        { tenant: "t", program: "mpn" },
        { reportIds: [r.id] },
        { limit: 10 },
      );
      expect(executions.items.map((e) => [e.id, e.fileKey, e.generatedTime?.toISOString()])).toEqual([
        ["e-1", "k/e-1.csv", "2024-01-02T00:00:01.999Z"],
      ]);
    } finally {
      await second.close();
    }
  });

  it("cascades report deletion to executions through the foreign key", async () => {
    const path = freshPath();
    const r = report("r-1");
    const store = await openSqliteMetadataStore({ path });
    await store.createReport(r, [], quotas);
    await store.close();
    const fk = inspect(path, (db) =>
      db.prepare("select \"table\", on_delete from pragma_foreign_key_list('executions')").all(),
    );
    expect(fk).toEqual([
      { table: "reports", on_delete: "CASCADE" },
      { table: "reports", on_delete: "CASCADE" },
      { table: "reports", on_delete: "CASCADE" },
    ]);
  });

  it("has the indexes the scheduler and the lists need", async () => {
    const path = freshPath();
    await (await openSqliteMetadataStore({ path })).close();
    const indexColumns = (index: string) =>
      inspect(path, (db) =>
        db.prepare("select name from pragma_index_info(?) order by seqno").pluck().all(index),
      );
    expect(indexColumns("executions_due_idx")).toEqual(["status", "next_attempt_at"]);
    expect(indexColumns("executions_scope_created_idx")).toEqual(["tenant", "program", "created_time", "id"]);
    expect(indexColumns("reports_scope_created_idx")).toEqual(["tenant", "program", "created_time", "id"]);
    expect(indexColumns("report_queries_scope_created_idx")).toEqual([
      "tenant",
      "program",
      "created_time",
      "id",
    ]);
    const uniques = inspect(path, (db) =>
      db
        .prepare("select name from pragma_index_list('executions') where \"unique\" = 1 and origin = 'u'")
        .pluck()
        .all(),
    ) as string[];
    expect(uniques.map((name) => indexColumns(name))).toContainEqual(["report_id", "scheduled_time"]);
  });

  it("waits for another process's write lock and then sees its commit (quota across processes)", async () => {
    const path = freshPath();
    const scope = { tenant: "t", program: "mpn" } as const;
    const query = (id: string) => ({
      id,
      tenant: "t",
      program: "mpn" as const,
      name: id,
      description: "",
      query: "SELECT CustomerName FROM Customers",
      user: "u",
      createdTime: new Date(0),
      modifiedTime: null,
    });
    const store = await openSqliteMetadataStore({ path });
    try {
      expect(await store.createQuery(query("q-1"), 2)).toEqual({ ok: true });
      // Another process takes the write lock, adds the second query, holds the lock, commits.
      const child = spawn(
        process.execPath,
        [
          "-e",
          `const Database = require("better-sqlite3");
           const db = new Database(process.argv[1]);
           db.exec("begin immediate");
           db.prepare("insert into report_queries (id, tenant, program, name, name_key, description, query_text, user_name, created_time) values ('q-2', 't', 'mpn', 'q-2', 'q-2', '', 'x', 'u', 1)").run();
           process.stdout.write("locked\\n");
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
           db.exec("commit");
           db.close();`,
          path,
        ],
        { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
      );
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("locked")) resolve();
        });
        child.on("exit", () => reject(new Error("child exited before locking")));
      });
      // Blocks (busy_timeout) until the child commits, then counts its row: quota reached.
      expect(await store.createQuery(query("q-3"), 2)).toEqual({ ok: false, reason: "queries" });
      expect(await exited).toBe(0);
      expect(ids(await store.listQueries(scope, {}, { limit: 10 }))).toEqual(["q-1", "q-2"]);
    } finally {
      await store.close();
    }
  });
});

describe("SQLite metadata store: reads served again while nothing changed", () => {
  const scope = { tenant: "t", program: "mpn" } as const;

  it("sees its own writes at once, in every kept read", async () => {
    const store = await openSqliteMetadataStore({ path: freshPath() });
    try {
      const r = report("r-1");
      expect(await store.createReport(r, [], quotas)).toEqual({ ok: true });
      expect((await store.getReport(scope, r.id))?.name).toBe("Report r-1");
      expect((await store.getReport(scope, r.id))?.name).toBe("Report r-1");
      expect(await store.updateReport({ ...r, name: "Renamed" })).toBe(true);
      expect((await store.getReport(scope, r.id))?.name).toBe("Renamed");
      expect(ids(await store.listReports(scope, {}, { limit: 10 }))).toEqual(["r-1"]);
      expect(
        await store.createReport(
          { ...report("r-2"), createdTime: new Date("2025-01-01T00:00:00Z") },
          [],
          quotas,
        ),
      ).toEqual({ ok: true });
      expect(ids(await store.listReports(scope, {}, { limit: 10 }))).toEqual(["r-1", "r-2"]);
      await store.deleteReport(scope, "r-1");
      expect(await store.getReport(scope, "r-1")).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("sees another connection's commits (another process, or plain SQL)", async () => {
    const path = freshPath();
    const store = await openSqliteMetadataStore({ path });
    const other = await openSqliteMetadataStore({ path });
    const raw = new Database(path);
    try {
      const r = report("r-1");
      expect(await store.createReport(r, [], quotas)).toEqual({ ok: true });
      expect((await other.getReport(scope, r.id))?.name).toBe("Report r-1");
      expect(await store.updateReport({ ...r, name: "From the first store" })).toBe(true);
      expect((await other.getReport(scope, r.id))?.name).toBe("From the first store");
      raw.prepare("update reports set name = 'From plain SQL' where id = 'r-1'").run();
      expect((await store.getReport(scope, r.id))?.name).toBe("From plain SQL");
      expect((await other.getReport(scope, r.id))?.name).toBe("From plain SQL");
      expect(ids(await store.listReports(scope, {}, { limit: 10 }))).toEqual(["r-1"]);
      raw.prepare("delete from reports where id = 'r-1'").run();
      expect(ids(await store.listReports(scope, {}, { limit: 10 }))).toEqual([]);
      expect(await other.getReport(scope, r.id)).toBeUndefined();
    } finally {
      raw.close();
      await other.close();
      await store.close();
    }
  });

  it("hands out rows that callers cannot spoil for the next reader", async () => {
    const store = await openSqliteMetadataStore({ path: freshPath() });
    try {
      expect(await store.createReport(report("r-1"), [], quotas)).toEqual({ ok: true });
      const first = await store.getReport(scope, "r-1");
      (first as { name: string }).name = "changed by a caller";
      expect((await store.getReport(scope, "r-1"))?.name).toBe("Report r-1");
    } finally {
      await store.close();
    }
  });
});

/** Migrates a new file up to `last` only, e.g. `001_initial`: a database from before the execution queue. */
async function databaseAt(path: string, last: string): Promise<void> {
  // Unsafe mode as the store's: some migrations edit the schema table.
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(path).unsafeMode(true) }),
  });
  try {
    const migrations = Object.fromEntries(
      Object.entries(METADATA_MIGRATIONS).filter(([name]) => name <= last),
    );
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
  } finally {
    await db.destroy();
  }
}

/** A report's row without the columns later migrations added (for tables from before them). */
/** The report columns migrations after 005 added, newest last. */
const REPORT_COLUMNS_AFTER_005 = [
  "query_window",
  "callback_on_failure",
  "schedule",
  "time_zone",
  "test_clock_id",
  "max_file_size_mb",
];

function reportRowWithout(r: StoredReport, ...added: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = { ...reportToRow(r) };
  for (const column of added) delete row[column];
  return row;
}

function insertRow(db: Database.Database, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(
    `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
  ).run(...Object.values(row));
}

function execution(r: StoredReport, id: string, overrides: Partial<StoredExecution> = {}): StoredExecution {
  const slot = new Date("2024-01-02T00:00:00.000Z");
  const created = new Date("2024-01-01T00:00:00.000Z");
  return { ...newExecution(r, slot, created, id), status: "Pending", ...overrides };
}

/**
 * A child process's ES module that loads the TypeScript sources directly (a small loader hook
 * around `ts.transpileModule`), so other processes run the adapter under test, not a copy of it.
 */
function childScript(body: string): string {
  const require = createRequire(import.meta.url);
  const typescript = pathToFileURL(require.resolve("typescript")).href;
  const hooks = `
    import { existsSync, readFileSync } from "node:fs";
    import { fileURLToPath } from "node:url";
    const ts = (await import(${JSON.stringify(typescript)})).default;
    export async function resolve(specifier, context, next) {
      if (specifier.endsWith(".js") && context.parentURL?.endsWith(".ts")) {
        const candidate = new URL(specifier.slice(0, -3) + ".ts", context.parentURL);
        if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
      }
      return next(specifier, context);
    }
    export async function load(url, context, next) {
      if (!url.endsWith(".ts")) return next(url, context);
      const { outputText } = ts.transpileModule(readFileSync(fileURLToPath(url), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      return { format: "module", source: outputText, shortCircuit: true };
    }`;
  const store = pathToFileURL(join(process.cwd(), "src/storage/sqlite/metadata-store.ts")).href;
  return `
    import { register } from "node:module";
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
    const { openSqliteMetadataStore } = await import(${JSON.stringify(store)});
    ${body}`;
}

describe("SQLite metadata store: the execution queue", () => {
  it("adds 002_execution_queue and 003 to a 001 database, keeping its executions (skippedSlots 0) and reports (callbackOnFailure false)", async () => {
    const path = freshPath();
    await databaseAt(path, "001_initial");
    const r = report("r-1");
    const e = execution(r, "e-1", { status: "Completed", attempts: 1, fileKey: "k" });
    const raw = new Database(path);
    try {
      const {
        skipped_slots: _skipped,
        origin: _origin,
        data_version: _version,
        parts: _parts,
        ...row001
      } = executionToRow(e);
      insertRow(raw, "reports", reportRowWithout(r, "spreadsheet_safe", ...REPORT_COLUMNS_AFTER_005));
      insertRow(raw, "executions", row001);
    } finally {
      raw.close();
    }
    const store = await openSqliteMetadataStore({ path });
    try {
      const page = await store.listExecutions(
        { tenant: "t", program: "mpn" },
        { reportIds: [r.id] },
        { limit: 5 },
      );
      expect(page.items).toEqual([e]);
      expect(await store.getReport({ tenant: "t", program: "mpn" }, r.id)).toEqual({
        ...r,
        callbackOnFailure: false,
      });
    } finally {
      await store.close();
    }
    const applied = inspect(path, (db) =>
      db.prepare("select name from kysely_migration order by name").pluck().all(),
    );
    expect(applied).toEqual(Object.keys(METADATA_MIGRATIONS).sort());
    // 004 and 008 edit table definitions in place: the file must stay sound.
    expect(inspect(path, (db) => db.pragma("integrity_check", { simple: true }))).toBe("ok");
  });

  it("applies a failing migration not at all (one transaction), and again once the cause is gone", async () => {
    const path = freshPath();
    await databaseAt(path, "001_initial");
    // A table in the way of the migration's last step.
    const raw = new Database(path);
    raw.exec("create table callback_attempts (blocker integer)");
    raw.close();
    await expect(openSqliteMetadataStore({ path })).rejects.toThrow(/002_execution_queue/);
    const state = () =>
      inspect(path, (db) => ({
        migrations: db.prepare("select name from kysely_migration order by name").pluck().all(),
        executionColumns: db.prepare("select name from pragma_table_info('executions')").pluck().all(),
        tables: db.prepare("select name from sqlite_master where type = 'table'").pluck().all(),
      }));
    const failed = state();
    expect(failed.migrations).toEqual(["001_initial"]);
    expect(failed.executionColumns).not.toContain("skipped_slots");
    expect(failed.tables).not.toContain("callback_deliveries");

    const fix = new Database(path);
    fix.exec("drop table callback_attempts");
    fix.close();
    await (await openSqliteMetadataStore({ path })).close();
    const fixed = state();
    expect(fixed.migrations).toEqual(ALL_MIGRATIONS);
    expect(fixed.executionColumns).toContain("skipped_slots");
  });

  it("has the indexes the claims and retention need, and outbox foreign keys that cascade", async () => {
    const path = freshPath();
    await (await openSqliteMetadataStore({ path })).close();
    const indexColumns = (index: string) =>
      inspect(path, (db) =>
        db.prepare("select name from pragma_index_info(?) order by seqno").pluck().all(index),
      );
    expect(indexColumns("executions_lease_idx")).toEqual(["status", "lease_expires_at"]);
    expect(indexColumns("executions_scheduled_idx")).toEqual(["scheduled_time"]);
    expect(indexColumns("callback_deliveries_due_idx")).toEqual(["status", "next_attempt_at"]);
    expect(indexColumns("callback_deliveries_lease_idx")).toEqual(["status", "lease_expires_at"]);
    const uniques = inspect(path, (db) =>
      db
        .prepare(
          "select name from pragma_index_list('callback_deliveries') where \"unique\" = 1 and origin = 'u'",
        )
        .pluck()
        .all(),
    ) as string[];
    expect(uniques.map((name) => indexColumns(name))).toContainEqual(["execution_id"]);
    const foreignKeys = (table: string) =>
      inspect(path, (db) =>
        db.prepare(`select "table", "from", "to", on_delete from pragma_foreign_key_list('${table}')`).all(),
      );
    expect(foreignKeys("callback_deliveries")).toEqual([
      { table: "executions", from: "execution_id", to: "id", on_delete: "CASCADE" },
      { table: "executions", from: "report_id", to: "report_id", on_delete: "CASCADE" },
      { table: "executions", from: "tenant", to: "tenant", on_delete: "CASCADE" },
      { table: "executions", from: "program", to: "program", on_delete: "CASCADE" },
    ]);
    expect(foreignKeys("callback_attempts")).toEqual([
      { table: "callback_deliveries", from: "delivery_id", to: "id", on_delete: "CASCADE" },
    ]);
  });

  it("leaves no outbox rows behind when a report is deleted", async () => {
    const path = freshPath();
    const scope = { tenant: "t", program: "mpn" } as const;
    const r = { ...report("r-1"), callbackUrl: "https://h", callbackMethod: "POST" as const };
    const e = execution(r, "e-1");
    const store = await openSqliteMetadataStore({ path });
    try {
      await store.createReport(r, [e], quotas);
      await store.claimExecutions("w", new Date("2024-01-03T00:00:00.000Z"), 1_000, 1);
      const delivery = {
        id: "d-1",
        executionId: e.id,
        reportId: r.id,
        tenant: r.tenant,
        program: r.program,
        url: "https://h/r-1",
        method: "POST" as const,
        payload: "{}",
        status: "Pending" as const,
        attempts: 0,
        nextAttemptAt: new Date("2024-01-03T00:00:00.000Z"),
        leaseOwner: null,
        leaseExpiresAt: null,
        lastStatusCode: null,
        lastError: null,
        deliveredAt: null,
        createdTime: new Date("2024-01-03T00:00:00.000Z"),
      };
      const done = {
        status: "Completed" as const,
        at: new Date("2024-01-03T00:00:00.000Z"),
        fileKey: "k",
        rowCount: 1,
        bytes: 1,
        sha256: "0".repeat(64),
        windowStart: null,
        windowEnd: null,
      };
      expect(await store.finishExecution(e.id, "w", done, delivery)).toBe(true);
      await store.claimDeliveries("w", new Date("2024-01-03T00:00:00.000Z"), 1_000, 1);
      const attempt = {
        deliveryId: "d-1",
        attempt: 1,
        at: new Date("2024-01-03T00:00:01.000Z"),
        statusCode: 500,
        error: null,
        durationMs: 3,
      };
      expect(await store.recordDeliveryAttempt("d-1", "w", attempt, { status: "Failed" })).toBe(true);
      expect(await store.deleteReport(scope, r.id)).toEqual({ deleted: true, fileKeys: ["k"] });
    } finally {
      await store.close();
    }
    const counts = inspect(path, (db) =>
      ["executions", "callback_deliveries", "callback_attempts"].map(
        (t) => db.prepare(`select count(*) from ${t}`).pluck().get() as number,
      ),
    );
    expect(counts).toEqual([0, 0, 0]);
  });

  it("gives each execution to exactly one claimer across processes", async () => {
    const path = freshPath();
    const r = report("r-1");
    const executions = Array.from({ length: 80 }, (_, i) =>
      execution(r, `e-${String(i).padStart(3, "0")}`, {
        scheduledTime: new Date(Date.parse("2024-01-02T00:00:00.000Z") + i * 60_000),
        nextAttemptAt: new Date(Date.parse("2024-01-02T00:00:00.000Z") + i * 60_000),
      }),
    );
    const now = new Date("2024-02-01T00:00:00.000Z");
    const store = await openSqliteMetadataStore({ path });
    try {
      expect(await store.createReport(r, executions, quotas)).toEqual({ ok: true });
      // Each child opens its own store, says "ready", waits for "go", then claims until nothing is left.
      const script = childScript(`
        const [path, owner, now] = process.argv.slice(1);
        const store = await openSqliteMetadataStore({ path, busyTimeoutMs: 20000 });
        process.stdout.write("ready\\n");
        await new Promise((resolve) => process.stdin.once("data", resolve));
        const claimed = [];
        for (;;) {
          const batch = await store.claimExecutions(owner, new Date(now), 60000, 2);
          if (batch.length === 0) break;
          claimed.push(...batch.map((e) => e.id));
        }
        await store.close();
        process.stdout.write(JSON.stringify(claimed) + "\\n");
      `);
      const children = ["c1", "c2", "c3"].map((owner) => {
        const child = spawn(
          process.execPath,
          ["--input-type=module", "-e", script, path, owner, now.toISOString()],
          { cwd: process.cwd(), stdio: ["pipe", "pipe", "inherit"] },
        );
        let out = "";
        const ready = new Promise<void>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith("ready\n")) resolve();
          });
          child.on("exit", (code) =>
            reject(new Error(`child ${owner} exited (${code}) before it was ready`)),
          );
        });
        const result = new Promise<string[]>((resolve, reject) => {
          child.on("exit", (code) => {
            if (code !== 0) reject(new Error(`child ${owner} exited with ${code}`));
            else resolve(JSON.parse(out.slice("ready\n".length)) as string[]);
          });
        });
        return { owner, child, ready, result };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.child.stdin.end("go\n");
      const mine: string[] = [];
      for (;;) {
        const batch = await store.claimExecutions("main", now, 60_000, 2);
        if (batch.length === 0) break;
        mine.push(...batch.map((e) => e.id));
      }
      const theirs = await Promise.all(children.map((c) => c.result));
      const all = [...mine, ...theirs.flat()];
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort()).toEqual(executions.map((e) => e.id));
      // The stored lease names the process that claimed each execution.
      const owners = new Map<string, string>();
      for (const id of mine) owners.set(id, "main");
      for (const [i, ids] of theirs.entries()) for (const id of ids) owners.set(id, children[i]!.owner);
      const stored = await store.listExecutions(
        { tenant: "t", program: "mpn" },
        { reportIds: [r.id] },
        { limit: 100 },
      );
      for (const e of stored.items) {
        expect(e).toMatchObject({ status: "Running", attempts: 1, leaseOwner: owners.get(e.id) });
      }
    } finally {
      await store.close();
    }
  });
});

describe("SQLite metadata store: 008_report_formats", () => {
  it("widens the reports' format and compression CHECKs in place, keeping rows, indexes and the executions' cascade", async () => {
    const path = freshPath();
    await databaseAt(path, "005_loads");
    const r = report("r-1");
    const e = execution(r, "e-1");
    const schemaOf = (db: Database.Database) =>
      db
        .prepare(
          "select name, sql from sqlite_master where tbl_name = 'reports' and type = 'index' order by name",
        )
        .all();
    const raw = new Database(path);
    const indexesBefore = schemaOf(raw);
    try {
      insertRow(raw, "reports", reportRowWithout(r, ...REPORT_COLUMNS_AFTER_005));
      const { origin: _origin, data_version: _version, parts: _parts, ...row005 } = executionToRow(e);
      insertRow(raw, "executions", row005);
      expect(() =>
        insertRow(raw, "reports", {
          ...reportRowWithout(report("r-2"), ...REPORT_COLUMNS_AFTER_005),
          format: "parquet",
        }),
      ).toThrow(/CHECK constraint failed/);
    } finally {
      raw.close();
    }
    const store = await openSqliteMetadataStore({ path });
    try {
      const scope = { tenant: "t", program: "mpn" } as const;
      expect(await store.getReport(scope, r.id)).toEqual(r);
      expect((await store.listExecutions(scope, { reportIds: [r.id] }, { limit: 5 })).items).toEqual([e]);
      const wide = { ...report("r-2"), format: "parquet" as const };
      const zstd = { ...report("r-3"), format: "json" as const, compression: "zstd" as const };
      expect(await store.createReport(wide, [], quotas)).toEqual({ ok: true });
      expect(await store.createReport(zstd, [], quotas)).toEqual({ ok: true });
      expect(await store.getReport(scope, "r-3")).toEqual(zstd);
    } finally {
      await store.close();
    }
    const after = new Database(path);
    try {
      expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(schemaOf(after)).toEqual(indexesBefore);
      expect(after.pragma("foreign_key_check")).toEqual([]);
      expect(
        after.prepare(`select "table", on_delete from pragma_foreign_key_list('executions')`).all(),
      ).toContainEqual({ table: "reports", on_delete: "CASCADE" });
      expect(() => insertRow(after, "reports", { ...reportToRow(report("r-4")), format: "xlsx" })).toThrow(
        /CHECK constraint failed/,
      );
      expect(() =>
        insertRow(after, "reports", { ...reportToRow(report("r-5")), compression: "brotli" }),
      ).toThrow(/CHECK constraint failed/);
      after.prepare("delete from reports where id = ?").run(r.id);
      expect(after.prepare("select count(*) from executions").pluck().get()).toBe(0);
    } finally {
      after.close();
    }
  });
});
