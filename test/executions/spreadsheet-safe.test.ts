/**
 * The SpreadsheetSafe report extension end to end: off by default (files are data for machines),
 * on per report, and on by default with OPENINSIGHTS_SPREADSHEET_SAFE=true; a safe report's file
 * has formula-like text cells prefixed with '.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "55000000-0000-4000-8000-000000000001";
const MPN = "/insights/v1/mpn";
const ROWS = [
  {
    program: "mpn" as const,
    dataset: "Profile",
    tenant: TENANT,
    csv: 'MpnId,PartnerName,City\n1001,"=HYPERLINK(""http://evil.example"",""x"")",Oslo\n1002,@SUM(A1),-Bergen\n1003,Plain,Trondheim\n',
  },
];

async function exportWith(
  t: TestApp,
  report: Record<string, unknown>,
): Promise<{ flag: boolean; file: string }> {
  const query = await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, {
    Name: "Profile",
    Query: "SELECT MpnId, PartnerName, City FROM Profile ORDER BY MpnId ASC",
  });
  const created = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
    ReportName: "Partners",
    QueryId: query.body.value[0].queryId,
    ExecuteNow: true,
    ...report,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const { reportId, spreadsheetSafe } = created.body.value[0];
  expect(await t.app.worker.runDue()).toBe(1);
  const execution = (await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${reportId}`)).body
    .value[0];
  const file = await (await fetch(execution.reportAccessSecureLink)).text();
  return { flag: spreadsheetSafe, file };
}

const RAW = [
  "MpnId,PartnerName,City",
  '1001,"=HYPERLINK(""http://evil.example"",""x"")",Oslo',
  "1002,@SUM(A1),-Bergen",
  "1003,Plain,Trondheim",
  "",
].join("\n");
const SAFE = [
  "MpnId,PartnerName,City",
  `1001,"'=HYPERLINK(""http://evil.example"",""x"")",Oslo`,
  "1002,'@SUM(A1),'-Bergen",
  "1003,Plain,Trondheim",
  "",
].join("\n");

describe("SpreadsheetSafe, default off", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rows: ROWS });
  });
  afterAll(async () => t?.close());

  it("writes values as they are unless the report asks", async () => {
    expect(await exportWith(t, {})).toEqual({ flag: false, file: RAW });
  });

  it("prefixes formula-like cells with ' when SpreadsheetSafe is true", async () => {
    expect(await exportWith(t, { SpreadsheetSafe: true })).toEqual({ flag: true, file: SAFE });
  });

  it("refuses a SpreadsheetSafe that is not a boolean", async () => {
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "R",
      QueryId: "x",
      ExecuteNow: true,
      SpreadsheetSafe: "maybe",
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/SpreadsheetSafe must be true or false/);
  });
});

describe("SpreadsheetSafe with OPENINSIGHTS_SPREADSHEET_SAFE=true", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rows: ROWS, env: { OPENINSIGHTS_SPREADSHEET_SAFE: "true" } });
  });
  afterAll(async () => t?.close());

  it("is on for reports that do not say, and off for those that do", async () => {
    expect(await exportWith(t, {})).toEqual({ flag: true, file: SAFE });
    expect(await exportWith(t, { SpreadsheetSafe: false })).toEqual({ flag: false, file: RAW });
  });
});
