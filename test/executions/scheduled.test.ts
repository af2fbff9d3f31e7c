/**
 * Scheduled reports driven by a fake clock: slots at StartTime + k × interval, each run once with
 * the data window of its own slot; pause/resume; the count used up → Inactive; downtime; callbacks
 * retried while the receiver is down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { type Receiver, startReceiver } from "../support/receiver.js";

const TENANT = DEMO_TENANTS[1]!.id;
const BASE = "/insights/v1/cmp";
const HOUR = 3_600_000;

let clock = new Date("2024-07-15T10:00:00Z");
const now = () => clock;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const wire = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestApp({
    now,
    demoRows: 20_000,
    demoNow: clock,
    env: { OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1" },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** One turn of the background work, as the loops would do it. */
async function turn(): Promise<void> {
  await t.app.scheduler.tick();
  while ((await t.app.worker.runDue(5)) > 0) {
    // run everything due
  }
  await t.app.scheduler.tick(); // queue the next slot of what just finished
  await t.app.dispatcher.runDue(10);
}

async function createReport(body: Record<string, unknown>): Promise<string> {
  const query = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
    Name: "Usage",
    Query: "SELECT UsageDate, NormalizedUsage FROM ISVUsage TIMESPAN LAST_MONTH",
  });
  const created = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
    QueryId: query.body.value[0].queryId,
    ...body,
  });
  expect(created.status).toBe(200);
  return created.body.value[0].reportId;
}

async function executions(reportId: string) {
  const response = await t.call(
    TENANT,
    "GET",
    `${BASE}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Paused;Completed;Failed&getLatestExecution=false`,
  );
  const list = (response.status === 200 ? response.body.value : []) as {
    scheduledTime: string;
    executionStatus: string;
    skippedSlots: number;
    manifest: { dataWindowStart: string; dataWindowEnd: string } | null;
  }[];
  return list.sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
}

async function reportStatus(reportId: string): Promise<string> {
  return (await t.call(TENANT, "GET", `${BASE}/ScheduledReport?reportId=${reportId}`)).body.value[0]
    .reportStatus;
}

describe("scheduled reports", () => {
  it("runs every slot once, with the window of its own slot, then becomes Inactive", async () => {
    clock = new Date("2024-07-31T10:00:00Z");
    const start = new Date(clock.getTime() + 2 * HOUR);
    const reportId = await createReport({
      ReportName: "Every 6 h",
      StartTime: wire(start),
      RecurrenceInterval: 6,
      RecurrenceCount: 3,
    });
    await turn();
    expect((await executions(reportId)).map((e) => e.executionStatus)).toEqual(["Pending"]);

    for (let slot = 0; slot < 3; slot++) {
      clock = new Date(start.getTime() + slot * 6 * HOUR + 30 * 60_000); // half an hour after each slot
      await turn();
      await turn();
    }
    const runs = await executions(reportId);
    expect(runs.map((e) => [e.scheduledTime, e.executionStatus])).toEqual([
      ["2024-07-31T12:00:00Z", "Completed"],
      ["2024-07-31T18:00:00Z", "Completed"],
      ["2024-08-01T00:00:00Z", "Completed"],
    ]);
    // LAST_MONTH evaluated at each slot, not at the moment a worker ran it.
    expect(runs.map((e) => e.manifest?.dataWindowStart)).toEqual([
      "2024-06-01T00:00:00Z",
      "2024-06-01T00:00:00Z",
      "2024-07-01T00:00:00Z",
    ]);
    expect(await reportStatus(reportId)).toBe("Inactive");
    // Further turns create nothing more.
    advance(48 * HOUR);
    await turn();
    expect(await executions(reportId)).toHaveLength(3);

    // 90 days after their slots, executions and their files are deleted; the latest stays.
    const files = runs.map((e) => (e as unknown as { reportLocation: string }).reportLocation);
    const stored = async () =>
      (
        await t.app.store.listExecutions(
          { tenant: TENANT, program: "cmp" },
          { reportIds: [reportId] },
          { limit: 10 },
        )
      ).items
        .map((e) => e.scheduledTime.toISOString())
        .sort();
    clock = new Date("2024-10-29T15:00:00Z"); // 90 days after 2024-07-31T15:00
    expect((await t.app.purgeExpired()).files).toBe(1);
    expect(await stored()).toEqual(["2024-07-31T18:00:00.000Z", "2024-08-01T00:00:00.000Z"]);
    clock = new Date("2024-11-30T00:00:00Z");
    expect((await t.app.purgeExpired()).files).toBe(1);
    expect(await stored()).toEqual(["2024-08-01T00:00:00.000Z"]);
    expect(await t.app.files.stat(files[0]!)).toBeUndefined();
    expect(await t.app.files.stat(files[2]!)).toBeDefined();
  });

  it("pause stops the schedule; resume continues from the next future slot without the skipped ones", async () => {
    clock = new Date("2024-08-01T00:00:00Z");
    const reportId = await createReport({
      ReportName: "Paused",
      StartTime: wire(clock),
      RecurrenceInterval: 4,
    });
    await turn(); // slot 00:00 runs
    const pause = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/pause/${reportId}`);
    expect(pause.body.value[0].reportStatus).toBe("Paused");
    expect((await executions(reportId)).map((e) => e.executionStatus)).toEqual(["Completed", "Paused"]);

    advance(13 * HOUR); // 13:00: slots 04:00, 08:00 and 12:00 pass while paused
    await turn();
    expect((await executions(reportId)).map((e) => e.executionStatus)).toEqual(["Completed", "Paused"]);

    const resume = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/resume/${reportId}`);
    expect(resume.body.value[0].reportStatus).toBe("Active");
    const afterResume = await executions(reportId);
    expect(afterResume.map((e) => [e.scheduledTime, e.executionStatus])).toEqual([
      ["2024-08-01T00:00:00Z", "Completed"],
      ["2024-08-01T16:00:00Z", "Pending"],
    ]);
    expect(afterResume[1]!.skippedSlots).toBe(3);
    await turn();
    expect((await executions(reportId)).map((e) => e.executionStatus)).toEqual(["Completed", "Pending"]);
    advance(3 * HOUR);
    await turn();
    expect((await executions(reportId))[1]!.executionStatus).toBe("Completed");
  });

  it("after downtime runs the most recent missed slot once and records the skipped ones", async () => {
    clock = new Date("2024-09-01T00:00:00Z");
    const reportId = await createReport({
      ReportName: "Downtime",
      StartTime: wire(clock),
      RecurrenceInterval: 4,
    });
    await turn(); // 00:00 runs, 04:00 is queued
    await turn();
    advance(4 * HOUR + 60_000); // 04:01: the queued slot runs
    await turn();
    // The service is down from 04:01 until 17:30: slots 08:00 (already queued), 12:00 and 16:00 pass.
    advance(13.5 * HOUR);
    await turn();
    await turn();
    const runs = await executions(reportId);
    expect(runs.map((e) => [e.scheduledTime, e.executionStatus, e.skippedSlots])).toEqual([
      ["2024-09-01T00:00:00Z", "Completed", 0],
      ["2024-09-01T04:00:00Z", "Completed", 0],
      ["2024-09-01T16:00:00Z", "Completed", 2],
      ["2024-09-01T20:00:00Z", "Pending", 0],
    ]);
  });

  it("QueryWindow SinceLastSuccess: each run from the previous completed run's window end to its slot, across downtime", async () => {
    clock = new Date("2024-11-01T00:00:00Z");
    const reportId = await createReport({
      ReportName: "Since last success",
      StartTime: wire(clock),
      RecurrenceInterval: 4,
      QueryWindow: "sincelastsuccess",
    });
    const report = await t.call(TENANT, "GET", `${BASE}/ScheduledReport?reportId=${reportId}`);
    expect(report.body.value[0].queryWindow).toBe("SinceLastSuccess");
    await turn(); // 00:00 runs (the first run: TIMESPAN LAST_MONTH), 04:00 is queued
    advance(4 * HOUR + 60_000);
    await turn(); // 04:00 runs
    advance(12 * HOUR); // down from 04:01 to 16:01: 08:00 is moved to 16:00, 12:00 skipped
    await turn();
    const runs = await executions(reportId);
    expect(
      runs.map((e) => [
        e.scheduledTime,
        e.executionStatus,
        e.manifest?.dataWindowStart,
        e.manifest?.dataWindowEnd,
      ]),
    ).toEqual([
      ["2024-11-01T00:00:00Z", "Completed", "2024-10-01T00:00:00Z", "2024-11-01T00:00:00Z"],
      ["2024-11-01T04:00:00Z", "Completed", "2024-11-01T00:00:00Z", "2024-11-01T04:00:00Z"],
      ["2024-11-01T16:00:00Z", "Completed", "2024-11-01T04:00:00Z", "2024-11-01T16:00:00Z"],
      ["2024-11-01T20:00:00Z", "Pending", undefined, undefined],
    ]);
  });

  it.each([
    [{ QueryWindow: "Yesterday" }, "QueryWindow should be SinceLastSuccess"],
    [{ QueryWindow: "SinceLastSuccess", ExecuteNow: true }, "QueryWindow applies only to scheduled reports"],
  ])("refuses %j with a 400 naming the problem", async (fields, message) => {
    const query = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
      Name: "Usage",
      Query: "SELECT UsageDate, NormalizedUsage FROM ISVUsage TIMESPAN LAST_MONTH",
    });
    const created = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
      QueryId: query.body.value[0].queryId,
      ReportName: "Bad window",
      StartTime: wire(clock),
      RecurrenceInterval: 4,
      ...fields,
    });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain(message);
  });

  it("never creates two executions for one slot, however many ticks run", async () => {
    clock = new Date("2024-10-01T00:00:00Z");
    const reportId = await createReport({
      ReportName: "Ticks",
      StartTime: wire(clock),
      RecurrenceInterval: 4,
      RecurrenceCount: 2,
    });
    await Promise.all([t.app.scheduler.tick(), t.app.scheduler.tick(), t.app.scheduler.tick()]);
    await t.app.worker.runDue(5);
    await Promise.all([t.app.scheduler.tick(), t.app.scheduler.tick(), t.app.scheduler.tick()]);
    expect((await executions(reportId)).map((e) => e.scheduledTime)).toEqual([
      "2024-10-01T00:00:00Z",
      "2024-10-01T04:00:00Z",
    ]);
  });

  it("retries a callback while the receiver fails, then delivers it", async () => {
    clock = new Date("2024-11-01T00:00:00Z");
    receiver.respondWith(503);
    const before = receiver.received.length;
    const reportId = await createReport({
      ReportName: "Callback retry",
      ExecuteNow: true,
      CallbackUrl: `${receiver.url}/ready`,
      CallbackMethod: "GET",
    });
    await turn();
    expect(receiver.received.length - before).toBe(1);
    let execution = (await t.call(TENANT, "GET", `${BASE}/ScheduledReport/execution/${reportId}`)).body
      .value[0];
    expect(execution.callbackDelivery).toMatchObject({ status: "Pending" });
    expect(execution.callbackDelivery.attempts[0]).toMatchObject({ attempt: 1, statusCode: 503 });

    advance(5_000); // not yet due: the first retry waits at least 5 s (10 s with jitter)
    await t.app.dispatcher.runDue();
    advance(2 * 60_000);
    await t.app.dispatcher.runDue(); // second failure
    receiver.respondWith(200);
    advance(10 * 60_000);
    await t.app.dispatcher.runDue();
    const calls = receiver.received.slice(before);
    expect(calls.map((c) => c.url)).toEqual([
      `/ready?reportId=${reportId}`,
      `/ready?reportId=${reportId}`,
      `/ready?reportId=${reportId}`,
    ]);
    expect(new Set(calls.map((c) => c.headers["webhook-id"])).size).toBe(1);
    execution = (await t.call(TENANT, "GET", `${BASE}/ScheduledReport/execution/${reportId}`)).body.value[0];
    expect(execution.callbackDelivery.status).toBe("Delivered");
    expect(execution.callbackDelivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      503, 503, 200,
    ]);
  });
});
