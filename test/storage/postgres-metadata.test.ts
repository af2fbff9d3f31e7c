/**
 * The metadata store contract on a real PostgreSQL server, plus what only a multi-writer store
 * must do: concurrent migrations, claims and scheduling across several pools (processes), and
 * claim queries that stay on indexes.
 *
 * One database per file (created in beforeAll, dropped in afterAll); one schema per store.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newExecution } from "../../src/executions/lifecycle.js";
import type { StoredExecution } from "../../src/executions/model.js";
import type { StoredReport } from "../../src/reports/model.js";
import {
  claimDeliveriesQuery,
  claimExecutionsQuery,
  openPostgresMetadataStore,
  type PostgresMetadataStore,
  type WorkKind,
} from "../../src/storage/postgres/metadata-store.js";
import { METADATA_MIGRATIONS } from "../../src/storage/postgres/migrations.js";
import { createTestDatabase, randomSuffix, type TestDatabase } from "../support/postgres.js";
import { describeMetadataStoreContract, makeReport } from "./metadata-contract.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const freshSchema = () => `s_${randomSuffix()}`;
const open = (schema = freshSchema(), poolSize?: number) =>
  openPostgresMetadataStore({
    url: database.url,
    schema,
    ...(poolSize === undefined ? {} : { poolSize }),
  });

describeMetadataStoreContract("postgres", () => open());

// ── helpers ─────────────────────────────────────────────────────────────────

const T0 = Date.parse("2024-01-01T00:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0 + ms);

function report(id: string, overrides: Partial<StoredReport> = {}): StoredReport {
  return makeReport({ tenant: "t", program: "mpn" }, id, {
    queryId: "q",
    queryText: "SELECT CustomerName FROM Customers",
    startTime: at(0),
    user: "u",
    createdTime: at(0),
    ...overrides,
  });
}

function execution(r: StoredReport, id: string, scheduledTime: Date): StoredExecution {
  return { ...newExecution(r, scheduledTime, at(0), id), status: "Pending" };
}

const roomy = { maxActiveReports: 1_000, maxExecuteNow: 1_000, executeNowWindowMs: HOUR, now: at(0) };

/** A Kysely on the test database whose unqualified names resolve to `schema`. */
function inspector(schema: string): Kysely<unknown> {
  const pool = new pg.Pool({ connectionString: database.url, options: `-c search_path=${schema}`, max: 2 });
  return new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
}

async function closeAll(stores: readonly PostgresMetadataStore[]): Promise<void> {
  await Promise.all(stores.map((s) => s.close()));
}

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

// ── PostgreSQL specifics ────────────────────────────────────────────────────

describe("PostgreSQL metadata store", () => {
  it("declares several writers with SKIP LOCKED, and its schema", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    try {
      expect(store.capabilities).toEqual({ multiWriter: true, skipLocked: true });
      expect(store.schema).toBe(schema);
    } finally {
      await store.close();
    }
  });

  it("rejects a schema name it would have to quote, and a bad pool size", async () => {
    await expect(openPostgresMetadataStore({ url: database.url, schema: "Bad-Name" })).rejects.toThrow(
      RangeError,
    );
    await expect(openPostgresMetadataStore({ url: database.url, poolSize: 0 })).rejects.toThrow(RangeError);
  });

  it("fails to open with the server's error when it cannot connect", async () => {
    await expect(
      openPostgresMetadataStore({
        url: "postgres://postgres@127.0.0.1:1/none",
        schema: freshSchema(),
        startupWaitMs: 0,
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it("runs the migrations once; re-opening is a no-op", async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await (await open(schema)).close();
    const db = inspector(schema);
    try {
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        db,
      );
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(METADATA_MIGRATIONS).sort());
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
        db,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        "audit_log",
        "callback_attempts",
        "callback_deliveries",
        "executions",
        "kysely_migration",
        "loads",
        "rate_limit_buckets",
        "report_queries",
        "reports",
      ]);
      // Buckets skip the WAL (migration 014); everything else is logged.
      const unlogged = await sql<{ relname: string }>`
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind = 'r' and c.relpersistence = 'u'`.execute(db);
      expect(unlogged.rows.map((r) => r.relname)).toEqual(["rate_limit_buckets"]);
    } finally {
      await db.destroy();
    }
  });

  it("applies the migrations exactly once when 4 processes open a fresh schema at once", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema, 2)));
    try {
      const db = inspector(schema);
      try {
        const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
        expect(applied.rows.map((r) => r.name).sort()).toEqual(Object.keys(METADATA_MIGRATIONS).sort());
      } finally {
        await db.destroy();
      }
      // Every one of them works on the same tables.
      await stores[0]!.createReport(report("r-1"), [], roomy);
      for (const s of stores)
        expect((await s.getReport({ tenant: "t", program: "mpn" }, "r-1"))?.id).toBe("r-1");
    } finally {
      await closeAll(stores);
    }
  });

  it("keeps schemas apart", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    try {
      await a.createReport(report("r-1"), [], roomy);
      expect(await b.getReport({ tenant: "t", program: "mpn" }, "r-1")).toBeUndefined();
    } finally {
      await closeAll([a, b]);
    }
  });

  it("gives each execution to exactly one claimer across 4 pools claiming concurrently", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema, 3)));
    try {
      const r = report("r-1");
      const executions = Array.from({ length: 50 }, (_, i) =>
        execution(r, `e-${String(i).padStart(3, "0")}`, at(i * MINUTE)),
      );
      expect(await stores[0]!.createReport(r, executions, roomy)).toEqual({ ok: true });
      // Each process runs 3 workers that claim small batches until nothing is left.
      const claims = await Promise.all(
        stores.flatMap((store, p) =>
          [0, 1, 2].map(async (w) => {
            const got: string[] = [];
            for (;;) {
              const batch = await store.claimExecutions(`p${p}-w${w}`, at(HOUR), 60_000, 3);
              if (batch.length === 0) return got;
              for (const e of batch) expect(e.leaseOwner).toBe(`p${p}-w${w}`);
              got.push(...batch.map((e) => e.id));
            }
          }),
        ),
      );
      const all = claims.flat();
      expect(all).toHaveLength(50);
      expect(new Set(all).size).toBe(50);
      expect([...all].sort()).toEqual(executions.map((e) => e.id));
      // More than one process got work (the claims did run side by side).
      expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    } finally {
      await closeAll(stores);
    }
  });

  it("never creates a duplicate execution for a (report, slot) when 4 schedulers race", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema, 2)));
    try {
      const r = report("r-1");
      await stores[0]!.createReport(r, [], roomy);
      const slots = Array.from({ length: 30 }, (_, i) => at(i * HOUR));
      const inserted = await Promise.all(
        stores.map((s, p) => s.createExecutions(slots.map((t, i) => execution(r, `e-${p}-${i}`, t)))),
      );
      expect(inserted.reduce((a, b) => a + b, 0)).toBe(30);
      const page = await stores[1]!.listExecutions(
        { tenant: "t", program: "mpn" },
        { reportIds: [r.id] },
        { limit: 100 },
      );
      expect(page.items).toHaveLength(30);
      expect(new Set(page.items.map((e) => e.scheduledTime.getTime())).size).toBe(30);
    } finally {
      await closeAll(stores);
    }
  });

  it("checks quotas atomically across pools", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema, 3)));
    try {
      const quotas = { ...roomy, maxActiveReports: 5 };
      const outcomes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => stores[i % 4]!.createReport(report(`r-${i}`), [], quotas)),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    } finally {
      await closeAll(stores);
    }
  });

  it("gives each delivery to exactly one claimer across pools", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 3 }, () => open(schema, 2)));
    try {
      const r = report("r-1", { callbackUrl: "https://h", callbackMethod: "POST" });
      const executions = Array.from({ length: 20 }, (_, i) => execution(r, `e-${i}`, at(i * MINUTE)));
      await stores[0]!.createReport(r, executions, roomy);
      const claimed = await stores[0]!.claimExecutions("w", at(HOUR), 60_000, 20);
      for (const e of claimed) {
        const outcome = {
          status: "Completed" as const,
          at: at(HOUR),
          fileKey: `f/${e.id}`,
          rowCount: 1,
          bytes: 1,
          sha256: "00",
          windowStart: null,
          windowEnd: null,
        };
        const delivery = {
          id: `d-${e.id}`,
          executionId: e.id,
          reportId: r.id,
          tenant: r.tenant,
          program: r.program,
          url: "https://h",
          method: "POST" as const,
          payload: "{}",
          status: "Pending" as const,
          attempts: 0,
          nextAttemptAt: at(HOUR),
          leaseOwner: null,
          leaseExpiresAt: null,
          lastStatusCode: null,
          lastError: null,
          deliveredAt: null,
          createdTime: at(HOUR),
        };
        expect(await stores[0]!.finishExecution(e.id, "w", outcome, delivery)).toBe(true);
      }
      const batches = await Promise.all(
        stores.flatMap((s, p) => [0, 1].map((w) => s.claimDeliveries(`p${p}-${w}`, at(HOUR), 60_000, 5))),
      );
      const ids = batches.flat().map((d) => d.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    } finally {
      await closeAll(stores);
    }
  });

  it("claims through partial indexes, without scanning the executions or deliveries tables", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const db = inspector(schema);
    try {
      // 200 reports; 20,000 executions: 19,000 finished history, 1,000 Pending spread over time;
      // a delivery for each finished one, nearly all delivered.
      await sql`
        insert into reports (id, tenant, program, name, name_key, description, query_id, query_text,
          start_time, recurrence_interval, execute_now, format, compression, status, user_name, created_time)
        select 'r-' || lpad(i::text, 4, '0'), 't' || (i % 7), 'mpn', 'R' || i, 'r' || i, '', 'q', 'SELECT 1',
          ${at(0)}::timestamptz, 1, false, 'csv', 'none', 'Active', 'u', ${at(0)}::timestamptz
        from generate_series(1, 200) i`.execute(db);
      await sql`
        insert into executions (id, report_id, tenant, program, scheduled_time, status, attempts,
          next_attempt_at, file_key, created_time)
        select 'e-' || lpad(i::text, 6, '0'), 'r-' || lpad((1 + i % 200)::text, 4, '0'), 't' || ((1 + i % 200) % 7),
          'mpn', ${at(0)}::timestamptz + i * interval '1 minute',
          case when i <= 19000 then 'Completed' else 'Pending' end, case when i <= 19000 then 1 else 0 end,
          ${at(0)}::timestamptz + i * interval '1 minute', 'f/' || i, ${at(0)}::timestamptz
        from generate_series(1, 20000) i`.execute(db);
      await sql`
        insert into callback_deliveries (id, execution_id, report_id, tenant, program, url, method, payload,
          status, attempts, next_attempt_at, created_time)
        select 'd-' || e.id, e.id, e.report_id, e.tenant, e.program, 'https://h', 'POST', '{}',
          case when right(e.id, 2) = '00' then 'Pending' else 'Delivered' end, 1, e.next_attempt_at, e.created_time
        from executions e where e.status = 'Completed'`.execute(db);
      await sql`analyze`.execute(db);

      const now = at(19_500 * MINUTE);
      const explain = async (
        query: ReturnType<typeof claimExecutionsQuery | typeof claimDeliveriesQuery>,
      ) => {
        const { rows } = await sql<{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }>`
          explain (format json) ${query}`.execute(db);
        return planNodes(rows[0]!["QUERY PLAN"][0].Plan);
      };
      const seqScans = (nodes: Record<string, unknown>[]) =>
        nodes.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
      const indexes = (nodes: Record<string, unknown>[]) => nodes.flatMap((n) => n["Index Name"] ?? []);

      const executionPlan = await explain(claimExecutionsQuery("w", now, 60_000, 10));
      expect(seqScans(executionPlan)).not.toContain("executions");
      expect(indexes(executionPlan)).toContain("executions_pending_due_idx");
      const deliveryPlan = await explain(claimDeliveriesQuery("w", now, 60_000, 10));
      expect(seqScans(deliveryPlan)).not.toContain("callback_deliveries");
      expect(indexes(deliveryPlan)).toContain("callback_deliveries_pending_due_idx");

      // And the claims return the oldest due rows.
      const claimed = await store.claimExecutions("w", now, 60_000, 3);
      expect(claimed.map((e) => e.id)).toEqual(["e-019001", "e-019002", "e-019003"]);
      const deliveries = await store.claimDeliveries("w", now, 60_000, 2);
      expect(deliveries.map((d) => d.id)).toEqual(["d-e-000100", "d-e-000200"]);
    } finally {
      await db.destroy();
      await store.close();
    }
  });

  it("wakes listeners of the same schema on new work, through LISTEN/NOTIFY", async () => {
    const schema = freshSchema();
    const [worker, scheduler, elsewhere] = await Promise.all([open(schema, 1), open(schema, 1), open()]);
    try {
      const seen: WorkKind[] = [];
      let wake: () => void = () => {};
      const woken = () =>
        new Promise<void>((resolve) => {
          wake = resolve;
        });
      const stop = worker.onWork((kind) => {
        seen.push(kind);
        wake();
      });
      // The listening connection opens in the background; wait until it hears something.
      const r = report("r-1");
      await scheduler.createReport(r, [], roomy);
      let slot = 0;
      for (let i = 0; i < 100 && seen.length === 0; i++) {
        const next = woken();
        await scheduler.createExecutions([execution(r, `e-${slot}`, at(slot++ * HOUR))]);
        await Promise.race([next, new Promise((resolve) => setTimeout(resolve, 50))]);
      }
      expect(seen[0]).toBe("executions");

      // Another schema's work does not wake this worker.
      seen.length = 0;
      const other = report("r-x");
      await elsewhere.createReport(other, [execution(other, "x-1", at(0))], roomy);
      // A duplicate slot inserts nothing and announces nothing; a new one does.
      await scheduler.createExecutions([execution(r, "e-dup", at(0))]);
      const next = woken();
      await scheduler.createExecutions([execution(r, "e-new", at(1_000 * HOUR))]);
      await next;
      expect(seen).toEqual(["executions"]);
      stop();
    } finally {
      await closeAll([worker, scheduler, elsewhere]);
    }
  });
});

describe("the PostgreSQL test helper", () => {
  it("fails clearly when the server is not reachable", async () => {
    const saved = process.env.OPENINSIGHTS_TEST_DATABASE_URL;
    process.env.OPENINSIGHTS_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:1/postgres";
    try {
      const { createTestDatabase: create } = await import("../support/postgres.js");
      await expect(create()).rejects.toThrow(
        /^test services: PostgreSQL is not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres \(.*\): run `sudo bash scripts\/ensure-postgres\.sh`/,
      );
    } finally {
      if (saved === undefined) delete process.env.OPENINSIGHTS_TEST_DATABASE_URL;
      else process.env.OPENINSIGHTS_TEST_DATABASE_URL = saved;
    }
  });

  it("creates and drops a database", async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on("error", () => {});
    await client.connect();
    expect((await client.query("select current_database() as name")).rows[0].name).toBe(db.name);
    await db.drop(); // with a session still connected: FORCE ends it
    await client.end().catch(() => {});
    await db.drop();
  });
});
