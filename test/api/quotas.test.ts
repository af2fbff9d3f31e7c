/**
 * Per-tenant quotas (reference §6.7), set low: OPENINSIGHTS_QUOTA_QUERIES, _ACTIVE_REPORTS,
 * _EXECUTE_NOW, _EXECUTE_NOW_WINDOW_MINUTES. Answered with the documented messages; a refused
 * creation stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  Clock,
  CMP,
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  MINUTE,
  MPN,
  QUERY_TEXT,
  SYSTEM_QUERY,
  snapshot,
} from "./helpers.js";

const QUERIES = 3;
const ACTIVE = 4;
const EXECUTE_NOW = 2;
const WINDOW_MINUTES = 10;
const QUERY_MESSAGE = "Number of queries exceeded. Delete few queries before creating new queries";
const ACTIVE_MESSAGE = `User has exceeded its report creation quota of ${ACTIVE} active reports`;
const EXECUTE_NOW_MESSAGE = `User has exceeded its ExecuteNow report creation quota of ${EXECUTE_NOW} reports/${WINDOW_MINUTES} mins`;

const clock = new Clock();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    env: {
      OPENINSIGHTS_QUOTA_QUERIES: String(QUERIES),
      OPENINSIGHTS_QUOTA_ACTIVE_REPORTS: String(ACTIVE),
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: String(EXECUTE_NOW),
      OPENINSIGHTS_QUOTA_EXECUTE_NOW_WINDOW_MINUTES: String(WINDOW_MINUTES),
    },
  });
});
afterAll(async () => t?.close());

const executeNow = (tenant: string, base: string, queryId: string) =>
  t.call(tenant, "POST", `${base}/ScheduledReport`, {
    ReportName: "now",
    QueryId: queryId,
    ExecuteNow: true,
  });

describe("user-defined queries", () => {
  const TENANT = "0a100000-0000-4000-8000-000000000001";

  it(`query number ${QUERIES + 1} → 400 with the documented message, nothing stored`, async () => {
    const made = [];
    for (let i = 0; i < QUERIES; i++) made.push(await createQuery(t, TENANT, CMP, "cmp", { Name: `q${i}` }));
    const before = await snapshot(t, TENANT, CMP);
    const res = await t.call(TENANT, "POST", `${CMP}/ScheduledQueries`, {
      Name: "over",
      Query: QUERY_TEXT.cmp,
    });
    expectError(res, 400, QUERY_MESSAGE);
    // After the documented text: when the next one is allowed, and the setting that raises the limit.
    expect(res.body.message).toBe(
      `${QUERY_MESSAGE}: the limit is ${QUERIES} per tenant and program, the next one is allowed once a query is deleted; OPENINSIGHTS_QUOTA_QUERIES raises the limit`,
    );
    // The v1.1 base is the same program: the same quota.
    expectError(
      await t.call(TENANT, "POST", `${CMP11}/ScheduledQueries`, { Name: "over", Query: QUERY_TEXT.cmp }),
      400,
      QUERY_MESSAGE,
    );
    expect(await snapshot(t, TENANT, CMP)).toEqual(before);

    // Deleting one frees a place.
    expectOk(await t.call(TENANT, "DELETE", `${CMP}/ScheduledQueries/${made[0]!.queryId}`));
    await createQuery(t, TENANT, CMP, "cmp", { Name: "again" });
    expectError(
      await t.call(TENANT, "POST", `${CMP}/ScheduledQueries`, { Name: "over", Query: QUERY_TEXT.cmp }),
      400,
      QUERY_MESSAGE,
    );
  });

  it("system queries do not count and stay usable", async () => {
    const list = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledQueries?includeSystemQueries=false`));
    expect(list.value).toHaveLength(QUERIES);
    await createReport(t, TENANT, CMP, "cmp", SYSTEM_QUERY.cmp, clock);
  });

  it("another tenant has its own quota", async () => {
    await createQuery(t, "0a100000-0000-4000-8000-000000000002", CMP, "cmp");
  });
});

describe("active reports", () => {
  const TENANT = "0a200000-0000-4000-8000-000000000001";

  it(`report number ${ACTIVE + 1} → 400 with the documented message, nothing stored`, async () => {
    const queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
    const made = [];
    for (let i = 0; i < ACTIVE; i++)
      made.push(await createReport(t, TENANT, MPN, "mpn", queryId, clock, { ReportName: `r${i}` }));
    const before = await snapshot(t, TENANT, MPN);
    const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "over",
      QueryId: queryId,
      StartTime: clock.in(24 * 60 * MINUTE),
      RecurrenceInterval: 24,
    });
    expectError(res, 400, ACTIVE_MESSAGE);
    expect(res.body.message).toBe(
      `${ACTIVE_MESSAGE}: the next one is allowed once a report is deleted or has run its last execution (Inactive); OPENINSIGHTS_QUOTA_ACTIVE_REPORTS raises the limit`,
    );
    // An ExecuteNow report is a report too.
    expectError(await executeNow(TENANT, MPN, queryId), 400, ACTIVE_MESSAGE);
    expect(await snapshot(t, TENANT, MPN)).toEqual(before);

    // Deleting one frees a place.
    expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledReport/${made[0]!.reportId}`));
    await createReport(t, TENANT, MPN, "mpn", queryId, clock, { ReportName: "again" });
    expectError(
      await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "over",
        QueryId: queryId,
        StartTime: clock.in(24 * 60 * MINUTE),
        RecurrenceInterval: 24,
      }),
      400,
      ACTIVE_MESSAGE,
    );
  });

  it("another tenant has its own quota", async () => {
    const other = "0a200000-0000-4000-8000-000000000002";
    const queryId = (await createQuery(t, other, MPN, "mpn")).queryId;
    await createReport(t, other, MPN, "mpn", queryId, clock);
  });
});

describe("ExecuteNow reports per window", () => {
  const TENANT = "0a300000-0000-4000-8000-000000000001";

  it(`ExecuteNow number ${EXECUTE_NOW + 1} within ${WINDOW_MINUTES} minutes → 400 with the documented message; allowed again after the window`, async () => {
    const queryId = (await createQuery(t, TENANT, CMP, "cmp")).queryId;
    for (let i = 0; i < EXECUTE_NOW; i++) {
      expectOk(await executeNow(TENANT, CMP, queryId));
      clock.advance(MINUTE);
    }
    const before = await snapshot(t, TENANT, CMP);
    const res = await executeNow(TENANT, CMP, queryId);
    expectError(res, 400, EXECUTE_NOW_MESSAGE);
    // The first one leaves the window WINDOW_MINUTES after it was made.
    const nextAllowed = clock.in((WINDOW_MINUTES - EXECUTE_NOW) * MINUTE);
    expect(res.body.message).toBe(
      `${EXECUTE_NOW_MESSAGE}: the next one is allowed at ${nextAllowed}; OPENINSIGHTS_QUOTA_EXECUTE_NOW (or a shorter OPENINSIGHTS_QUOTA_EXECUTE_NOW_WINDOW_MINUTES) raises the limit`,
    );
    expect(await snapshot(t, TENANT, CMP)).toEqual(before);

    // The first one was made EXECUTE_NOW minutes ago; just before it leaves the window: still refused.
    clock.advance((WINDOW_MINUTES - EXECUTE_NOW) * MINUTE - 1000);
    expectError(await executeNow(TENANT, CMP11, queryId), 400, EXECUTE_NOW_MESSAGE);
    clock.advance(2000);
    expectOk(await executeNow(TENANT, CMP11, queryId));
    expectError(await executeNow(TENANT, CMP, queryId), 400, EXECUTE_NOW_MESSAGE);
  });

  it("scheduled reports are not limited by the ExecuteNow quota", async () => {
    const tenant = "0a300000-0000-4000-8000-000000000002";
    const queryId = (await createQuery(t, tenant, CMP, "cmp")).queryId;
    for (let i = 0; i < EXECUTE_NOW; i++) expectOk(await executeNow(tenant, CMP, queryId));
    expectError(await executeNow(tenant, CMP, queryId), 400, EXECUTE_NOW_MESSAGE);
    for (let i = EXECUTE_NOW; i < ACTIVE - 1; i++) await createReport(t, tenant, CMP, "cmp", queryId, clock);
    expectError(await executeNow(tenant, CMP, queryId), 400, EXECUTE_NOW_MESSAGE);
    await createReport(t, tenant, CMP, "cmp", queryId, clock);
    // Now at the active-report limit too: that message wins.
    expectError(await executeNow(tenant, CMP, queryId), 400, ACTIVE_MESSAGE);
  });

  it("another tenant has its own window", async () => {
    const tenant = "0a300000-0000-4000-8000-000000000003";
    const queryId = (await createQuery(t, tenant, CMP, "cmp")).queryId;
    expectOk(await executeNow(tenant, CMP, queryId));
  });
});
