/**
 * A real `openinsights serve` process on PostgreSQL survives its connections being terminated
 * (`pg_terminate_backend`, as a database restart or failover does) at random moments: while idle,
 * in the middle of requests, of a worker's claim or export, and the LISTEN connection alone. It
 * never exits; requests answer 200 or a 503 in the envelope, never a 500; every execution
 * completes once with its callback delivered: nothing is lost.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { loadConfig } from "../../src/config/config.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { BIN, runCli } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { until } from "../support/wait.js";

const TERMINATIONS = 50;
const TENANT = DEMO_TENANTS[0]!.id;
const QUERY =
  "SELECT SubscriptionId, CustomerName, Month, ServiceName, MeterCategory, UsageQuantity FROM AzureUsage TIMESPAN LIFETIME";

let db: TestDatabase;
let receiver: Receiver;
let dataDir: string;
let child: ChildProcess;
let stderr = "";
let baseUrl: string;
let token: string;
let sql: pg.Client;

/** What the moment of a termination is chosen near. */
type Moment = "idle" | "request" | "claim" | "export" | "listen";
const MOMENTS: readonly Moment[] = ["idle", "request", "claim", "export", "listen"];

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-outages-"));
  const demo = await runCli(["demo", "--data-dir", dataDir, "--rows", "20000"]);
  expect(demo.code, demo.stderr).toBe(0);
  const config = loadConfig({}, { dataDir });
  token = await issueLocalToken({
    dataDir,
    tenant: TENANT,
    user: "tester@example.com",
    ttlSeconds: 3600,
    audience: config.auth.audiences[0]!,
  });
  child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--data-dir", dataDir], {
    env: {
      ...process.env,
      OPENINSIGHTS_DATABASE_URL: db.url,
      OPENINSIGHTS_LEASE_SECONDS: "5",
      OPENINSIGHTS_POLL_INTERVAL_MS: "50",
      OPENINSIGHTS_WORKERS: "2",
      OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000",
      OPENINSIGHTS_LOG_LEVEL: "fatal",
      OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "256MB",
      OPENINSIGHTS_DUCKDB_THREADS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  baseUrl = await until(
    "the service to listen",
    async () => {
      if (child.exitCode !== null) throw new Error(`The service exited at start: ${stderr}`);
      return /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
    },
    60_000,
  );
  sql = new pg.Client({ connectionString: db.url });
  sql.on("error", () => {});
  await sql.connect();
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await sql?.end().catch(() => {});
  await receiver?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Terminates the service's connections (all, or the LISTEN one); returns how many. */
async function terminate(only: "all" | "listen"): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid()
       and ($1 = 'all' or query ilike 'listen %')`,
    [only],
  );
  return rows[0]!.n;
}

const statuses = new Map<number, number>();
const unexpected: string[] = [];

/**
 * A request to the service; records its status and anything but 2xx or a 503 in the envelope
 * with Retry-After.
 */
async function call(
  method: string,
  url: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers field by field
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  const enveloped = json.statusCode === response.status && typeof json.message !== "undefined";
  const retryAfter = response.headers.get("retry-after");
  if (!(response.ok || (response.status === 503 && enveloped && retryAfter === "5"))) {
    unexpected.push(`${method} ${url} → ${response.status} ${JSON.stringify(json)}`);
  }
  return { status: response.status, json };
}

/** Creates an ExecuteNow report, retrying while the database is away; returns its id. */
async function createReport(queryId: string, n: number): Promise<string> {
  for (;;) {
    const created = await call("POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: `Outage ${n}`,
      QueryId: queryId,
      ExecuteNow: true,
      CallbackUrl: `${receiver.url}/done`,
    });
    if (created.status === 200) return created.json.value[0].reportId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function executionStatus(status: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    "select count(*)::int as n from executions where status = $1",
    [status],
  );
  return rows[0]!.n;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PostgreSQL terminating the service's connections", () => {
  it(`${TERMINATIONS} times at random moments: the process survives, nothing is lost`, {
    timeout: 240_000,
  }, async () => {
    let queryId: string | undefined;
    while (queryId === undefined) {
      const query = await call("POST", "/insights/v1/mpn/ScheduledQueries", { Name: "Usage", Query: QUERY });
      queryId = query.status === 200 ? query.json.value[0].queryId : undefined;
    }
    const reportIds = new Set<string>();
    const moments = new Map<Moment, number>();
    for (let round = 0; round < TERMINATIONS; round++) {
      const moment = MOMENTS[round % MOMENTS.length]!;
      moments.set(moment, (moments.get(moment) ?? 0) + 1);
      const creating = createReport(queryId, round).then((id) => reportIds.add(id));
      const reading = Promise.all([call("GET", "/insights/v1/mpn/ScheduledReport"), call("GET", "/readyz")]);
      if (moment === "idle") {
        await Promise.all([creating, reading]);
        await pause(Math.random() * 200);
      } else if (moment === "request") {
        await pause(Math.random() * 15);
      } else if (moment === "claim" || moment === "export") {
        // A worker claims (Pending → Running), then exports while Running.
        const status = moment === "claim" ? "Pending" : "Running";
        await until(
          `an execution ${status}`,
          async () => ((await executionStatus(status)) > 0 ? true : undefined),
          10_000,
          2,
        ).catch(() => undefined);
      }
      if (moment === "listen") {
        await until(
          "the LISTEN connection",
          async () => ((await terminate("listen")) > 0 ? true : undefined),
          10_000,
          20,
        );
      } else {
        await terminate("all");
      }
      await Promise.all([creating, reading]);
      expect(child.exitCode, stderr).toBeNull();
    }

    // Every report created runs once to completion and has its callback delivered.
    await until(
      "every execution to complete and its callback to be delivered",
      async () => {
        const { rows } = await sql.query<{ executions: number; completed: number; delivered: number }>(
          `select (select count(*)::int from executions) as executions,
                  (select count(*)::int from executions where status = 'Completed') as completed,
                  (select count(*)::int from callback_deliveries where status = 'Delivered') as delivered`,
        );
        const { executions, completed, delivered } = rows[0]!;
        return executions >= reportIds.size && completed === executions && delivered === executions
          ? true
          : undefined;
      },
      120_000,
      200,
    );
    const { rows } = await sql.query<{ report_id: string; n: number }>(
      "select report_id, count(*)::int as n from executions group by report_id",
    );
    expect(rows.every((row) => row.n === 1)).toBe(true);
    for (const id of reportIds) expect(rows.map((row) => row.report_id)).toContain(id);
    const callbacks = new Set(receiver.received.map((r) => r.url));
    for (const id of reportIds) expect(callbacks).toContain(`/done/${id}`);

    // Still serving, and the 5xx answers were all 503s in the envelope.
    expect((await call("GET", "/insights/v1/mpn/ScheduledQueries")).status).toBe(200);
    expect(unexpected).toEqual([]);
    // The outage path was taken (about 45 of 170 answers are 503s in a run), each with Retry-After.
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(child.exitCode, stderr).toBeNull();
    expect(stderr).not.toContain("Unhandled");
    expect([...moments.values()].reduce((a, b) => a + b)).toBe(TERMINATIONS);
  });
});
