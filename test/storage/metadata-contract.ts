/**
 * The `MetadataStore` contract: one suite every adapter runs (SQLite now, PostgreSQL later).
 *
 *   describeMetadataStoreContract("sqlite", () => openSqliteMetadataStore({ path: freshFile() }));
 *
 * `open` must return an empty store; each test gets its own and closes it. Ids are unique
 * across scopes (the service generates them) and differ only in ASCII digits/letters at the
 * same positions, so their order is the same under any collation.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Cursor, Page, PageRequest } from "../../src/core/paging.js";
import { newExecution } from "../../src/executions/lifecycle.js";
import type {
  ExecutionOutcome,
  ExecutionPart,
  ExecutionStatus,
  StoredExecution,
} from "../../src/executions/model.js";
import { finishLoad, type StoredLoad, startLoad } from "../../src/loads/model.js";
import type { StoredQuery, StoredReport } from "../../src/reports/model.js";
import type { LoadFilter, MetadataStore, ReportQuotas, Scope } from "../../src/storage/ports.js";
import type { StoredTestClock } from "../../src/testclocks/model.js";
import type { CallbackDelivery, DeliveryAttempt } from "../../src/webhooks/model.js";

// ── fixtures ────────────────────────────────────────────────────────────────

/** A result in two parts (MaxFileSizeMB). */
const PARTS: readonly ExecutionPart[] = [
  { fileKey: "f/ea-01.part-0001.csv", rowCount: 3, bytes: 40, sha256: "a".repeat(64) },
  { fileKey: "f/ea-01.part-0002.csv", rowCount: 1, bytes: 20, sha256: "b".repeat(64) },
];

const T0 = Date.parse("2024-05-01T00:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** An instant `ms` after T0. */
const at = (ms: number): Date => new Date(T0 + ms);

const A: Scope = { tenant: "tenant-a", program: "mpn" };
/** Same program, other tenant. */
const B: Scope = { tenant: "tenant-b", program: "mpn" };
/** Same tenant, other program. */
const A_CMP: Scope = { tenant: "tenant-a", program: "cmp" };

function makeQuery(scope: Scope, id: string, overrides: Partial<StoredQuery> = {}): StoredQuery {
  return {
    id,
    tenant: scope.tenant,
    program: scope.program,
    name: `Query ${id}`,
    description: `Description of ${id}`,
    query: "SELECT CustomerName FROM Customers TIMESPAN LAST_30_DAYS",
    user: "user@example.com",
    createdTime: at(0),
    modifiedTime: null,
    ...overrides,
  };
}

/** A report of the scope, with every field set (the adapters' own tests override what they check). */
export function makeReport(scope: Scope, id: string, overrides: Partial<StoredReport> = {}): StoredReport {
  return {
    id,
    tenant: scope.tenant,
    program: scope.program,
    name: `Report ${id}`,
    description: "",
    queryId: "query-1",
    queryText: "SELECT CustomerName FROM Customers TIMESPAN LAST_30_DAYS",
    startTime: at(HOUR),
    recurrenceInterval: 24,
    recurrenceCount: null,
    executeNow: false,
    queryStartTime: null,
    queryEndTime: null,
    queryWindow: null,
    schedule: null,
    timeZone: null,
    format: "csv",
    compression: "none",
    spreadsheetSafe: false,
    callbackUrl: null,
    callbackMethod: null,
    callbackOnFailure: false,
    status: "Active",
    user: "user@example.com",
    createdTime: at(0),
    modifiedTime: null,
    ...overrides,
  };
}

function makeExecution(
  report: StoredReport,
  id: string,
  scheduledTime: Date,
  overrides: Partial<StoredExecution> = {},
): StoredExecution {
  // Pending whatever the report's status: the tests set statuses explicitly.
  return { ...newExecution(report, scheduledTime, at(0), id), status: "Pending", ...overrides };
}

/** A Pending outbox row for a completed execution, due at `createdTime`. */
function makeDelivery(
  execution: StoredExecution,
  id: string,
  createdTime: Date,
  overrides: Partial<CallbackDelivery> = {},
): CallbackDelivery {
  return {
    id,
    executionId: execution.id,
    reportId: execution.reportId,
    tenant: execution.tenant,
    program: execution.program,
    url: `https://hooks.example.com/cb/${execution.reportId}`,
    method: "POST",
    payload: JSON.stringify({ executionId: execution.id, note: 'Zoë 😀 "quoted"' }),
    status: "Pending",
    attempts: 0,
    nextAttemptAt: createdTime,
    leaseOwner: null,
    leaseExpiresAt: null,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
    createdTime,
    ...overrides,
  };
}

/** Quotas that never bind. */
function roomyQuotas(now: Date = at(0)): ReportQuotas {
  return { maxActiveReports: 1_000, maxExecuteNow: 1_000, executeNowWindowMs: 24 * HOUR, now };
}

type Keyed = { readonly createdTime: Date; readonly id: string };

function byCreatedThenId(a: Keyed, b: Keyed): number {
  const dt = a.createdTime.getTime() - b.createdTime.getTime();
  if (dt !== 0) return dt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const ids = (items: readonly { readonly id: string }[]): string[] => items.map((i) => i.id);

/**
 * Reads every page; checks that full pages precede the last one, that `next` is the key of
 * the last item returned, and that the last page has no `next`.
 */
async function readPages<T extends Keyed>(
  list: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<T[][]> {
  const pages: T[][] = [];
  let after: Cursor | undefined;
  for (let guard = 0; guard < 1_000; guard++) {
    const page = await list(after === undefined ? { limit } : { after, limit });
    pages.push(page.items);
    if (page.next === undefined) return pages;
    expect(page.items).toHaveLength(limit);
    const last = page.items[page.items.length - 1]!;
    expect(page.next).toEqual({ createdTime: last.createdTime, id: last.id });
    after = page.next;
  }
  throw new Error("pagination did not end");
}

// ── the suite ───────────────────────────────────────────────────────────────

export function describeMetadataStoreContract(name: string, open: () => Promise<MetadataStore>): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Creates reports without quota limits; fails the test on a quota outcome. */
    async function addReport(report: StoredReport, executions: readonly StoredExecution[] = []) {
      expect(await store.createReport(report, executions, roomyQuotas())).toEqual({ ok: true });
      return report;
    }

    async function addQuery(query: StoredQuery) {
      expect(await store.createQuery(query, 1_000)).toEqual({ ok: true });
      return query;
    }

    async function allExecutions(scope: Scope, reportIds: readonly string[]) {
      return (await store.listExecutions(scope, { reportIds }, { limit: 1_000 })).items;
    }

    it("answers a ping from the database while open, and fails it once closed", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const other = await open();
      await other.close();
      await expect(other.ping()).rejects.toThrow();
    });

    it("declares its capabilities as booleans", () => {
      expect(typeof store.capabilities.multiWriter).toBe("boolean");
      expect(typeof store.capabilities.skipLocked).toBe("boolean");
    });

    describe("queries", () => {
      it("round-trips every field, to the millisecond", async () => {
        const q = makeQuery(A, "qa-01", {
          createdTime: new Date("2024-02-29T23:59:59.999Z"),
          modifiedTime: new Date("2024-03-01T00:00:00.001Z"),
          description: "line one\nline two",
        });
        await addQuery(q);
        const got = await store.getQuery(A, q.id);
        expect(got).toEqual(q);
        expect(got?.createdTime.toISOString()).toBe("2024-02-29T23:59:59.999Z");
        expect(got?.modifiedTime?.toISOString()).toBe("2024-03-01T00:00:00.001Z");
      });

      it("round-trips a null modifiedTime and an empty description", async () => {
        const q = makeQuery(A, "qa-01", { modifiedTime: null, description: "" });
        await addQuery(q);
        const got = await store.getQuery(A, q.id);
        expect(got).toEqual(q);
        expect(got?.modifiedTime).toBeNull();
      });

      it("round-trips unicode and quote characters in text fields", async () => {
        const q = makeQuery(A, "qa-01", {
          name: "Umsätze 📊 売上 — naïve e\u0301 «Ω»",
          description: `O'Brien said "hi"; DROP TABLE reports; --`,
          query: "SELECT CustomerName FROM Customers WHERE CustomerName = 'Zoë 😀'",
          user: "jürgen@例え.jp",
        });
        await addQuery(q);
        expect(await store.getQuery(A, q.id)).toEqual(q);
      });

      it("returns undefined for an unknown id and for another tenant's or program's id", async () => {
        await addQuery(makeQuery(A, "qa-01"));
        expect(await store.getQuery(A, "qa-99")).toBeUndefined();
        expect(await store.getQuery(B, "qa-01")).toBeUndefined();
        expect(await store.getQuery(A_CMP, "qa-01")).toBeUndefined();
      });

      it("refuses a query at the scope's quota and stores nothing", async () => {
        expect(await store.createQuery(makeQuery(A, "qa-01"), 2)).toEqual({ ok: true });
        expect(await store.createQuery(makeQuery(A, "qa-02"), 2)).toEqual({ ok: true });
        expect(await store.createQuery(makeQuery(A, "qa-03"), 2)).toEqual({ ok: false, reason: "queries" });
        expect(await store.getQuery(A, "qa-03")).toBeUndefined();
        // Quotas are per tenant and program.
        expect(await store.createQuery(makeQuery(B, "qb-01"), 2)).toEqual({ ok: true });
        expect(await store.createQuery(makeQuery(A_CMP, "qc-01"), 2)).toEqual({ ok: true });
        expect((await store.listQueries(A, {}, { limit: 10 })).items).toHaveLength(2);
      });

      it("refuses everything with a quota of zero", async () => {
        expect(await store.createQuery(makeQuery(A, "qa-01"), 0)).toEqual({ ok: false, reason: "queries" });
      });

      it("checks the quota atomically under concurrent creates", async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.createQuery(makeQuery(A, `qa-${String(i).padStart(2, "0")}`), 5),
          ),
        );
        expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
        expect(outcomes.filter((o) => !o.ok)).toHaveLength(7);
        expect((await store.listQueries(A, {}, { limit: 100 })).items).toHaveLength(5);
      });

      it("deletes within its scope only", async () => {
        await addQuery(makeQuery(A, "qa-01"));
        expect(await store.deleteQuery(B, "qa-01")).toBe(false);
        expect(await store.deleteQuery(A_CMP, "qa-01")).toBe(false);
        expect(await store.getQuery(A, "qa-01")).toBeDefined();
        expect(await store.deleteQuery(A, "qa-01")).toBe(true);
        expect(await store.getQuery(A, "qa-01")).toBeUndefined();
        expect(await store.deleteQuery(A, "qa-01")).toBe(false);
      });

      it("frees quota when a query is deleted", async () => {
        await store.createQuery(makeQuery(A, "qa-01"), 1);
        expect(await store.createQuery(makeQuery(A, "qa-02"), 1)).toEqual({ ok: false, reason: "queries" });
        await store.deleteQuery(A, "qa-01");
        expect(await store.createQuery(makeQuery(A, "qa-02"), 1)).toEqual({ ok: true });
      });

      it("lists an empty scope as one empty page without next", async () => {
        await addQuery(makeQuery(B, "qb-01"));
        const page = await store.listQueries(A, {}, { limit: 10 });
        expect(page.items).toEqual([]);
        expect(page.next).toBeUndefined();
      });

      it("pages in (createdTime, id) order with next only while more follow", async () => {
        // Inserted out of order; createdTime ties are broken by id.
        const queries = [
          makeQuery(A, "qa-05", { createdTime: at(2) }),
          makeQuery(A, "qa-02", { createdTime: at(1) }),
          makeQuery(A, "qa-04", { createdTime: at(0) }),
          makeQuery(A, "qa-01", { createdTime: at(1) }),
          makeQuery(A, "qa-03", { createdTime: at(0) }),
        ];
        for (const q of queries) await addQuery(q);
        const expected = [...queries].sort(byCreatedThenId);
        expect(ids(expected)).toEqual(["qa-03", "qa-04", "qa-01", "qa-02", "qa-05"]);

        const pages = await readPages((p) => store.listQueries(A, {}, p), 2);
        expect(pages.map(ids)).toEqual([["qa-03", "qa-04"], ["qa-01", "qa-02"], ["qa-05"]]);
        expect(pages.flat()).toEqual(expected);

        const whole = await store.listQueries(A, {}, { limit: 5 });
        expect(ids(whole.items)).toEqual(ids(expected));
        expect(whole.next).toBeUndefined();
        const bigger = await store.listQueries(A, {}, { limit: 50 });
        expect(bigger.next).toBeUndefined();
      });

      it("has no next when the items end exactly at a page boundary", async () => {
        for (let i = 1; i <= 4; i++) await addQuery(makeQuery(A, `qa-0${i}`, { createdTime: at(i) }));
        const pages = await readPages((p) => store.listQueries(A, {}, p), 2);
        expect(pages.map(ids)).toEqual([
          ["qa-01", "qa-02"],
          ["qa-03", "qa-04"],
        ]);
      });

      it("continues after a cursor whose item was deleted (keyset, not offset)", async () => {
        for (let i = 1; i <= 5; i++) await addQuery(makeQuery(A, `qa-0${i}`, { createdTime: at(i) }));
        const first = await store.listQueries(A, {}, { limit: 2 });
        expect(ids(first.items)).toEqual(["qa-01", "qa-02"]);
        await store.deleteQuery(A, "qa-02");
        await store.deleteQuery(A, "qa-01");
        const second = await store.listQueries(A, {}, { after: first.next!, limit: 2 });
        expect(ids(second.items)).toEqual(["qa-03", "qa-04"]);
      });

      it("lists only the scope's queries", async () => {
        await addQuery(makeQuery(A, "qa-01"));
        await addQuery(makeQuery(B, "qb-01"));
        await addQuery(makeQuery(A_CMP, "qc-01"));
        expect(ids((await store.listQueries(A, {}, { limit: 10 })).items)).toEqual(["qa-01"]);
        expect(ids((await store.listQueries(B, {}, { limit: 10 })).items)).toEqual(["qb-01"]);
        expect(ids((await store.listQueries(A_CMP, {}, { limit: 10 })).items)).toEqual(["qc-01"]);
      });

      it("filters by id, within the scope", async () => {
        await addQuery(makeQuery(A, "qa-01"));
        await addQuery(makeQuery(A, "qa-02"));
        await addQuery(makeQuery(B, "qb-01"));
        expect(ids((await store.listQueries(A, { id: "qa-02" }, { limit: 10 })).items)).toEqual(["qa-02"]);
        expect((await store.listQueries(A, { id: "qb-01" }, { limit: 10 })).items).toEqual([]);
        expect((await store.listQueries(A, { id: "nope" }, { limit: 10 })).items).toEqual([]);
      });

      it("filters by exact name, case-insensitively, also beyond ASCII", async () => {
        await addQuery(makeQuery(A, "qa-01", { name: "Monthly Revenue" }));
        await addQuery(makeQuery(A, "qa-02", { name: "Ärger Über Umsätze" }));
        await addQuery(makeQuery(A, "qa-03", { name: "Отчёт о продажах" }));
        await addQuery(makeQuery(A, "qa-04", { name: "Monthly Revenue 2" }));
        await addQuery(makeQuery(B, "qb-01", { name: "Monthly Revenue" }));
        const byName = async (name: string) =>
          ids((await store.listQueries(A, { name }, { limit: 10 })).items);
        expect(await byName("monthly revenue")).toEqual(["qa-01"]);
        expect(await byName("MONTHLY REVENUE")).toEqual(["qa-01"]);
        expect(await byName("ärger über umsätze")).toEqual(["qa-02"]);
        expect(await byName("ÄRGER ÜBER UMSÄTZE")).toEqual(["qa-02"]);
        expect(await byName("ОТЧЁТ О ПРОДАЖАХ")).toEqual(["qa-03"]);
        expect(await byName("Monthly")).toEqual([]);
        expect(await byName("Monthly Revenue ")).toEqual([]);
        expect(await byName("%")).toEqual([]);
        // id and name together must both match.
        expect(
          ids((await store.listQueries(A, { id: "qa-01", name: "monthly revenue" }, { limit: 5 })).items),
        ).toEqual(["qa-01"]);
        expect(
          (await store.listQueries(A, { id: "qa-02", name: "monthly revenue" }, { limit: 5 })).items,
        ).toEqual([]);
      });
    });

    describe("reports", () => {
      it("round-trips every field with values, executeNow as a boolean", async () => {
        const r = makeReport(A, "ra-01", {
          name: "Ventes — 売上 📈",
          description: "all\tthe\nthings",
          queryId: "qa-01",
          queryText: "SELECT MarketplaceName FROM Orders WHERE x = 'y'",
          startTime: new Date("2024-06-15T12:34:56.789Z"),
          recurrenceInterval: 6,
          recurrenceCount: 10,
          executeNow: true,
          queryStartTime: new Date("2023-01-01T00:00:00.001Z"),
          queryEndTime: new Date("2023-12-31T23:59:59.999Z"),
          format: "tsv",
          compression: "gzip",
          callbackUrl: "https://example.com/hook?x=1&y=ü",
          callbackMethod: "POST",
          callbackOnFailure: true,
          status: "Paused",
          createdTime: new Date("2024-06-01T00:00:00.123Z"),
          modifiedTime: new Date("2024-06-02T00:00:00.456Z"),
        });
        await addReport(r);
        const got = await store.getReport(A, r.id);
        expect(got).toEqual(r);
        expect(got?.executeNow).toBe(true);
        expect(got?.startTime.getTime()).toBe(r.startTime.getTime());
      });

      it.each([
        ["parquet", "none"],
        ["json", "zstd"],
        ["csv", "zstd"],
      ] as const)(
        "round-trips format %s with compression %s, and a query window",
        async (format, compression) => {
          const r = await addReport(
            makeReport(A, "ra-01", { format, compression, queryWindow: "SinceLastSuccess" }),
          );
          expect(await store.getReport(A, r.id)).toEqual(r);
        },
      );

      it("round-trips every nullable field as null, executeNow false", async () => {
        const r = makeReport(A, "ra-01", {
          recurrenceCount: null,
          executeNow: false,
          queryStartTime: null,
          queryEndTime: null,
          callbackUrl: null,
          callbackMethod: null,
          modifiedTime: null,
        });
        await addReport(r);
        const got = await store.getReport(A, r.id);
        expect(got).toEqual(r);
        expect(got?.executeNow).toBe(false);
        expect(got?.recurrenceCount).toBeNull();
        expect(got?.callbackMethod).toBeNull();
      });

      it("round-trips GET callbacks and a zero-length window", async () => {
        const r = makeReport(A, "ra-01", {
          callbackUrl: "http://localhost:9/cb",
          callbackMethod: "GET",
          queryStartTime: at(5),
          queryEndTime: at(5),
          recurrenceCount: 1,
        });
        await addReport(r);
        expect(await store.getReport(A, r.id)).toEqual(r);
      });

      it("round-trips instants before the epoch, at it and far ahead", async () => {
        const r = makeReport(A, "ra-01", {
          startTime: new Date("1969-12-31T23:59:59.999Z"),
          queryStartTime: new Date(0),
          queryEndTime: new Date("2999-12-31T23:59:59.999Z"),
        });
        await addReport(r);
        const got = await store.getReport(A, r.id);
        expect(got?.startTime.toISOString()).toBe("1969-12-31T23:59:59.999Z");
        expect(got?.queryStartTime?.getTime()).toBe(0);
        expect(got?.queryEndTime?.toISOString()).toBe("2999-12-31T23:59:59.999Z");
      });

      it("returns undefined for an unknown id and for another tenant's or program's id", async () => {
        await addReport(makeReport(A, "ra-01"));
        expect(await store.getReport(A, "ra-99")).toBeUndefined();
        expect(await store.getReport(B, "ra-01")).toBeUndefined();
        expect(await store.getReport(A_CMP, "ra-01")).toBeUndefined();
      });

      it("inserts the report and its first executions together", async () => {
        const r = makeReport(A, "ra-01");
        const executions = [
          makeExecution(r, "ea-01", at(HOUR)),
          makeExecution(r, "ea-02", at(25 * HOUR), { createdTime: at(1) }),
        ];
        await addReport(r, executions);
        expect(await allExecutions(A, [r.id])).toEqual(executions);
      });

      it("inserts nothing when one of the executions cannot be stored", async () => {
        const existing = await addReport(makeReport(A, "ra-00"), [
          makeExecution(makeReport(A, "ra-00"), "ea-00", at(0)),
        ]);
        const r = makeReport(A, "ra-01");
        // The second execution reuses the first one's id: the insert fails after the report row.
        const outcome = store.createReport(
          r,
          [makeExecution(r, "ea-01", at(HOUR)), makeExecution(r, "ea-01", at(2 * HOUR))],
          roomyQuotas(),
        );
        await expect(outcome).rejects.toThrow();
        expect(await store.getReport(A, r.id)).toBeUndefined();
        expect(await allExecutions(A, [r.id])).toEqual([]);
        expect(ids((await store.listReports(A, {}, { limit: 10 })).items)).toEqual([existing.id]);
        // The store still works afterwards.
        await addReport(r, [makeExecution(r, "ea-01", at(HOUR))]);
        expect(ids(await allExecutions(A, [r.id]))).toEqual(["ea-01"]);
      });

      it("refuses a report at the active-report quota, counting Active and Paused but not Inactive", async () => {
        const quotas: ReportQuotas = { ...roomyQuotas(), maxActiveReports: 2 };
        const ok = { ok: true };
        const quota = { ok: false, reason: "activeReports" };
        expect(await store.createReport(makeReport(A, "ra-01"), [], quotas)).toEqual(ok);
        expect(await store.createReport(makeReport(A, "ra-02", { status: "Inactive" }), [], quotas)).toEqual(
          ok,
        );
        expect(await store.createReport(makeReport(A, "ra-03", { status: "Paused" }), [], quotas)).toEqual(
          ok,
        );
        const r4 = makeReport(A, "ra-04");
        expect(await store.createReport(r4, [makeExecution(r4, "ea-04", at(HOUR))], quotas)).toEqual(quota);
        // Nothing of the refused report was stored.
        expect(await store.getReport(A, "ra-04")).toBeUndefined();
        expect(await allExecutions(A, ["ra-04"])).toEqual([]);
        // Other scopes have their own count.
        expect(await store.createReport(makeReport(B, "rb-01"), [], quotas)).toEqual(ok);
        expect(await store.createReport(makeReport(A_CMP, "rc-01"), [], quotas)).toEqual(ok);
        // Deactivating a report frees a slot.
        const r1 = (await store.getReport(A, "ra-01"))!;
        expect(await store.updateReport({ ...r1, status: "Inactive" })).toBe(true);
        expect(await store.createReport(r4, [], quotas)).toEqual(ok);
      });

      it("checks the active-report quota atomically under concurrent creates", async () => {
        const quotas: ReportQuotas = { ...roomyQuotas(), maxActiveReports: 3 };
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) => {
            const r = makeReport(A, `ra-${String(i).padStart(2, "0")}`);
            return store.createReport(
              r,
              [makeExecution(r, `ea-${String(i).padStart(2, "0")}`, at(HOUR))],
              quotas,
            );
          }),
        );
        expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
        const reports = (await store.listReports(A, {}, { limit: 100 })).items;
        expect(reports).toHaveLength(3);
        expect(await allExecutions(A, ids(reports))).toHaveLength(3);
      });

      it("refuses an ExecuteNow report at the window quota; the window is (now - window, now]", async () => {
        const now = at(10 * HOUR);
        const quotas: ReportQuotas = {
          maxActiveReports: 100,
          maxExecuteNow: 2,
          executeNowWindowMs: HOUR,
          now,
        };
        // Exactly one window old: outside.
        await addReport(makeReport(A, "ra-01", { executeNow: true, createdTime: at(9 * HOUR) }));
        // Inside, and counted although it has finished (Inactive).
        await addReport(
          makeReport(A, "ra-02", { executeNow: true, status: "Inactive", createdTime: at(9.5 * HOUR) }),
        );
        // Not an ExecuteNow report.
        await addReport(makeReport(A, "ra-03", { executeNow: false, createdTime: at(10 * HOUR - 1) }));
        // Another scope's ExecuteNow report.
        await addReport(makeReport(B, "rb-01", { executeNow: true, createdTime: at(10 * HOUR - 1) }));

        const en = (id: string) => makeReport(A, id, { executeNow: true, createdTime: now });
        expect(await store.createReport(en("ra-04"), [], quotas)).toEqual({ ok: true });
        // One more fits once ra-02 has left the window.
        expect(await store.createReport(en("ra-05"), [], quotas)).toEqual({
          ok: false,
          reason: "executeNow",
          nextAllowedAt: at(10.5 * HOUR),
        });
        // With the limit lowered under the count, the oldest that must leave is the second.
        expect(await store.createReport(en("ra-05"), [], { ...quotas, maxExecuteNow: 1 })).toEqual({
          ok: false,
          reason: "executeNow",
          nextAllowedAt: at(11 * HOUR),
        });
        expect(await store.getReport(A, "ra-05")).toBeUndefined();
        // Scheduled reports are not limited by the ExecuteNow quota.
        expect(await store.createReport(makeReport(A, "ra-06", { createdTime: now }), [], quotas)).toEqual({
          ok: true,
        });
        // Later, the window has moved past ra-02 and ra-04 is the only one left inside.
        const later: ReportQuotas = { ...quotas, now: at(10.5 * HOUR) };
        expect(await store.createReport(en("ra-05"), [], later)).toEqual({ ok: true });
        // Another scope is counted separately.
        expect(
          await store.createReport(
            makeReport(A_CMP, "rc-01", { executeNow: true, createdTime: now }),
            [],
            quotas,
          ),
        ).toEqual({ ok: true });
      });

      it("checks both quotas: an ExecuteNow report over both is refused for activeReports", async () => {
        const quotas: ReportQuotas = { ...roomyQuotas(), maxActiveReports: 1, maxExecuteNow: 1 };
        await store.createReport(makeReport(A, "ra-01", { executeNow: true }), [], quotas);
        expect(await store.createReport(makeReport(A, "ra-02", { executeNow: true }), [], quotas)).toEqual({
          ok: false,
          reason: "activeReports",
        });
        // Only the ExecuteNow limit binds once the first report is Inactive.
        const first = (await store.getReport(A, "ra-01"))!;
        await store.updateReport({ ...first, status: "Inactive" });
        expect(await store.createReport(makeReport(A, "ra-02", { executeNow: true }), [], quotas)).toEqual({
          ok: false,
          reason: "executeNow",
          nextAllowedAt: new Date(first.createdTime.getTime() + quotas.executeNowWindowMs),
        });
        expect(await store.createReport(makeReport(A, "ra-02"), [], quotas)).toEqual({ ok: true });
      });

      it("pages in (createdTime, id) order with next only while more follow", async () => {
        const reports = [
          makeReport(A, "ra-05", { createdTime: at(2) }),
          makeReport(A, "ra-02", { createdTime: at(1) }),
          makeReport(A, "ra-04", { createdTime: at(0) }),
          makeReport(A, "ra-01", { createdTime: at(1) }),
          makeReport(A, "ra-03", { createdTime: at(0) }),
          makeReport(B, "rb-01", { createdTime: at(0) }),
        ];
        for (const r of reports) await addReport(r);
        const pages = await readPages((p) => store.listReports(A, {}, p), 2);
        expect(pages.map(ids)).toEqual([["ra-03", "ra-04"], ["ra-01", "ra-02"], ["ra-05"]]);
        expect(pages.flat()).toEqual(reports.filter((r) => r.tenant === A.tenant).sort(byCreatedThenId));
        const one = await readPages((p) => store.listReports(A, {}, p), 1);
        expect(one.map(ids)).toEqual([["ra-03"], ["ra-04"], ["ra-01"], ["ra-02"], ["ra-05"]]);
      });

      it("lists only the scope's reports", async () => {
        await addReport(makeReport(A, "ra-01"));
        await addReport(makeReport(B, "rb-01"));
        await addReport(makeReport(A_CMP, "rc-01"));
        expect(ids((await store.listReports(A, {}, { limit: 10 })).items)).toEqual(["ra-01"]);
        expect(ids((await store.listReports(B, {}, { limit: 10 })).items)).toEqual(["rb-01"]);
        expect(ids((await store.listReports(A_CMP, {}, { limit: 10 })).items)).toEqual(["rc-01"]);
        const empty = await store.listReports({ tenant: "tenant-z", program: "mpn" }, {}, { limit: 10 });
        expect(empty).toEqual({ items: [] });
      });

      it("filters by ids (unknown and other scopes' ids match nothing; an empty list matches nothing)", async () => {
        for (let i = 1; i <= 4; i++) await addReport(makeReport(A, `ra-0${i}`, { createdTime: at(i) }));
        await addReport(makeReport(B, "rb-01"));
        const list = async (filterIds: string[]) =>
          ids((await store.listReports(A, { ids: filterIds }, { limit: 10 })).items);
        expect(await list(["ra-03", "ra-01"])).toEqual(["ra-01", "ra-03"]);
        expect(await list(["ra-02", "rb-01", "nope"])).toEqual(["ra-02"]);
        expect(await list(["rb-01"])).toEqual([]);
        expect(await list([])).toEqual([]);
        const pages = await readPages(
          (p) => store.listReports(A, { ids: ["ra-01", "ra-02", "ra-04"] }, p),
          2,
        );
        expect(pages.map(ids)).toEqual([["ra-01", "ra-02"], ["ra-04"]]);
      });

      it("filters by name (case-insensitively) and by queryId, combined with AND", async () => {
        await addReport(makeReport(A, "ra-01", { name: "Daily Orders", queryId: "q-1", createdTime: at(1) }));
        await addReport(makeReport(A, "ra-02", { name: "Daily Orders", queryId: "q-2", createdTime: at(2) }));
        await addReport(
          makeReport(A, "ra-03", { name: "Énorme Rapport", queryId: "q-1", createdTime: at(3) }),
        );
        await addReport(makeReport(B, "rb-01", { name: "Daily Orders", queryId: "q-1" }));
        const list = async (filter: Parameters<MetadataStore["listReports"]>[1]) =>
          ids((await store.listReports(A, filter, { limit: 10 })).items);
        expect(await list({ name: "daily orders" })).toEqual(["ra-01", "ra-02"]);
        expect(await list({ name: "ÉNORME RAPPORT" })).toEqual(["ra-03"]);
        expect(await list({ name: "Daily" })).toEqual([]);
        expect(await list({ queryId: "q-1" })).toEqual(["ra-01", "ra-03"]);
        expect(await list({ queryId: "q-3" })).toEqual([]);
        expect(await list({ name: "Daily Orders", queryId: "q-2" })).toEqual(["ra-02"]);
        expect(await list({ ids: ["ra-01", "ra-03"], queryId: "q-1", name: "énorme rapport" })).toEqual([
          "ra-03",
        ]);
      });

      it("counts the scope's reports using a query, ignoring Inactive ones", async () => {
        await addReport(makeReport(A, "ra-01", { queryId: "q-1", status: "Active" }));
        await addReport(makeReport(A, "ra-02", { queryId: "q-1", status: "Paused" }));
        await addReport(makeReport(A, "ra-03", { queryId: "q-1", status: "Inactive" }));
        await addReport(makeReport(A, "ra-04", { queryId: "q-2" }));
        await addReport(makeReport(B, "rb-01", { queryId: "q-1" }));
        await addReport(makeReport(A_CMP, "rc-01", { queryId: "q-1" }));
        expect(await store.countReportsUsingQuery(A, "q-1")).toBe(2);
        expect(await store.countReportsUsingQuery(A, "q-2")).toBe(1);
        expect(await store.countReportsUsingQuery(A, "q-9")).toBe(0);
        expect(await store.countReportsUsingQuery(B, "q-1")).toBe(1);
        expect(await store.countReportsUsingQuery(A_CMP, "q-2")).toBe(0);
      });

      it("replaces a report row and reports whether it existed", async () => {
        const r = await addReport(
          makeReport(A, "ra-01", { name: "Before", callbackUrl: "https://a/b", callbackMethod: "GET" }),
        );
        const changed: StoredReport = {
          ...r,
          name: "After Ü",
          description: "new",
          status: "Paused",
          recurrenceCount: 3,
          executeNow: true,
          callbackUrl: null,
          callbackMethod: null,
          queryStartTime: at(-HOUR),
          queryEndTime: at(HOUR),
          format: "tsv",
          compression: "gzip",
          modifiedTime: new Date("2024-05-02T03:04:05.678Z"),
        };
        expect(await store.updateReport(changed)).toBe(true);
        expect(await store.getReport(A, r.id)).toEqual(changed);
        // The name filter follows the new name.
        expect(ids((await store.listReports(A, { name: "after ü" }, { limit: 5 })).items)).toEqual([r.id]);
        expect((await store.listReports(A, { name: "before" }, { limit: 5 })).items).toEqual([]);
        // And back to nulls/false.
        expect(await store.updateReport(r)).toBe(true);
        expect(await store.getReport(A, r.id)).toEqual(r);
      });

      it("does not update a missing report or another scope's report", async () => {
        const r = await addReport(makeReport(A, "ra-01", { name: "Mine" }));
        expect(await store.updateReport(makeReport(A, "ra-99"))).toBe(false);
        expect(await store.getReport(A, "ra-99")).toBeUndefined();
        expect(await store.updateReport({ ...r, tenant: B.tenant, name: "Stolen" })).toBe(false);
        expect(await store.updateReport({ ...r, program: "cmp", name: "Stolen" })).toBe(false);
        expect(await store.getReport(A, r.id)).toEqual(r);
        expect(await store.getReport(B, r.id)).toBeUndefined();
      });

      it("deletes a report with its executions and returns their non-null file keys", async () => {
        const r1 = makeReport(A, "ra-01");
        const r2 = makeReport(A, "ra-02");
        await addReport(r1, [
          makeExecution(r1, "ea-01", at(HOUR), { status: "Completed", fileKey: "files/ea-01.csv" }),
          makeExecution(r1, "ea-02", at(2 * HOUR), { status: "Failed" }),
        ]);
        await store.createExecutions([
          makeExecution(r1, "ea-03", at(3 * HOUR), { status: "Completed", fileKey: "files/ea-03.csv.gz" }),
        ]);
        await addReport(r2, [makeExecution(r2, "ea-04", at(HOUR), { fileKey: "files/ea-04.csv" })]);

        const result = await store.deleteReport(A, r1.id);
        expect(result.deleted).toBe(true);
        expect([...result.fileKeys].sort()).toEqual(["files/ea-01.csv", "files/ea-03.csv.gz"]);
        expect(await store.getReport(A, r1.id)).toBeUndefined();
        expect(await allExecutions(A, [r1.id])).toEqual([]);
        // The other report and its executions are untouched.
        expect(await store.getReport(A, r2.id)).toEqual(r2);
        expect(ids(await allExecutions(A, [r2.id]))).toEqual(["ea-04"]);
        // Deleting again is a miss.
        expect(await store.deleteReport(A, r1.id)).toEqual({ deleted: false, fileKeys: [] });
        // The slots are free again if the report id came back.
        await addReport(r1, [makeExecution(r1, "ea-05", at(HOUR))]);
        expect(ids(await allExecutions(A, [r1.id]))).toEqual(["ea-05"]);
      });

      it("returns every part's file key of a result in parts, and round-trips MaxFileSizeMB", async () => {
        const r = { ...makeReport(A, "ra-01"), maxFileSizeMB: 100 };
        await addReport(r, [
          makeExecution(r, "ea-01", at(HOUR), {
            status: "Completed",
            fileKey: "f/ea-01.part-0001.csv",
            parts: PARTS,
          }),
        ]);
        expect(await store.getReport(A, r.id)).toEqual(r);
        expect((await allExecutions(A, [r.id]))[0]?.parts).toEqual(PARTS);
        const result = await store.deleteReport(A, r.id);
        expect(result.fileKeys).toEqual(PARTS.map((part) => part.fileKey));
      });

      it("deletes a report without executions", async () => {
        await addReport(makeReport(A, "ra-01"));
        expect(await store.deleteReport(A, "ra-01")).toEqual({ deleted: true, fileKeys: [] });
      });

      it("does not delete another scope's report or its executions", async () => {
        const r = makeReport(A, "ra-01");
        await addReport(r, [makeExecution(r, "ea-01", at(HOUR), { fileKey: "k" })]);
        expect(await store.deleteReport(B, r.id)).toEqual({ deleted: false, fileKeys: [] });
        expect(await store.deleteReport(A_CMP, r.id)).toEqual({ deleted: false, fileKeys: [] });
        expect(await store.deleteReport(A, "ra-99")).toEqual({ deleted: false, fileKeys: [] });
        expect(await store.getReport(A, r.id)).toEqual(r);
        expect(ids(await allExecutions(A, [r.id]))).toEqual(["ea-01"]);
      });
    });

    describe("executions", () => {
      it("round-trips every field with values, to the millisecond", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const e = makeExecution(r, "ea-01", new Date("2024-05-02T00:00:00.001Z"), {
          windowStart: new Date("2024-04-01T00:00:00.000Z"),
          windowEnd: new Date("2024-05-01T23:59:59.999Z"),
          status: "Completed",
          leaseOwner: "worker-1 ☃",
          leaseExpiresAt: new Date("2024-05-02T00:05:00.002Z"),
          attempts: 3,
          nextAttemptAt: new Date("2024-05-02T00:01:00.003Z"),
          fileKey: "tenant-a/mpn/ra-01/ea-01.csv.gz",
          rowCount: 1_234_567,
          bytes: 2 ** 40 + 7,
          sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          generatedTime: new Date("2024-05-02T00:02:03.004Z"),
          failureCode: "timeout",
          failureReason: "Le délai a expiré — 時間切れ",
          skippedSlots: 17,
          createdTime: new Date("2024-05-01T23:00:00.005Z"),
          modifiedTime: new Date("2024-05-02T00:02:03.006Z"),
        });
        expect(await store.createExecutions([e])).toBe(1);
        const [got] = await allExecutions(A, [r.id]);
        expect(got).toEqual(e);
        expect(got?.bytes).toBe(2 ** 40 + 7);
        expect(got?.leaseExpiresAt?.toISOString()).toBe("2024-05-02T00:05:00.002Z");
      });

      it("round-trips every nullable field as null, and zero counts as zero", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const nulls = makeExecution(r, "ea-01", at(HOUR));
        const zeros = makeExecution(r, "ea-02", at(2 * HOUR), {
          createdTime: at(1),
          status: "Completed",
          rowCount: 0,
          bytes: 0,
          attempts: 0,
          fileKey: "",
          failureReason: "",
          skippedSlots: 0,
        });
        expect(await store.createExecutions([nulls, zeros])).toBe(2);
        const got = await allExecutions(A, [r.id]);
        expect(got).toEqual([nulls, zeros]);
        expect(got[0]?.windowStart).toBeNull();
        expect(got[0]?.rowCount).toBeNull();
        expect(got[1]?.rowCount).toBe(0);
        expect(got[1]?.fileKey).toBe("");
      });

      it("round-trips every status", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const statuses: ExecutionStatus[] = ["Pending", "Running", "Paused", "Completed", "Failed"];
        const executions = statuses.map((status, i) =>
          makeExecution(r, `ea-0${i}`, at(i * HOUR), { status, createdTime: at(i) }),
        );
        expect(await store.createExecutions(executions)).toBe(5);
        expect((await allExecutions(A, [r.id])).map((e) => e.status)).toEqual(statuses);
      });

      it("skips an execution whose (reportId, scheduledTime) exists and counts only inserts", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const original = makeExecution(r, "ea-01", at(HOUR), { status: "Running", attempts: 1 });
        expect(await store.createExecutions([original])).toBe(1);
        // Same slot, new id (a second scheduler, a restart): skipped, not an error.
        expect(await store.createExecutions([makeExecution(r, "ea-99", at(HOUR))])).toBe(0);
        // A batch mixing new slots and a taken one.
        const batch = [
          makeExecution(r, "ea-02", at(2 * HOUR), { createdTime: at(1) }),
          makeExecution(r, "ea-98", at(HOUR), { createdTime: at(1) }),
          makeExecution(r, "ea-03", at(3 * HOUR), { createdTime: at(2) }),
        ];
        expect(await store.createExecutions(batch)).toBe(2);
        const stored = await allExecutions(A, [r.id]);
        expect(ids(stored)).toEqual(["ea-01", "ea-02", "ea-03"]);
        // The first execution of the slot is kept as it was.
        expect(stored[0]).toEqual(original);
        // Exactly the same batch again inserts nothing.
        expect(await store.createExecutions(batch)).toBe(0);
      });

      it("keeps the first of two executions for one slot within a batch", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const n = await store.createExecutions([
          makeExecution(r, "ea-01", at(HOUR)),
          makeExecution(r, "ea-02", at(HOUR)),
        ]);
        expect(n).toBe(1);
        expect(ids(await allExecutions(A, [r.id]))).toEqual(["ea-01"]);
      });

      it("uses the same slot time for different reports independently", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(A, "ra-02"));
        expect(
          await store.createExecutions([
            makeExecution(r1, "ea-01", at(HOUR)),
            makeExecution(r2, "ea-02", at(HOUR)),
          ]),
        ).toBe(2);
      });

      it("inserts nothing for an empty batch", async () => {
        expect(await store.createExecutions([])).toBe(0);
      });

      it("skips executions of an unknown report or of a report in another scope", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const ghost = makeReport(A, "ra-99");
        const foreign = { ...makeReport(B, "ra-01") };
        const n = await store.createExecutions([
          makeExecution(ghost, "ea-01", at(HOUR)),
          makeExecution(foreign, "ea-02", at(HOUR)),
          makeExecution({ ...r, program: "cmp" }, "ea-03", at(HOUR)),
          makeExecution(r, "ea-04", at(HOUR)),
        ]);
        expect(n).toBe(1);
        expect(ids(await allExecutions(A, [r.id, ghost.id]))).toEqual(["ea-04"]);
        expect(await allExecutions(B, [r.id])).toEqual([]);
        expect(await allExecutions(A_CMP, [r.id])).toEqual([]);
      });

      it("pages in (createdTime, id) order, not by scheduled time", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const executions = [
          makeExecution(r, "ea-05", at(1 * HOUR), { createdTime: at(2) }),
          makeExecution(r, "ea-02", at(2 * HOUR), { createdTime: at(1) }),
          makeExecution(r, "ea-04", at(3 * HOUR), { createdTime: at(0) }),
          makeExecution(r, "ea-01", at(4 * HOUR), { createdTime: at(1) }),
          makeExecution(r, "ea-03", at(5 * HOUR), { createdTime: at(0) }),
        ];
        expect(await store.createExecutions(executions)).toBe(5);
        const pages = await readPages((p) => store.listExecutions(A, { reportIds: [r.id] }, p), 2);
        expect(pages.map(ids)).toEqual([["ea-03", "ea-04"], ["ea-01", "ea-02"], ["ea-05"]]);
        expect(pages.flat()).toEqual([...executions].sort(byCreatedThenId));
        const exact = await readPages((p) => store.listExecutions(A, { reportIds: [r.id] }, p), 5);
        expect(exact.map(ids)).toEqual([["ea-03", "ea-04", "ea-01", "ea-02", "ea-05"]]);
      });

      it("filters by reportIds, within the scope; an empty list matches nothing", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(A, "ra-02"));
        const rb = await addReport(makeReport(B, "rb-01"));
        await store.createExecutions([
          makeExecution(r1, "ea-01", at(HOUR), { createdTime: at(1) }),
          makeExecution(r2, "ea-02", at(HOUR), { createdTime: at(2) }),
          makeExecution(rb, "eb-01", at(HOUR), { createdTime: at(3) }),
        ]);
        expect(ids(await allExecutions(A, [r1.id]))).toEqual(["ea-01"]);
        expect(ids(await allExecutions(A, [r1.id, r2.id]))).toEqual(["ea-01", "ea-02"]);
        expect(ids(await allExecutions(A, [r1.id, rb.id, "nope"]))).toEqual(["ea-01"]);
        expect(await allExecutions(A, [])).toEqual([]);
        expect(await allExecutions(B, [r1.id, r2.id])).toEqual([]);
        expect(await allExecutions(A_CMP, [r1.id])).toEqual([]);
        expect(ids(await allExecutions(B, [rb.id]))).toEqual(["eb-01"]);
      });

      it("filters by executionIds, statuses and since (inclusive); empty lists match nothing", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        await store.createExecutions([
          makeExecution(r, "ea-01", at(1 * HOUR), { createdTime: at(1), status: "Completed" }),
          makeExecution(r, "ea-02", at(2 * HOUR), { createdTime: at(2), status: "Failed" }),
          makeExecution(r, "ea-03", at(3 * HOUR), { createdTime: at(3), status: "Pending" }),
          makeExecution(r, "ea-04", at(4 * HOUR), { createdTime: at(4), status: "Completed" }),
        ]);
        const list = async (filter: Omit<Parameters<MetadataStore["listExecutions"]>[1], "reportIds">) =>
          ids((await store.listExecutions(A, { reportIds: [r.id], ...filter }, { limit: 10 })).items);
        expect(await list({ executionIds: ["ea-04", "ea-02", "eb-99"] })).toEqual(["ea-02", "ea-04"]);
        expect(await list({ executionIds: [] })).toEqual([]);
        expect(await list({ statuses: ["Completed"] })).toEqual(["ea-01", "ea-04"]);
        expect(await list({ statuses: ["Failed", "Pending"] })).toEqual(["ea-02", "ea-03"]);
        expect(await list({ statuses: ["Running"] })).toEqual([]);
        expect(await list({ statuses: [] })).toEqual([]);
        expect(await list({ since: at(2 * HOUR) })).toEqual(["ea-02", "ea-03", "ea-04"]);
        expect(await list({ since: at(2 * HOUR + 1) })).toEqual(["ea-03", "ea-04"]);
        expect(await list({ since: at(5 * HOUR) })).toEqual([]);
        expect(
          await list({ since: at(2 * HOUR), statuses: ["Completed"], executionIds: ["ea-01", "ea-04"] }),
        ).toEqual(["ea-04"]);
      });

      it("latestOnly keeps the latest matching execution (by scheduled time) of each report", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(A, "ra-02"));
        const r3 = await addReport(makeReport(A, "ra-03"));
        await store.createExecutions([
          // createdTime order is the reverse of scheduled order for r1.
          makeExecution(r1, "ea-11", at(1 * HOUR), { createdTime: at(30), status: "Completed" }),
          makeExecution(r1, "ea-12", at(2 * HOUR), { createdTime: at(20), status: "Completed" }),
          makeExecution(r1, "ea-13", at(3 * HOUR), { createdTime: at(10), status: "Pending" }),
          makeExecution(r2, "ea-21", at(1 * HOUR), { createdTime: at(1), status: "Completed" }),
          makeExecution(r2, "ea-22", at(2 * HOUR), { createdTime: at(2), status: "Failed" }),
          makeExecution(r3, "ea-31", at(1 * HOUR), { createdTime: at(5), status: "Pending" }),
        ]);
        const list = async (filter: Omit<Parameters<MetadataStore["listExecutions"]>[1], "reportIds">) =>
          ids(
            (
              await store.listExecutions(
                A,
                { reportIds: [r1.id, r2.id, r3.id], latestOnly: true, ...filter },
                { limit: 10 },
              )
            ).items,
          );
        expect(await list({})).toEqual(["ea-22", "ea-31", "ea-13"]);
        // The latest among the matching ones, not the latest overall.
        expect(await list({ statuses: ["Completed"] })).toEqual(["ea-21", "ea-12"]);
        expect(await list({ since: at(2 * HOUR) })).toEqual(["ea-22", "ea-13"]);
        expect(await list({ executionIds: ["ea-11", "ea-12", "ea-31"] })).toEqual(["ea-31", "ea-12"]);
        expect(await list({ latestOnly: false, statuses: ["Pending"] })).toEqual(["ea-31", "ea-13"]);
        // Paged.
        const pages = await readPages(
          (p) => store.listExecutions(A, { reportIds: [r1.id, r2.id, r3.id], latestOnly: true }, p),
          2,
        );
        expect(pages.map(ids)).toEqual([["ea-22", "ea-31"], ["ea-13"]]);
        // Scoped.
        expect(
          (await store.listExecutions(B, { reportIds: [r1.id], latestOnly: true }, { limit: 5 })).items,
        ).toEqual([]);
      });

      it("latestOnly over many reports and long id lists (several statements), paged", async () => {
        const reports: StoredReport[] = [];
        const executions: StoredExecution[] = [];
        for (let n = 10; n < 130; n++) {
          const r = await addReport(makeReport(A, `ra-${n}`));
          reports.push(r);
          for (const slot of [1, 2, 3]) {
            executions.push(
              makeExecution(r, `ea-${n}-${slot}`, at(slot * HOUR), { createdTime: at(n * 10 + slot) }),
            );
          }
        }
        await store.createExecutions(executions);
        // The second slot of every report, named among 240 ids: it is the latest that matches.
        const named = executions.filter((e) => !e.id.endsWith("-3")).map((e) => e.id);
        const pages = await readPages(
          (p) =>
            store.listExecutions(
              A,
              { reportIds: reports.map((r) => r.id), executionIds: named, latestOnly: true },
              p,
            ),
          50,
        );
        expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
        expect(pages.flat().map((e) => e.id)).toEqual(reports.map((r) => `${r.id.replace("ra-", "ea-")}-2`));
      });

      it("sets the status only of the report's executions in one of the given statuses", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(A, "ra-02"));
        const before = [
          makeExecution(r1, "ea-01", at(1 * HOUR), { createdTime: at(1), status: "Pending" }),
          makeExecution(r1, "ea-02", at(2 * HOUR), { createdTime: at(2), status: "Pending" }),
          makeExecution(r1, "ea-03", at(3 * HOUR), { createdTime: at(3), status: "Running" }),
          makeExecution(r1, "ea-04", at(4 * HOUR), {
            createdTime: at(4),
            status: "Completed",
            modifiedTime: at(5),
          }),
          makeExecution(r2, "ea-05", at(1 * HOUR), { createdTime: at(5), status: "Pending" }),
        ];
        await store.createExecutions(before);
        const pausedAt = new Date("2024-05-03T10:11:12.013Z");
        expect(await store.setExecutionStatus(A, r1.id, ["Pending"], "Paused", pausedAt)).toBe(2);
        const after = await allExecutions(A, [r1.id, r2.id]);
        expect(after).toEqual([
          { ...before[0], status: "Paused", modifiedTime: pausedAt },
          { ...before[1], status: "Paused", modifiedTime: pausedAt },
          before[2],
          before[3],
          before[4],
        ]);
        // Nothing left to move; an empty `from` moves nothing.
        expect(await store.setExecutionStatus(A, r1.id, ["Pending"], "Paused", pausedAt)).toBe(0);
        expect(await store.setExecutionStatus(A, r1.id, [], "Paused", pausedAt)).toBe(0);
        // Several source statuses at once.
        const resumedAt = at(10 * HOUR);
        expect(await store.setExecutionStatus(A, r1.id, ["Paused", "Running"], "Pending", resumedAt)).toBe(3);
        expect(
          (await allExecutions(A, [r1.id])).map((e) => [e.id, e.status, e.modifiedTime?.getTime()]),
        ).toEqual([
          ["ea-01", "Pending", resumedAt.getTime()],
          ["ea-02", "Pending", resumedAt.getTime()],
          ["ea-03", "Pending", resumedAt.getTime()],
          ["ea-04", "Completed", at(5).getTime()],
        ]);
      });

      it("deletes a report's waiting executions: Pending or Paused, never attempted", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(A, "ra-02"));
        const e = (id: string, hour: number, overrides: Partial<StoredExecution>) =>
          makeExecution(r1, id, at(hour * HOUR), { createdTime: at(hour), ...overrides });
        await store.createExecutions([
          e("ea-01", 1, { status: "Pending" }),
          e("ea-02", 2, { status: "Paused" }),
          e("ea-03", 3, { status: "Pending", attempts: 1, failureCode: "timeout" }),
          e("ea-04", 4, { status: "Paused", attempts: 2 }),
          e("ea-05", 5, { status: "Running", attempts: 0, leaseOwner: "w" }),
          e("ea-06", 6, { status: "Completed", attempts: 1, fileKey: "k" }),
          e("ea-07", 7, { status: "Failed", attempts: 0 }),
          makeExecution(r2, "ea-08", at(HOUR), { createdTime: at(8), status: "Pending" }),
        ]);
        expect(await store.deleteWaitingExecutions(B, r1.id)).toBe(0);
        expect(await store.deleteWaitingExecutions(A_CMP, r1.id)).toBe(0);
        expect(await store.deleteWaitingExecutions(A, "ra-99")).toBe(0);
        expect(await store.deleteWaitingExecutions(A, r1.id)).toBe(2);
        expect(ids(await allExecutions(A, [r1.id, r2.id]))).toEqual([
          "ea-03",
          "ea-04",
          "ea-05",
          "ea-06",
          "ea-07",
          "ea-08",
        ]);
        expect(await store.deleteWaitingExecutions(A, r1.id)).toBe(0);
        // The freed slot can be scheduled again.
        expect(await store.createExecutions([e("ea-09", 1, { status: "Pending" })])).toBe(1);
      });

      it("finds one execution of a tenant in any program, and none of another tenant", async () => {
        const ra = await addReport(makeReport(A, "ra-01"));
        const rc = await addReport(makeReport(A_CMP, "rc-01"));
        const ea = makeExecution(ra, "ea-01", at(HOUR), {
          status: "Completed",
          fileKey: "k",
          skippedSlots: 3,
        });
        const ec = makeExecution(rc, "ec-01", at(HOUR));
        await store.createExecutions([ea, ec]);
        expect(await store.findExecution(A.tenant, ea.id)).toEqual(ea);
        expect(await store.findExecution(A_CMP.tenant, ec.id)).toEqual(ec);
        expect(await store.findExecution(B.tenant, ea.id)).toBeUndefined();
        expect(await store.findExecution(A.tenant, "nope")).toBeUndefined();
      });

      it("does not set statuses through another scope or an unknown report", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const e = makeExecution(r, "ea-01", at(HOUR));
        await store.createExecutions([e]);
        expect(await store.setExecutionStatus(B, r.id, ["Pending"], "Paused", at(1))).toBe(0);
        expect(await store.setExecutionStatus(A_CMP, r.id, ["Pending"], "Paused", at(1))).toBe(0);
        expect(await store.setExecutionStatus(A, "ra-99", ["Pending"], "Paused", at(1))).toBe(0);
        expect(await allExecutions(A, [r.id])).toEqual([e]);
      });
    });

    // ── the execution queue ─────────────────────────────────────────────────

    /** The stored row of one execution (through the scoped list). */
    async function stored(e: StoredExecution): Promise<StoredExecution | undefined> {
      const page = await store.listExecutions(
        e,
        { reportIds: [e.reportId], executionIds: [e.id] },
        { limit: 1 },
      );
      return page.items[0];
    }

    /** `n` Pending executions of one report, due every minute from at(HOUR). */
    async function dueExecutions(report: StoredReport, n: number, prefix = "ea"): Promise<StoredExecution[]> {
      const executions = Array.from({ length: n }, (_, i) =>
        makeExecution(report, `${prefix}-${String(i).padStart(3, "0")}`, at(HOUR + i * MINUTE), {
          createdTime: at(i),
        }),
      );
      expect(await store.createExecutions(executions)).toBe(n);
      return executions;
    }

    function completed(atTime: Date, fileKey = "files/x.csv"): ExecutionOutcome {
      return {
        status: "Completed",
        at: atTime,
        fileKey,
        rowCount: 42,
        bytes: 4096,
        sha256: "ab".repeat(32),
        windowStart: at(-30 * 24 * HOUR),
        windowEnd: at(0),
      };
    }

    it("keeps a program a catalog file defines, with its queries, reports, executions and callbacks", async () => {
      const scope: Scope = { tenant: "tenant-a", program: "acme-sales" };
      const q = await addQuery(makeQuery(scope, "q-acme"));
      expect(await store.getQuery(scope, q.id)).toEqual(q);
      expect(await store.getQuery(A, q.id)).toBeUndefined();
      const r = await addReport(makeReport(scope, "r-acme"));
      expect(await store.getReport(scope, r.id)).toEqual(r);
      const [e] = await dueExecutions(r, 1);
      const [claimed] = await store.claimExecutions("w", at(DAY), 1_000, 1);
      expect(claimed?.program).toBe("acme-sales");
      const delivery = makeDelivery(e!, "d-acme", at(DAY + 1));
      expect(await store.finishExecution(e!.id, "w", completed(at(DAY + 1)), delivery)).toBe(true);
      const [stored] = await store.listDeliveries(scope, [e!.id]);
      expect(stored).toMatchObject({ id: delivery.id, program: "acme-sales", url: delivery.url });
    });

    describe("test clocks and fault rules (the stand-in)", () => {
      const clock = (
        scope: Scope,
        id: string,
        overrides: Partial<StoredTestClock> = {},
      ): StoredTestClock => ({
        id,
        tenant: scope.tenant,
        program: scope.program,
        name: `Clock ${id}`,
        frozenTime: at(DAY),
        status: "Ready",
        createdTime: at(0),
        modifiedTime: null,
        ...overrides,
      });

      it("round-trips clocks within their scope, lists them in creation order, updates and deletes them", async () => {
        const first = clock(A, "ca-01", { createdTime: at(2) });
        const second = clock(A, "ca-02", { createdTime: at(1), status: "Advancing", modifiedTime: at(3) });
        await store.createTestClock(first);
        await store.createTestClock(second);
        await store.createTestClock(clock(B, "cb-01"));
        expect(await store.getTestClock(A, "ca-01")).toEqual(first);
        expect(await store.getTestClock(B, "ca-01")).toBeUndefined();
        expect(await store.getTestClock(A_CMP, "ca-01")).toBeUndefined();
        expect(await store.listTestClocks(A)).toEqual([second, first]);
        const moved = {
          ...first,
          frozenTime: at(3 * DAY),
          status: "Advancing" as const,
          modifiedTime: at(5),
        };
        expect(await store.updateTestClock(moved)).toBe(true);
        expect(await store.getTestClock(A, "ca-01")).toEqual(moved);
        expect(await store.updateTestClock({ ...moved, tenant: B.tenant })).toBe(false);
        expect(await store.deleteTestClock(B, "ca-01")).toBe(false);
        expect(await store.deleteTestClock(A, "ca-01")).toBe(true);
        expect(await store.getTestClock(A, "ca-01")).toBeUndefined();
      });

      it("round-trips a report's test clock and lists a clock's reports within the scope", async () => {
        const onClock = await addReport(makeReport(A, "ra-01", { testClockId: "ca-01" }));
        await addReport(makeReport(A, "ra-02"));
        await addReport(makeReport(B, "rb-01", { testClockId: "ca-01" }));
        expect(await store.getReport(A, onClock.id)).toEqual(onClock);
        expect(ids(await store.listClockReports(A, "ca-01"))).toEqual(["ra-01"]);
        expect(await store.listClockReports(A, "ca-02")).toEqual([]);
      });

      it("keeps a test clock's executions through retention (their slots are on the clock's time)", async () => {
        const onClock = await addReport(makeReport(A, "ra-01", { testClockId: "ca-01" }));
        await store.createExecutions([
          makeExecution(onClock, "ea-01", at(HOUR), { status: "Completed" }),
          makeExecution(onClock, "ea-02", at(2 * HOUR), { status: "Completed" }),
        ]);
        expect(await store.purgeExecutions(at(DAY), 10)).toEqual([]);
        expect(ids(await allExecutions(A, [onClock.id]))).toEqual(["ea-01", "ea-02"]);
      });

      it("sets, replaces and clears the fault rules every process reads", async () => {
        expect(await store.getFaultRules()).toBeNull();
        await store.setFaultRules('[{"target":"execution"}]', at(0));
        expect(await store.getFaultRules()).toBe('[{"target":"execution"}]');
        await store.setFaultRules('[{"target":"callback"}]', at(1));
        expect(await store.getFaultRules()).toBe('[{"target":"callback"}]');
        await store.setFaultRules(null, at(2));
        expect(await store.getFaultRules()).toBeNull();
      });
    });

    describe("loads", () => {
      const load = (id: string, startedAt: Date, fields: Partial<StoredLoad> = {}): StoredLoad => ({
        ...startLoad(
          { id, program: "acme", dataset: "Orders", tenant: "tenant-a", mode: "append" },
          startedAt,
        ),
        ...fields,
      });

      it("round-trips a Running load and records its end once", async () => {
        const running = load("l-1", at(0));
        await store.createLoad(running);
        expect((await store.listLoads({}, { limit: 10 })).items).toEqual([running]);
        const outcome = {
          status: "Completed",
          at: at(5_000),
          rowCount: 5_000_000_000,
          bytes: 123_456_789_012,
        } as const;
        expect(await store.finishLoad("l-1", outcome)).toBe(true);
        const [completed] = (await store.listLoads({}, { limit: 10 })).items;
        expect(completed).toEqual(finishLoad(running, outcome));
        // Completed is final.
        expect(
          await store.finishLoad("l-1", { status: "Failed", at: at(6_000), reason: "late", bytes: null }),
        ).toBe(false);
        expect(await store.finishLoad("unknown", outcome)).toBe(false);
        expect((await store.listLoads({}, { limit: 10 })).items).toEqual([completed]);
      });

      it("records a failure with its reason", async () => {
        await store.createLoad(load("l-1", at(0), { mode: "replace" }));
        const outcome = {
          status: "Failed",
          at: at(1_000),
          reason: "line 7, column Quantity: 'x' is not an integer",
          bytes: 99,
        } as const;
        expect(await store.finishLoad("l-1", outcome)).toBe(true);
        expect((await store.listLoads({}, { limit: 1 })).items[0]).toMatchObject({
          status: "Failed",
          mode: "replace",
          failureReason: outcome.reason,
          rowCount: null,
          bytes: 99,
          finishedAt: at(1_000),
        });
      });

      it("knows when each dataset of a tenant last had a load completed", async () => {
        const done = (id: string, atMs: number) =>
          store.finishLoad(id, { status: "Completed", at: at(atMs), rowCount: 1, bytes: 1 });
        await store.createLoad(load("l-1", at(0)));
        await store.createLoad(load("l-2", at(10)));
        await store.createLoad(load("l-3", at(20), { dataset: "Customers" }));
        await store.createLoad(load("l-4", at(30)));
        await store.createLoad(load("l-5", at(40), { tenant: "tenant-b" }));
        await done("l-1", 1_000);
        await done("l-2", 2_000);
        await store.finishLoad("l-3", { status: "Failed", at: at(3_000), reason: "bad", bytes: null });
        await done("l-5", 5_000);
        // l-4 is still Running: it counts only once it completes.
        expect(await store.lastLoadTimes("tenant-a", "acme")).toEqual(new Map([["Orders", at(2_000)]]));
        await done("l-4", 4_000);
        expect(await store.lastLoadTimes("tenant-a", "acme")).toEqual(new Map([["Orders", at(4_000)]]));
        expect(await store.lastLoadTimes("tenant-b", "acme")).toEqual(new Map([["Orders", at(5_000)]]));
        expect(await store.lastLoadTimes("tenant-a", "mpn")).toEqual(new Map());
      });

      it("lists newest first, by filters, in pages that continue after a cursor", async () => {
        await store.createLoad(load("l-a", at(1_000)));
        await store.createLoad(load("l-c", at(3_000), { tenant: "tenant-b" }));
        await store.createLoad(load("l-b2", at(2_000), { dataset: "Customers" }));
        await store.createLoad(load("l-b1", at(2_000)));
        await store.finishLoad("l-a", { status: "Completed", at: at(1_500), rowCount: 1, bytes: 1 });
        const all: string[] = [];
        let after: Cursor | undefined;
        do {
          const page = await store.listLoads({}, { limit: 2, ...(after ? { after } : {}) });
          all.push(...page.items.map((l) => l.id));
          after = page.next;
        } while (after);
        expect(all).toEqual(["l-c", "l-b2", "l-b1", "l-a"]);
        const ids = async (filter: LoadFilter) =>
          (await store.listLoads(filter, { limit: 10 })).items.map((l) => l.id);
        expect(await ids({ tenant: "tenant-b" })).toEqual(["l-c"]);
        expect(await ids({ dataset: "Customers" })).toEqual(["l-b2"]);
        expect(await ids({ status: "Completed" })).toEqual(["l-a"]);
        expect(await ids({ program: "acme", tenant: "tenant-a", status: "Running" })).toEqual([
          "l-b2",
          "l-b1",
        ]);
        expect(await ids({ program: "mpn" })).toEqual([]);
      });
    });

    describe("the execution queue", () => {
      it("claims due Pending executions oldest first: Running, leased, attempts + 1", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const e1 = makeExecution(r, "ea-01", at(2 * HOUR), { createdTime: at(1) });
        // Due at the same instant as e1: the id breaks the tie.
        const e0 = makeExecution(r, "ea-00", at(3 * HOUR), {
          nextAttemptAt: at(2 * HOUR),
          createdTime: at(2),
        });
        const e2 = makeExecution(r, "ea-02", at(HOUR), { createdTime: at(3), skippedSlots: 2 });
        // Due exactly at `now` counts; one millisecond later does not.
        const e3 = makeExecution(r, "ea-03", at(4 * HOUR), { createdTime: at(4) });
        const e4 = makeExecution(r, "ea-04", at(4 * HOUR + 1), { createdTime: at(5) });
        await store.createExecutions([e1, e0, e2, e3, e4]);

        const now = at(4 * HOUR);
        const claimed = await store.claimExecutions("worker-1", now, 30_000, 10);
        expect(ids(claimed)).toEqual(["ea-02", "ea-00", "ea-01", "ea-03"]);
        const leased = { status: "Running", leaseOwner: "worker-1", leaseExpiresAt: at(4 * HOUR + 30_000) };
        expect(claimed).toEqual(
          [e2, e0, e1, e3].map((e) => ({ ...e, ...leased, attempts: 1, modifiedTime: now })),
        );
        // What was returned is what is stored.
        for (const e of claimed) expect(await stored(e)).toEqual(e);
        expect(await stored(e4)).toEqual(e4);
        // Nothing else is due.
        expect(await store.claimExecutions("worker-2", now, 30_000, 10)).toEqual([]);
      });

      it("counts the queue: due Pending executions, the oldest due time, never-started overdue ones", async () => {
        expect(await store.queueStats(at(DAY), at(0))).toEqual({ due: 0, oldestDueAt: null, overdue: 0 });
        const r = await addReport(makeReport(A, "ra-01"));
        const other = await addReport(makeReport(B, "rb-01"));
        await store.createExecutions([
          // Due, never started, slot long ago: due and overdue.
          makeExecution(r, "ea-01", at(HOUR)),
          // A retry (started once), due since 3 h: due, not overdue.
          makeExecution(r, "ea-02", at(2 * HOUR), { attempts: 1, nextAttemptAt: at(3 * HOUR) }),
          // Not due yet.
          makeExecution(r, "ea-03", at(9 * HOUR)),
          // Another tenant's, due exactly now (counts) and slot at the overdue bound (counts).
          makeExecution(other, "eb-01", at(4 * HOUR)),
          // Paused and Running executions are not waiting to be claimed.
          makeExecution(r, "ea-04", at(30 * MINUTE), { status: "Paused" }),
        ]);
        expect(await store.queueStats(at(4 * HOUR), at(4 * HOUR))).toEqual({
          due: 3,
          oldestDueAt: at(HOUR),
          overdue: 2,
        });
        expect(await store.queueStats(at(4 * HOUR), at(2 * HOUR))).toMatchObject({ overdue: 1 });
        await store.claimExecutions("w", at(4 * HOUR), 60_000, 1);
        expect(await store.queueStats(at(4 * HOUR), at(4 * HOUR))).toEqual({
          due: 2,
          oldestDueAt: at(3 * HOUR),
          overdue: 1,
        });
      });

      it("claims at most `limit`, and the next call continues", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        await dueExecutions(r, 5);
        const now = at(DAY);
        expect(ids(await store.claimExecutions("w", now, 1_000, 2))).toEqual(["ea-000", "ea-001"]);
        expect(ids(await store.claimExecutions("w", now, 1_000, 2))).toEqual(["ea-002", "ea-003"]);
        expect(ids(await store.claimExecutions("w", now, 1_000, 2))).toEqual(["ea-004"]);
        expect(await store.claimExecutions("w", now, 1_000, 2)).toEqual([]);
      });

      it("rejects a non-positive limit or lease", async () => {
        await expect(store.claimExecutions("w", at(0), 1_000, 0)).rejects.toThrow(RangeError);
        await expect(store.claimExecutions("w", at(0), 0, 1)).rejects.toThrow(RangeError);
        await expect(store.claimExecutions("w", at(0), 1_000, 1.5)).rejects.toThrow(RangeError);
      });

      it("never claims Paused, Completed, Failed, a live lease, or an execution of a Paused report", async () => {
        const active = await addReport(makeReport(A, "ra-01"));
        const paused = await addReport(makeReport(A, "ra-02", { status: "Paused" }));
        const inactive = await addReport(makeReport(B, "rb-01", { status: "Inactive" }));
        const due = at(HOUR);
        const waiting = [
          makeExecution(active, "ea-01", due, { status: "Paused" }),
          makeExecution(active, "ea-02", at(2 * HOUR), { status: "Completed", attempts: 1 }),
          makeExecution(active, "ea-03", at(3 * HOUR), { status: "Failed", attempts: 1 }),
          makeExecution(active, "ea-04", at(4 * HOUR), {
            status: "Running",
            attempts: 1,
            leaseOwner: "other",
            leaseExpiresAt: at(DAY + 1),
          }),
          makeExecution(paused, "ea-05", due),
        ];
        expect(await store.createExecutions(waiting)).toBe(5);
        expect(await store.claimExecutions("w", at(DAY), 1_000, 100)).toEqual([]);
        for (const e of waiting) expect(await stored(e)).toEqual(e);
        // An Inactive report's last queued execution still runs.
        expect(await store.createExecutions([makeExecution(inactive, "eb-01", due)])).toBe(1);
        expect(ids(await store.claimExecutions("w", at(DAY), 1_000, 100))).toEqual(["eb-01"]);
        // Once its report is Active again, a Pending execution is claimed.
        expect(await store.setReportStatus(paused.id, ["Paused"], "Active", at(DAY))).toBe(true);
        expect(ids(await store.claimExecutions("w", at(DAY), 1_000, 100))).toEqual(["ea-05"]);
      });

      it("claims across tenants and programs", async () => {
        const ra = await addReport(makeReport(A, "ra-01"));
        const rb = await addReport(makeReport(B, "rb-01"));
        const rc = await addReport(makeReport(A_CMP, "rc-01"));
        await store.createExecutions([
          makeExecution(ra, "ea-01", at(HOUR)),
          makeExecution(rb, "eb-01", at(HOUR + 1)),
          makeExecution(rc, "ec-01", at(HOUR + 2)),
        ]);
        const claimed = await store.claimExecutions("w", at(DAY), 1_000, 10);
        expect(claimed.map((e) => [e.id, e.tenant, e.program])).toEqual([
          ["ea-01", A.tenant, A.program],
          ["eb-01", B.tenant, B.program],
          ["ec-01", A_CMP.tenant, A_CMP.program],
        ]);
      });

      it("gives each execution to exactly one of many concurrent claimers", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(B, "rb-01"));
        const all = [...(await dueExecutions(r1, 25, "ea")), ...(await dueExecutions(r2, 25, "eb"))];
        const owners = Array.from({ length: 10 }, (_, i) => `worker-${i}`);
        const batches = await Promise.all(owners.map((o) => store.claimExecutions(o, at(DAY), 60_000, 7)));
        const claimedIds = batches.flatMap(ids);
        expect(new Set(claimedIds).size).toBe(claimedIds.length);
        expect([...claimedIds].sort()).toEqual(ids(all).sort());
        // Each stored lease names the claimer that got the execution.
        for (const [i, batch] of batches.entries()) {
          expect(batch.length).toBeLessThanOrEqual(7);
          for (const e of batch) {
            expect(e.leaseOwner).toBe(owners[i]);
            expect((await stored(e))?.leaseOwner).toBe(owners[i]);
          }
        }
        expect(await store.claimExecutions("late", at(DAY), 60_000, 100)).toEqual([]);
      });

      it("reclaims an execution whose lease expired; the old owner can neither renew nor finish it", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        const t = at(DAY);
        expect(ids(await store.claimExecutions("w1", t, 1_000, 1))).toEqual([e!.id]);
        // Not yet expired.
        expect(await store.claimExecutions("w2", at(DAY + 999), 1_000, 1)).toEqual([]);
        // Expired at exactly the lease end.
        const reclaimedAt = at(DAY + 1_000);
        const [again] = await store.claimExecutions("w2", reclaimedAt, 5_000, 1);
        expect(again).toEqual({
          ...e,
          status: "Running",
          leaseOwner: "w2",
          leaseExpiresAt: at(DAY + 6_000),
          attempts: 2,
          modifiedTime: reclaimedAt,
        });
        expect(await store.renewExecutionLease(e!.id, "w1", at(DAY + 60_000))).toBe(false);
        const late = completed(at(DAY + 2_000), "files/w1.csv");
        const delivery = makeDelivery(e!, "da-01", at(DAY + 2_000));
        expect(await store.finishExecution(e!.id, "w1", late, delivery)).toBe(false);
        expect(await stored(e!)).toEqual(again);
        expect(await store.listDeliveries(A, [e!.id])).toEqual([]);
        // The new owner still can.
        expect(await store.finishExecution(e!.id, "w2", completed(at(DAY + 3_000)), null)).toBe(true);
        expect((await stored(e!))?.status).toBe("Completed");
      });

      it("reclaims a Running execution that has no lease expiry", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const e = makeExecution(r, "ea-01", at(HOUR), { status: "Running", attempts: 1, leaseOwner: "lost" });
        await store.createExecutions([e]);
        const [claimed] = await store.claimExecutions("w", at(DAY), 1_000, 1);
        expect(claimed).toMatchObject({ id: e.id, leaseOwner: "w", attempts: 2 });
      });

      it("renews a lease only for its owner while the execution is Running", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        await store.claimExecutions("w1", at(DAY), 1_000, 1);
        expect(await store.renewExecutionLease(e!.id, "w2", at(DAY + 10_000))).toBe(false);
        expect((await stored(e!))?.leaseExpiresAt).toEqual(at(DAY + 1_000));
        expect(await store.renewExecutionLease(e!.id, "w1", at(DAY + 10_000))).toBe(true);
        expect(await stored(e!)).toMatchObject({ leaseOwner: "w1", leaseExpiresAt: at(DAY + 10_000) });
        // The renewed lease holds off other claimers.
        expect(await store.claimExecutions("w2", at(DAY + 9_999), 1_000, 1)).toEqual([]);
        // A late renewal still works while nobody has reclaimed the execution.
        expect(await store.renewExecutionLease(e!.id, "w1", at(DAY + 20_000))).toBe(true);
        expect(await store.renewExecutionLease("ea-nope", "w1", at(DAY + 20_000))).toBe(false);
        // Finished: nothing to renew.
        expect(await store.finishExecution(e!.id, "w1", completed(at(DAY + 11_000)), null)).toBe(true);
        expect(await store.renewExecutionLease(e!.id, "w1", at(DAY + 30_000))).toBe(false);
        expect((await stored(e!))?.leaseExpiresAt).toBeNull();
      });

      it("finishes Completed: records the file, clears lease and failure, enqueues the delivery", async () => {
        const r = await addReport(
          makeReport(A, "ra-01", { callbackUrl: "https://hook", callbackMethod: "POST" }),
        );
        const [e] = await dueExecutions(r, 1);
        // A first attempt failed and is retried.
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        const retry: ExecutionOutcome = {
          status: "Retry",
          at: at(DAY + 10),
          code: "engine",
          reason: "busy",
          retryAt: at(DAY + 60_000),
        };
        expect(await store.finishExecution(e!.id, "w", retry, null)).toBe(true);
        const [claimed] = await store.claimExecutions("w", at(DAY + 60_000), 1_000, 1);
        expect(claimed).toMatchObject({ attempts: 2, failureCode: "engine", failureReason: "busy" });

        const doneAt = at(DAY + 61_000);
        const outcome = completed(doneAt, "files/ea-000.csv");
        const delivery = makeDelivery(e!, "da-01", doneAt);
        expect(await store.finishExecution(e!.id, "w", outcome, delivery)).toBe(true);
        expect(await stored(e!)).toEqual({
          ...claimed,
          status: "Completed",
          leaseOwner: null,
          leaseExpiresAt: null,
          fileKey: "files/ea-000.csv",
          rowCount: 42,
          bytes: 4096,
          sha256: "ab".repeat(32),
          generatedTime: doneAt,
          windowStart: at(-30 * 24 * HOUR),
          windowEnd: at(0),
          failureCode: null,
          failureReason: null,
          modifiedTime: doneAt,
        });
        expect(await store.listDeliveries(A, [e!.id])).toEqual([{ ...delivery, attemptLog: [] }]);
        // Finished once: a second finish is refused and changes nothing.
        expect(await store.finishExecution(e!.id, "w", completed(at(DAY + 70_000), "other"), null)).toBe(
          false,
        );
        expect((await stored(e!))?.fileKey).toBe("files/ea-000.csv");
        // And it is never claimed again.
        expect(await store.claimExecutions("w", at(10 * DAY), 1_000, 1)).toEqual([]);
      });

      it("finishes Completed without a delivery when there is no callback", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        expect(await store.finishExecution(e!.id, "w", completed(at(DAY + 1)), null)).toBe(true);
        expect(await store.listDeliveries(A, [e!.id])).toEqual([]);
      });

      it("refuses to finish an execution it does not hold, and then enqueues nothing", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e, f] = await dueExecutions(r, 2);
        // f was never claimed.
        expect(
          await store.finishExecution(f!.id, "w", completed(at(DAY)), makeDelivery(f!, "df", at(DAY))),
        ).toBe(false);
        expect(await stored(f!)).toEqual(f);
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        const before = await stored(e!);
        const other = makeDelivery(e!, "de", at(DAY));
        expect(await store.finishExecution(e!.id, "intruder", completed(at(DAY)), other)).toBe(false);
        const failed: ExecutionOutcome = { status: "Failed", at: at(DAY), code: "x", reason: "y" };
        expect(await store.finishExecution(e!.id, "intruder", failed, null)).toBe(false);
        expect(await store.finishExecution("ea-nope", "w", failed, null)).toBe(false);
        expect(await stored(e!)).toEqual(before);
        expect(await store.listDeliveries(A, [e!.id, f!.id])).toEqual([]);
      });

      it("rolls the finish back when the delivery cannot be stored", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e, f] = await dueExecutions(r, 2);
        await store.claimExecutions("w", at(DAY), 1_000, 2);
        const first = makeDelivery(e!, "d-dup", at(DAY));
        expect(await store.finishExecution(e!.id, "w", completed(at(DAY)), first)).toBe(true);
        const heldBefore = await stored(f!);
        // The delivery id is taken: the insert fails, and the execution's update with it.
        await expect(
          store.finishExecution(f!.id, "w", completed(at(DAY + 1)), makeDelivery(f!, "d-dup", at(DAY + 1))),
        ).rejects.toThrow();
        expect(await stored(f!)).toEqual(heldBefore);
        expect(ids(await store.listDeliveries(A, [e!.id, f!.id]))).toEqual(["d-dup"]);
        // The worker still holds the lease and can finish properly.
        const second = makeDelivery(f!, "d-two", at(DAY + 2));
        expect(await store.finishExecution(f!.id, "w", completed(at(DAY + 2)), second)).toBe(true);
        expect(ids(await store.listDeliveries(A, [e!.id, f!.id]))).toEqual(["d-dup", "d-two"]);
      });

      it("refuses a delivery that does not belong to the execution, or with a Retry outcome", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e, f] = await dueExecutions(r, 2);
        await store.claimExecutions("w", at(DAY), 1_000, 2);
        const before = await stored(e!);
        await expect(
          store.finishExecution(e!.id, "w", completed(at(DAY)), makeDelivery(f!, "d-1", at(DAY))),
        ).rejects.toThrow();
        await expect(
          store.finishExecution(
            e!.id,
            "w",
            completed(at(DAY)),
            makeDelivery(e!, "d-2", at(DAY), { tenant: B.tenant }),
          ),
        ).rejects.toThrow();
        await expect(
          store.finishExecution(
            e!.id,
            "w",
            { status: "Retry", at: at(DAY), code: "x", reason: "y", retryAt: at(2 * DAY) },
            makeDelivery(e!, "d-3", at(DAY)),
          ),
        ).rejects.toThrow();
        expect(await stored(e!)).toEqual(before);
        expect(await store.listDeliveries(A, [e!.id, f!.id])).toEqual([]);
        expect(await store.listDeliveries(B, [e!.id])).toEqual([]);
      });

      it("enqueues the delivery of a Failed outcome (CallbackOnFailure)", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        const delivery = makeDelivery(e!, "d-1", at(DAY));
        const failed: ExecutionOutcome = { status: "Failed", at: at(DAY), code: "x", reason: "y" };
        expect(await store.finishExecution(e!.id, "w", failed, delivery)).toBe(true);
        expect(await store.listDeliveries(A, [e!.id])).toEqual([{ ...delivery, attemptLog: [] }]);
      });

      it("finishes Retry: back to Pending at retryAt with the failure, claimable from retryAt", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        await store.claimExecutions("w1", at(DAY), 1_000, 1);
        const retryAt = at(DAY + 5 * MINUTE);
        const outcome: ExecutionOutcome = {
          status: "Retry",
          at: at(DAY + 500),
          code: "engine_unavailable",
          reason: "DuckDB is busy — réessayer",
          retryAt,
        };
        expect(await store.finishExecution(e!.id, "w1", outcome, null)).toBe(true);
        expect(await stored(e!)).toEqual({
          ...e,
          status: "Pending",
          leaseOwner: null,
          leaseExpiresAt: null,
          attempts: 1,
          nextAttemptAt: retryAt,
          failureCode: "engine_unavailable",
          failureReason: "DuckDB is busy — réessayer",
          modifiedTime: at(DAY + 500),
        });
        expect(await store.claimExecutions("w2", at(DAY + 5 * MINUTE - 1), 1_000, 1)).toEqual([]);
        const [again] = await store.claimExecutions("w2", retryAt, 1_000, 1);
        expect(again).toMatchObject({ id: e!.id, status: "Running", leaseOwner: "w2", attempts: 2 });
      });

      it("finishes Failed: final, with the failure, never claimed again", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const [e] = await dueExecutions(r, 1);
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        const outcome: ExecutionOutcome = {
          status: "Failed",
          at: at(DAY + 7),
          code: "query",
          reason: "bad column",
        };
        expect(await store.finishExecution(e!.id, "w", outcome, null)).toBe(true);
        expect(await stored(e!)).toEqual({
          ...e,
          status: "Failed",
          leaseOwner: null,
          leaseExpiresAt: null,
          attempts: 1,
          failureCode: "query",
          failureReason: "bad column",
          modifiedTime: at(DAY + 7),
        });
        expect(await store.claimExecutions("w", at(100 * DAY), 1_000, 1)).toEqual([]);
      });
    });

    // ── the scheduler ───────────────────────────────────────────────────────

    describe("the scheduler's reads and report status", () => {
      it("lists Active reports of every scope that have no Pending, Paused or Running execution, by id", async () => {
        const plain = await addReport(makeReport(A, "r-01"));
        const done = await addReport(makeReport(B, "r-02"));
        const pending = await addReport(makeReport(A, "r-03"));
        const paused = await addReport(makeReport(A, "r-04"));
        const running = await addReport(makeReport(A_CMP, "r-05"));
        await addReport(makeReport(A, "r-06", { status: "Paused" }));
        await addReport(makeReport(A, "r-07", { status: "Inactive" }));
        const failedOnly = await addReport(makeReport(A_CMP, "r-08"));
        await store.createExecutions([
          makeExecution(done, "e-01", at(HOUR), { status: "Completed" }),
          makeExecution(done, "e-02", at(2 * HOUR), { status: "Failed" }),
          makeExecution(pending, "e-03", at(HOUR), { status: "Completed" }),
          makeExecution(pending, "e-04", at(2 * HOUR), { status: "Pending" }),
          makeExecution(paused, "e-05", at(HOUR), { status: "Paused" }),
          makeExecution(running, "e-06", at(HOUR), { status: "Running", leaseOwner: "w" }),
          makeExecution(failedOnly, "e-07", at(HOUR), { status: "Failed" }),
        ]);
        const all = await store.listReportsToPlan(100);
        expect(ids(all)).toEqual(["r-01", "r-02", "r-08"]);
        expect(all[0]).toEqual(plain);
        // Paged by id.
        expect(ids(await store.listReportsToPlan(2))).toEqual(["r-01", "r-02"]);
        expect(ids(await store.listReportsToPlan(2, "r-02"))).toEqual(["r-08"]);
        expect(ids(await store.listReportsToPlan(2, "r-015"))).toEqual(["r-02", "r-08"]);
        expect(await store.listReportsToPlan(2, "r-08")).toEqual([]);
        await expect(store.listReportsToPlan(0)).rejects.toThrow(RangeError);
      });

      it("lists a report again once its last execution finishes", async () => {
        const r = await addReport(makeReport(A, "r-01"));
        await store.createExecutions([makeExecution(r, "e-01", at(HOUR))]);
        expect(await store.listReportsToPlan(10)).toEqual([]);
        await store.claimExecutions("w", at(HOUR), 1_000, 1);
        expect(await store.listReportsToPlan(10)).toEqual([]);
        await store.finishExecution("e-01", "w", completed(at(HOUR + 1)), null);
        expect(ids(await store.listReportsToPlan(10))).toEqual(["r-01"]);
      });

      it("returns a report's execution with the latest scheduled time, whatever its status", async () => {
        const r1 = await addReport(makeReport(A, "ra-01"));
        const r2 = await addReport(makeReport(B, "rb-01"));
        expect(await store.latestExecution(r1.id)).toBeUndefined();
        const latest = makeExecution(r1, "ea-02", at(3 * HOUR), { status: "Failed", createdTime: at(1) });
        await store.createExecutions([
          makeExecution(r1, "ea-01", at(2 * HOUR), { status: "Pending", createdTime: at(9) }),
          latest,
          makeExecution(r1, "ea-03", at(HOUR), { status: "Completed", createdTime: at(5) }),
          makeExecution(r2, "eb-01", at(10 * HOUR)),
        ]);
        expect(await store.latestExecution(r1.id)).toEqual(latest);
        expect((await store.latestExecution(r2.id))?.id).toBe("eb-01");
        expect(await store.latestExecution("nope")).toBeUndefined();
      });

      it("sets a report's status only from one of the given statuses", async () => {
        const r = await addReport(makeReport(B, "rb-01"));
        expect(await store.setReportStatus(r.id, ["Paused"], "Inactive", at(5))).toBe(false);
        expect(await store.setReportStatus(r.id, [], "Inactive", at(5))).toBe(false);
        expect(await store.setReportStatus("nope", ["Active"], "Inactive", at(5))).toBe(false);
        expect(await store.getReport(B, r.id)).toEqual(r);
        expect(await store.setReportStatus(r.id, ["Paused", "Active"], "Inactive", at(6))).toBe(true);
        expect(await store.getReport(B, r.id)).toEqual({ ...r, status: "Inactive", modifiedTime: at(6) });
        expect(await store.setReportStatus(r.id, ["Active"], "Inactive", at(7))).toBe(false);
        expect((await store.getReport(B, r.id))?.modifiedTime).toEqual(at(6));
      });
    });

    // ── the callback outbox ─────────────────────────────────────────────────

    /** A report with `n` Completed executions, each with a Pending delivery due at at(DAY + i). */
    async function completedWithDeliveries(scope: Scope, reportId: string, n: number) {
      const r = await addReport(
        makeReport(scope, reportId, { callbackUrl: "https://h", callbackMethod: "GET" }),
      );
      const executions = await dueExecutions(r, n, `e${reportId}`);
      const claimed = await store.claimExecutions("exec-worker", at(DAY), 1_000, n);
      expect(claimed).toHaveLength(n);
      const deliveries: CallbackDelivery[] = [];
      for (const [i, e] of executions.entries()) {
        const d = makeDelivery(e, `d${reportId}-${String(i).padStart(3, "0")}`, at(DAY + i));
        expect(await store.finishExecution(e.id, "exec-worker", completed(at(DAY + i)), d)).toBe(true);
        deliveries.push(d);
      }
      return { report: r, executions, deliveries };
    }

    function attempt(
      deliveryId: string,
      n: number,
      overrides: Partial<DeliveryAttempt> = {},
    ): DeliveryAttempt {
      return {
        deliveryId,
        attempt: n,
        at: at(2 * DAY + n),
        statusCode: 503,
        error: null,
        durationMs: 120 + n,
        ...overrides,
      };
    }

    describe("the callback outbox", () => {
      it("claims due Pending deliveries oldest first with a lease; attempts are counted when recorded", async () => {
        const { deliveries } = await completedWithDeliveries(A, "ra-01", 3);
        // Not yet due.
        expect(await store.claimDeliveries("w", at(DAY - 1), 1_000, 10)).toEqual([]);
        const now = at(DAY + 1);
        const claimed = await store.claimDeliveries("w", now, 1_000, 10);
        expect(claimed).toEqual(
          deliveries.slice(0, 2).map((d) => ({ ...d, leaseOwner: "w", leaseExpiresAt: at(DAY + 1_001) })),
        );
        // Leased ones are not claimed again until the lease expires.
        expect(ids(await store.claimDeliveries("w2", at(DAY + 1_000), 1_000, 10))).toEqual([
          deliveries[2]!.id,
        ]);
        const reclaimed = await store.claimDeliveries("w2", at(DAY + 1_001), 1_000, 1);
        expect(reclaimed).toEqual([{ ...deliveries[0], leaseOwner: "w2", leaseExpiresAt: at(DAY + 2_001) }]);
        await expect(store.claimDeliveries("w", now, 1_000, 0)).rejects.toThrow(RangeError);
        await expect(store.claimDeliveries("w", now, -1, 1)).rejects.toThrow(RangeError);
      });

      it("redelivers: due again at once, never while an attempt holds the lease; lists a report's deliveries", async () => {
        const { executions, deliveries } = await completedWithDeliveries(A, "ra-01", 2);
        const d = deliveries[0]!;
        const e = executions[0]!;
        expect(ids(await store.listReportDeliveries(A, "ra-01"))).toEqual(ids(deliveries));
        expect(await store.listReportDeliveries(B, "ra-01")).toEqual([]);
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        expect(await store.redeliver(A, e.id, at(2 * DAY + 1))).toBe("busy");
        expect(
          await store.recordDeliveryAttempt(d.id, "w", attempt(d.id, 1, { statusCode: 200 }), {
            status: "Delivered",
          }),
        ).toBe(true);
        expect(await store.redeliver(B, e.id, at(3 * DAY))).toBe("missing");
        expect(await store.redeliver(A, "no-such-execution", at(3 * DAY))).toBe("missing");
        expect(await store.redeliver(A, e.id, at(3 * DAY))).toBe("queued");
        const [again] = await store.listDeliveries(A, [e.id]);
        expect(again).toMatchObject({
          status: "Pending",
          attempts: 1,
          nextAttemptAt: at(3 * DAY),
          deliveredAt: null,
        });
        expect(again!.attemptLog).toHaveLength(1);
        expect(ids(await store.claimDeliveries("w2", at(3 * DAY), 60_000, 5))).toContain(d.id);
        // A lease that has expired does not hold a redelivery back.
        expect(await store.redeliver(A, e.id, at(3 * DAY + 60_000))).toBe("queued");
      });

      it("gives each delivery to exactly one of many concurrent claimers", async () => {
        const a = await completedWithDeliveries(A, "ra-01", 12);
        const b = await completedWithDeliveries(B, "rb-01", 12);
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.claimDeliveries(`w${i}`, at(2 * DAY), 60_000, 5)),
        );
        const claimed = batches.flatMap(ids);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect([...claimed].sort()).toEqual(ids([...a.deliveries, ...b.deliveries]).sort());
      });

      it("records a failed attempt and schedules the next; records success; keeps the attempt log in order", async () => {
        const { executions, deliveries } = await completedWithDeliveries(A, "ra-01", 1);
        const d = deliveries[0]!;
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        const first = attempt(d.id, 1, { statusCode: null, error: "ECONNREFUSED" });
        const retryAt = at(2 * DAY + 30_000);
        expect(
          await store.recordDeliveryAttempt(d.id, "w", first, { status: "Pending", nextAttemptAt: retryAt }),
        ).toBe(true);
        const afterFirst = {
          ...d,
          attempts: 1,
          nextAttemptAt: retryAt,
          lastStatusCode: null,
          lastError: "ECONNREFUSED",
        };
        expect(await store.listDeliveries(A, [executions[0]!.id])).toEqual([
          { ...afterFirst, attemptLog: [first] },
        ]);
        // The lease was released, and the delivery waits for its next attempt.
        expect(await store.claimDeliveries("w", at(2 * DAY + 29_999), 60_000, 1)).toEqual([]);
        expect(ids(await store.claimDeliveries("w2", retryAt, 60_000, 1))).toEqual([d.id]);

        const second = attempt(d.id, 2, { statusCode: 204, at: at(2 * DAY + 31_000) });
        expect(await store.recordDeliveryAttempt(d.id, "w2", second, { status: "Delivered" })).toBe(true);
        const [got] = await store.listDeliveries(A, [executions[0]!.id]);
        expect(got).toEqual({
          ...afterFirst,
          status: "Delivered",
          attempts: 2,
          lastStatusCode: 204,
          lastError: null,
          deliveredAt: at(2 * DAY + 31_000),
          attemptLog: [first, second],
        });
        // Delivered is final.
        expect(await store.claimDeliveries("w", at(9 * DAY), 60_000, 10)).toEqual([]);
        expect(await store.recordDeliveryAttempt(d.id, "w2", attempt(d.id, 3), { status: "Delivered" })).toBe(
          false,
        );
      });

      it("records giving up as Failed, which is final", async () => {
        const { executions, deliveries } = await completedWithDeliveries(A, "ra-01", 1);
        const d = deliveries[0]!;
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        const last = attempt(d.id, 1, { statusCode: 500, error: "Internal Server Error" });
        expect(await store.recordDeliveryAttempt(d.id, "w", last, { status: "Failed" })).toBe(true);
        const [got] = await store.listDeliveries(A, [executions[0]!.id]);
        expect(got).toEqual({
          ...d,
          status: "Failed",
          attempts: 1,
          lastStatusCode: 500,
          lastError: "Internal Server Error",
          attemptLog: [last],
        });
        expect(await store.claimDeliveries("w", at(9 * DAY), 60_000, 10)).toEqual([]);
      });

      it("records an attempt only while the owner holds the lease", async () => {
        const { executions, deliveries } = await completedWithDeliveries(A, "ra-01", 1);
        const d = deliveries[0]!;
        const pending = { status: "Pending", nextAttemptAt: at(3 * DAY) } as const;
        // Not claimed at all.
        expect(await store.recordDeliveryAttempt(d.id, "w1", attempt(d.id, 1), pending)).toBe(false);
        await store.claimDeliveries("w1", at(2 * DAY), 1_000, 1);
        expect(await store.recordDeliveryAttempt(d.id, "w2", attempt(d.id, 1), pending)).toBe(false);
        expect(await store.recordDeliveryAttempt("d-nope", "w1", attempt("d-nope", 1), pending)).toBe(false);
        // w1's lease expires and w2 takes the delivery over.
        await store.claimDeliveries("w2", at(2 * DAY + 1_000), 1_000, 1);
        expect(await store.recordDeliveryAttempt(d.id, "w1", attempt(d.id, 1), { status: "Delivered" })).toBe(
          false,
        );
        expect(await store.listDeliveries(A, [executions[0]!.id])).toEqual([
          { ...d, leaseOwner: "w2", leaseExpiresAt: at(2 * DAY + 2_000), attemptLog: [] },
        ]);
        expect(await store.recordDeliveryAttempt(d.id, "w2", attempt(d.id, 1), pending)).toBe(true);
        // An attempt for another delivery is a programming error.
        await expect(
          store.recordDeliveryAttempt(d.id, "w2", attempt("d-other", 2), { status: "Delivered" }),
        ).rejects.toThrow();
      });

      it("lists deliveries of the scope's executions only", async () => {
        const a = await completedWithDeliveries(A, "ra-01", 2);
        const b = await completedWithDeliveries(B, "rb-01", 1);
        const aIds = ids(a.executions);
        const all = [...aIds, ...ids(b.executions)];
        expect(ids(await store.listDeliveries(A, all))).toEqual(ids(a.deliveries));
        expect(ids(await store.listDeliveries(A, [aIds[1]!]))).toEqual([a.deliveries[1]!.id]);
        expect(ids(await store.listDeliveries(B, all))).toEqual(ids(b.deliveries));
        expect(await store.listDeliveries(B, aIds)).toEqual([]);
        expect(await store.listDeliveries(A_CMP, all)).toEqual([]);
        expect(await store.listDeliveries(A, [])).toEqual([]);
        expect(await store.listDeliveries(A, ["nope"])).toEqual([]);
      });

      it("deletes a report's deliveries and their attempts with the report", async () => {
        const { report, executions, deliveries } = await completedWithDeliveries(A, "ra-01", 2);
        const other = await completedWithDeliveries(A, "ra-02", 1);
        const d = deliveries[0]!;
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        await store.recordDeliveryAttempt(d.id, "w", attempt(d.id, 1), { status: "Failed" });
        expect((await store.deleteReport(A, report.id)).deleted).toBe(true);
        expect(await store.listDeliveries(A, ids(executions))).toEqual([]);
        // The same ids can be used again: nothing of the old rows is left behind.
        await addReport(report);
        await store.createExecutions(executions);
        await store.claimExecutions("w", at(DAY), 1_000, 10);
        for (const [i, e] of executions.entries()) {
          expect(await store.finishExecution(e.id, "w", completed(at(DAY)), deliveries[i]!)).toBe(true);
        }
        expect(await store.listDeliveries(A, ids(executions))).toEqual(
          deliveries.map((x) => ({ ...x, attemptLog: [] })),
        );
        // The other report's delivery is untouched.
        expect(ids(await store.listDeliveries(A, ids(other.executions)))).toEqual(ids(other.deliveries));
      });
    });

    // ── retention ───────────────────────────────────────────────────────────

    describe("retention", () => {
      it("purges only finished executions before the cutoff, oldest first, keeping each report's latest", async () => {
        const r = await addReport(makeReport(A, "ra-01"));
        const rb = await addReport(makeReport(B, "rb-01"));
        const e = (report: StoredReport, id: string, hour: number, overrides: Partial<StoredExecution>) =>
          makeExecution(report, id, at(hour * HOUR), overrides);
        await store.createExecutions([
          e(r, "ea-01", 1, { status: "Completed", fileKey: "files/ea-01.csv" }),
          e(r, "ea-02", 2, { status: "Failed" }),
          e(r, "ea-03", 3, { status: "Pending" }),
          e(r, "ea-04", 4, { status: "Paused" }),
          e(r, "ea-05", 5, { status: "Running", leaseOwner: "w", leaseExpiresAt: at(DAY) }),
          // rb's only (so latest) execution: kept, it anchors rb's schedule.
          e(rb, "eb-06", 6, { status: "Completed", fileKey: "files/eb-06.csv" }),
          // Exactly at the cutoff: kept.
          e(r, "ea-07", 7, { status: "Completed", fileKey: "files/ea-07.csv" }),
        ]);
        const cutoff = at(7 * HOUR);
        expect(await store.purgeExecutions(cutoff, 2)).toEqual(["files/ea-01.csv"]);
        expect(await store.purgeExecutions(cutoff, 2)).toEqual([]);
        expect(ids(await allExecutions(A, [r.id]))).toEqual(["ea-03", "ea-04", "ea-05", "ea-07"]);
        expect(ids(await allExecutions(B, [rb.id]))).toEqual(["eb-06"]);
        expect(await store.getReport(B, rb.id)).toEqual(rb);
        await expect(store.purgeExecutions(cutoff, 0)).rejects.toThrow(RangeError);
        // A result in parts: every part's key.
        await store.createExecutions([
          e(r, "ea-08", 8, { status: "Completed", fileKey: PARTS[0]!.fileKey, parts: PARTS }),
          e(r, "ea-09", 9, { status: "Completed", fileKey: "files/ea-09.csv" }),
        ]);
        expect(await store.purgeExecutions(at(9 * HOUR), 10)).toEqual([
          "files/ea-07.csv",
          ...PARTS.map((part) => part.fileKey),
        ]);
      });

      it("makes a report Inactive only while nothing is queued or running for it", async () => {
        const report = await addReport(makeReport(A, "ra-01"));
        await store.createExecutions([makeExecution(report, "ea-01", at(HOUR))]);
        expect(await store.setReportStatus(report.id, ["Active"], "Inactive", at(DAY))).toBe(false);
        expect((await store.getReport(A, report.id))!.status).toBe("Active");
        await store.claimExecutions("w", at(DAY), 60_000, 1);
        expect(await store.setReportStatus(report.id, ["Active"], "Inactive", at(DAY))).toBe(false);
        await store.finishExecution("ea-01", "w", completed(at(DAY)), null);
        expect(await store.setReportStatus(report.id, ["Active"], "Inactive", at(DAY))).toBe(true);
        // Other transitions do not depend on executions.
        await store.createExecutions([makeExecution(report, "ea-02", at(2 * HOUR))]);
        expect(await store.setReportStatus(report.id, ["Inactive"], "Active", at(DAY))).toBe(true);
        expect(await store.setReportStatus(report.id, ["Active"], "Paused", at(DAY))).toBe(true);
      });

      it("purges an execution's delivery and its attempts with it", async () => {
        const { report, executions, deliveries } = await completedWithDeliveries(A, "ra-01", 2);
        const d = deliveries[0]!;
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        await store.recordDeliveryAttempt(d.id, "w", attempt(d.id, 1), { status: "Delivered" });
        // Only the first execution is old enough.
        expect(await store.purgeExecutions(executions[1]!.scheduledTime, 10)).toEqual(["files/x.csv"]);
        expect(ids(await store.listDeliveries(A, ids(executions)))).toEqual([deliveries[1]!.id]);
        // The purged execution's slot, delivery id and attempt numbers are free again.
        await store.createExecutions([executions[0]!]);
        await store.claimExecutions("w", at(DAY), 1_000, 1);
        expect(await store.finishExecution(executions[0]!.id, "w", completed(at(DAY)), d)).toBe(true);
        await store.claimDeliveries("w", at(2 * DAY), 60_000, 1);
        expect(await store.recordDeliveryAttempt(d.id, "w", attempt(d.id, 1), { status: "Delivered" })).toBe(
          true,
        );
        expect(ids(await allExecutions(A, [report.id]))).toEqual(ids(executions));
      });
    });
  });
}
