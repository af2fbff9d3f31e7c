/** E6–E11: reports — create, get, update, delete, pause, resume (reference §1.5.6–§1.5.10, §1.6). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  BASES,
  Clock,
  CMP,
  CREATE_PREFIX,
  createQuery,
  createReport,
  expectError,
  expectOk,
  GUID,
  HOUR,
  INTERVAL,
  type Item,
  MINUTE,
  MPN,
  NO_EXECUTIONS,
  NO_ITEM,
  QUERY_TEXT,
  SYSTEM_QUERY,
  snapshot,
  UNKNOWN_ID,
  wire,
} from "./helpers.js";

const clock = new Clock();
let t: TestApp;

beforeAll(async () => {
  // The real service's rule: StartTime at least 4 hours after now (reference §1.6).
  t = await startTestApp({ now: clock.now, env: { OPENINSIGHTS_START_TIME_LEAD_HOURS: "4" } });
});
afterAll(async () => t?.close());

describe.each(BASES)("the whole report lifecycle at $base", ({ base, program }) => {
  const TENANT = `r0000000-0000-4000-8000-00000000000${BASES.findIndex((b) => b.base === base)}`;

  it("create → get → update → pause → resume → executions → delete", async () => {
    const query = await createQuery(t, TENANT, base, program);
    const start = clock.in(24 * HOUR);
    const created = expectOk(
      await t.call(TENANT, "POST", `${base}/ScheduledReport`, {
        ReportName: "Daily",
        Description: "every day",
        QueryId: query.queryId,
        StartTime: start,
        RecurrenceInterval: INTERVAL[program],
        RecurrenceCount: 10,
        Format: "TSV",
        CallbackUrl: "https://example.com/callback",
      }),
    );
    expect(created.message).toBe("Report created successfully");
    const report = created.value[0];
    expect(report).toMatchObject({
      reportId: expect.stringMatching(GUID),
      reportName: "Daily",
      description: "every day",
      queryId: query.queryId,
      query: QUERY_TEXT[program],
      user: "tester@example.com",
      createdTime: wire(clock.now()),
      modifiedTime: null,
      executeNow: false,
      queryStartTime: null,
      queryEndTime: null,
      startTime: start,
      reportStatus: "Active",
      recurrenceInterval: INTERVAL[program],
      recurrenceCount: 10,
      callbackUrl: "https://example.com/callback",
      callbackMethod: "POST",
      format: "tsv",
    });

    const got = expectOk(await t.call(TENANT, "GET", `${base}/ScheduledReport?reportId=${report.reportId}`));
    expect(got.value).toEqual([report]);

    clock.advance(MINUTE);
    const newStart = clock.in(48 * HOUR);
    const updated = expectOk(
      await t.call(TENANT, "PUT", `${base}/ScheduledReport/${report.reportId}`, {
        ReportName: "Renamed",
        StartTime: newStart,
        RecurrenceInterval: 48,
      }),
    ).value[0];
    expect(updated).toMatchObject({
      reportId: report.reportId,
      reportName: "Renamed",
      startTime: newStart,
      recurrenceInterval: 48,
      modifiedTime: wire(clock.now()),
      createdTime: report.createdTime,
      queryId: query.queryId,
    });
    expect(
      expectOk(await t.call(TENANT, "GET", `${base}/ScheduledReport?reportId=${report.reportId}`)).value,
    ).toEqual([updated]);

    const paused = expectOk(await t.call(TENANT, "PUT", `${base}/ScheduledReport/pause/${report.reportId}`))
      .value[0];
    expect(paused).toMatchObject({ reportId: report.reportId, reportStatus: "Paused" });
    const resumed = expectOk(await t.call(TENANT, "PUT", `${base}/ScheduledReport/resume/${report.reportId}`))
      .value[0];
    expect(resumed).toMatchObject({ reportId: report.reportId, reportStatus: "Active" });

    expectError(
      await t.call(TENANT, "GET", `${base}/ScheduledReport/execution/${report.reportId}`),
      404,
      NO_EXECUTIONS,
    );
    const pending = expectOk(
      await t.call(
        TENANT,
        "GET",
        `${base}/ScheduledReport/execution/${report.reportId}?executionStatus=Pending`,
      ),
    ).value;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      reportId: report.reportId,
      executionStatus: "Pending",
      format: "tsv",
    });

    const deleted = expectOk(await t.call(TENANT, "DELETE", `${base}/ScheduledReport/${report.reportId}`));
    expect(deleted.value[0]).toMatchObject({ reportId: report.reportId, reportName: "Renamed" });
    expectError(
      await t.call(TENANT, "GET", `${base}/ScheduledReport?reportId=${report.reportId}`),
      404,
      NO_ITEM,
    );
    expectError(
      await t.call(
        TENANT,
        "GET",
        `${base}/ScheduledReport/execution/${report.reportId}?executionStatus=Pending`,
      ),
      404,
      NO_ITEM,
    );
    expectError(await t.call(TENANT, "DELETE", `${base}/ScheduledReport/${report.reportId}`), 404, NO_ITEM);
  });
});

describe("E6 create report", () => {
  const TENANT = "r6000000-0000-4000-8000-000000000001";
  let queryId: string;

  beforeAll(async () => {
    queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
  });

  it("defaults: csv, no callback, indefinite recurrence (null count), not ExecuteNow", async () => {
    const report = await createReport(t, TENANT, MPN, "mpn", queryId, clock);
    expect(report).toMatchObject({
      format: "csv",
      callbackUrl: null,
      callbackMethod: null,
      recurrenceCount: null,
      executeNow: false,
      description: "",
      reportStatus: "Active",
    });
  });

  it("accepts a system query id, in any case", async () => {
    const report = await createReport(t, TENANT, MPN, "mpn", SYSTEM_QUERY.mpn.toUpperCase(), clock);
    expect(report.queryId.toLowerCase()).toBe(SYSTEM_QUERY.mpn);
    expect(report.query).toMatch(/FROM Profile/);
  });

  it("CallbackMethod GET is kept; POST is the default with a CallbackUrl", async () => {
    const get = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
      CallbackUrl: "https://example.com/cb",
      CallbackMethod: "get",
    });
    expect(get).toMatchObject({ callbackUrl: "https://example.com/cb", callbackMethod: "GET" });
  });

  it.each([
    [
      "camelCase",
      (q: string, s: string) => ({
        reportName: "c",
        queryId: q,
        startTime: s,
        recurrenceInterval: 24,
        format: "tsv",
      }),
    ],
    [
      "UPPERCASE",
      (q: string, s: string) => ({
        REPORTNAME: "c",
        QUERYID: q,
        STARTTIME: s,
        RECURRENCEINTERVAL: 24,
        FORMAT: "tsv",
      }),
    ],
    [
      "keys with stray spaces (the doc's ' RecurrenceCount')",
      (q: string, s: string) => ({
        ReportName: "c",
        QueryId: q,
        StartTime: s,
        " RecurrenceInterval": 24,
        "Format ": "tsv",
      }),
    ],
  ])("reads %s field names", async (_label, make) => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, make(queryId, clock.in(24 * HOUR)));
    const report = expectOk(res).value[0];
    expect(report).toMatchObject({ reportName: "c", recurrenceInterval: 24, format: "tsv" });
  });

  it("accepts numbers and booleans sent as strings", async () => {
    const report = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
      RecurrenceInterval: "48",
      RecurrenceCount: "3",
      ExecuteNow: "false",
    });
    expect(report).toMatchObject({ recurrenceInterval: 48, recurrenceCount: 3, executeNow: false });
  });

  it("StartTime exactly 4 hours ahead is accepted", async () => {
    const report = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
      StartTime: clock.in(4 * HOUR),
    });
    expect(report.startTime).toBe(clock.in(4 * HOUR));
  });

  it("ExecuteNow ignores StartTime, RecurrenceInterval and RecurrenceCount and keeps the query window", async () => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "Once",
      QueryId: queryId,
      ExecuteNow: true,
      StartTime: "2000-01-01T00:00:00Z",
      RecurrenceInterval: 1,
      RecurrenceCount: 0,
      QueryStartTime: "2030-01-01T00:00:00Z",
      QueryEndTime: "2030-06-30T00:00:00Z",
    });
    const report = expectOk(res).value[0];
    expect(report).toMatchObject({
      executeNow: true,
      queryStartTime: "2030-01-01T00:00:00Z",
      queryEndTime: "2030-06-30T00:00:00Z",
      reportStatus: "Active",
    });
    const pending = expectOk(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledReport/execution/${report.reportId}?executionStatus=Pending`,
      ),
    );
    expect(pending.value).toHaveLength(1);
  });

  it("ExecuteNow needs no StartTime or RecurrenceInterval (the pcapi.py body)", async () => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "py",
      Description: "from pcapi.py",
      QueryId: queryId,
      ExecuteNow: true,
    });
    expect(expectOk(res).value[0]).toMatchObject({
      executeNow: true,
      queryStartTime: null,
      queryEndTime: null,
    });
  });

  describe("every documented creation message (reference §1.6), and nothing stored", () => {
    const OTHER = "r6000000-0000-4000-8000-000000000002";
    let qid: string;
    const base = () => ({
      ReportName: "R",
      QueryId: qid,
      StartTime: clock.in(24 * HOUR),
      RecurrenceInterval: 24,
    });
    const now = () => ({ ReportName: "R", QueryId: qid, ExecuteNow: true });
    const omit = (body: Record<string, unknown>, key: string) => {
      const copy = { ...body };
      delete copy[key];
      return copy;
    };

    beforeAll(async () => {
      qid = (await createQuery(t, OTHER, MPN, "mpn")).queryId;
    });

    const rows: [string, () => Record<string, unknown>, string][] = [
      ["ReportName missing", () => omit(base(), "ReportName"), "Null or missing value"],
      ["ReportName null", () => ({ ...base(), ReportName: null }), "Null or missing value"],
      ["ReportName empty", () => ({ ...base(), ReportName: "" }), "Null or missing value"],
      ["QueryId missing", () => omit(base(), "QueryId"), "Null or missing value"],
      ["QueryId empty", () => ({ ...base(), QueryId: " " }), "Null or missing value"],
      ["StartTime missing", () => omit(base(), "StartTime"), "Null or missing value"],
      ["StartTime null", () => ({ ...base(), StartTime: null }), "Null or missing value"],
      ["RecurrenceInterval missing", () => omit(base(), "RecurrenceInterval"), "Null or missing value"],
      [
        "RecurrenceInterval 3",
        () => ({ ...base(), RecurrenceInterval: 3 }),
        "Recurrence Interval must be between 4 and 2160",
      ],
      [
        "RecurrenceInterval 0",
        () => ({ ...base(), RecurrenceInterval: 0 }),
        "Recurrence Interval must be between 4 and 2160",
      ],
      [
        "RecurrenceInterval -24",
        () => ({ ...base(), RecurrenceInterval: -24 }),
        "Recurrence Interval must be between 4 and 2160",
      ],
      [
        "RecurrenceInterval 2161",
        () => ({ ...base(), RecurrenceInterval: 2161 }),
        "Recurrence Interval must be between 4 and 2160",
      ],
      [
        "RecurrenceInterval below the dataset minimum (OfficeUsage: 24)",
        () => ({ ...base(), RecurrenceInterval: 12 }),
        CREATE_PREFIX,
      ],
      ["QueryId unknown", () => ({ ...base(), QueryId: UNKNOWN_ID }), "Invalid QueryId"],
      ["QueryId not a GUID", () => ({ ...base(), QueryId: "abc" }), "Invalid QueryId"],
      ["QueryId of a cmp system query", () => ({ ...base(), QueryId: SYSTEM_QUERY.cmp }), "Invalid QueryId"],
      [
        "StartTime 1 hour ahead",
        () => ({ ...base(), StartTime: clock.in(HOUR) }),
        `${CREATE_PREFIX}Start time of report should at least be 4 hours from current UTC time`,
      ],
      [
        "StartTime 3h50m ahead",
        () => ({ ...base(), StartTime: clock.in(4 * HOUR - 10 * MINUTE) }),
        `${CREATE_PREFIX}Start time of report should at least be 4 hours from current UTC time`,
      ],
      [
        "StartTime in the past",
        () => ({ ...base(), StartTime: clock.in(-24 * HOUR) }),
        `${CREATE_PREFIX}Start time of report should at least be 4 hours from current UTC time`,
      ],
      [
        "StartTime date only",
        () => ({ ...base(), StartTime: "2031-04-01" }),
        `${CREATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`,
      ],
      [
        "StartTime without Z",
        () => ({ ...base(), StartTime: "2031-04-01T00:00:00" }),
        `${CREATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`,
      ],
      [
        "ExecuteNow with QueryStartTime malformed",
        () => ({ ...now(), QueryStartTime: "01/01/2030", QueryEndTime: "2030-02-01T00:00:00Z" }),
        `${CREATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`,
      ],
      [
        "ExecuteNow with QueryEndTime malformed",
        () => ({ ...now(), QueryStartTime: "2030-01-01T00:00:00Z", QueryEndTime: "2030-02-30T00:00:00Z" }),
        `${CREATE_PREFIX}EndTime should follow format: yyyy-MM-ddTHH:mm:ssZ`,
      ],
      [
        "ExecuteNow with QueryEndTime before QueryStartTime",
        () => ({ ...now(), QueryStartTime: "2030-02-01T00:00:00Z", QueryEndTime: "2030-01-01T00:00:00Z" }),
        `${CREATE_PREFIX}EndTime should be greater than StartTime`,
      ],
      [
        "ExecuteNow with QueryEndTime equal to QueryStartTime",
        () => ({ ...now(), QueryStartTime: "2030-01-01T00:00:00Z", QueryEndTime: "2030-01-01T00:00:00Z" }),
        `${CREATE_PREFIX}EndTime should be greater than StartTime`,
      ],
      [
        "Format xlsx",
        () => ({ ...base(), Format: "xlsx" }),
        `${CREATE_PREFIX}Report format should be csv/tsv/parquet/json`,
      ],
      [
        "Format empty",
        () => ({ ...base(), Format: "" }),
        `${CREATE_PREFIX}Report format should be csv/tsv/parquet/json`,
      ],
      [
        "ReportName with ;",
        () => ({ ...base(), ReportName: "a;b" }),
        `${CREATE_PREFIX}Invalid character (;) in ReportName`,
      ],
      [
        "CallbackMethod PUT",
        () => ({ ...base(), CallbackUrl: "https://example.com/cb", CallbackMethod: "PUT" }),
        `${CREATE_PREFIX}CallbackMethod can only be GET or POST`,
      ],
      [
        "CallbackMethod PATCH without CallbackUrl",
        () => ({ ...base(), CallbackMethod: "PATCH" }),
        `${CREATE_PREFIX}CallbackMethod can only be GET or POST`,
      ],
      [
        "RecurrenceCount 0",
        () => ({ ...base(), RecurrenceCount: 0 }),
        `${CREATE_PREFIX}Recurrence count has to be a positive integer value`,
      ],
      [
        "RecurrenceCount -5",
        () => ({ ...base(), RecurrenceCount: -5 }),
        `${CREATE_PREFIX}Recurrence count has to be a positive integer value`,
      ],
      [
        "ReportName of 257 characters",
        () => ({ ...base(), ReportName: "x".repeat(257) }),
        `${CREATE_PREFIX}Limit ReportName and Description length to 256 characters or less`,
      ],
      [
        "Description of 257 characters",
        () => ({ ...base(), Description: "x".repeat(257) }),
        `${CREATE_PREFIX}Limit ReportName and Description length to 256 characters or less`,
      ],
      ["CallbackUrl not a URL", () => ({ ...base(), CallbackUrl: "not a url" }), CREATE_PREFIX],
      ["CallbackUrl ftp", () => ({ ...base(), CallbackUrl: "ftp://example.com/x" }), CREATE_PREFIX],
      [
        "QueryStartTime on a scheduled report",
        () => ({ ...base(), QueryStartTime: "2030-01-01T00:00:00Z" }),
        CREATE_PREFIX,
      ],
    ];

    it.each(rows)("%s → 400", async (_label, body, prefix) => {
      const before = await snapshot(t, OTHER, MPN);
      const res = await t.call(OTHER, "POST", `${MPN}/ScheduledReport`, body());
      expectError(res, 400, prefix);
      expect(await snapshot(t, OTHER, MPN)).toEqual(before);
    });

    it("names of exactly 256 characters are accepted", async () => {
      const res = await t.call(OTHER, "POST", `${MPN}/ScheduledReport`, {
        ...base(),
        ReportName: "x".repeat(256),
        Description: "y".repeat(256),
      });
      expectOk(res);
    });

    it("RecurrenceInterval 2160 is accepted", async () => {
      expectOk(
        await t.call(OTHER, "POST", `${MPN}/ScheduledReport`, { ...base(), RecurrenceInterval: 2160 }),
      );
    });
  });
});

describe("E7 get report", () => {
  const TENANT = "r7000000-0000-4000-8000-000000000001";
  let reports: Item[];
  let q1: string;
  let q2: string;

  beforeAll(async () => {
    q1 = (await createQuery(t, TENANT, CMP, "cmp", { Name: "one" })).queryId;
    q2 = (await createQuery(t, TENANT, CMP, "cmp", { Name: "two" })).queryId;
    reports = [];
    for (const [name, q] of [
      ["Alpha", q1],
      ["Beta", q1],
      ["Gamma", q2],
    ] as const) {
      clock.advance(1000);
      reports.push(await createReport(t, TENANT, CMP, "cmp", q, clock, { ReportName: name }));
    }
  });

  it("lists every report of the caller, oldest first", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport`));
    expect(body.value).toEqual(reports);
    expect(body.nextLink).toBeNull();
  });

  it("reportId selects one", async () => {
    expect(
      expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?reportId=${reports[1]!.reportId}`)).value,
    ).toEqual([reports[1]]);
  });

  it("reportId takes a ;-separated list", async () => {
    const ids = `${reports[0]!.reportId};${reports[2]!.reportId}`;
    expect(expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?reportId=${ids}`)).value).toEqual([
      reports[0],
      reports[2],
    ]);
  });

  it("reportName selects by name, case-insensitively", async () => {
    expect(expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?reportName=gamma`)).value).toEqual([
      reports[2],
    ]);
  });

  it("queryId selects the reports using a query", async () => {
    expect(expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?queryId=${q1}`)).value).toEqual([
      reports[0],
      reports[1],
    ]);
  });

  it("filters combine", async () => {
    expect(
      expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?queryId=${q1}&reportName=Beta`)).value,
    ).toEqual([reports[1]]);
  });

  it("an unknown reportId → 404 No item found with given filters.", async () => {
    expectError(await t.call(TENANT, "GET", `${CMP}/ScheduledReport?reportId=${UNKNOWN_ID}`), 404, NO_ITEM);
  });
});

describe("E8 update report", () => {
  const TENANT = "r8000000-0000-4000-8000-000000000001";
  const UPDATE_PREFIX = "Invalid report parameters for update - ";
  let queryId: string;
  let report: Item;

  beforeAll(async () => {
    queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
    report = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
      Description: "keep me",
      RecurrenceCount: 5,
      CallbackUrl: "https://example.com/cb",
      CallbackMethod: "GET",
    });
  });

  it("omitted optional fields keep their values", async () => {
    clock.advance(MINUTE);
    const start = clock.in(30 * HOUR);
    const updated = expectOk(
      await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.reportId}`, {
        reportName: "New name",
        startTime: start,
      }),
    ).value[0];
    expect(updated).toEqual({
      ...report,
      reportName: "New name",
      startTime: start,
      modifiedTime: wire(clock.now()),
    });
    report = updated;
  });

  it("changes format, recurrence and callback", async () => {
    const updated = expectOk(
      await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.reportId}`, {
        ReportName: report.reportName,
        StartTime: report.startTime,
        RecurrenceInterval: 72,
        RecurrenceCount: 2,
        Format: "tsv",
        CallbackUrl: "https://example.com/other",
        CallbackMethod: "POST",
      }),
    ).value[0];
    expect(updated).toMatchObject({
      recurrenceInterval: 72,
      recurrenceCount: 2,
      format: "tsv",
      callbackUrl: "https://example.com/other",
      callbackMethod: "POST",
    });
    report = updated;
  });

  it("a new schedule replaces the pending execution", async () => {
    const start = clock.in(50 * HOUR);
    expectOk(
      await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.reportId}`, {
        ReportName: "x",
        StartTime: start,
      }),
    );
    const pending = expectOk(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledReport/execution/${report.reportId}?executionStatus=Pending&getLatestExecution=false`,
      ),
    ).value;
    expect(pending).toHaveLength(1);
    report = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport?reportId=${report.reportId}`))
      .value[0];
  });

  const rows: [string, () => Record<string, unknown>, string][] = [
    ["ReportName missing", () => ({ StartTime: clock.in(24 * HOUR) }), "Null or missing value"],
    ["StartTime missing", () => ({ ReportName: "x" }), "Null or missing value"],
    [
      "RecurrenceInterval 2",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), RecurrenceInterval: 2 }),
      "Recurrence Interval must be between 4 and 2160",
    ],
    [
      "RecurrenceInterval 9999",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), RecurrenceInterval: 9999 }),
      "Recurrence Interval must be between 4 and 2160",
    ],
    [
      "RecurrenceInterval below the dataset minimum",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), RecurrenceInterval: 8 }),
      UPDATE_PREFIX,
    ],
    [
      "StartTime 1 hour ahead",
      () => ({ ReportName: "x", StartTime: clock.in(HOUR) }),
      `${UPDATE_PREFIX}Start time of report should at least be 4 hours from current UTC time`,
    ],
    [
      "StartTime malformed",
      () => ({ ReportName: "x", StartTime: "2031-04-01 25:00:00Z" }),
      `${UPDATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`,
    ],
    [
      "Format pdf",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), Format: "pdf" }),
      `${UPDATE_PREFIX}Report format should be csv/tsv/parquet/json`,
    ],
    [
      "ReportName with ;",
      () => ({ ReportName: "a;b", StartTime: clock.in(24 * HOUR) }),
      `${UPDATE_PREFIX}Invalid character (;) in ReportName`,
    ],
    [
      "CallbackMethod DELETE",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), CallbackMethod: "DELETE" }),
      `${UPDATE_PREFIX}CallbackMethod can only be GET or POST`,
    ],
    [
      "RecurrenceCount 0",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), RecurrenceCount: 0 }),
      `${UPDATE_PREFIX}Recurrence count has to be a positive integer value`,
    ],
    [
      "Description too long",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), Description: "d".repeat(300) }),
      `${UPDATE_PREFIX}Limit ReportName and Description length to 256 characters or less`,
    ],
    [
      "QueryId changed",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), QueryId: SYSTEM_QUERY.mpn }),
      UPDATE_PREFIX,
    ],
    [
      "ExecuteNow changed",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), ExecuteNow: true }),
      UPDATE_PREFIX,
    ],
    [
      "RecurrenceInterval a word",
      () => ({ ReportName: "x", StartTime: clock.in(24 * HOUR), RecurrenceInterval: "daily" }),
      UPDATE_PREFIX,
    ],
  ];

  it.each(rows)("%s → 400, report unchanged", async (_label, body, prefix) => {
    const before = await snapshot(t, TENANT, MPN);
    const res = await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.reportId}`, body());
    expectError(res, 400, prefix);
    expect(await snapshot(t, TENANT, MPN)).toEqual(before);
  });

  it("an unknown report → 404", async () => {
    const res = await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${UNKNOWN_ID}`, {
      ReportName: "x",
      StartTime: clock.in(24 * HOUR),
    });
    expectError(res, 404, NO_ITEM);
  });
});

describe("E9 delete report", () => {
  const TENANT = "r9000000-0000-4000-8000-000000000001";

  it("removes the report and its executions and answers with it", async () => {
    const queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
    const keep = await createReport(t, TENANT, MPN, "mpn", queryId, clock, { ReportName: "keep" });
    const gone = await createReport(t, TENANT, MPN, "mpn", queryId, clock, { ReportName: "gone" });
    const body = expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledReport/${gone.reportId}`));
    expect(body.value).toEqual([gone]);
    expect(expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport`)).value).toEqual([keep]);
    expectError(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledReport/execution/${gone.reportId}?executionStatus=Pending`,
      ),
      404,
      NO_ITEM,
    );
  });

  it("an unknown report → 404", async () => {
    expectError(await t.call(TENANT, "DELETE", `${MPN}/ScheduledReport/${UNKNOWN_ID}`), 404, NO_ITEM);
  });
});

describe("E10/E11 pause and resume", () => {
  const TENANT = "ra000000-0000-4000-8000-000000000001";
  let report: Item;

  beforeAll(async () => {
    const queryId = (await createQuery(t, TENANT, CMP, "cmp")).queryId;
    report = await createReport(t, TENANT, CMP, "cmp", queryId, clock);
  });

  const executions = async (status: string) =>
    t.call(TENANT, "GET", `${CMP}/ScheduledReport/execution/${report.reportId}?executionStatus=${status}`);

  it("pause makes the report Paused and its pending execution Paused", async () => {
    clock.advance(MINUTE);
    const body = expectOk(await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/pause/${report.reportId}`));
    expect(body.value[0]).toMatchObject({
      reportId: report.reportId,
      reportStatus: "Paused",
      modifiedTime: wire(clock.now()),
    });
    expect(expectOk(await executions("Paused")).value[0]).toMatchObject({ executionStatus: "Paused" });
    expectError(await executions("Pending"), 404, NO_EXECUTIONS);
  });

  it("pausing again is harmless", async () => {
    const body = expectOk(await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/pause/${report.reportId}`));
    expect(body.value[0].reportStatus).toBe("Paused");
  });

  it("resume makes it Active again with a Pending execution", async () => {
    const body = expectOk(await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/resume/${report.reportId}`));
    expect(body.value[0]).toMatchObject({ reportStatus: "Active" });
    expect(expectOk(await executions("Pending")).value[0]).toMatchObject({ executionStatus: "Pending" });
    expectError(await executions("Paused"), 404, NO_EXECUTIONS);
  });

  it("accepts the calls with a JSON content type and an empty body", async () => {
    expectOk(
      await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/pause/${report.reportId}`, "", {
        "content-type": "application/json",
      }),
    );
    expectOk(
      await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/resume/${report.reportId}`, "", {
        "content-type": "application/json",
      }),
    );
  });

  it.each(["pause", "resume"])("%s of an unknown report → 404", async (op) => {
    expectError(await t.call(TENANT, "PUT", `${CMP}/ScheduledReport/${op}/${UNKNOWN_ID}`), 404, NO_ITEM);
  });
});
