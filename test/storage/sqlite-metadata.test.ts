import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredReport } from "../../src/reports/model.js";
import { openSqliteMetadataStore } from "../../src/storage/sqlite/metadata-store.js";
import { METADATA_MIGRATIONS, migrateToLatest } from "../../src/storage/sqlite/migrations.js";
import { describeMetadataStoreContract } from "./metadata-contract.js";

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
  return {
    id,
    tenant: "t",
    program: "mpn",
    name: `Report ${id}`,
    description: "",
    queryId: "q",
    queryText: "SELECT CustomerName FROM Customers",
    startTime: new Date("2024-01-01T00:00:00.000Z"),
    recurrenceInterval: 24,
    recurrenceCount: null,
    executeNow: true,
    queryStartTime: null,
    queryEndTime: null,
    format: "csv",
    compression: "none",
    callbackUrl: null,
    callbackMethod: null,
    status: "Active",
    user: "u",
    createdTime: new Date("2024-01-01T00:00:00.007Z"),
    modifiedTime: null,
  };
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
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    try {
      expect(await migrateToLatest(db)).toEqual(["001_initial"]);
    } finally {
      await db.destroy();
    }
    const tables = inspect(path, (d) =>
      d.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all(),
    );
    expect(tables).toEqual(
      expect.arrayContaining(["executions", "kysely_migration", "report_queries", "reports"]),
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
