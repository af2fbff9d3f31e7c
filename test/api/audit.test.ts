/**
 * The audit log: every change a tenant asks for over HTTP — made or refused — is recorded with
 * actor, tenant, time, request id, operation, target and outcome; reads are not. GET
 * /admin/v1/audit lists it with filters and paging, for admin tokens only; retention deletes
 * entries after OPENINSIGHTS_RETENTION_DAYS like executions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { Clock, expectError, expectOk, linkPath, MPN, QUERY_TEXT, type Res, wire } from "./helpers.js";

const TENANT = "0d100000-0000-4000-8000-000000000001";
const OTHER = "0d100000-0000-4000-8000-000000000002";
const RETENTION_DAYS = 30;
const clock = new Clock();
let t: TestApp;
let adminToken: string;

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    env: { OPENINSIGHTS_RETENTION_DAYS: String(RETENTION_DAYS), OPENINSIGHTS_RATE_LIMIT_PER_MINUTE: "100" },
  });
  // An operator's token: any tenant, the admin role.
  adminToken = await t.token(OTHER, { user: "operator@example.com", roles: [ADMIN_ROLE] });
});
afterAll(async () => t?.close());

const audit = async (query = "") => {
  const res = await t.call(null, "GET", `/admin/v1/audit${query}`, undefined, {
    authorization: `Bearer ${adminToken}`,
  });
  return res;
};
const requestId = (res: Res) => res.headers.get("x-request-id");

describe("recording", () => {
  const made: { action: string; res: Res }[] = [];
  const change = async (action: string, method: string, path: string, body?: unknown) => {
    const res = await t.call(TENANT, method, path, body);
    made.push({ action, res });
    // Entries of one instant are listed in id order: one millisecond apart, they list as made.
    clock.advance(1);
    return res;
  };

  it("records each change, made or refused, with actor, tenant, time, request id, target and outcome", async () => {
    const query = expectOk(
      await change("createQuery", "POST", `${MPN}/ScheduledQueries`, { Name: "q", Query: QUERY_TEXT.mpn }),
    ).value[0];
    const refused = await change("createQuery", "POST", `${MPN}/ScheduledQueries`, { Name: "no query" });
    expect(refused.status).toBe(400);
    const report = expectOk(
      await change("createReport", "POST", `${MPN}/ScheduledReport`, {
        ReportName: "r",
        QueryId: query.queryId,
        StartTime: clock.in(3_600_000),
        RecurrenceInterval: 24,
      }),
    ).value[0];
    clock.advance(1000);
    await change("pauseReport", "PUT", `${MPN}/ScheduledReport/pause/${report.reportId}`);
    await change("resumeReport", "PUT", `${MPN}/ScheduledReport/resume/${report.reportId}`);
    await change("deleteQuery", "DELETE", `${MPN}/ScheduledQueries/${query.queryId}`); // in use: refused
    await change("deleteReport", "DELETE", `${MPN}/ScheduledReport/${report.reportId}`);
    // Reads, and requests without a valid token, change nothing: not recorded.
    expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport`));
    expect(
      (await t.call(null, "POST", `${MPN}/ScheduledQueries`, { Name: "x", Query: QUERY_TEXT.mpn })).status,
    ).toBe(401);

    const listed = expectOk(await audit(`?tenant=${TENANT}`)).value;
    expect(listed.map((e) => [e.action, e.outcome, e.statusCode])).toEqual([
      ["createQuery", "success", 200],
      ["createQuery", "failure", 400],
      ["createReport", "success", 200],
      ["pauseReport", "success", 200],
      ["resumeReport", "success", 200],
      ["deleteQuery", "failure", 400],
      ["deleteReport", "success", 200],
    ]);
    expect(listed.map((e) => e.requestId)).toEqual(made.map(({ res }) => requestId(res)));
    expect(listed[0]).toEqual({
      id: expect.any(String),
      time: wire(new Date(clock.now().getTime() - 1000 - 7)),
      tenant: TENANT,
      actor: "tester@example.com",
      requestId: requestId(made[0]!.res),
      action: "createQuery",
      program: "mpn",
      target: query.queryId,
      outcome: "success",
      statusCode: 200,
      detail: null,
    });
    expect(listed[1]!.detail).toBe(refused.body.message);
    expect(listed[2]!.target).toBe(report.reportId);
    expect(listed[6]!.target).toBe(report.reportId);
    expect(listed[5]).toMatchObject({ target: query.queryId, detail: made[5]!.res.body.message });
  });

  it("filters by action, outcome, actor and time, and pages with nextLink", async () => {
    expect(expectOk(await audit(`?tenant=${TENANT}&action=createQuery`)).value).toHaveLength(2);
    expect(expectOk(await audit(`?tenant=${TENANT}&outcome=failure`)).value.map((e) => e.action)).toEqual([
      "createQuery",
      "deleteQuery",
    ]);
    expect(expectOk(await audit("?actor=nobody@example.com")).value).toEqual([]);
    const now = wire(clock.now());
    expect(expectOk(await audit(`?tenant=${TENANT}&since=${now}`)).value).toHaveLength(4);
    expect(expectOk(await audit(`?tenant=${TENANT}&until=${now}`)).value).toHaveLength(3);

    const seen: string[] = [];
    let path: string | null = `/admin/v1/audit?tenant=${TENANT}&pageSize=3`;
    while (path) {
      const page: Res = await t.call(null, "GET", path, undefined, { authorization: `Bearer ${adminToken}` });
      const body = expectOk(page);
      expect(body.value.length).toBeLessThanOrEqual(3);
      seen.push(...body.value.map((e) => String(e.action)));
      path = body.nextLink ? linkPath(t, body.nextLink) : null;
    }
    expect(seen).toHaveLength(7);
    expectError(await audit("?outcome=maybe"), 400, "outcome must be one of success, failure");
  });

  it("answers 403 to a tenant token and 401 without a token", async () => {
    expectError(
      await t.call(TENANT, "GET", "/admin/v1/audit"),
      403,
      "The /admin/ API needs an operator's token",
    );
    expectError(await t.call(null, "GET", "/admin/v1/audit"), 401, "");
  });

  it("deletes entries older than OPENINSIGHTS_RETENTION_DAYS", async () => {
    expect(expectOk(await audit(`?tenant=${TENANT}`)).value).toHaveLength(7);
    // The first three are a second older than the others.
    clock.advance(RETENTION_DAYS * 86_400_000 - 500);
    expect((await t.app.purgeExpired()).auditEntries).toBe(3);
    expect(expectOk(await audit(`?tenant=${TENANT}`)).value).toHaveLength(4);
    clock.advance(1000);
    expect((await t.app.purgeExpired()).auditEntries).toBe(4);
    expect(expectOk(await audit()).value).toEqual([]);
  });
});
