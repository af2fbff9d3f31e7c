/**
 * Bad input: every malformed request gets a 4xx in the envelope (never a 500), with a precise
 * message, and changes nothing that is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  Clock,
  CMP,
  CREATE_PREFIX,
  createQuery,
  createReport,
  expectError,
  expectOk,
  HOUR,
  type Item,
  MPN,
  type Res,
  raw,
  snapshot,
  UNKNOWN_ID,
} from "./helpers.js";

const MAX_BODY = 1024;
const clock = new Clock();
const TENANT = "e0000000-0000-4000-8000-000000000001";
let t: TestApp;
let queryId: string;
let report: Item;
let before: unknown;

beforeAll(async () => {
  t = await startTestApp({ now: clock.now, env: { OPENINSIGHTS_MAX_BODY_BYTES: String(MAX_BODY) } });
  queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
  report = await createReport(t, TENANT, MPN, "mpn", queryId, clock);
  before = await snapshot(t, TENANT, MPN);
});
afterAll(async () => {
  // Nothing below may have changed what the tenant has stored.
  if (t) expect(await snapshot(t, TENANT, MPN)).toEqual(before);
  await t?.close();
});

/** 4xx, the envelope, statusCode = HTTP status, a message that says something. */
function expectClientError(res: Res, status?: number): void {
  expect(res.status, `body: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `body: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ value: [], statusCode: res.status, nextLink: null, totalCount: 0 });
  expect(typeof res.body.message).toBe("string");
  expect(res.body.message.length).toBeGreaterThan(3);
}

const writes = () =>
  [
    ["POST", `${MPN}/ScheduledQueries`],
    ["POST", `${MPN}/ScheduledReport`],
    ["PUT", `${MPN}/ScheduledReport/${report.reportId}`],
  ] as const;

describe("malformed JSON bodies → 400", () => {
  it.each([
    ["{", "The request body is not valid JSON"],
    ['{"Name": }', "The request body is not valid JSON"],
    ["{'Name': 'single quotes'}", "The request body is not valid JSON"],
    ['{"Name": "x",}', "The request body is not valid JSON"],
    ["not json at all", "The request body is not valid JSON"],
    ["[1,2,3]", ""],
    ['"a string"', ""],
    ["42", ""],
    ["null", ""],
    ["true", ""],
  ])("%s", async (text, prefix) => {
    for (const [method, path] of writes()) {
      const res = await t.call(TENANT, method, path, text);
      expectError(res, 400, prefix);
    }
  });

  it("an empty body with a JSON content type → 400", async () => {
    for (const [method, path] of writes()) {
      const res = await t.call(TENANT, method, path, "", { "content-type": "application/json" });
      expectError(res, 400, "");
    }
  });

  it("no body at all → 400", async () => {
    for (const [method, path] of writes()) {
      const res = await raw(t, method, path, {
        headers: { authorization: `Bearer ${await t.token(TENANT)}` },
      });
      expectClientError(res, 400);
    }
  });

  it("a non-JSON content type → 415", async () => {
    for (const [method, path] of writes()) {
      const res = await t.call(TENANT, method, path, "Name=x&Query=y", {
        "content-type": "application/x-www-form-urlencoded",
      });
      expectClientError(res, 415);
    }
  });

  it("JSON with a charset parameter is fine", async () => {
    const res = await t.call(
      TENANT,
      "POST",
      `${MPN}/ScheduledQueries`,
      { Name: "charset" },
      { "content-type": "application/json; charset=utf-8" },
    );
    // Accepted as JSON: the answer is about the missing Query, not the content type.
    expectError(res, 400, "Null or missing value");
  });
});

describe("oversize bodies → 413", () => {
  it.each(["POST queries", "POST report", "PUT report"])("%s", async (label) => {
    const [method, path] = writes()[["POST queries", "POST report", "PUT report"].indexOf(label)]!;
    const body = JSON.stringify({ Name: "x", ReportName: "x", Description: "d".repeat(MAX_BODY * 2) });
    const res = await t.call(TENANT, method, path, body);
    expectError(res, 413, "");
  });

  it("a body just under the limit is read (and judged on its content)", async () => {
    const body = JSON.stringify({ Name: "x", Description: "d".repeat(MAX_BODY - 100) });
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, body);
    expectError(res, 400, "Null or missing value");
  });
});

describe("wrong-typed fields → 400 with a precise message", () => {
  const start = () => clock.in(24 * HOUR);
  const report = (fields: Record<string, unknown>) => ({
    ReportName: "R",
    QueryId: queryId,
    StartTime: start(),
    RecurrenceInterval: 24,
    ...fields,
  });
  it.each([
    ["ReportName a number", { ReportName: 5 }, /ReportName/],
    ["ReportName an array", { ReportName: ["a"] }, /ReportName/],
    ["ReportName an object", { ReportName: { a: 1 } }, /ReportName/],
    ["ReportName true", { ReportName: true }, /ReportName/],
    ["QueryId a number", { QueryId: 123 }, /QueryId/],
    ["StartTime a number", { StartTime: 1_900_000_000 }, /StartTime/],
    ["StartTime an empty string", { StartTime: "" }, /StartTime/],
    ["RecurrenceInterval a word", { RecurrenceInterval: "daily" }, /RecurrenceInterval/],
    ["RecurrenceInterval a fraction", { RecurrenceInterval: 24.5 }, /RecurrenceInterval/],
    ["RecurrenceInterval a boolean", { RecurrenceInterval: true }, /RecurrenceInterval/],
    ["RecurrenceInterval an object", { RecurrenceInterval: {} }, /RecurrenceInterval/],
    ["RecurrenceInterval huge", { RecurrenceInterval: 1e300 }, /Recurrence ?Interval/],
    ["RecurrenceCount a word", { RecurrenceCount: "many" }, /RecurrenceCount/],
    ["RecurrenceCount a fraction", { RecurrenceCount: 1.5 }, /RecurrenceCount/],
    ["ExecuteNow a word", { ExecuteNow: "yes" }, /ExecuteNow/],
    ["ExecuteNow a number", { ExecuteNow: 1 }, /ExecuteNow/],
    ["Format a number", { Format: 1 }, /Format/],
    ["CallbackUrl a number", { CallbackUrl: 7 }, /CallbackUrl/],
    ["CallbackMethod a number", { CallbackMethod: 7 }, /CallbackMethod/],
    ["Description a number", { Description: 7 }, /Description/],
  ])("create report: %s", async (_label, fields, mentions) => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, report(fields));
    expectError(res, 400, "");
    expect(res.body.message).toMatch(mentions);
  });
});

describe("malformed dates → 400", () => {
  const dates = [
    "2031-13-01T00:00:00Z",
    "2031-02-30T00:00:00Z",
    "2031-04-31T00:00:00Z",
    "2031-04-01T24:00:00Z",
    "2031-04-01T23:60:00Z",
    "2031-04-01T23:59:60Z",
    "2031-04-01",
    "2031-04-01T00:00",
    "2031-04-01T00:00:00",
    "2031-04-01T00:00:00+01:00",
    "04/01/2031 00:00:00",
    "tomorrow",
    "1900000000",
    "+2031-04-01T00:00:00Z",
    "2031-4-1T0:0:0Z",
  ];
  it.each(dates)("StartTime %s", async (date) => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "R",
      QueryId: queryId,
      StartTime: date,
      RecurrenceInterval: 24,
    });
    expectError(res, 400, `${CREATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`);
  });

  it.each(dates)("QueryStartTime / QueryEndTime %s (ExecuteNow)", async (date) => {
    const a = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "R",
      QueryId: queryId,
      ExecuteNow: true,
      QueryStartTime: date,
    });
    expectError(a, 400, `${CREATE_PREFIX}StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ`);
    const b = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "R",
      QueryId: queryId,
      ExecuteNow: true,
      QueryEndTime: date,
    });
    expectError(b, 400, `${CREATE_PREFIX}EndTime should follow format: yyyy-MM-ddTHH:mm:ssZ`);
  });

  it.each(["9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z"])(
    "times outside the accepted range (%s) → 400 naming the range",
    async (date) => {
      const range = "from 1900-01-01T00:00:00Z to 9998-12-31T23:59:59Z";
      for (const field of ["QueryStartTime", "QueryEndTime"]) {
        const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
          ReportName: "R",
          QueryId: queryId,
          ExecuteNow: true,
          [field]: date,
        });
        expectError(res, 400, `${CREATE_PREFIX}${field} must be ${range}, not ${date}`);
      }
      const scheduled = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "R",
        QueryId: queryId,
        StartTime: date,
        RecurrenceInterval: 24,
      });
      expectError(scheduled, 400, `${CREATE_PREFIX}StartTime must be ${range}`);
      const q = encodeURIComponent("SELECT CustomerTenantId FROM OfficeUsage");
      for (const param of ["startTime", "endTime"]) {
        const res = await t.call(
          TENANT,
          "GET",
          `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${q}&${param}=${encodeURIComponent(date)}`,
        );
        expectError(res, 400, `${param} must be ${range}`);
      }
    },
  );

  it.each(dates)("update StartTime %s", async (date) => {
    const res = await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${report.reportId}`, {
      ReportName: "R",
      StartTime: date,
    });
    expectError(
      res,
      400,
      "Invalid report parameters for update - StartTime should follow format: yyyy-MM-ddTHH:mm:ssZ",
    );
  });

  it.each(dates)("test query startTime %s", async (date) => {
    const q = encodeURIComponent("SELECT CustomerTenantId FROM OfficeUsage");
    const res = await t.call(
      TENANT,
      "GET",
      `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${q}&startTime=${encodeURIComponent(date)}`,
    );
    expectError(res, 400, "");
    expect(res.body.message).toMatch(/startTime/);
  });

  it("StartTime in the past (no lead time configured) → 400 with the creation prefix", async () => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "R",
      QueryId: queryId,
      StartTime: clock.in(-HOUR),
      RecurrenceInterval: 24,
    });
    expectError(res, 400, CREATE_PREFIX);
  });
});

describe("unknown routes and methods → 404 envelope", () => {
  it.each([
    ["GET", `${MPN}/ScheduledDatasets`],
    ["GET", `${MPN}/ScheduledQueries/testQueryResult/extra`],
    ["GET", `${MPN}/ScheduledReport/execution`],
    ["GET", "/insights/v9/mpn/ScheduledDataset"],
    ["POST", `${MPN}/ScheduledDataset`],
    ["PATCH", `${MPN}/ScheduledReport/${UNKNOWN_ID}`],
    ["DELETE", `${MPN}/ScheduledDataset`],
    ["GET", "/nothing/here"],
  ])("%s %s", async (method, path) => {
    const res = await t.call(TENANT, method, path);
    expectClientError(res);
    expect([404, 405]).toContain(res.status);
  });
});

describe("odd ids and parameters never cause a 500", () => {
  const weird: [string, string][] = [
    ["2000 characters", "x".repeat(2000)],
    ["broken percent-encoding", "%E0%A4%A"],
    ["a NUL byte", "%00"],
    ["a path traversal", "..%2F..%2Fetc%2Fpasswd"],
    ["SQL", "'%20OR%201=1--"],
    ["an emoji", "%F0%9F%98%80"],
    ["non-ASCII letters", encodeURIComponent("ünïcödé")],
  ];
  it.each(weird)("id: %s", async (_label, id) => {
    const calls: [string, string, unknown?][] = [
      ["DELETE", `${MPN}/ScheduledQueries/${id}`],
      ["PUT", `${MPN}/ScheduledReport/${id}`, { ReportName: "x", StartTime: clock.in(24 * HOUR) }],
      ["DELETE", `${MPN}/ScheduledReport/${id}`],
      ["PUT", `${MPN}/ScheduledReport/pause/${id}`],
      ["PUT", `${MPN}/ScheduledReport/resume/${id}`],
      ["GET", `${MPN}/ScheduledReport/execution/${id}`],
      ["GET", `${MPN}/ScheduledReport?reportId=${id}`],
      ["GET", `${MPN}/ScheduledQueries?queryId=${id}`],
      ["GET", `${MPN}/ScheduledQueries/testQueryResult?queryId=${id}`],
      ["GET", `${MPN}/ScheduledDataset?datasetName=${id}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await t.call(TENANT, method, path, body);
      expect(
        res.status,
        `${method} ${path.slice(0, 80)}: ${JSON.stringify(res.body).slice(0, 300)}`,
      ).toBeLessThan(500);
      expectClientError(res);
    }
  });

  it.each([
    "pageSize=abc",
    "pageSize=-1",
    "pageSize=1.5",
    "pageSize=99999999999999999999",
    "skipToken=garbage",
    "skipToken=%7B%7D",
    `skipToken=${Buffer.from('{"t":1e20,"i":"x"}').toString("base64url")}`,
    `skipToken=${Buffer.from('{"t":-1e20,"i":"x"}').toString("base64url")}`,
    `skipToken=${Buffer.from('{"t":1,"i":5}').toString("base64url")}`,
    `skipToken=${Buffer.from('{"s":"x","t":"y"}').toString("base64url")}`,
    `skipToken=${Buffer.from("[1,2]").toString("base64url")}`,
  ])("list parameter %s", async (query) => {
    for (const path of [
      `${MPN}/ScheduledQueries?${query}`,
      `${MPN}/ScheduledReport?${query}`,
      `${MPN}/ScheduledReport/execution/${report.reportId}?executionStatus=Pending&${query}`,
    ]) {
      const res = await t.call(TENANT, "GET", path);
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
      if (res.status !== 200) expectClientError(res, 400);
    }
  });

  it("a malformed skipToken → 400 naming skipToken", async () => {
    const res = await t.call(TENANT, "GET", `${MPN}/ScheduledReport?skipToken=%%%`);
    expectClientError(res, 400);
  });

  it.each([
    ["an object body", { Name: { $gt: "" }, Query: { $ne: null } }],
    ["a deeply nested body", JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`)],
    ["prototype keys", JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"x": 1}}')],
    ["a huge number", { Name: "x", Query: 1e308 }],
  ])("queries: %s", async (_label, body) => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, body);
    expectClientError(res, 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["prototype keys", JSON.parse('{"__proto__": {"ReportName": "x"}, "QueryId": "q"}')],
    ["keys that only differ in spaces", { "": "x", " ": "y" }],
    ["a null QueryId and ExecuteNow", { ReportName: "x", QueryId: null, ExecuteNow: true }],
  ])("reports: %s", async (_label, body) => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, body);
    expectClientError(res, 400);
  });
});

describe("test query: bad exportQuery text never 500s", () => {
  it.each([
    "",
    " ",
    "SELECT",
    "SELECT CustomerTenantId FROM OfficeUsage WHERE CustomerName = 'unterminated",
    "SELECT CustomerTenantId FROM OfficeUsage WHERE PaidAvailableUnits > 'abc'",
    "SELECT CustomerTenantId FROM OfficeUsage LIMIT 99999999999999999999999",
    "SELECT CustomerTenantId FROM OfficeUsage; DROP TABLE x",
    "SELECT CustomerTenantId FROM OfficeUsage WHERE CustomerName LIKE '%\\'",
    "SELECT * FROM OfficeUsage",
    `SELECT ${"CustomerTenantId,".repeat(300)}CustomerName FROM OfficeUsage`,
  ])("%s", async (text) => {
    const res = await t.call(
      TENANT,
      "GET",
      `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(text)}`,
    );
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBeLessThan(500);
    if (res.status !== 200) expectClientError(res, 400);
  });

  it("under cmp as well", async () => {
    const res = await t.call(
      TENANT,
      "GET",
      `${CMP}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent("SELECT")}`,
    );
    expectClientError(res, 400);
  });

  it("the stored data is still answerable after all that", async () => {
    expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport?reportId=${report.reportId}`));
  });
});
