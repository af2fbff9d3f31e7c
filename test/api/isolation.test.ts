/**
 * Tenant isolation on every endpoint: two tenants, each trying the other's ids. Nothing of one
 * tenant is visible to, or changeable by, the other; program data is separate too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import type { BuiltInProgram } from "./helpers.js";
import {
  Clock,
  CMP,
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  HOUR,
  linkPath,
  MPN,
  NO_ITEM,
  snapshot,
  walkItems,
} from "./helpers.js";

const A = "1a000000-0000-4000-8000-00000000000a";
const B = "2b000000-0000-4000-8000-00000000000b";
const clock = new Clock();
let t: TestApp;

interface Owned {
  queryId: string;
  reportId: string;
  otherReportId: string;
  executionId: string;
}
const owned: Record<string, Record<string, Owned>> = { [A]: {}, [B]: {} };

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    env: { OPENINSIGHTS_PAGE_SIZE: "2" },
    rows: [
      { program: "mpn", dataset: "Profile", tenant: A, csv: "MpnId,PartnerName\n111,Alpha Partner\n" },
      { program: "mpn", dataset: "Profile", tenant: B, csv: "MpnId,PartnerName\n222,Beta Partner\n" },
    ],
  });
  for (const tenant of [A, B]) {
    for (const [base, program] of [
      [MPN, "mpn"],
      [CMP, "cmp"],
    ] as [string, BuiltInProgram][]) {
      const q = await createQuery(t, tenant, base, program, { Name: `${tenant.slice(0, 2)} query` });
      const r = await createReport(t, tenant, base, program, q.queryId, clock, {
        ReportName: `${tenant.slice(0, 2)} report`,
      });
      const r2 = await createReport(t, tenant, base, program, q.queryId, clock, {
        ReportName: `${tenant.slice(0, 2)} other`,
      });
      const e = expectOk(
        await t.call(
          tenant,
          "GET",
          `${base}/ScheduledReport/execution/${r.reportId}?executionStatus=Pending`,
        ),
      ).value[0];
      owned[tenant]![base] = {
        queryId: q.queryId,
        reportId: r.reportId,
        otherReportId: r2.reportId,
        executionId: e.executionId,
      };
    }
  }
});
afterAll(async () => t?.close());

describe.each([
  ["B attacks A", B, A],
  ["A attacks B", A, B],
])("%s", (_label, attacker, victim) => {
  let victimBefore: Record<string, unknown>;
  const their = (base: string) => owned[victim]![base]!;
  const mine = (base: string) => owned[attacker]![base]!;

  beforeAll(async () => {
    victimBefore = { mpn: await snapshot(t, victim, MPN), cmp: await snapshot(t, victim, CMP) };
  });
  afterAll(async () => {
    expect({ mpn: await snapshot(t, victim, MPN), cmp: await snapshot(t, victim, CMP) }).toEqual(
      victimBefore,
    );
  });

  describe.each([MPN, CMP, CMP11])("at %s", (base) => {
    const key = base === CMP11 ? CMP : base;

    it("E3 lists only its own queries; the other's queryId → 404", async () => {
      const list = expectOk(
        await t.call(attacker, "GET", `${base}/ScheduledQueries?includeSystemQueries=false`),
      );
      expect(list.value.map((q) => q.queryId)).toEqual([mine(key).queryId]);
      expectError(
        await t.call(attacker, "GET", `${base}/ScheduledQueries?queryId=${their(key).queryId}`),
        404,
        NO_ITEM,
      );
      const byName = expectOk(
        await t.call(
          attacker,
          "GET",
          `${base}/ScheduledQueries?includeSystemQueries=false&queryName=${encodeURIComponent(`${victim.slice(0, 2)} query`)}`,
        ),
      );
      expect(byName.value).toEqual([]);
    });

    it("E4 cannot delete the other's query", async () => {
      expectError(
        await t.call(attacker, "DELETE", `${base}/ScheduledQueries/${their(key).queryId}`),
        404,
        NO_ITEM,
      );
    });

    it("E5 cannot run the other's query by id", async () => {
      expectError(
        await t.call(
          attacker,
          "GET",
          `${base}/ScheduledQueries/testQueryResult?queryId=${their(key).queryId}`,
        ),
        400,
        "Invalid QueryId",
      );
    });

    it("E6 cannot make a report from the other's query", async () => {
      const res = await t.call(attacker, "POST", `${base}/ScheduledReport`, {
        ReportName: "steal",
        QueryId: their(key).queryId,
        StartTime: clock.in(24 * HOUR),
        RecurrenceInterval: 24,
      });
      expectError(res, 400, "Invalid QueryId");
    });

    it("E7 lists only its own reports; the other's ids, name and query → nothing", async () => {
      const list = expectOk(await t.call(attacker, "GET", `${base}/ScheduledReport?pageSize=10`));
      expect(list.value.map((r) => r.reportId).sort()).toEqual(
        [mine(key).reportId, mine(key).otherReportId].sort(),
      );
      expectError(
        await t.call(attacker, "GET", `${base}/ScheduledReport?reportId=${their(key).reportId}`),
        404,
        NO_ITEM,
      );
      const mixed = expectOk(
        await t.call(
          attacker,
          "GET",
          `${base}/ScheduledReport?reportId=${mine(key).reportId};${their(key).reportId}`,
        ),
      );
      expect(mixed.value.map((r) => r.reportId)).toEqual([mine(key).reportId]);
      expect(
        expectOk(await t.call(attacker, "GET", `${base}/ScheduledReport?queryId=${their(key).queryId}`))
          .value,
      ).toEqual([]);
      const name = encodeURIComponent(`${victim.slice(0, 2)} report`);
      expect(
        expectOk(await t.call(attacker, "GET", `${base}/ScheduledReport?reportName=${name}`)).value,
      ).toEqual([]);
    });

    it("E8 cannot update the other's report", async () => {
      const res = await t.call(attacker, "PUT", `${base}/ScheduledReport/${their(key).reportId}`, {
        ReportName: "pwned",
        StartTime: clock.in(24 * HOUR),
      });
      expectError(res, 404, NO_ITEM);
    });

    it("E9 cannot delete the other's report", async () => {
      expectError(
        await t.call(attacker, "DELETE", `${base}/ScheduledReport/${their(key).reportId}`),
        404,
        NO_ITEM,
      );
    });

    it("E10/E11 cannot pause or resume the other's report", async () => {
      expectError(
        await t.call(attacker, "PUT", `${base}/ScheduledReport/pause/${their(key).reportId}`),
        404,
        NO_ITEM,
      );
      expectError(
        await t.call(attacker, "PUT", `${base}/ScheduledReport/resume/${their(key).reportId}`),
        404,
        NO_ITEM,
      );
    });

    it("E12 cannot see the other's executions, alone or mixed with its own ids", async () => {
      expectError(
        await t.call(
          attacker,
          "GET",
          `${base}/ScheduledReport/execution/${their(key).reportId}?executionStatus=Pending`,
        ),
        404,
        NO_ITEM,
      );
      const mixed = expectOk(
        await t.call(
          attacker,
          "GET",
          `${base}/ScheduledReport/execution/${mine(key).reportId};${their(key).reportId}?executionStatus=Pending`,
        ),
      );
      expect(mixed.value.map((e) => e.reportId)).toEqual([mine(key).reportId]);
      const byExecution = await t.call(
        attacker,
        "GET",
        `${base}/ScheduledReport/execution/${mine(key).reportId}?executionStatus=Pending&executionId=${their(key).executionId}`,
      );
      expect(byExecution.status).toBe(404);
    });

    it("a nextLink of the other tenant only continues the caller's own list", async () => {
      const victimPage = expectOk(await t.call(victim, "GET", `${base}/ScheduledReport?pageSize=1`));
      expect(victimPage.nextLink).toEqual(expect.any(String));
      const items = await walkItems(t, attacker, linkPath(t, victimPage.nextLink ?? ""));
      const theirs = new Set([their(key).reportId, their(key).otherReportId]);
      expect(items.filter((r) => theirs.has(r.reportId))).toEqual([]);
    });
  });

  it("E1 datasets are the same catalog for both", async () => {
    const a = expectOk(await t.call(attacker, "GET", `${MPN}/ScheduledDataset`));
    const b = expectOk(await t.call(victim, "GET", `${MPN}/ScheduledDataset`));
    expect(a.value).toEqual(b.value);
  });

  it("E5 rows are only the caller's own", async () => {
    const q = encodeURIComponent("SELECT MpnId, PartnerName FROM Profile");
    const rows = expectOk(
      await t.call(attacker, "GET", `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${q}`),
    ).value;
    expect(rows).toEqual([
      attacker === A
        ? { MpnId: "111", PartnerName: "Alpha Partner" }
        : { MpnId: "222", PartnerName: "Beta Partner" },
    ]);
  });
});

describe("programs are separate", () => {
  it("an mpn query or report id means nothing under cmp, and the reverse", async () => {
    const mpn = owned[A]![MPN]!;
    const cmp = owned[A]![CMP]!;
    for (const [base, other] of [
      [CMP, mpn],
      [CMP11, mpn],
      [MPN, cmp],
    ] as const) {
      expectError(await t.call(A, "GET", `${base}/ScheduledQueries?queryId=${other.queryId}`), 404, NO_ITEM);
      expectError(await t.call(A, "GET", `${base}/ScheduledReport?reportId=${other.reportId}`), 404, NO_ITEM);
      expectError(await t.call(A, "PUT", `${base}/ScheduledReport/pause/${other.reportId}`), 404, NO_ITEM);
      expectError(
        await t.call(A, "GET", `${base}/ScheduledReport/execution/${other.reportId}?executionStatus=Pending`),
        404,
        NO_ITEM,
      );
      const res = await t.call(A, "POST", `${base}/ScheduledReport`, {
        ReportName: "cross",
        QueryId: other.queryId,
        StartTime: clock.in(24 * HOUR),
        RecurrenceInterval: 24,
      });
      expectError(res, 400, "Invalid QueryId");
    }
  });

  it("v1 and v1.1 cmp are one program: the same objects under both", async () => {
    const v1 = await snapshot(t, A, CMP);
    const v11 = await snapshot(t, A, CMP11);
    expect(v11).toEqual(v1);
  });

  it("test-query rows of one program are not visible under the other", async () => {
    const q = encodeURIComponent("SELECT MpnId, PartnerName FROM Profile");
    expectError(
      await t.call(A, "GET", `${CMP}/ScheduledQueries/testQueryResult?exportQuery=${q}`),
      400,
      "Invalid table name",
    );
  });
});
