/**
 * Pagination of the list endpoints (E3, E7, E12): pageSize (default OPENINSIGHTS_PAGE_SIZE, at most
 * OPENINSIGHTS_MAX_PAGE_SIZE), nextLink a full URL continuing a stable order until null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import { startTestApp, type TestApp } from "../support/app.js";
import {
  type Body,
  Clock,
  CMP,
  CMP11,
  createQuery,
  createReport,
  expectError,
  expectOk,
  type Item,
  MPN,
  walk,
  walkItems,
} from "./helpers.js";

const DEFAULT = 3;
const MAX = 7;
const TENANT = "9a000000-0000-4000-8000-000000000001";
const clock = new Clock();
let t: TestApp;
const queries: Item[] = [];
const reports: Item[] = [];

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    env: { OPENINSIGHTS_PAGE_SIZE: String(DEFAULT), OPENINSIGHTS_MAX_PAGE_SIZE: String(MAX) },
  });
  for (let i = 0; i < 8; i++) {
    clock.advance(1000);
    queries.push(await createQuery(t, TENANT, MPN, "mpn", { Name: `Query ${i}` }));
  }
  for (let i = 0; i < 8; i++) {
    clock.advance(1000);
    reports.push(
      await createReport(t, TENANT, MPN, "mpn", queries[i % 2]!.queryId, clock, {
        ReportName: i % 2 ? "odd" : "even",
      }),
    );
  }
});
afterAll(async () => t?.close());

/** Every page but the last is full; the last has 1..size items; all ids once, in `expected` order. */
function checkPages(pages: Body[], size: number, expected: string[], id: (item: Item) => string): void {
  const seen = pages.flatMap((page) => page.value.map(id));
  expect(seen).toEqual(expected);
  expect(new Set(seen).size).toBe(seen.length);
  pages.forEach((page, index) => {
    const last = index === pages.length - 1;
    expect(page.totalCount).toBe(page.value.length);
    if (last) {
      expect(page.nextLink).toBeNull();
      expect(page.value.length).toBeGreaterThanOrEqual(expected.length === 0 ? 0 : 1);
      expect(page.value.length).toBeLessThanOrEqual(size);
    } else {
      expect(page.nextLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/insights\//);
      expect(page.value).toHaveLength(size);
    }
  });
  expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / size)));
}

const queryId = (q: Item) => q.queryId;
const reportId = (r: Item) => r.reportId;
const systemIds = builtInCatalogs.get("mpn").systemQueries.map((q) => q.id);

describe("E3 queries", () => {
  it("default page size: system queries (catalog order), then user queries (creation order)", async () => {
    const pages = await walk(t, TENANT, `${MPN}/ScheduledQueries`);
    checkPages(pages, DEFAULT, [...systemIds, ...queries.map(queryId)], queryId);
  });

  it("includeSystemQueries=false keeps its filter on every page", async () => {
    const pages = await walk(t, TENANT, `${MPN}/ScheduledQueries?includeSystemQueries=false`);
    checkPages(pages, DEFAULT, queries.map(queryId), queryId);
    for (const page of pages.slice(0, -1)) expect(page.nextLink).toMatch(/includeSystemQueries=false/);
  });

  it("includeOnlySystemQueries=true", async () => {
    const pages = await walk(t, TENANT, `${MPN}/ScheduledQueries?includeOnlySystemQueries=true`);
    checkPages(pages, DEFAULT, systemIds, queryId);
  });

  it.each([1, 2, 5, MAX])("pageSize=%i", async (size) => {
    const pages = await walk(t, TENANT, `${MPN}/ScheduledQueries?pageSize=${size}`);
    checkPages(pages, size, [...systemIds, ...queries.map(queryId)], queryId);
    for (const page of pages.slice(0, -1)) expect(page.nextLink).toMatch(new RegExp(`pageSize=${size}(&|$)`));
  });

  it("the same walk twice gives the same order", async () => {
    const first = (await walkItems(t, TENANT, `${MPN}/ScheduledQueries?pageSize=2`)).map(queryId);
    const second = (await walkItems(t, TENANT, `${MPN}/ScheduledQueries?pageSize=2`)).map(queryId);
    expect(second).toEqual(first);
  });
});

describe("E7 reports", () => {
  it("default page size, creation order", async () => {
    checkPages(await walk(t, TENANT, `${MPN}/ScheduledReport`), DEFAULT, reports.map(reportId), reportId);
  });

  it.each([1, 4, MAX])("pageSize=%i", async (size) => {
    checkPages(
      await walk(t, TENANT, `${MPN}/ScheduledReport?pageSize=${size}`),
      size,
      reports.map(reportId),
      reportId,
    );
  });

  it("filters survive the nextLink (reportName, queryId)", async () => {
    const odd = reports.filter((_, i) => i % 2 === 1).map(reportId);
    checkPages(await walk(t, TENANT, `${MPN}/ScheduledReport?reportName=odd&pageSize=2`), 2, odd, reportId);
    checkPages(
      await walk(t, TENANT, `${MPN}/ScheduledReport?queryId=${queries[1]!.queryId}&pageSize=3`),
      3,
      odd,
      reportId,
    );
  });

  it("a ;-separated reportId list pages too", async () => {
    const ids = reports.slice(0, 5).map(reportId);
    checkPages(
      await walk(t, TENANT, `${MPN}/ScheduledReport?reportId=${ids.join(";")}&pageSize=2`),
      2,
      ids,
      reportId,
    );
  });

  it("an item created during the walk does not disturb the items that were there", async () => {
    const first = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport?pageSize=3`));
    const link = new URL(first.nextLink ?? "");
    clock.advance(1000);
    const extra = await createReport(t, TENANT, MPN, "mpn", queries[0]!.queryId, clock, {
      ReportName: "late",
    });
    try {
      const rest = await walkItems(t, TENANT, link.pathname + link.search);
      const seen = [...first.value, ...rest].map(reportId);
      expect(seen).toEqual([...reports.map(reportId), extra.reportId]);
    } finally {
      expectOk(await t.call(TENANT, "DELETE", `${MPN}/ScheduledReport/${extra.reportId}`));
    }
  });
});

describe("E12 executions", () => {
  it("executions of several reports page by the default size", async () => {
    const ids = reports.slice(0, 7).map(reportId);
    const pages = await walk(
      t,
      TENANT,
      `${MPN}/ScheduledReport/execution/${ids.join(";")}?executionStatus=Pending&getLatestExecution=false`,
    );
    const seen = pages.flatMap((p) => p.value);
    expect(new Set(seen.map((e) => e.executionId)).size).toBe(7);
    expect(new Set(seen.map((e) => e.reportId))).toEqual(new Set(ids));
    checkPages(
      pages,
      DEFAULT,
      seen.map((e) => e.executionId),
      (e) => e.executionId,
    );
  });

  it("pageSize=1 over two reports", async () => {
    const ids = reports.slice(0, 2).map(reportId);
    const pages = await walk(
      t,
      TENANT,
      `${MPN}/ScheduledReport/execution/${ids.join(";")}?executionStatus=Pending&pageSize=1`,
    );
    expect(pages).toHaveLength(2);
    expect(new Set(pages.flatMap((p) => p.value.map((e) => e.reportId)))).toEqual(new Set(ids));
  });
});

describe("pageSize limits", () => {
  it.each([
    `${MPN}/ScheduledQueries`,
    `${MPN}/ScheduledReport`,
    `${CMP}/ScheduledReport`,
    `${CMP11}/ScheduledQueries`,
  ])("%s: pageSize above OPENINSIGHTS_MAX_PAGE_SIZE, zero, negative or not a number → 400", async (path) => {
    for (const size of [String(MAX + 1), "0", "-3", "abc", "2.5", "1e2"]) {
      expectError(await t.call(TENANT, "GET", `${path}?pageSize=${size}`), 400, "");
    }
  });

  it("E12 too", async () => {
    expectError(
      await t.call(
        TENANT,
        "GET",
        `${MPN}/ScheduledReport/execution/${reports[0]!.reportId}?executionStatus=Pending&pageSize=${MAX + 1}`,
      ),
      400,
      "",
    );
  });

  it("a short list has one page and nextLink null", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledReport`));
    expect(body).toMatchObject({ value: [], nextLink: null, totalCount: 0 });
  });

  it("E1 (a fixed catalog) answers in one page", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`));
    expect(body.value).toHaveLength(builtInCatalogs.get("mpn").datasets.length);
    expect(body.nextLink).toBeNull();
  });
});
