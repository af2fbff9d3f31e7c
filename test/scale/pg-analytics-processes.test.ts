/**
 * The README's "Running at scale" on PostgreSQL for both metadata and analytics, with the report
 * files on S3 (issue #12): 2 api, 2 worker and 1 scheduler processes (`openinsights serve --role …`)
 * started together on one metadata database, one analytics database and one bucket. While
 * ExecuteNow and scheduled reports run, operators replace every tenant's rows through the load API
 * again and again, and one worker is killed (SIGKILL) in the middle of an export and replaced.
 *
 * Every execution completes exactly once, with exactly one object in the bucket, whose bytes match
 * the manifest (size, SHA-256, rows) when downloaded through an API process; its rows are those of
 * exactly one load (the manifest's dataVersion): old or new, never a mix.
 */
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { loadConfig } from "../../src/config/config.js";
import { type LocalS3, startLocalS3 } from "../storage/local-s3.js";
import { createTestBucket } from "../support/app.js";
import { type ServeProcess, startServe } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { until, untilExecutionsComplete } from "../support/wait.js";

const TENANTS = [
  "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
  "2c3d4e5f-6a7b-4c8d-ae9f-1a2b3c4d5e6f",
];
const EXECUTE_NOW_PER_TENANT = 8;
const SCHEDULED_PER_TENANT = 2;
const LOAD_ROUNDS = 4;
const QUERY =
  "SELECT CustomerName, CustomerMarket, BilledRevenueUSD, Month FROM CustomersAndTenants TIMESPAN LIFETIME";
const MPN = "/insights/v1/mpn";

let metadata: TestDatabase;
let analytics: TestDatabase;
let s3: LocalS3;
let bucket: Awaited<ReturnType<typeof createTestBucket>>;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [metadata, analytics, s3] = await Promise.all([createTestDatabase(), createTestDatabase(), startLocalS3()]);
  bucket = await createTestBucket({
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.credentials.accessKeyId,
    secretAccessKey: s3.credentials.secretAccessKey,
  });
  dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-pgscale-"));
}, 180_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await bucket?.drop();
  await s3?.stop();
  await metadata?.drop();
  await analytics?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Served extends ServeProcess {
  readonly role: string;
}

/** `serve --role ROLE` sharing the stores; resolves with its address once it listens. */
async function serve(role: "api" | "worker" | "scheduler"): Promise<Served> {
  const env = {
    ...process.env,
    ...bucket.env,
    OPENINSIGHTS_DATABASE_URL: metadata.url,
    OPENINSIGHTS_ANALYTICS_URL: analytics.url,
    OPENINSIGHTS_ANALYTICS_POOL_SIZE: "4",
    OPENINSIGHTS_LEASE_SECONDS: "5",
    OPENINSIGHTS_POLL_INTERVAL_MS: "50",
    OPENINSIGHTS_SCHEDULER_INTERVAL_MS: "200",
    OPENINSIGHTS_WORKERS: "2",
    OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000",
    OPENINSIGHTS_QUOTA_ACTIVE_REPORTS: "1000",
    OPENINSIGHTS_RATE_LIMIT_PER_MINUTE: "0",
    OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "256MB",
    OPENINSIGHTS_LOG_LEVEL: "warn",
  };
  const served = await startServe(role, dataDir, env, (child) => {
    children.add(child);
    child.on("exit", () => children.delete(child));
  });
  return { role, ...served };
}

function token(tenant: string, roles?: string[]): Promise<string> {
  return issueLocalToken({
    dataDir,
    tenant,
    user: "scale@example.com",
    ttlSeconds: 3600,
    audience: loadConfig({}, { dataDir }).auth.audiences[0]!,
    ...(roles ? { roles } : {}),
  });
}

/** The CSV of a tenant's load: `rows` rows, every one distinct, marked with the tenant and the round. */
function rowsCsv(tenantIndex: number, round: number, rows: number): string {
  const lines = ["CustomerName,CustomerMarket,Month,BilledRevenueUSD"];
  for (let i = 0; i < rows; i++) {
    const market = i % 7 === 0 ? '"Market, with comma"' : `Market ${i % 13}`;
    lines.push(
      `t${tenantIndex}-r${round}-c${i},${market},2024-${String((i % 12) + 1).padStart(2, "0")}-01,${i * 1.25}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Rows of a tenant's load in a round: a different count each time, so a file's count names its load. */
const rowsOf = (tenantIndex: number, round: number) => 15_000 + round * 1_000 + tenantIndex * 100;

describe("2 api, 2 worker and 1 scheduler processes on PostgreSQL (metadata and analytics) and S3", () => {
  it("complete every execution exactly once, each with one file matching its manifest, while loads run and a worker is killed", {
    timeout: 420_000,
  }, async () => {
    const started = await Promise.all([
      serve("api"),
      serve("api"),
      serve("worker"),
      serve("worker"),
      serve("scheduler"),
    ]);
    const apis = started.filter((s) => s.role === "api");
    const workers = started.filter((s) => s.role === "worker");
    const admin = { authorization: `Bearer ${await token("operators", [ADMIN_ROLE])}` };
    let turn = 0;
    /** The next API process, round robin: requests land on both, as behind a load balancer. */
    const api = () => apis[turn++ % apis.length]!.url;
    const call = async (tenant: string, method: string, route: string, body?: unknown) => {
      const response = await fetch(`${api()}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${await token(tenant)}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = await response.json();
      expect(response.status, JSON.stringify(json)).toBe(200);
      return json.value;
    };

    // The rows each (tenant, data version) holds: version n is the tenant's n-th committed load.
    const versions = TENANTS.map(() => new Map<string, number>());
    const load = async (tenantIndex: number, round: number) => {
      const rows = rowsOf(tenantIndex, round);
      const response = await fetch(
        `${api()}/admin/v1/mpn/datasets/CustomersAndTenants/loads?tenantId=${TENANTS[tenantIndex]}&mode=replace`,
        {
          method: "POST",
          headers: { ...admin, "content-type": "text/csv" },
          body: rowsCsv(tenantIndex, round, rows),
        },
      );
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.value[0]).toMatchObject({ status: "Completed", rowCount: rows });
      versions[tenantIndex]!.set(String(round), rows);
    };
    await Promise.all(TENANTS.map((_, i) => load(i, 1)));

    const sql = new pg.Client({ connectionString: metadata.url });
    await sql.connect();
    try {
      // Loads keep replacing every tenant's rows while the reports run (each tenant's in sequence).
      const loading = Promise.all(
        TENANTS.map(async (_, i) => {
          for (let round = 2; round <= LOAD_ROUNDS; round++) await load(i, round);
        }),
      );
      // Awaited below; a failure seen first elsewhere must not also surface as an unhandled rejection.
      loading.catch(() => undefined);

      const reportIds: string[] = [];
      await Promise.all(
        TENANTS.map(async (tenant, i) => {
          const [query] = await call(tenant, "POST", `${MPN}/ScheduledQueries`, {
            Name: "Rows",
            Query: QUERY,
          });
          for (let n = 0; n < EXECUTE_NOW_PER_TENANT; n++) {
            const [report] = await call(tenant, "POST", `${MPN}/ScheduledReport`, {
              ReportName: `Now ${i}-${n}`,
              QueryId: query.queryId,
              ExecuteNow: true,
            });
            reportIds.push(report.reportId);
          }
          // Scheduled reports whose first slot is already due (StartTime may lie minutes back).
          for (let n = 0; n < SCHEDULED_PER_TENANT; n++) {
            const [report] = await call(tenant, "POST", `${MPN}/ScheduledReport`, {
              ReportName: `Daily ${i}-${n}`,
              QueryId: query.queryId,
              StartTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
              RecurrenceInterval: 24,
              ...(n === 1 ? { Compression: "gzip" } : {}),
            });
            reportIds.push(report.reportId);
          }
        }),
      );
      const total = TENANTS.length * (EXECUTE_NOW_PER_TENANT + SCHEDULED_PER_TENANT);
      expect(reportIds).toHaveLength(total);

      // Kill a worker process in the middle of an export it holds, and start another in its place.
      const victim = await until(
        "a worker process to run an execution",
        async () => {
          const { rows } = await sql.query<{ lease_owner: string }>(
            "SELECT lease_owner FROM executions WHERE status = 'Running'",
          );
          const pids = rows.map((row) => Number(row.lease_owner.split(":")[1]));
          return workers.find((w) => pids.includes(w.child.pid!));
        },
        120_000,
        5,
      );
      victim.child.kill("SIGKILL");
      console.error(`killed worker ${victim.child.pid} at ${new Date().toISOString()}`);
      workers.splice(workers.indexOf(victim), 1, await serve("worker"));

      await loading;
      await untilExecutionsComplete(sql, total, {
        timeoutMs: 240_000,
        everyMs: 250,
        diagnosis:
          "SELECT status, failure_code, failure_reason, count(*) AS n FROM executions GROUP BY 1, 2, 3",
      });

      // The killed worker's execution was taken over after its lease: attempts 2, still one execution.
      const { rows: retried } = await sql.query<{ n: string }>(
        "SELECT count(*) AS n FROM executions WHERE attempts > 1",
      );
      expect(Number(retried[0]!.n)).toBeGreaterThanOrEqual(1);

      const versionsSeen = new Map<string, number>();
      for (const [i, tenant] of TENANTS.entries()) {
        const mine = await sql.query<{ id: string }>("SELECT id FROM reports WHERE tenant = $1", [tenant]);
        for (const { id: reportId } of mine.rows) {
          const executions = await call(
            tenant,
            "GET",
            `${MPN}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed;Failed&getLatestExecution=false`,
          );
          // Exactly once: one execution (ExecuteNow, or the one due slot), Completed, one object. (A
          // scheduled report's next slot, tomorrow, waits as Pending.)
          const due = executions.filter(
            (e: { scheduledTime: string }) => Date.parse(e.scheduledTime) <= Date.now(),
          );
          expect(due.map((e: { executionStatus: string }) => e.executionStatus)).toEqual(["Completed"]);
          const [execution] = due;
          expect(await bucket.list(`mpn/${tenant}/${reportId}/`)).toEqual([execution.reportLocation]);
          const download = await fetch(execution.reportAccessSecureLink);
          expect(download.status).toBe(200);
          const bytes = Buffer.from(await download.arrayBuffer());
          const { manifest } = execution;
          expect(bytes.length).toBe(manifest.bytes);
          expect(createHash("sha256").update(bytes).digest("hex")).toBe(manifest.sha256);
          const text = execution.reportLocation.endsWith(".gz")
            ? (await import("node:zlib")).gunzipSync(bytes).toString("utf8")
            : bytes.toString("utf8");
          const lines = text.trimEnd().split("\n");
          expect(lines[0]).toBe("CustomerName,CustomerMarket,BilledRevenueUSD,Month");
          expect(lines.length - 1).toBe(manifest.rowCount);
          // The rows of one load, whole: its version's count, and only that round's rows.
          expect(manifest.rowCount, `${reportId} at data version ${manifest.dataVersion}`).toBe(
            versions[i]!.get(manifest.dataVersion),
          );
          versionsSeen.set(manifest.dataVersion, (versionsSeen.get(manifest.dataVersion) ?? 0) + 1);
          const marker = `t${i}-r${manifest.dataVersion}-`;
          expect(lines.slice(1).every((line) => line.startsWith(marker))).toBe(true);
        }
      }
      // For the record: which loads the files saw (loads ran while they were exported).
      console.error(`files per data version: ${JSON.stringify(Object.fromEntries(versionsSeen))}`);
    } finally {
      await sql.end();
    }
  });
});
