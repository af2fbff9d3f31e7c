import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "11111111-2222-4333-8444-555555555555";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe("API smoke", () => {
  it("lists datasets in the envelope", async () => {
    const { status, body } = await t.call(TENANT, "GET", "/insights/v1/mpn/ScheduledDataset");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      statusCode: 200,
      message: "Dataset fetched successfully",
      dataRedacted: false,
      nextLink: null,
    });
    expect(body.value.length).toBe(body.totalCount);
  });

  it("creates a query and a report, then shows its pending execution", async () => {
    const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: "Top customers",
      Query: "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_MONTH",
    });
    expect(query.status).toBe(200);
    expect(query.body.message).toBe("Query created successfully");
    const queryId = query.body.value[0].queryId;
    const start = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 19)}Z`;
    const report = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      reportName: "Daily",
      queryId,
      startTime: start,
      recurrenceInterval: 24,
    });
    expect(report.status).toBe(200);
    expect(report.body.message).toBe("Report created successfully");
    const reportId = report.body.value[0].reportId;
    const notYet = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`);
    expect(notYet.status).toBe(404);
    const pending = await t.call(
      TENANT,
      "GET",
      `/insights/v1/mpn/ScheduledReport/execution/${reportId}?executionStatus=Pending`,
    );
    expect(pending.status).toBe(200);
    expect(pending.body.value[0]).toMatchObject({ reportId, executionStatus: "Pending" });
  });

  it("answers 401 without a token", async () => {
    const { status, body } = await t.call(null, "GET", "/insights/v1/cmp/ScheduledQueries");
    expect(status).toBe(401);
    expect(body).toMatchObject({ statusCode: 401, message: "Unauthorized", value: [] });
  });

  it("serves the OpenAPI document", async () => {
    const { status, body } = await t.call(null, "GET", "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toContain("/insights/v1/mpn/ScheduledReport/execution/{reportId}");
  });
});
