/** What only the PostgreSQL analytics engine has: its role's sandbox, timeouts, cancellation, lost connections. */
import { promises as fs } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetDef } from "../../../src/datasets/types.js";
import { openPostgresAnalytics } from "../../../src/storage/postgres-analytics/engine.js";
import { createTestDatabase, randomSuffix, type TestDatabase } from "../../support/postgres.js";
import { collectRows, makePgEngine, type TestPgEngine } from "./helpers.js";

const SQL = (sql: string) => ({ sql, params: [], columns: [] });

const DATASET: DatasetDef = {
  name: "Things",
  description: "",
  columns: [{ name: "Name", type: "string" }],
  metrics: [],
  timeColumn: null,
  availableDateRanges: [],
  minimumRecurrenceInterval: 4,
};

let t: TestPgEngine;
beforeAll(async () => {
  t = await makePgEngine({ queryTimeoutMs: 300 });
});
afterAll(async () => {
  await t?.cleanup();
});

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The error a promise rejects with (caught at once, so no rejection goes unhandled meanwhile). */
function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a failure"),
    (error: unknown) => error,
  );
}

async function activeSleeps(): Promise<number> {
  return admin(async (c) => {
    const r = await c.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid() AND state = 'active'",
    );
    return r.rows[0].n as number;
  });
}

describe("postgres analytics engine", () => {
  it("refuses an unreachable URL with a message naming the variable", async () => {
    await expect(
      openPostgresAnalytics({ url: "postgres://postgres:secret@127.0.0.1:1/nowhere" }),
    ).rejects.toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(/OPENINSIGHTS_ANALYTICS_URL.*ECONNREFUSED|ECONNREFUSED.*/s),
    });
    await expect(
      openPostgresAnalytics({ url: "postgres://postgres:secret@127.0.0.1:1/nowhere" }),
    ).rejects.not.toMatchObject({
      message: expect.stringContaining("secret"),
    });
  });

  it("bounds a stream by the query timeout", async () => {
    await expect(collectRows(t.engine.stream(SQL("SELECT pg_sleep(30)")))).rejects.toMatchObject({
      code: "timeout",
    });
  });

  it("bounds a small result fetched in one go (a LIMIT) by the timeout too, and cancels it on abort", async () => {
    const limited = { ...SQL("SELECT pg_sleep(30) LIMIT 1"), rowLimit: 1 };
    await expect(collectRows(t.engine.stream(limited))).rejects.toMatchObject({ code: "timeout" });
    const controller = new AbortController();
    const streaming = failureOf(collectRows(t.engine.stream(limited, { signal: controller.signal })));
    controller.abort(new Error("stop"));
    expect(await streaming).toMatchObject({ message: "stop" });
    for (let i = 0; i < 100 && (await activeSleeps()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await activeSleeps()).toBe(0);
  });

  it("fetches a small result in one go with the same rows and names as through a cursor", async () => {
    const text = "SELECT g AS n, g * 2 AS doubled FROM generate_series(1, 5000) AS g ORDER BY g LIMIT 4000";
    const direct = await collectRows(t.engine.stream({ ...SQL(text), rowLimit: 4000 }));
    const cursor = await collectRows(t.engine.stream(SQL(text)));
    expect(direct).toHaveLength(4000);
    expect(direct).toEqual(cursor);
    expect(direct[3999]).toEqual({ n: 4000, doubled: 8000 });
  });

  it("cancels the server's statement when an export is aborted, leaving no file", async () => {
    const file = path.join(t.dir, "aborted.csv");
    const controller = new AbortController();
    const exporting = failureOf(
      t.engine.exportTo(SQL("SELECT pg_sleep(30) AS x"), file, {
        format: "csv",
        signal: controller.signal,
      } as never),
    );
    for (let i = 0; i < 100 && (await activeSleeps()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error("stop"));
    expect(await exporting).toMatchObject({ message: "stop" });
    for (let i = 0; i < 100 && (await activeSleeps()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await activeSleeps()).toBe(0);
    await expect(fs.stat(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a connection lost mid-export fails as unavailable (retried by the worker), leaving no file", async () => {
    const file = path.join(t.dir, "lost.csv");
    const exporting = failureOf(t.engine.exportTo(SQL("SELECT pg_sleep(30) AS x"), file, { format: "csv" }));
    for (let i = 0; i < 100 && (await activeSleeps()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await admin((c) =>
      c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
      ),
    );
    expect(await exporting).toMatchObject({ code: "unavailable" });
    await expect(fs.stat(file)).rejects.toMatchObject({ code: "ENOENT" });
    // The pool replaced the lost connection.
    expect(await collectRows(t.engine.stream(SQL("SELECT 1 AS one")))).toEqual([{ one: 1 }]);
  });

  it("a table dropped while serving fails its queries with a clear reason that is not retried", async () => {
    await t.engine.ensureTables("dropped", [DATASET]);
    await admin((c) => c.query('DROP TABLE dropped."Things"'));
    await expect(
      collectRows(t.engine.stream(SQL('SELECT "Name" FROM "dropped"."Things"'))),
    ).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining('relation "dropped.Things" does not exist'),
    });
  });

  it("writes Parquet through DuckDB, leaving no CSV beside it", async () => {
    const file = path.join(t.dir, "x.parquet");
    const result = await t.engine.exportTo(
      SQL("SELECT 'a' AS text, 2::bigint AS n, 1.5::float8 AS d, true AS b, date '2024-06-01' AS day"),
      file,
      { format: "parquet" },
    );
    expect(result.rowCount).toBe(1);
    expect((await fs.readFile(file)).subarray(0, 4).toString("latin1")).toBe("PAR1");
    expect(await fs.readdir(t.dir)).not.toContain("x.parquet.csv.part");
  });
});

describe("the analytics role's sandbox (docs/analytics-postgres.md)", () => {
  const role = `oi_analytics_${randomSuffix()}`;
  let database: TestDatabase;
  const admin = async <T>(run: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    await client.query(`DROP ROLE IF EXISTS ${role}`).finally(() => client.end());
  });

  it("reads and writes its own schemas only: not the metadata, not other schemas, not server files", async () => {
    await admin(async (c) => {
      // The documented set-up: a login role that is no superuser, with CREATE on the analytics database.
      await c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
      await c.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(database.name)} TO ${role}`);
      await c.query("CREATE SCHEMA metadata_like");
      await c.query("CREATE TABLE metadata_like.reports (secret text)");
      await c.query("INSERT INTO metadata_like.reports VALUES ('callback secret')");
    });
    const url = new URL(database.url);
    url.username = role;
    const engine = await openPostgresAnalytics({ url: url.toString() });
    try {
      await engine.ensureTables("sandboxed", [DATASET]);
      expect(await collectRows(engine.stream(SQL('SELECT count(*) AS n FROM "sandboxed"."Things"')))).toEqual(
        [{ n: 0 }],
      );
      for (const sql of [
        "SELECT secret FROM metadata_like.reports",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('.')",
        "SELECT lo_import('/etc/passwd')",
      ]) {
        await expect(collectRows(engine.stream(SQL(sql))), sql).rejects.toMatchObject({
          message: expect.stringContaining("permission denied"),
        });
      }
      const file = path.join(t.dir, "server-file.csv");
      await fs.writeFile(file, "Name\nx");
      // COPY with a server file, on a plain connection of the role (the engine only ever runs COPY … STDIN/STDOUT).
      const asRole = new pg.Client({ connectionString: url.toString() });
      await asRole.connect();
      try {
        for (const sql of [
          `COPY "sandboxed"."Things" FROM '${file}'`,
          `COPY "sandboxed"."Things" TO '${file}.out'`,
        ]) {
          await expect(asRole.query(sql), sql).rejects.toThrow(/pg_(read|write)_server_files/);
        }
      } finally {
        await asRole.end();
      }
    } finally {
      await engine.close();
    }
  });
});
