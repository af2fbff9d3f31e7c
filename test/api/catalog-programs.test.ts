/**
 * A program from a catalog file is served at /insights/v1/{program}/… like mpn and cmp: datasets,
 * system queries, the query language (with a boolean column), reports and executions. A restart
 * with a catalog that dropped a column fails the saved query's reports with a clear reason.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { all, makeEngine } from "../storage/duckdb/helpers.js";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a";
const OTHER = "2b9e4f1c-6a3d-4e7b-8c5f-0d1e2f3a4b5c";
const BASE = "/insights/v1/acme";
const SYSTEM_QUERY_ID = "6f1c7a52-3d0e-4b8a-9f6e-2c5d8b1a4e07";
const clock = new Date("2026-12-02T10:00:00Z");

let dir: string;
let catalogFile: string;
let t: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-acme-"));
  catalogFile = path.join(dir, "acme.yaml");
  await writeFile(catalogFile, await readFile("examples/acme-catalog.yaml"));
  t = await startTestApp({
    now: () => clock,
    env: { OPENINSIGHTS_CATALOGS: catalogFile },
    rows: [
      {
        program: "acme",
        dataset: "Orders",
        tenant: TENANT,
        csv: (await readFile("examples/acme-orders.csv", "utf8")).toString(),
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function adminToken(): Promise<string> {
  return issueLocalToken({
    dataDir: t.dataDir,
    tenant: "operators",
    user: "ops@example.com",
    ttlSeconds: 600,
    audience: t.config.auth.audiences[0]!,
    roles: [ADMIN_ROLE],
  });
}

async function executionsOf(reportId: string) {
  const res = await t.call(
    TENANT,
    "GET",
    `${BASE}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed;Failed&getLatestExecution=false`,
  );
  expect(res.status).toBe(200);
  return res.body.value;
}

async function executeNow(queryId: string): Promise<string> {
  const res = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
    ReportName: "Now",
    QueryId: queryId,
    ExecuteNow: true,
  });
  expect(res.status).toBe(200);
  return res.body.value[0].reportId;
}

describe("a program from a catalog file", () => {
  it("lists its datasets (E1)", async () => {
    const res = await t.call(TENANT, "GET", `${BASE}/ScheduledDataset`);
    expect(res.status).toBe(200);
    expect(res.body.value.map((d: { datasetName: string }) => d.datasetName)).toEqual([
      "Orders",
      "Customers",
    ]);
    expect(res.body.value[0]).toMatchObject({
      selectableColumns: expect.arrayContaining(["IsRenewal", "AmountUSD"]),
      availableMetrics: ["Revenue", "Units", "OrderLines", "Customers", "AverageOrderUSD"],
      minimumRecurrenceInterval: 4,
      // The catalog file's declared types, a boolean included.
      openInsightsColumnTypes: expect.arrayContaining([
        { name: "OrderDate", type: "date" },
        { name: "IsRenewal", type: "boolean" },
        { name: "AmountUSD", type: "decimal" },
      ]),
    });
  });

  it("says in E1 when the calling tenant's rows of each dataset were last loaded (null: never)", async () => {
    const mine = await t.call(TENANT, "GET", `${BASE}/ScheduledDataset`);
    expect(mine.body.value.map((d: { lastRefreshedTime: string | null }) => d.lastRefreshedTime)).toEqual([
      "2026-12-02T10:00:00Z",
      null,
    ]);
    const theirs = await t.call(OTHER, "GET", `${BASE}/ScheduledDataset?datasetName=orders`);
    expect(theirs.body.value).toMatchObject([{ datasetName: "Orders", lastRefreshedTime: null }]);
  });

  it("lists the load for operators, newest first, with filters", async () => {
    const admin = { authorization: `Bearer ${await adminToken()}` };
    const get = async (query: string) => {
      const res = await fetch(`${t.baseUrl}/admin/v1/loads${query}`, { headers: admin });
      return { status: res.status, body: await res.json() };
    };
    const all = await get("");
    expect(all.status).toBe(200);
    expect(all.body.value).toEqual([
      {
        loadId: expect.any(String),
        program: "acme",
        dataset: "Orders",
        tenantId: TENANT,
        mode: "append",
        status: "Completed",
        rowCount: 5,
        bytes: expect.any(Number),
        startedAt: "2026-12-02T10:00:00Z",
        finishedAt: "2026-12-02T10:00:00Z",
        failureReason: null,
      },
    ]);
    expect(
      (await get(`?program=ACME&dataset=orders&tenantId=${TENANT}&status=completed`)).body.value,
    ).toHaveLength(1);
    expect((await get(`?tenantId=${OTHER}`)).body.value).toEqual([]);
    expect((await get("?program=mpn")).body.value).toEqual([]);
    const unknown = await get("?program=shop");
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe("program must be one of mpn, cmp, acme, not 'shop'");
    expect((await get("?program=acme&dataset=Nope")).body.message).toContain(
      "dataset must be one of acme's datasets",
    );
    expect((await get("?status=Done")).body.message).toBe(
      "status must be one of Running, Completed, Failed, not 'Done'",
    );
    const tenant = await fetch(`${t.baseUrl}/admin/v1/loads`, {
      headers: { authorization: `Bearer ${await t.token(TENANT)}` },
    });
    expect(tenant.status).toBe(403);
  });

  it("lists its system queries, and none of mpn's", async () => {
    const res = await t.call(TENANT, "GET", `${BASE}/ScheduledQueries?includeOnlySystemQueries=true`);
    expect(res.status).toBe(200);
    expect(res.body.value.map((q: { queryId: string }) => q.queryId)).toEqual([SYSTEM_QUERY_ID]);
  });

  it("runs a query with a boolean condition, for the caller's tenant only", async () => {
    const query = encodeURIComponent(
      "SELECT Country, IsRenewal, Revenue, Units FROM Orders WHERE IsRenewal = 'true' ORDER BY Revenue DESC TIMESPAN LAST_MONTH",
    );
    const path = `${BASE}/ScheduledQueries/testQueryResult?exportQuery=${query}`;
    const mine = await t.call(TENANT, "GET", path);
    expect(mine.status).toBe(200);
    expect(mine.body.value).toEqual([
      { Country: "United States", IsRenewal: true, Revenue: 999.98, Units: 2 },
      { Country: "Germany", IsRenewal: true, Revenue: 499.99, Units: 1 },
    ]);
    const theirs = await t.call(OTHER, "GET", path);
    expect(theirs.body.value).toEqual([]);
  });

  it("refuses an ordering comparison of a boolean column with a non-boolean, naming both", async () => {
    const query = encodeURIComponent("SELECT Country FROM Orders WHERE IsRenewal > 'maybe'");
    const res = await t.call(TENANT, "GET", `${BASE}/ScheduledQueries/testQueryResult?exportQuery=${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("is not true or false, as IsRenewal needs");
  });

  it("keeps mpn's datasets out of its queries", async () => {
    const res = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
      Name: "Wrong program",
      Query: "SELECT CustomerName FROM CustomersAndTenants",
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Invalid table name/);
  });

  it("runs an ExecuteNow report of its system query to a file", async () => {
    const reportId = await executeNow(SYSTEM_QUERY_ID);
    expect(await t.app.worker.runDue()).toBe(1);
    const [execution] = await executionsOf(reportId);
    expect(execution).toMatchObject({ executionStatus: "Completed", failure: null });
    const file = await fetch(execution.reportAccessSecureLink);
    expect(file.status).toBe(200);
    expect((await file.text()).trim().split("\n")).toEqual([
      "Country,Revenue,Units",
      "France,1749.97,13",
      "United States,999.98,2",
      "Germany,599.99,5",
    ]);
  });

  it("exports its boolean column as BOOLEAN in Parquet and as true/false in JSON", async () => {
    const saved = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
      Name: "Renewal flags",
      Query: "SELECT OrderId, IsRenewal FROM Orders ORDER BY OrderId ASC TIMESPAN LAST_MONTH",
    });
    expect(saved.status).toBe(200);
    const download = async (format: string): Promise<Buffer> => {
      const created = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
        ReportName: `Flags ${format}`,
        QueryId: saved.body.value[0].queryId,
        ExecuteNow: true,
        Format: format,
      });
      expect(created.status).toBe(200);
      expect(await t.app.worker.runDue()).toBe(1);
      const [execution] = await executionsOf(created.body.value[0].reportId);
      expect(execution).toMatchObject({ executionStatus: "Completed", format });
      return Buffer.from(await (await fetch(execution.reportAccessSecureLink)).arrayBuffer());
    };
    const flags = [
      { OrderId: "A-1001", IsRenewal: false },
      { OrderId: "A-1002", IsRenewal: true },
      { OrderId: "A-1003", IsRenewal: false },
      { OrderId: "A-1004", IsRenewal: true },
      { OrderId: "A-1005", IsRenewal: false },
    ];
    const json = (await download("json")).toString("utf8").trimEnd().split("\n");
    expect(json.map((line) => JSON.parse(line))).toEqual(flags);
    expect(json[1]).toBe('{"OrderId":"A-1002","IsRenewal":true}');

    const reader = await makeEngine();
    try {
      const file = path.join(reader.exportDir, "flags.parquet");
      await writeFile(file, await download("parquet"));
      const types = await all(reader.engine, `DESCRIBE SELECT * FROM read_parquet('${file}')`);
      expect(types.map((row) => [row.column_name, row.column_type])).toEqual([
        ["OrderId", "VARCHAR"],
        ["IsRenewal", "BOOLEAN"],
      ]);
      expect(await all(reader.engine, `SELECT * FROM read_parquet('${file}') ORDER BY OrderId`)).toEqual(
        flags,
      );
    } finally {
      await reader.cleanup();
    }
  });

  // Last: it changes the catalog file and restarts the app.
  it("fails the reports of a saved query whose column the new catalog dropped, with the reason, never a 500", async () => {
    const saved = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
      Name: "Renewals",
      Query: "SELECT Country, IsRenewal, Revenue FROM Orders TIMESPAN LAST_MONTH",
    });
    expect(saved.status).toBe(200);
    const queryId = saved.body.value[0].queryId;
    const reportId = await executeNow(queryId);

    const catalog = await readFile(catalogFile, "utf8");
    const without = catalog.replace(/^ +- \{ name: IsRenewal,.*\n/m, "");
    expect(without).not.toContain("IsRenewal");
    await writeFile(catalogFile, without);
    await t.restart();

    expect(await t.app.worker.runDue()).toBe(1);
    const [execution] = await executionsOf(reportId);
    expect(execution.executionStatus).toBe("Failed");
    expect(execution.failure).toMatchObject({ code: "invalid_query" });
    expect(execution.failure.reason).toContain("'IsRenewal' is not a column or metric of Orders");

    const tried = await t.call(TENANT, "GET", `${BASE}/ScheduledQueries/testQueryResult?queryId=${queryId}`);
    expect(tried.status).toBe(400);
    expect(tried.body.message).toContain("IsRenewal");
    const listed = await t.call(TENANT, "GET", `${BASE}/ScheduledQueries?queryId=${queryId}`);
    expect(listed.status).toBe(200);
    const again = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
      ReportName: "Again",
      QueryId: queryId,
      StartTime: "2026-12-03T00:00:00Z",
      RecurrenceInterval: 24,
    });
    expect(again.status).toBe(400);
    expect(again.body.message).toContain("IsRenewal");
  });
});
