/**
 * Calendar schedules (extension fields Schedule and TimeZone) and backfills (POST
 * …/ScheduledReport/{reportId}/backfill), end to end with a fake clock: slots at the calendar's
 * local times across a daylight-saving change; the 400s that name the problem; backfilled slots
 * before StartTime, each run for its own slot with its own data window, idempotent and bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = DEMO_TENANTS[1]!.id;
const BASE = "/insights/v1/cmp";
const HOUR = 3_600_000;
const QUERY = "SELECT UsageDate, NormalizedUsage FROM ISVUsage TIMESPAN LAST_MONTH";

let clock = new Date("2024-03-27T10:00:00Z");
const wire = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

let t: TestApp;
let queryId: string;

beforeAll(async () => {
  t = await startTestApp({ now: () => clock, demoRows: 20_000, demoNow: clock });
  const query = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, { Name: "Usage", Query: QUERY });
  queryId = query.body.value[0].queryId;
});
afterAll(async () => {
  await t?.close();
});

/** One turn of the background work, as the loops would do it. */
async function turn(): Promise<void> {
  await t.app.scheduler.tick();
  while ((await t.app.worker.runDue(5)) > 0) {
    // run everything due
  }
  await t.app.scheduler.tick();
}

async function create(body: Record<string, unknown>) {
  return t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
    QueryId: queryId,
    ReportName: "Calendar",
    ...body,
  });
}

interface ExecutionView {
  executionId: string;
  scheduledTime: string;
  executionStatus: string;
  skippedSlots: number;
  manifest: { dataWindowStart: string; dataWindowEnd: string; rowCount: number } | null;
}

async function executions(reportId: string): Promise<ExecutionView[]> {
  const response = await t.call(
    TENANT,
    "GET",
    `${BASE}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Paused;Completed;Failed&getLatestExecution=false`,
  );
  const list = (response.status === 200 ? response.body.value : []) as unknown as ExecutionView[];
  return list.sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime));
}

function backfill(reportId: string, from: string, to: string) {
  return t.call(TENANT, "POST", `${BASE}/ScheduledReport/${reportId}/backfill`, { From: from, To: to });
}

describe("calendar schedules", () => {
  it("runs at 06:00 Paris time on weekdays across the change to summer time, StartTime defaulting to now", async () => {
    clock = new Date("2024-03-27T10:00:00Z"); // Wednesday; DST starts Sunday 2024-03-31
    const created = await create({ Schedule: "0 6 * * 1-5", TimeZone: "europe/paris" });
    expect(created.status).toBe(200);
    const report = created.body.value[0];
    expect(report).toMatchObject({
      schedule: "0 6 * * 1-5",
      timeZone: "Europe/Paris",
      startTime: "2024-03-27T10:00:00Z",
      recurrenceInterval: 0,
    });
    for (const at of [
      "2024-03-28T06:00:00Z",
      "2024-03-29T06:00:00Z",
      "2024-04-01T05:00:00Z",
      "2024-04-02T05:00:00Z",
    ]) {
      clock = new Date(at);
      await turn();
    }
    expect((await executions(report.reportId)).map((e) => [e.scheduledTime, e.executionStatus])).toEqual([
      ["2024-03-28T05:00:00Z", "Completed"],
      ["2024-03-29T05:00:00Z", "Completed"],
      ["2024-04-01T04:00:00Z", "Completed"],
      ["2024-04-02T04:00:00Z", "Completed"],
      ["2024-04-03T04:00:00Z", "Pending"],
    ]);
  });

  it("keeps RecurrenceCount: the count of calendar slots from StartTime", async () => {
    clock = new Date("2024-05-01T00:00:00Z");
    const created = await create({
      Schedule: "30 7 * * *",
      StartTime: "2024-05-02T00:00:00Z",
      RecurrenceCount: 2,
    });
    expect(created.status).toBe(200);
    expect(created.body.value[0].timeZone).toBe("UTC");
    const reportId = created.body.value[0].reportId;
    for (let day = 0; day < 4; day++) {
      clock = new Date(Date.UTC(2024, 4, 2 + day, 8));
      await turn();
    }
    expect((await executions(reportId)).map((e) => e.scheduledTime)).toEqual([
      "2024-05-02T07:30:00Z",
      "2024-05-03T07:30:00Z",
    ]);
    const status = await t.call(TENANT, "GET", `${BASE}/ScheduledReport?reportId=${reportId}`);
    expect(status.body.value[0].reportStatus).toBe("Inactive");
  });

  it("a PUT switches a report between interval and calendar schedules", async () => {
    clock = new Date("2024-06-03T00:00:00Z");
    const created = await create({
      StartTime: wire(new Date(clock.getTime() + HOUR)),
      RecurrenceInterval: 24,
    });
    const reportId = created.body.value[0].reportId;
    const toCalendar = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/${reportId}`, {
      ReportName: "Calendar now",
      Schedule: "0 9 * * *",
      TimeZone: "Asia/Tokyo",
    });
    expect(toCalendar.status).toBe(200);
    expect(toCalendar.body.value[0]).toMatchObject({ schedule: "0 9 * * *", timeZone: "Asia/Tokyo" });
    // The waiting execution moved to the calendar's first slot: 09:00 Tokyo = 00:00 UTC.
    expect((await executions(reportId)).map((e) => e.scheduledTime)).toEqual(["2024-06-04T00:00:00Z"]);
    // An absent Schedule and TimeZone keep them; TimeZone null resets the zone to UTC.
    const renamed = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/${reportId}`, {
      ReportName: "Renamed",
    });
    expect(renamed.body.value[0]).toMatchObject({ schedule: "0 9 * * *", timeZone: "Asia/Tokyo" });
    const utc = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/${reportId}`, {
      ReportName: "In UTC",
      TimeZone: null,
    });
    expect(utc.body.value[0]).toMatchObject({ schedule: "0 9 * * *", timeZone: "UTC" });
    expect((await executions(reportId)).map((e) => e.scheduledTime)).toEqual(["2024-06-03T09:00:00Z"]);
    const back = await t.call(TENANT, "PUT", `${BASE}/ScheduledReport/${reportId}`, {
      ReportName: "Interval again",
      StartTime: wire(new Date(clock.getTime() + 2 * HOUR)),
      RecurrenceInterval: 12,
    });
    expect(back.status).toBe(200);
    expect(back.body.value[0]).toMatchObject({ schedule: null, timeZone: null, recurrenceInterval: 12 });
    expect((await executions(reportId)).map((e) => e.scheduledTime)).toEqual(["2024-06-03T02:00:00Z"]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ Schedule: "0 6 * * *", RecurrenceInterval: 24 }, "Schedule and RecurrenceInterval exclude each other"],
    [{ Schedule: "0 6 * * * *" }, "Schedule '0 6 * * * *' is not a 5-field cron expression"],
    [{ Schedule: "0 25 * * *" }, "Schedule '0 25 * * *' is not a 5-field cron expression"],
    [{ Schedule: "0 0 30 2 *" }, "never matches a date"],
    [
      { Schedule: "0 6 * * *", TimeZone: "Europe/Pariss" },
      "TimeZone 'Europe/Pariss' is not an IANA time zone name",
    ],
    [
      { Schedule: "0 */2 * * *" },
      "runs 2 hours apart at its closest; its times must be at least 4 hours apart",
    ],
    [
      { StartTime: "2030-01-01T00:00:00Z", RecurrenceInterval: 24, TimeZone: "UTC" },
      "TimeZone applies only with Schedule",
    ],
    [{ Schedule: "0 6 * * *", ExecuteNow: true }, "Schedule applies only to scheduled reports"],
  ])("refuses %j with a 400 naming the problem", async (fields, message) => {
    clock = new Date("2024-06-10T00:00:00Z");
    const created = await create(fields);
    expect(created.status).toBe(400);
    expect(created.body.message).toContain(message);
  });

  it("refuses a schedule more frequent than the dataset allows", async () => {
    const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: "Office",
      Query: "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage TIMESPAN LAST_MONTH",
    });
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      QueryId: query.body.value[0].queryId,
      ReportName: "Twice a day",
      Schedule: "0 6,18 * * *",
    });
    expect(created.status).toBe(400);
    expect(created.body.message).toContain(
      "Schedule '0 6,18 * * *' runs 12 hours apart at its closest; dataset OfficeUsage needs at least 24 hours between runs",
    );
  });
});

describe("backfill", () => {
  it("creates one execution per past slot, before StartTime too, each run for its own slot and window; again: nothing", async () => {
    clock = new Date("2024-07-10T12:00:00Z");
    const created = await create({
      StartTime: wire(new Date("2024-07-11T00:00:00Z")),
      RecurrenceInterval: 24 * 10,
    });
    const reportId = created.body.value[0].reportId;
    const answer = await backfill(reportId, "2024-05-25T00:00:00Z", "2024-07-05T00:00:00Z");
    expect(answer.status).toBe(200);
    expect(answer.body.value[0]).toMatchObject({
      reportId,
      from: "2024-05-25T00:00:00Z",
      to: "2024-07-05T00:00:00Z",
      slotCount: 4,
      createdCount: 4,
      existingCount: 0,
    });
    const slots = [
      "2024-06-01T00:00:00Z",
      "2024-06-11T00:00:00Z",
      "2024-06-21T00:00:00Z",
      "2024-07-01T00:00:00Z",
    ];
    expect(
      (answer.body.value[0].executions as { scheduledTime: string }[]).map((e) => e.scheduledTime),
    ).toEqual(slots);

    await turn();
    const runs = await executions(reportId);
    // The backfilled slots ran as they are (not moved to the latest due slot), each with LAST_MONTH at its slot.
    expect(
      runs.map((e) => [e.scheduledTime, e.executionStatus, e.skippedSlots, e.manifest?.dataWindowStart]),
    ).toEqual([
      ["2024-06-01T00:00:00Z", "Completed", 0, "2024-05-01T00:00:00Z"],
      ["2024-06-11T00:00:00Z", "Completed", 0, "2024-05-01T00:00:00Z"],
      ["2024-06-21T00:00:00Z", "Completed", 0, "2024-05-01T00:00:00Z"],
      ["2024-07-01T00:00:00Z", "Completed", 0, "2024-06-01T00:00:00Z"],
      ["2024-07-11T00:00:00Z", "Pending", 0, undefined],
    ]);

    const again = await backfill(reportId, "2024-05-25T00:00:00Z", "2024-07-05T00:00:00Z");
    expect(again.body.value[0]).toMatchObject({
      slotCount: 4,
      createdCount: 0,
      existingCount: 4,
      executions: [],
    });
    expect(await executions(reportId)).toHaveLength(5);
  });

  it("two backfills of one range at once create each slot's execution once", async () => {
    clock = new Date("2024-08-10T12:00:00Z");
    const created = await create({
      StartTime: wire(new Date("2024-08-11T00:00:00Z")),
      RecurrenceInterval: 24,
    });
    const reportId = created.body.value[0].reportId;
    const answers = await Promise.all([
      backfill(reportId, "2024-08-01T00:00:00Z", "2024-08-09T00:00:00Z"),
      backfill(reportId, "2024-08-01T00:00:00Z", "2024-08-09T00:00:00Z"),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.reduce((sum, a) => sum + (a.body.value[0].createdCount as number), 0)).toBe(9);
    expect(await executions(reportId)).toHaveLength(10);
  });

  it("backfills a calendar schedule at its local times", async () => {
    clock = new Date("2024-04-03T12:00:00Z");
    const created = await create({
      Schedule: "0 6 * * 1-5",
      TimeZone: "Europe/Paris",
      StartTime: "2024-04-10T00:00:00Z",
    });
    const reportId = created.body.value[0].reportId;
    const answer = await backfill(reportId, "2024-03-28T00:00:00Z", "2024-04-02T00:00:00Z");
    expect(
      (answer.body.value[0].executions as { scheduledTime: string }[]).map((e) => e.scheduledTime),
    ).toEqual(["2024-03-28T05:00:00Z", "2024-03-29T05:00:00Z", "2024-04-01T04:00:00Z"]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ From: "2024-01-01T00:00:00Z" }, "To"],
    [{ From: "2024-02-01T00:00:00Z", To: "2024-01-01T00:00:00Z" }, "From must not be after To"],
    [{ From: "2024-01-01T00:00:00Z", To: "2099-01-01T00:00:00Z" }, "To must not be in the future"],
    [{ From: "yesterday", To: "2024-01-01T00:00:00Z" }, "From should follow format: yyyy-MM-ddTHH:mm:ssZ"],
    [{ From: "2020-01-01T00:00:00Z", To: "2024-07-01T00:00:00Z" }, "holds more than 1000 slots"],
  ])("refuses %j with a 400 naming the problem", async (body, message) => {
    clock = new Date("2024-07-10T12:00:00Z");
    const created = await create({
      StartTime: wire(new Date("2024-07-11T00:00:00Z")),
      RecurrenceInterval: 4,
    });
    const answer = await t.call(
      TENANT,
      "POST",
      `${BASE}/ScheduledReport/${created.body.value[0].reportId}/backfill`,
      body,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(message);
  });

  it("refuses an ExecuteNow report (400) and an unknown one (404)", async () => {
    const now = await create({ ExecuteNow: true });
    const answer = await backfill(now.body.value[0].reportId, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain("ExecuteNow report");
    const unknown = await backfill(
      "00000000-0000-4000-8000-000000000000",
      "2024-01-01T00:00:00Z",
      "2024-02-01T00:00:00Z",
    );
    expect(unknown.status).toBe(404);
  });
});
