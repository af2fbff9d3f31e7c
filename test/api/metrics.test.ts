/**
 * GET /metrics: Prometheus text from every role, on the API port or on OPENINSIGHTS_METRICS_PORT;
 * HTTP requests by route template, executions, exports, queue, overdue slots and callbacks counted
 * as they happen; no tenant, report or execution id in any label.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, TEST_BACKEND, type TestApp } from "../support/app.js";
import { parseSamples, sampleValue } from "../support/metrics.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { Clock, expectOk, MINUTE, MPN } from "./helpers.js";

const TENANT = DEMO_TENANTS[0]!.id;
const QUERY = "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_6_MONTHS";
const OVERDUE_MINUTES = 10;

const clock = new Clock(new Date("2024-07-15T10:00:00Z"));
let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestApp({
    now: clock.now,
    demoRows: 2_000,
    demoNow: clock.now(),
    env: {
      OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1,::1",
      OPENINSIGHTS_OVERDUE_MINUTES: String(OVERDUE_MINUTES),
    },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

async function scrape(base = t.baseUrl): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

async function createQuery(): Promise<string> {
  return expectOk(await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, { Name: "q", Query: QUERY }))
    .value[0].queryId;
}

const executions = (reportId: string) =>
  t.call(
    TENANT,
    "GET",
    `${MPN}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed;Failed`,
  );

describe("GET /metrics", () => {
  it("counts HTTP answers by method, route template and status, with a latency histogram", async () => {
    const before = await scrape();
    const route = `${MPN}/ScheduledReport/execution/:reportId`;
    const labels = { method: "GET", route, status: "404" };
    const count = sampleValue(before, "openinsights_http_requests_total", labels) ?? 0;
    await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${crypto.randomUUID()}`);
    await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${crypto.randomUUID()}`);
    await fetch(`${t.baseUrl}/no/such/${crypto.randomUUID()}`);
    const after = await scrape();
    expect(sampleValue(after, "openinsights_http_requests_total", labels)).toBe(count + 2);
    expect(
      sampleValue(after, "openinsights_http_request_duration_seconds_count", labels),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sampleValue(after, "openinsights_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" }),
    ).toBe(count + 2);
    expect(
      sampleValue(after, "openinsights_http_requests_total", {
        method: "GET",
        route: "unmatched",
        status: "404",
      }),
    ).toBeGreaterThanOrEqual(1);
    // Process metrics come with the library (memory, CPU, event loop).
    expect(sampleValue(after, "openinsights_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts an ExecuteNow run, its export and its callback; the queue gauges follow", async () => {
    const queryId = await createQuery();
    const created = expectOk(
      await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "now",
        QueryId: queryId,
        ExecuteNow: true,
        CallbackUrl: `${receiver.url}/hooks`,
      }),
    ).value[0];
    let text = await scrape();
    expect(sampleValue(text, "openinsights_queue_due_executions")).toBe(1);
    clock.advance(90_000);
    text = await scrape();
    expect(sampleValue(text, "openinsights_queue_oldest_due_age_seconds")).toBe(90);

    expect(await t.app.worker.runDue(5)).toBe(1);
    expect(await t.app.dispatcher.runDue(5)).toBe(1);
    const [execution] = expectOk(await executions(created.reportId)).value;
    expect(execution!.executionStatus).toBe("Completed");

    text = await scrape();
    expect(sampleValue(text, "openinsights_queue_due_executions")).toBe(0);
    expect(sampleValue(text, "openinsights_queue_oldest_due_age_seconds")).toBe(0);
    const mpn = { program: "mpn" };
    expect(sampleValue(text, "openinsights_executions_finished_total", { ...mpn, status: "Completed" })).toBe(
      1,
    );
    expect(sampleValue(text, "openinsights_export_rows_total", mpn)).toBe(execution!.manifest!.rowCount);
    expect(sampleValue(text, "openinsights_export_bytes_total", mpn)).toBe(execution!.manifest!.bytes);
    expect(sampleValue(text, "openinsights_export_duration_seconds_count", mpn)).toBe(1);
    expect(sampleValue(text, "openinsights_callback_deliveries_total", { outcome: "delivered" })).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("shows a slot still not started after OPENINSIGHTS_OVERDUE_MINUTES as overdue", async () => {
    const queryId = await createQuery();
    const report = expectOk(
      await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "daily",
        QueryId: queryId,
        StartTime: clock.in(MINUTE),
        RecurrenceInterval: 24,
      }),
    ).value[0];
    const overdueNow = async () => {
      const [execution] = expectOk(await executions(report.reportId)).value;
      return { status: execution!.executionStatus, overdue: execution!.overdue };
    };
    expect(await overdueNow()).toEqual({ status: "Pending", overdue: false });
    expect(sampleValue(await scrape(), "openinsights_executions_overdue")).toBe(0);

    clock.advance(MINUTE + OVERDUE_MINUTES * MINUTE - 1);
    expect(await overdueNow()).toEqual({ status: "Pending", overdue: false });
    clock.advance(1);
    expect(await overdueNow()).toEqual({ status: "Pending", overdue: true });
    expect(sampleValue(await scrape(), "openinsights_executions_overdue")).toBe(1);

    expect(await t.app.worker.runDue(5)).toBe(1);
    expect(await overdueNow()).toEqual({ status: "Completed", overdue: false });
    expect(sampleValue(await scrape(), "openinsights_executions_overdue")).toBe(0);
  });

  it("labels nothing with a tenant, report, execution or query id", async () => {
    const text = await scrape();
    expect(text).not.toContain(TENANT);
    const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    for (const sample of parseSamples(text)) {
      for (const value of Object.values(sample.labels)) expect(value).not.toMatch(guid);
    }
  });

  it("reports the PostgreSQL pool's connections, and no pool on SQLite (one connection, no pool)", async () => {
    const text = await scrape();
    if (TEST_BACKEND === "postgres") {
      expect(sampleValue(text, "openinsights_db_pool_connections", { state: "total" })).toBeGreaterThan(0);
      expect(sampleValue(text, "openinsights_db_pool_connections", { state: "waiting" })).toBe(0);
    } else {
      const pool = parseSamples(text).filter((sample) => sample.name === "openinsights_db_pool_connections");
      expect(pool).toEqual([]);
    }
  });
});

describe("every role, and OPENINSIGHTS_METRICS_PORT", () => {
  it("a scheduler process answers /metrics on its port", async () => {
    const scheduler = await startTestApp({ role: "scheduler" });
    try {
      expect(sampleValue(await scrape(scheduler.baseUrl), "openinsights_queue_due_executions")).toBe(0);
    } finally {
      await scheduler.close();
    }
  });

  it("a worker with OPENINSIGHTS_METRICS_PORT answers there, and not on its main port", async () => {
    const worker = await startTestApp({ role: "worker", env: { OPENINSIGHTS_METRICS_PORT: "0" } });
    try {
      const address = worker.app.metricsAddress();
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(address).not.toBe(worker.baseUrl);
      expect(sampleValue(await scrape(address!), "openinsights_queue_due_executions")).toBe(0);
      expect((await fetch(`${worker.baseUrl}/metrics`)).status).toBe(404);
      expect((await fetch(`${address}/other`)).status).toBe(404);
    } finally {
      await worker.close();
    }
  });
});
