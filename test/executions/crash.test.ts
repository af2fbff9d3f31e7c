/**
 * Crash recovery with real processes: a worker process is killed (SIGKILL) while it runs an
 * execution; another worker claims it once the lease expires, and the execution completes exactly
 * once, with one file and one callback delivery.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { BIN } from "../support/cli.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { until } from "../support/wait.js";

const TENANT = DEMO_TENANTS[2]!.id;
let t: TestApp;
let receiver: Receiver;
const workers: ChildProcess[] = [];

const workerEnv = () => ({
  ...process.env,
  OPENINSIGHTS_LEASE_SECONDS: "5",
  OPENINSIGHTS_POLL_INTERVAL_MS: "50",
  OPENINSIGHTS_WORKERS: "1",
  OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
  OPENINSIGHTS_LOG_LEVEL: "warn",
  OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB",
  ...t.serveEnv,
});

function startWorker(): ChildProcess {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--role", "worker", "--port", "0", "--data-dir", t.dataDir],
    {
      env: workerEnv(),
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  workers.push(child);
  return child;
}

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestApp({ demoRows: 100_000, env: { OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1" } });
});

afterAll(async () => {
  for (const child of workers) child.kill("SIGKILL");
  await t?.close();
  await receiver?.close();
});

describe("a worker killed mid-execution", () => {
  it("is replaced: the execution completes exactly once, one file, one callback", async () => {
    const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: "Everything",
      Query:
        "SELECT SubscriptionId, CustomerName, CustomerTenantId, Month, ServiceName, MeterCategory, UsageQuantity FROM AzureUsage TIMESPAN LIFETIME",
    });
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Crash",
      QueryId: query.body.value[0].queryId,
      ExecuteNow: true,
      Compression: "gzip",
      CallbackUrl: `${receiver.url}/done`,
    });
    expect(created.status).toBe(200);
    const reportId: string = created.body.value[0].reportId;
    const scope = { tenant: TENANT, program: "mpn" as const };
    const [pending] = (await t.app.store.listExecutions(scope, { reportIds: [reportId] }, { limit: 10 }))
      .items;
    const executionId = pending!.id;

    const first = startWorker();
    const running = await until(
      "the first worker to claim the execution",
      async () => {
        const execution = await t.app.store.findExecution(TENANT, executionId);
        return execution?.status === "Running" ? execution : undefined;
      },
      30_000,
      5,
    );
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    expect(running.attempts).toBe(1);

    startWorker();
    const completed = await until(
      "the second worker to complete it",
      async () => {
        const execution = await t.app.store.findExecution(TENANT, executionId);
        return execution?.status === "Completed" ? execution : undefined;
      },
      60_000,
      100,
    );
    // Unless the first worker finished before the kill landed, the second took over after the lease.
    expect([1, 2]).toContain(completed.attempts);
    await until("the callback", async () => (receiver.received.length > 0 ? true : undefined), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const all = await t.app.store.listExecutions(scope, { reportIds: [reportId] }, { limit: 10 });
    expect(all.items).toHaveLength(1);
    const reportFiles = `mpn/${TENANT}/${reportId}/`;
    expect(await t.listFiles(reportFiles)).toEqual([`${reportFiles}${executionId}.csv.gz`]);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.url).toBe(`/done/${reportId}`);
    const [delivery] = await t.app.store.listDeliveries(scope, [executionId]);
    expect(delivery).toMatchObject({ status: "Delivered", attempts: 1 });
    const download = await fetch(
      (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`)).body.value[0]
        .reportAccessSecureLink,
    );
    expect(download.status).toBe(200);
    expect(Number(download.headers.get("content-length"))).toBe(completed.bytes);
  });
});
