/**
 * The stand-in for client developers (issue #18), over real HTTP with the real loops: the
 * `observed` compatibility profile against the documented one, test clocks (a daily report
 * advanced three days runs three times, with three consecutive daily windows and three callbacks),
 * faults on demand (an HTTP rule answering 503 until cleared; execution and callback faults), and
 * every feature refused when it is off.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { loadConfig } from "../../src/config/config.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { until } from "../support/wait.js";

const TENANT = DEMO_TENANTS[0]!.id;
const MPN = "/insights/v1/mpn";
const ACME = "/insights/v1/acme";
const DAY = 86_400_000;

/** Everything on, the loops running with short polls (the real service's behaviour, in seconds). */
let on: TestApp;
/** The defaults: documented profile, no test clocks, no faults; loops driven by hand. */
let off: TestApp;
let receiver: Receiver;
let adminToken: string;
let dir: string;

beforeAll(async () => {
  receiver = await startReceiver();
  dir = await mkdtemp(path.join(os.tmpdir(), "openinsights-stand-in-"));
  // The example catalog, with day spans allowed, so that a daily report has daily windows.
  const catalog = path.join(dir, "acme.yaml");
  const example = await readFile("examples/acme-catalog.yaml", "utf8");
  const daily = example.replace(
    "availableDateRanges: [LAST_7_DAYS,",
    "availableDateRanges: [YESTERDAY, LAST_7_DAYS,",
  );
  expect(daily).not.toBe(example);
  await writeFile(catalog, daily);
  on = await startTestApp({
    background: true,
    env: {
      OPENINSIGHTS_CATALOGS: catalog,
      OPENINSIGHTS_COMPAT: "observed",
      OPENINSIGHTS_TEST_CLOCKS: "true",
      OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS: "40",
      OPENINSIGHTS_FAULTS: "true",
      OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1",
      OPENINSIGHTS_POLL_INTERVAL_MS: "20",
      OPENINSIGHTS_SCHEDULER_INTERVAL_MS: "50",
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: "100",
    },
  });
  off = await startTestApp({ env: { OPENINSIGHTS_CATALOGS: catalog } });
  adminToken = await on.token(TENANT, { user: "operator@example.com", roles: [ADMIN_ROLE] });
});
afterAll(async () => {
  await on?.close();
  await off?.close();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

async function createQuery(t: TestApp, base: string, query: string): Promise<string> {
  const created = await t.call(TENANT, "POST", `${base}/ScheduledQueries`, {
    Name: "Stand in",
    Query: query,
  });
  expect(created.status).toBe(200);
  return created.body.value[0].queryId;
}

async function executeNow(t: TestApp): Promise<string> {
  const queryId = await createQuery(
    t,
    MPN,
    "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH",
  );
  const created = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
    ReportName: "Now",
    QueryId: queryId,
    ExecuteNow: true,
  });
  expect(created.status).toBe(200);
  return created.body.value[0].reportId;
}

const admin = (method: string, body?: unknown) =>
  on.call(null, method, "/admin/v1/faults", body, { authorization: `Bearer ${adminToken}` });

describe("the compatibility profile", () => {
  it("answers the bare executions GET right after an ExecuteNow report with the latest execution under observed, 404 under documented", async () => {
    const observed = await executeNow(on);
    const bare = await on.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${observed}`);
    expect(bare.status).toBe(200);
    expect(bare.body.statusCode).toBe(200);
    expect(bare.body.value).toHaveLength(1);
    expect(["Pending", "Running", "Completed"]).toContain(bare.body.value[0].executionStatus);
    // An explicit executionStatus filters as documented.
    const completed = await until(
      "the observed report's run",
      async () => {
        const r = await on.call(
          TENANT,
          "GET",
          `${MPN}/ScheduledReport/execution/${observed}?executionStatus=Completed`,
        );
        return r.status === 200 ? r : undefined;
      },
      20_000,
    );
    expect(completed.body.value[0].executionStatus).toBe("Completed");
    const none = await on.call(
      TENANT,
      "GET",
      `${MPN}/ScheduledReport/execution/${observed}?executionStatus=Failed`,
    );
    expect(none.status).toBe(404);

    // The documented default (executionStatus=Completed): 404 until the first run completes.
    const documented = await executeNow(off);
    const refused = await off.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${documented}`);
    expect(refused.status).toBe(404);
    expect(refused.body.statusCode).toBe(404);
    expect(refused.body.value).toEqual([]);
    const pending = await off.call(
      TENANT,
      "GET",
      `${MPN}/ScheduledReport/execution/${documented}?executionStatus=Pending`,
    );
    expect(pending.status).toBe(200);
    expect(pending.body.value[0].executionStatus).toBe("Pending");
  });

  it("takes the official C# sample's yyyy-MM-dd HH:mm:ssZ StartTime under observed, and refuses it under documented", async () => {
    const start = new Date(Date.now() + 2 * DAY);
    const spaced = `${start.toISOString().slice(0, 10)} 06:00:00Z`;
    const body = (queryId: string) => ({
      ReportName: "C# sample",
      QueryId: queryId,
      StartTime: spaced,
      RecurrenceInterval: 24,
    });
    const sql = "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH";
    const taken = await on.call(
      TENANT,
      "POST",
      `${MPN}/ScheduledReport`,
      body(await createQuery(on, MPN, sql)),
    );
    expect(taken.status).toBe(200);
    expect(taken.body.value[0].startTime).toBe(`${start.toISOString().slice(0, 10)}T06:00:00Z`);
    const refused = await off.call(
      TENANT,
      "POST",
      `${MPN}/ScheduledReport`,
      body(await createQuery(off, MPN, sql)),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(
      /^Invalid report parameters for creation - StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ/,
    );
  });

  it("serves cmp at the official ISV sample's /analytics/cmp base under observed only", async () => {
    const observed = await on.call(TENANT, "GET", "/analytics/cmp/ScheduledDataset?datasetName=ISVUsage");
    expect(observed.status).toBe(200);
    expect(observed.body.value[0].datasetName).toBe("ISVUsage");
    const documented = await off.call(TENANT, "GET", "/analytics/cmp/ScheduledDataset");
    expect(documented.status).toBe(404);
  });

  it("sends the isMfaCompliant header on ScheduledDataset under observed only", async () => {
    const observed = await on.call(TENANT, "GET", `${MPN}/ScheduledDataset`);
    expect(observed.headers.get("ismfacompliant")).toBe("true");
    const documented = await off.call(TENANT, "GET", `${MPN}/ScheduledDataset`);
    expect(documented.status).toBe(200);
    expect(documented.headers.get("ismfacompliant")).toBeNull();
  });
});

describe("test clocks", () => {
  it("runs a daily report advanced three days three times: three consecutive daily windows and three callbacks, within seconds", async () => {
    const clock = await on.call(TENANT, "POST", `${ACME}/TestClocks`, {
      Name: "Daily report",
      FrozenTime: "2026-01-01T00:00:00Z",
    });
    expect(clock.status).toBe(200);
    expect(clock.body.message).toBe("Test clock created successfully");
    const { testClockId, ...rest } = clock.body.value[0];
    expect(rest).toEqual({
      name: "Daily report",
      frozenTime: "2026-01-01T00:00:00Z",
      status: "Ready",
      createdTime: expect.any(String),
    });

    const queryId = await createQuery(on, ACME, "SELECT Country, Revenue FROM Orders TIMESPAN YESTERDAY");
    const created = await on.call(TENANT, "POST", `${ACME}/ScheduledReport`, {
      ReportName: "Daily on a clock",
      QueryId: queryId,
      // In the past on the wall clock, and valid: StartTime rules are checked against the clock.
      StartTime: "2026-01-02T00:00:00Z",
      RecurrenceInterval: 24,
      CallbackUrl: `${receiver.url}/daily`,
      TestClockId: testClockId,
    });
    expect(created.status).toBe(200);
    const report = created.body.value[0];
    expect(report.testClockId).toBe(testClockId);
    const callbacksBefore = receiver.received.length;

    const started = Date.now();
    const advanced = await on.call(TENANT, "POST", `${ACME}/TestClocks/${testClockId}/advance`, {
      FrozenTime: "2026-01-04T00:00:00Z",
    });
    expect(advanced.status).toBe(200);
    expect(advanced.body.value[0]).toMatchObject({ frozenTime: "2026-01-04T00:00:00Z", status: "Ready" });

    type Execution = {
      scheduledTime: string;
      executionStatus: string;
      manifest: { dataWindowStart: string; dataWindowEnd: string } | null;
    };
    const executions = await until(
      "three Completed executions and three callbacks",
      async () => {
        const r = await on.call(
          TENANT,
          "GET",
          `${ACME}/ScheduledReport/execution/${report.reportId}?executionStatus=Completed&getLatestExecution=false`,
        );
        const list = (r.status === 200 ? r.body.value : []) as Execution[];
        const callbacks = receiver.received.length - callbacksBefore;
        return list.length === 3 && callbacks === 3 ? list : undefined;
      },
      20_000,
      20,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(20);
    const bySlot = [...executions].sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
    expect(bySlot.map((e) => e.scheduledTime)).toEqual([
      "2026-01-02T00:00:00Z",
      "2026-01-03T00:00:00Z",
      "2026-01-04T00:00:00Z",
    ]);
    // Each with its own slot's window: three consecutive days.
    expect(bySlot.map((e) => [e.manifest?.dataWindowStart, e.manifest?.dataWindowEnd])).toEqual([
      ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"],
      ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"],
      ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"],
    ]);
    const calls = receiver.received.slice(callbacksBefore);
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill(`/daily/${report.reportId}`));
    expect(new Set(calls.map((c) => JSON.parse(c.body).executionId)).size).toBe(3);
    console.log(
      `test clock: 3 daily slots completed and called back ${seconds.toFixed(2)} s after the advance`,
    );

    // Nothing more runs without an advance: the wall clock does not move the report on.
    const latest = await on.call(TENANT, "GET", `${ACME}/ScheduledReport/execution/${report.reportId}`);
    expect(latest.body.value).toHaveLength(1);
    expect(latest.body.value[0].scheduledTime).toBe("2026-01-04T00:00:00Z");

    // Never back; past the bound, a 400 that changes nothing.
    const back = await on.call(TENANT, "POST", `${ACME}/TestClocks/${testClockId}/advance`, {
      FrozenTime: "2026-01-03T00:00:00Z",
    });
    expect(back.status).toBe(400);
    expect(back.body.message).toMatch(/must not move the clock back: it is at 2026-01-04T00:00:00Z/);
    const far = await on.call(TENANT, "POST", `${ACME}/TestClocks/${testClockId}/advance`, {
      FrozenTime: "2026-06-01T00:00:00Z",
    });
    expect(far.status).toBe(400);
    expect(far.body.message).toMatch(/would create more than 40 executions .*advance in smaller steps/);
    const read = await on.call(TENANT, "GET", `${ACME}/TestClocks/${testClockId}`);
    expect(read.body.value[0]).toMatchObject({ frozenTime: "2026-01-04T00:00:00Z", status: "Ready" });
    const listed = await on.call(TENANT, "GET", `${ACME}/TestClocks`);
    expect(listed.body.value.map((c: { testClockId: string }) => c.testClockId)).toContain(testClockId);

    // DELETE removes the clock and its reports.
    const deleted = await on.call(TENANT, "DELETE", `${ACME}/TestClocks/${testClockId}`);
    expect(deleted.status).toBe(200);
    expect((await on.call(TENANT, "GET", `${ACME}/TestClocks/${testClockId}`)).status).toBe(404);
    expect((await on.call(TENANT, "GET", `${ACME}/ScheduledReport?reportId=${report.reportId}`)).status).toBe(
      404,
    );
  });

  it("finishes an advance cut short (the clock left Advancing at its old time) without running a slot twice", async () => {
    const clock = await on.call(TENANT, "POST", `${ACME}/TestClocks`, {
      Name: "Cut short",
      FrozenTime: "2026-03-01T00:00:00Z",
    });
    const stored = clock.body.value[0];
    const queryId = await createQuery(on, ACME, "SELECT Country, Revenue FROM Orders TIMESPAN YESTERDAY");
    const created = await on.call(TENANT, "POST", `${ACME}/ScheduledReport`, {
      ReportName: "Four-hourly",
      QueryId: queryId,
      // At the clock's time: its first slot is due at once, on creation.
      StartTime: "2026-03-01T00:00:00Z",
      RecurrenceInterval: 4,
      TestClockId: stored.testClockId,
    });
    const reportId = created.body.value[0].reportId;
    const slots = async () => {
      const r = await on.call(
        TENANT,
        "GET",
        `${ACME}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed;Failed&getLatestExecution=false`,
      );
      return ((r.status === 200 ? r.body.value : []) as { scheduledTime: string }[])
        .map((e) => e.scheduledTime)
        .sort();
    };
    expect(await slots()).toEqual(["2026-03-01T00:00:00Z"]);
    // What a crash between "Advancing" and "Ready" leaves: the status moved, the time did not.
    const scope = { tenant: TENANT, program: "acme" };
    const current = (await on.app.store.getTestClock(scope, stored.testClockId))!;
    await on.app.store.updateTestClock({ ...current, status: "Advancing" });
    expect(
      (await on.call(TENANT, "GET", `${ACME}/TestClocks/${stored.testClockId}`)).body.value[0].status,
    ).toBe("Advancing");
    for (let i = 0; i < 2; i++) {
      const again = await on.call(TENANT, "POST", `${ACME}/TestClocks/${stored.testClockId}/advance`, {
        FrozenTime: "2026-03-01T12:00:00Z",
      });
      expect(again.body.value[0]).toMatchObject({ frozenTime: "2026-03-01T12:00:00Z", status: "Ready" });
    }
    expect(await slots()).toEqual([
      "2026-03-01T00:00:00Z",
      "2026-03-01T04:00:00Z",
      "2026-03-01T08:00:00Z",
      "2026-03-01T12:00:00Z",
    ]);
    // Paused, an advance passes the report over; resumed, the next advance goes on from the clock's time.
    // (Once the four have run: a resume drops what is still waiting, as on the wall clock.)
    await until(
      "the four slots' runs",
      async () => {
        const r = await on.call(
          TENANT,
          "GET",
          `${ACME}/ScheduledReport/execution/${reportId}?executionStatus=Completed&getLatestExecution=false`,
        );
        return r.status === 200 && r.body.value.length === 4 ? true : undefined;
      },
      20_000,
    );
    await on.call(TENANT, "PUT", `${ACME}/ScheduledReport/pause/${reportId}`);
    await on.call(TENANT, "POST", `${ACME}/TestClocks/${stored.testClockId}/advance`, {
      FrozenTime: "2026-03-01T20:00:00Z",
    });
    const resumed = await on.call(TENANT, "PUT", `${ACME}/ScheduledReport/resume/${reportId}`);
    expect(resumed.body.value[0]?.reportStatus, resumed.body.message).toBe("Active");
    const last = await on.call(TENANT, "POST", `${ACME}/TestClocks/${stored.testClockId}/advance`, {
      FrozenTime: "2026-03-02T00:00:00Z",
    });
    expect(last.status, last.body.message).toBe(200);
    expect(await slots()).toEqual([
      "2026-03-01T00:00:00Z",
      "2026-03-01T04:00:00Z",
      "2026-03-01T08:00:00Z",
      "2026-03-01T12:00:00Z",
      "2026-03-02T00:00:00Z",
    ]);
    await on.call(TENANT, "DELETE", `${ACME}/TestClocks/${stored.testClockId}`);
  });

  it("checks StartTime against the clock, refuses unknown clocks and ExecuteNow on a clock, and keeps clocks per tenant", async () => {
    const clock = await on.call(TENANT, "POST", `${MPN}/TestClocks`, {
      Name: "Rules",
      FrozenTime: "2030-01-01T00:00:00Z",
    });
    const testClockId = clock.body.value[0].testClockId;
    const queryId = await createQuery(
      on,
      MPN,
      "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH",
    );
    const create = (body: Record<string, unknown>) =>
      on.call(TENANT, "POST", `${MPN}/ScheduledReport`, { ReportName: "r", QueryId: queryId, ...body });
    // Tomorrow on the wall clock is years before the clock's time.
    const early = await create({
      StartTime: new Date(Date.now() + DAY).toISOString().replace(/\.\d+Z$/, "Z"),
      RecurrenceInterval: 24,
      TestClockId: testClockId,
    });
    expect(early.status).toBe(400);
    expect(early.body.message).toMatch(
      /StartTime should not be in the past \(current UTC time is 2030-01-01/,
    );
    const unknown = await create({
      StartTime: "2030-01-02T00:00:00Z",
      RecurrenceInterval: 24,
      TestClockId: "nope",
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/Invalid TestClockId/);
    const now = await create({ ExecuteNow: true, TestClockId: testClockId });
    expect(now.status).toBe(400);
    expect(now.body.message).toMatch(/TestClockId applies only to scheduled reports/);
    const other = await on.call(DEMO_TENANTS[1]!.id, "GET", `${MPN}/TestClocks/${testClockId}`);
    expect(other.status).toBe(404);
    const bad = await on.call(TENANT, "POST", `${MPN}/TestClocks`, { Name: "x", FrozenTime: "soon" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/FrozenTime should follow format/);
  });

  it("answers 404 on the routes and 400 for TestClockId when test clocks are off", async () => {
    const routes: [string, string, unknown?][] = [
      ["POST", `${MPN}/TestClocks`, { Name: "x", FrozenTime: "2026-01-01T00:00:00Z" }],
      ["GET", `${MPN}/TestClocks`],
      ["GET", `${MPN}/TestClocks/abc`],
      ["POST", `${MPN}/TestClocks/abc/advance`, { FrozenTime: "2026-01-02T00:00:00Z" }],
      ["DELETE", `${MPN}/TestClocks/abc`],
    ];
    for (const [method, url, body] of routes) {
      const response = await off.call(TENANT, method, url, body);
      expect(response.status, `${method} ${url}`).toBe(404);
      expect(response.body.statusCode).toBe(404);
    }
    const queryId = await createQuery(
      off,
      MPN,
      "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH",
    );
    const refused = await off.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "r",
      QueryId: queryId,
      StartTime: new Date(Date.now() + DAY).toISOString().replace(/\.\d+Z$/, "Z"),
      RecurrenceInterval: 24,
      TestClockId: "3c0a5d8e-0000-4000-8000-000000000000",
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(
      /TestClockId is refused: test clocks are off \(OPENINSIGHTS_TEST_CLOCKS=true/,
    );
    // On update too, rather than "cannot be changed".
    const report = await off.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "r",
      QueryId: queryId,
      StartTime: new Date(Date.now() + DAY).toISOString().replace(/\.\d+Z$/, "Z"),
      RecurrenceInterval: 24,
    });
    const update = await off.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.body.value[0].reportId}`, {
      ReportName: "r",
      StartTime: report.body.value[0].startTime,
      TestClockId: "3c0a5d8e-0000-4000-8000-000000000000",
    });
    expect(update.status).toBe(400);
    expect(update.body.message).toMatch(/TestClockId is refused: test clocks are off/);
    // And the OpenAPI document of a deployment without them does not show them.
    const openapi = await off.call(null, "GET", "/openapi.json");
    expect(Object.keys(openapi.body.paths).some((p) => p.includes("TestClocks"))).toBe(false);
    const withClocks = await on.call(null, "GET", "/openapi.json");
    expect(Object.keys(withClocks.body.paths)).toContain(`${MPN}/TestClocks/{testClockId}/advance`);
    expect(Object.keys(withClocks.body.paths)).toContain("/admin/v1/faults");
  });
});

describe("faults on demand", () => {
  it("answers a 100% 503 rule's route with 503 in the envelope, with Retry-After, until the rules are cleared", async () => {
    const reportId = await executeNow(on);
    const url = `${MPN}/ScheduledReport/execution/${reportId}`;
    const set = await admin("PUT", {
      Rules: [
        {
          Method: "GET",
          Path: `${MPN}/ScheduledReport/execution/*`,
          Status: 503,
          LatencyMs: 0,
          Probability: 1,
        },
      ],
    });
    expect(set.status).toBe(200);
    expect(set.body.value).toEqual([
      {
        target: "http",
        method: "GET",
        path: `${MPN}/ScheduledReport/execution/*`,
        status: 503,
        latencyMs: 0,
        probability: 1,
      },
    ]);
    for (let i = 0; i < 5; i++) {
      const faulted = await on.call(TENANT, "GET", url);
      expect(faulted.status).toBe(503);
      expect(faulted.headers.get("retry-after")).toBe("1");
      expect(faulted.body).toMatchObject({ value: [], statusCode: 503, totalCount: 0, dataRedacted: false });
      expect(faulted.body.message).toMatch(/^Service unavailable \(injected fault/);
    }
    // Other routes and methods are not faulted.
    expect((await on.call(TENANT, "GET", `${MPN}/ScheduledReport?reportId=${reportId}`)).status).toBe(200);
    expect((await admin("GET")).body.value).toHaveLength(1);

    const scraped = await (await fetch(`${on.baseUrl}/metrics`)).text();
    expect(scraped).toMatch(/openinsights_injected_faults_total\{target="http"\} 5/);

    const cleared = await admin("DELETE");
    expect(cleared.status).toBe(200);
    expect((await admin("GET")).body.value).toEqual([]);
    const answered = await on.call(TENANT, "GET", `${url}?executionStatus=Pending;Running;Completed`);
    expect(answered.status).toBe(200);
  });

  it("fails executions with InjectedFault and callback attempts on demand, counted apart from real failures", async () => {
    await admin("PUT", {
      Rules: [
        { Target: "execution", Probability: 1 },
        { Target: "callback", Probability: 1 },
      ],
    });
    try {
      const queryId = await createQuery(
        on,
        MPN,
        "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH",
      );
      const created = await on.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "Faulted",
        QueryId: queryId,
        ExecuteNow: true,
        CallbackUrl: `${receiver.url}/faulted`,
        CallbackOnFailure: true,
      });
      const reportId = created.body.value[0].reportId;
      const failed = await until(
        "the injected failure and its first callback attempt",
        async () => {
          const r = await on.call(
            TENANT,
            "GET",
            `${MPN}/ScheduledReport/execution/${reportId}?executionStatus=Failed`,
          );
          const execution = r.status === 200 ? r.body.value[0] : undefined;
          return execution?.callbackDelivery?.attempts?.length > 0 ? execution : undefined;
        },
        20_000,
      );
      expect(failed.failure).toMatchObject({ code: "InjectedFault", willRetry: false });
      expect(failed.callbackDelivery.status).toBe("Pending");
      expect(failed.callbackDelivery.attempts[0]).toMatchObject({ statusCode: null });
      expect(failed.callbackDelivery.attempts[0].error).toMatch(/^Injected fault/);
      expect(receiver.received.some((c) => c.url.startsWith("/faulted"))).toBe(false);
      const scraped = await (await fetch(`${on.baseUrl}/metrics`)).text();
      expect(scraped).toMatch(/openinsights_injected_faults_total\{target="execution"\} [1-9]/);
      expect(scraped).toMatch(/openinsights_injected_faults_total\{target="callback"\} [1-9]/);
      expect(scraped).not.toMatch(/openinsights_executions_finished_total\{program="mpn",status="Failed"\}/);
    } finally {
      await admin("DELETE");
    }
  });

  it("refuses bad rules with a clear 400, and is an operator's API only", async () => {
    const bad = await admin("PUT", { Rules: [{ Path: "/x", Status: 418 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("Invalid fault rules - rule 1: Status must be one of 429, 500, 503");
    const noPath = await admin("PUT", { Rules: [{ Status: 503 }] });
    expect(noPath.status).toBe(400);
    expect(noPath.body.message).toMatch(/Path is required/);
    const chance = await admin("PUT", { Rules: [{ Target: "execution", Probability: 2 }] });
    expect(chance.body.message).toMatch(/Probability must be a number from 0 to 1/);
    const tenant = await on.call(TENANT, "PUT", "/admin/v1/faults", { Rules: [] });
    expect(tenant.status).toBe(403);
  });

  it("answers 404 on /admin/v1/faults when faults are off; --demo turns test clocks on, never faults", async () => {
    const demo = loadConfig({}, { demo: true });
    expect(demo.testClocks.enabled).toBe(true);
    expect(demo.faults.enabled).toBe(false);
    expect(demo.compat).toBe("documented");
    expect(loadConfig({ OPENINSIGHTS_TEST_CLOCKS: "false" }, { demo: true }).testClocks.enabled).toBe(false);
    expect(() => loadConfig({ OPENINSIGHTS_COMPAT: "real" })).toThrow(
      "OPENINSIGHTS_COMPAT must be documented or observed, not 'real'",
    );
    const offAdmin = await off.token(TENANT, { roles: [ADMIN_ROLE] });
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await off.call(
        null,
        method,
        "/admin/v1/faults",
        method === "PUT" ? { Rules: [] } : undefined,
        {
          authorization: `Bearer ${offAdmin}`,
        },
      );
      expect(response.status, method).toBe(404);
    }
  });
});
