/** E12 — GET {base}/ScheduledReport/execution/{reportId} (reference §1.5.11, §6.4). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  BASES,
  Clock,
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  GUID,
  HOUR,
  type Item,
  MPN,
  NO_EXECUTIONS,
  NO_ITEM,
  UNKNOWN_ID,
} from "./helpers.js";

const clock = new Clock();
let t: TestApp;
const TENANT = "e1200000-0000-4000-8000-000000000001";
let scheduled: Item;
let other: Item;
let once: Item;

beforeAll(async () => {
  t = await startTestApp({ now: clock.now });
  const queryId = (await createQuery(t, TENANT, MPN, "mpn")).queryId;
  scheduled = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
    ReportName: "scheduled",
    RecurrenceCount: 3,
    CallbackUrl: "https://example.com/cb",
    CallbackMethod: "GET",
    Format: "tsv",
  });
  clock.advance(1000);
  other = await createReport(t, TENANT, MPN, "mpn", queryId, clock, {
    ReportName: "other",
    StartTime: clock.in(48 * HOUR),
  });
  clock.advance(1000);
  once = expectOk(
    await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "once",
      QueryId: queryId,
      ExecuteNow: true,
    }),
  ).value[0];
});
afterAll(async () => t?.close());

const E12 = (ids: string, query = "") => `${MPN}/ScheduledReport/execution/${ids}${query ? `?${query}` : ""}`;

describe("defaults: executionStatus=Completed, getLatestExecution=true", () => {
  it("before any run completes, no filters → 404 with the documented message", async () => {
    expectError(await t.call(TENANT, "GET", E12(scheduled.reportId)), 404, NO_EXECUTIONS);
    expect((await t.call(TENANT, "GET", E12(scheduled.reportId))).body.message).toBe(NO_EXECUTIONS);
  });

  it.each([
    "getLatestExecution=true",
    "executionStatus=Completed",
    "executionStatus=Completed&getLatestExecution=false",
  ])("%s → the same 404", async (query) => {
    expectError(await t.call(TENANT, "GET", E12(scheduled.reportId, query)), 404, NO_EXECUTIONS);
  });

  it("the ExecuteNow report too (it has not run yet)", async () => {
    expectError(await t.call(TENANT, "GET", E12(once.reportId)), 404, NO_EXECUTIONS);
  });
});

describe("executionStatus=Pending shows the pending execution", () => {
  it.each(BASES.slice(0, 1))("with every documented field", async () => {
    const body = expectOk(await t.call(TENANT, "GET", E12(scheduled.reportId, "executionStatus=Pending")));
    expect(body.message).toBeNull();
    expect(body.nextLink).toBeNull();
    expect(body.value).toHaveLength(1);
    expect(body.value[0]).toMatchObject({
      executionId: expect.stringMatching(GUID),
      reportId: scheduled.reportId,
      recurrenceInterval: 24,
      recurrenceCount: 3,
      callbackUrl: "https://example.com/cb",
      callbackMethod: "GET",
      format: "tsv",
      executionStatus: "Pending",
      reportLocation: null,
      reportAccessSecureLink: null,
      reportExpiryTime: null,
      reportGeneratedTime: null,
    });
  });

  it("the ExecuteNow report's execution is queued at once", async () => {
    const body = expectOk(await t.call(TENANT, "GET", E12(once.reportId, "executionStatus=Pending")));
    expect(body.value).toEqual([
      expect.objectContaining({ reportId: once.reportId, executionStatus: "Pending" }),
    ]);
  });

  it("status values and parameter names are case-insensitive", async () => {
    const body = expectOk(await t.call(TENANT, "GET", E12(scheduled.reportId, "ExecutionStatus=pending")));
    expect(body.value).toHaveLength(1);
  });

  it("getLatestExecution=false lists the history (here: the one pending run)", async () => {
    const body = expectOk(
      await t.call(
        TENANT,
        "GET",
        E12(scheduled.reportId, "executionStatus=Pending&getLatestExecution=false"),
      ),
    );
    expect(body.value).toHaveLength(1);
  });
});

describe(";-separated lists", () => {
  it("several reportIds in the path", async () => {
    const body = expectOk(
      await t.call(
        TENANT,
        "GET",
        E12(`${scheduled.reportId};${other.reportId};${once.reportId}`, "executionStatus=Pending"),
      ),
    );
    expect(body.value.map((e) => e.reportId).sort()).toEqual(
      [scheduled.reportId, other.reportId, once.reportId].sort(),
    );
  });

  it("unknown ids among known ones are ignored", async () => {
    const body = expectOk(
      await t.call(TENANT, "GET", E12(`${scheduled.reportId};${UNKNOWN_ID}`, "executionStatus=Pending")),
    );
    expect(body.value.map((e) => e.reportId)).toEqual([scheduled.reportId]);
  });

  it("several executionIds", async () => {
    const all = expectOk(
      await t.call(
        TENANT,
        "GET",
        E12(`${scheduled.reportId};${other.reportId};${once.reportId}`, "executionStatus=Pending"),
      ),
    ).value;
    const pick = [all[0].executionId, all[2].executionId];
    const body = expectOk(
      await t.call(
        TENANT,
        "GET",
        E12(
          `${scheduled.reportId};${other.reportId};${once.reportId}`,
          `executionStatus=Pending&executionId=${pick.join(";")}`,
        ),
      ),
    );
    expect(body.value.map((e) => e.executionId).sort()).toEqual([...pick].sort());
  });

  it("an executionId of another report → 404 documented message", async () => {
    const otherExecution = expectOk(
      await t.call(TENANT, "GET", E12(other.reportId, "executionStatus=Pending")),
    ).value[0];
    const res = await t.call(
      TENANT,
      "GET",
      E12(scheduled.reportId, `executionStatus=Pending&executionId=${otherExecution.executionId}`),
    );
    expectError(res, 404, NO_EXECUTIONS);
  });

  it("several statuses (Pending;Paused)", async () => {
    expectOk(await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/pause/${other.reportId}`));
    try {
      const ids = `${scheduled.reportId};${other.reportId}`;
      const both = expectOk(await t.call(TENANT, "GET", E12(ids, "executionStatus=Pending;Paused")));
      expect(both.value.map((e) => [e.reportId, e.executionStatus]).sort()).toEqual(
        [
          [scheduled.reportId, "Pending"],
          [other.reportId, "Paused"],
        ].sort(),
      );
      const paused = expectOk(await t.call(TENANT, "GET", E12(ids, "executionStatus=Paused")));
      expect(paused.value.map((e) => e.reportId)).toEqual([other.reportId]);
    } finally {
      expectOk(await t.call(TENANT, "PUT", `${MPN}/ScheduledReport/resume/${other.reportId}`));
    }
  });
});

describe("errors", () => {
  it("an unknown report → 404 No item found with given filters.", async () => {
    expectError(await t.call(TENANT, "GET", E12(UNKNOWN_ID)), 404, NO_ITEM);
    expectError(await t.call(TENANT, "GET", E12(UNKNOWN_ID, "executionStatus=Pending")), 404, NO_ITEM);
    expectError(await t.call(TENANT, "GET", E12(`${UNKNOWN_ID};not-an-id`)), 404, NO_ITEM);
  });

  it("an mpn report under the cmp base → 404", async () => {
    expectError(
      await t.call(
        TENANT,
        "GET",
        `${CMP11}/ScheduledReport/execution/${scheduled.reportId}?executionStatus=Pending`,
      ),
      404,
      NO_ITEM,
    );
  });

  it.each([
    ["executionStatus=Bogus", "Requested value 'Bogus' not found"],
    ["executionStatus=Pending;Done", "Requested value 'Done' not found"],
    ["getLatestExecution=maybe", ""],
    ["getLatestExecution=1", ""],
    ["pageSize=0", ""],
  ])("%s → 400", async (query, prefix) => {
    expectError(await t.call(TENANT, "GET", E12(scheduled.reportId, query)), 400, prefix);
  });

  it("only separators as reportId → 400 or 404, never 500", async () => {
    const res = await t.call(TENANT, "GET", E12(";;"));
    expect([400, 404]).toContain(res.status);
    expect(res.body.statusCode).toBe(res.status);
  });
});

describe("history window", () => {
  it("getLatestExecution=false keeps executions scheduled within the last 90 days", async () => {
    const queryId = (await createQuery(t, TENANT, MPN, "mpn", { Name: "history" })).queryId;
    const report = await createReport(t, TENANT, MPN, "mpn", queryId, clock, { ReportName: "history" });
    const path = E12(report.reportId, "executionStatus=Pending&getLatestExecution=false");
    expectOk(await t.call(TENANT, "GET", path));
    clock.advance(80 * 24 * HOUR); // the slot (tomorrow) is now 79 days back
    try {
      expectOk(await t.call(TENANT, "GET", path));
      clock.advance(15 * 24 * HOUR); // 94 days back
      expectError(await t.call(TENANT, "GET", path), 404, NO_EXECUTIONS);
      // The latest one is still shown with getLatestExecution=true.
      expectOk(await t.call(TENANT, "GET", E12(report.reportId, "executionStatus=Pending")));
    } finally {
      clock.advance(-95 * 24 * HOUR);
    }
  });
});
