/**
 * Scale-out, exactly once: 3 worker processes and 2 scheduler processes on one PostgreSQL and one
 * shared data directory. 200 ExecuteNow reports and 20 scheduled reports with several due slots;
 * one worker is killed with SIGKILL while it runs an execution. Every execution completes exactly
 * once, with one file and one callback delivery each; nothing is lost.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { newExecution } from "../../src/executions/lifecycle.js";
import type { StoredReport } from "../../src/reports/model.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { BIN } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { until, untilExecutionsComplete } from "../support/wait.js";

const TENANTS = DEMO_TENANTS.map((t) => t.id);
const EXECUTE_NOW = 200;
const SCHEDULED = 20;
const HOUR = 3_600_000;

let db: TestDatabase;
let t: TestApp;
let receiver: Receiver;
const children = new Map<number, ChildProcess>();

function start(role: "worker" | "scheduler"): ChildProcess {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--role", role, "--port", "0", "--data-dir", t.dataDir],
    {
      env: {
        ...process.env,
        OPENINSIGHTS_DATABASE_URL: db.url,
        OPENINSIGHTS_LEASE_SECONDS: "5",
        OPENINSIGHTS_POLL_INTERVAL_MS: "50",
        OPENINSIGHTS_SCHEDULER_INTERVAL_MS: "200",
        OPENINSIGHTS_WORKERS: "2",
        OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
        OPENINSIGHTS_LOG_LEVEL: "warn",
        OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "256MB",
        OPENINSIGHTS_DUCKDB_THREADS: "1",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  children.set(child.pid!, child);
  return child;
}

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
  t = await startTestApp({
    demoRows: 30_000,
    env: {
      OPENINSIGHTS_DATABASE_URL: db.url,
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000",
      OPENINSIGHTS_QUOTA_ACTIVE_REPORTS: "1000",
      OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
    },
  });
});

afterAll(async () => {
  for (const child of children.values()) child.kill("SIGKILL");
  await t?.close();
  await receiver?.close();
  await db?.drop();
});

describe("3 workers and 2 schedulers on one PostgreSQL", () => {
  it("complete every execution exactly once, one file and one callback each, despite a killed worker", {
    timeout: 150_000,
  }, async () => {
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      // 200 ExecuteNow reports over the API, spread over the demo tenants and both programs.
      const queryIds = new Map<string, string>();
      for (const tenant of TENANTS) {
        const query = await t.call(tenant, "POST", "/insights/v1/mpn/ScheduledQueries", {
          Name: "Customers",
          Query:
            "SELECT CustomerName, CustomerMarket, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LIFETIME",
        });
        queryIds.set(tenant, query.body.value[0].queryId);
      }
      const reportIds: string[] = [];
      const creating = Array.from({ length: EXECUTE_NOW }, async (_, n) => {
        const tenant = TENANTS[n % TENANTS.length]!;
        const created = await t.call(tenant, "POST", "/insights/v1/mpn/ScheduledReport", {
          ReportName: `Now ${n}`,
          QueryId: queryIds.get(tenant),
          ExecuteNow: true,
          CallbackUrl: `${receiver.url}/done`,
        });
        expect(created.status).toBe(200);
        reportIds.push(created.body.value[0].reportId);
      });

      // 20 scheduled reports whose slots (every 4 h from 12 h ago) have all come due, with nothing
      // queued yet: the two schedulers race to plan them.
      const now = Date.now();
      for (let n = 0; n < SCHEDULED; n++) {
        const tenant = TENANTS[n % TENANTS.length]!;
        const report: StoredReport = {
          id: randomUUID(),
          tenant,
          program: "cmp",
          name: `Scheduled ${n}`,
          description: "",
          queryId: "2c6f384b-ad52-4aed-965f-32bfa09b3778",
          queryText: "SELECT OfferName, NormalizedUsage FROM ISVUsage TIMESPAN LAST_MONTH",
          startTime: new Date(now - 12 * HOUR),
          recurrenceInterval: 4,
          recurrenceCount: 4,
          executeNow: false,
          queryStartTime: null,
          queryEndTime: null,
          queryWindow: null,
          schedule: null,
          timeZone: null,
          format: "csv",
          compression: "none",
          spreadsheetSafe: false,
          callbackUrl: `${receiver.url}/done`,
          callbackMethod: "GET",
          callbackOnFailure: false,
          status: "Active",
          user: "test",
          createdTime: new Date(now),
          modifiedTime: null,
        };
        const outcome = await t.app.store.createReport(report, [], {
          maxActiveReports: 1000,
          maxExecuteNow: 1000,
          executeNowWindowMs: HOUR,
          now: new Date(now),
        });
        expect(outcome.ok).toBe(true);
        reportIds.push(report.id);
        // Half of them also have a stale first slot queued, as after downtime.
        if (n % 2 === 0)
          await t.app.store.createExecutions([
            newExecution(report, report.startTime, new Date(now), randomUUID()),
          ]);
      }

      const workers = [start("worker"), start("worker"), start("worker")];
      start("scheduler");
      start("scheduler");
      await Promise.all(creating);

      // Kill a worker while it holds a running execution.
      const victim = await until(
        "a worker to run an execution",
        async () => {
          const { rows } = await sql.query<{ lease_owner: string }>(
            "SELECT lease_owner FROM executions WHERE status = 'Running' LIMIT 1",
          );
          const pid = rows[0] ? Number(rows[0].lease_owner.split(":")[1]) : undefined;
          return pid && workers.some((w) => w.pid === pid) ? pid : undefined;
        },
        60_000,
        5,
      );
      children.get(victim)!.kill("SIGKILL");
      console.error(`killed worker ${victim} at ${new Date().toISOString()}`);
      workers.splice(
        workers.findIndex((w) => w.pid === victim),
        1,
      );

      // (on timeout the status counts of the diagnosis say where it stopped)
      const done = await untilExecutionsComplete(sql, EXECUTE_NOW + SCHEDULED, {
        timeoutMs: 90_000,
        everyMs: 200,
        diagnosis:
          "SELECT e.status, r.status AS report_status, r.execute_now, e.next_attempt_at, e.created_time, r.created_time AS report_created, count(*) AS n FROM executions e JOIN reports r ON r.id = e.report_id WHERE e.status <> 'Completed' GROUP BY 1, 2, 3, 4, 5, 6",
      });
      expect(done).toBe(EXECUTE_NOW + SCHEDULED);
      console.error(`all completed at ${new Date().toISOString()}`);

      const { rows: executions } = await sql.query<{
        id: string;
        report_id: string;
        tenant: string;
        program: string;
        status: string;
        file_key: string | null;
        skipped_slots: number;
        scheduled_time: Date;
      }>(
        "SELECT id, report_id, tenant, program, status, file_key, skipped_slots, scheduled_time FROM executions",
      );
      const byReport = new Map<string, typeof executions>();
      for (const e of executions) byReport.set(e.report_id, [...(byReport.get(e.report_id) ?? []), e]);
      expect(byReport.size).toBe(EXECUTE_NOW + SCHEDULED);
      for (const id of reportIds) {
        // Exactly one execution per report, Completed, with exactly one file. The scheduled reports'
        // slots (12 h, 8 h, 4 h ago and now) all came due: only the last one ran, skipping three.
        const mine = byReport.get(id)!;
        expect(mine.map((e) => e.status)).toEqual(["Completed"]);
        const file = mine[0]!.file_key!;
        expect(await readdir(path.join(t.dataDir, "files", path.dirname(file)))).toEqual([
          path.basename(file),
        ]);
      }
      const scheduledRuns = executions.filter((e) => e.program === "cmp");
      expect(scheduledRuns).toHaveLength(SCHEDULED);
      for (const run of scheduledRuns) {
        expect(run.scheduled_time.getTime()).toBe(now);
        expect(run.skipped_slots).toBe(3);
      }

      // One callback per completed execution: every delivery Delivered, one event id each at the receiver.
      await until(
        "every callback",
        async () => {
          const { rows } = await sql.query<{ pending: string }>(
            "SELECT count(*) AS pending FROM callback_deliveries WHERE status <> 'Delivered'",
          );
          return Number(rows[0]!.pending) === 0 ? true : undefined;
        },
        60_000,
        200,
      );
      const { rows: deliveries } = await sql.query<{ id: string; report_id: string }>(
        "SELECT id, report_id FROM callback_deliveries",
      );
      expect(deliveries).toHaveLength(EXECUTE_NOW + SCHEDULED);
      expect(new Set(deliveries.map((d) => d.report_id)).size).toBe(EXECUTE_NOW + SCHEDULED);
      const eventIds = new Set(receiver.received.map((r) => String(r.headers["webhook-id"])));
      expect(eventIds).toEqual(new Set(deliveries.map((d) => d.id)));
    } finally {
      await sql.end();
    }
  });
});
