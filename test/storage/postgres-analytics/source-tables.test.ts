/**
 * Datasets that read a table of the user's own (`source` in a catalog file), end to end on a real
 * PostgreSQL: a table in its own schema, read by a role that may only SELECT it. Queries, try-query
 * and exports give the rows read directly; bad tables stop the start; loads are refused; a table
 * dropped while serving fails only the reports on it (docs/analytics-postgres.md).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ADMIN_ROLE } from "../../../src/auth/roles.js";
import { loadConfig } from "../../../src/config/config.js";
import { loadCatalogs } from "../../../src/datasets/catalog-file.js";
import { prepareQuery } from "../../../src/query/prepare.js";
import { openServingAnalytics } from "../../../src/stores.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { runCli } from "../../support/cli.js";
import { createTestDatabase, randomSuffix, type TestDatabase } from "../../support/postgres.js";

const TENANT = "7d0c3e2a-1b4f-4c8e-9a6d-5e2f1b3c4d5a";
const BASE = "/insights/v1/warehouse";
const SYSTEM_QUERY_ID = "3c0d8f4e-9b1a-4e27-8d6c-5a4b3c2d1e0f";
const clock = new Date("2026-12-02T10:00:00Z");

let database: TestDatabase;
const role = `oi_reader_${randomSuffix()}`;
let roleUrl: string;
let dir: string;
let catalogFile: string;
let t: TestApp;

async function asAdmin<T>(run: (client: pg.Client) => Promise<T>, url = database.url): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The example catalog, plus a dataset on a second table of the user's (the one dropped last). */
async function writeCatalog(file: string, change: (catalog: { datasets: unknown[] }) => void = () => {}) {
  const catalog = parse(await readFile("examples/warehouse-catalog.yaml", "utf8"));
  catalog.datasets.push({
    name: "Returns",
    source: { table: "sales.returns", tenantColumn: "partner_id", columns: { ReturnedOn: "returned_on" } },
    columns: [
      { name: "ReturnedOn", type: "date" },
      { name: "Reason", type: "string" },
    ],
    timeColumn: "ReturnedOn",
  });
  change(catalog);
  await writeFile(file, stringify(catalog));
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-source-tables-"));
  await asAdmin(async (c) => {
    // The documented set-up: the service's own role, with CREATE for its own schemas only…
    await c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await c.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(database.name)} TO ${role}`);
    // …the user's tables, owned by someone else…
    await c.query(await readFile("examples/warehouse-orders.sql", "utf8"));
    await c.query("CREATE TABLE sales.returns (partner_id text NOT NULL, returned_on date, reason text)");
    await c.query(`INSERT INTO sales.returns VALUES ('${TENANT}', '2026-11-10', 'Damaged')`);
    // …which it may only read.
    await c.query(`GRANT USAGE ON SCHEMA sales TO ${role}`);
    await c.query(`GRANT SELECT ON sales.orders, sales.returns TO ${role}`);
  });
  const url = new URL(database.url);
  url.username = role;
  roleUrl = url.toString();
  catalogFile = path.join(dir, "warehouse.yaml");
  await writeCatalog(catalogFile);
  t = await startTestApp({
    now: () => clock,
    env: { OPENINSIGHTS_ANALYTICS_URL: roleUrl, OPENINSIGHTS_CATALOGS: catalogFile },
  });
});

afterAll(async () => {
  await t?.close();
  await database?.drop();
  await asAdmin((c) => c.query(`DROP ROLE IF EXISTS ${role}`), withoutDatabase()).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** The test server's administrative database (the role outlives the dropped test database there). */
function withoutDatabase(): string {
  const url = new URL(database.url);
  url.pathname = "/postgres";
  return url.toString();
}

async function executeNow(body: Record<string, unknown>): Promise<string> {
  const res = await t.call(TENANT, "POST", `${BASE}/ScheduledReport`, {
    ReportName: "Now",
    ExecuteNow: true,
    ...body,
  });
  expect(res.status).toBe(200);
  return res.body.value[0].reportId;
}

async function saveQuery(query: string): Promise<string> {
  const res = await t.call(TENANT, "POST", `${BASE}/ScheduledQueries`, {
    Name: `Q ${randomSuffix()}`,
    Query: query,
  });
  expect(res.status).toBe(200);
  return res.body.value[0].queryId;
}

async function latestExecution(reportId: string) {
  const res = await t.call(
    TENANT,
    "GET",
    `${BASE}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed;Failed`,
  );
  expect(res.status).toBe(200);
  return res.body.value[0];
}

function tryQuery(query: string) {
  return t.call(
    TENANT,
    "GET",
    `${BASE}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(query)}`,
  );
}

/** A number as the service's files print a decimal (whole numbers keep one decimal place). */
const decimalText = (value: number) => (Number.isInteger(value) ? value.toFixed(1) : String(value));

describe("a dataset that reads a table of the user's own", () => {
  it("answers try-query with the tenant's rows read directly from the table, mapped and typed", async () => {
    const res = await tryQuery(
      "SELECT OrderId, OrderDate, OrderedAt, CustomerName, Country, IsRenewal, Quantity, AmountUSD FROM Orders ORDER BY OrderId ASC TIMESPAN LIFETIME",
    );
    expect(res.status).toBe(200);
    const direct = await asAdmin(async (c) => {
      await c.query("SET TimeZone = 'UTC'");
      return (
        await c.query(
          "SELECT order_id::text, to_char(created_at, 'YYYY-MM-DD') AS day, " +
            `to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, customer, country, is_renewal, quantity, amount_usd::float8 AS amount ` +
            "FROM sales.orders WHERE partner_id = $1 ORDER BY order_id",
          [TENANT],
        )
      ).rows;
    });
    expect(direct).toHaveLength(6);
    expect(res.body.value).toEqual(
      direct.map((r) => ({
        OrderId: r.order_id,
        OrderDate: r.day,
        OrderedAt: r.at,
        CustomerName: r.customer,
        Country: r.country,
        IsRenewal: r.is_renewal,
        Quantity: r.quantity,
        AmountUSD: r.amount,
      })),
    );
    // A timestamptz read as a date is its UTC day: 00:30 at +01:00 on the 6th is the 5th.
    expect(res.body.value[1]).toMatchObject({ OrderDate: "2026-11-05", OrderedAt: "2026-11-05T23:30:00Z" });
  });

  it("runs an ExecuteNow report of its system query to a file equal to the same GROUP BY run directly", async () => {
    const reportId = await executeNow({ QueryId: SYSTEM_QUERY_ID });
    expect(await t.app.worker.runDue()).toBe(1);
    const execution = await latestExecution(reportId);
    // No data version: the table is never loaded, so the service cannot tell its versions apart.
    expect(execution).toMatchObject({
      executionStatus: "Completed",
      failure: null,
      manifest: { dataVersion: null },
    });
    const file = await (await fetch(execution.reportAccessSecureLink)).text();
    const direct = await asAdmin(
      async (c) =>
        (
          await c.query(
            "SELECT country, sum(amount_usd)::float8 AS revenue, sum(quantity)::int AS units FROM sales.orders " +
              "WHERE partner_id = $1 AND created_at >= '2026-11-01Z' AND created_at < '2026-12-01Z' " +
              "GROUP BY country ORDER BY revenue DESC",
            [TENANT],
          )
        ).rows,
    );
    expect(file.trim().split("\n")).toEqual([
      "Country,Revenue,Units",
      ...direct.map((r) => `${r.country},${decimalText(r.revenue)},${r.units}`),
    ]);
    expect(direct.map((r) => r.country)).toEqual(["France", "United States", "Germany"]);
  });

  it("exports its rows, keyed by its rowKey, equal to the rows read directly", async () => {
    const queryId = await saveQuery(
      "SELECT OrderId, OrderedAt, IsRenewal, AmountUSD FROM Orders ORDER BY OrderId ASC TIMESPAN LIFETIME",
    );
    const reportId = await executeNow({ QueryId: queryId });
    expect(await t.app.worker.runDue()).toBe(1);
    const execution = await latestExecution(reportId);
    expect(execution.executionStatus).toBe("Completed");
    const lines = (await (await fetch(execution.reportAccessSecureLink)).text()).trim().split("\n");
    const direct = await asAdmin(
      async (c) =>
        (
          await c.query(
            `SELECT order_id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, ` +
              "is_renewal, amount_usd::float8 AS amount FROM sales.orders WHERE partner_id = $1 ORDER BY order_id",
            [TENANT],
          )
        ).rows,
    );
    expect(lines).toEqual([
      "OrderId,OrderedAt,IsRenewal,AmountUSD",
      ...direct.map((r) => `${r.order_id},${r.at},${r.is_renewal},${decimalText(r.amount)}`),
    ]);
  });

  it("filters the tenant first on the mapped column itself, which the table's index serves", async () => {
    const prepared = prepareQuery(
      "SELECT Country, Revenue FROM Orders TIMESPAN LAST_MONTH",
      t.app.catalogs.get("warehouse").datasets,
      { program: "warehouse", tenant: TENANT, now: clock, dialect: "postgres" },
    );
    expect(prepared.sql.sql).toContain(`WHERE "_tenant_id" = $1`);
    const plan = await asAdmin(async (c) => {
      // Seven rows: without this the planner rightly prefers reading the whole table.
      await c.query("SET enable_seqscan = off");
      const explained = await c.query(`EXPLAIN ${prepared.sql.sql}`, [...prepared.sql.params]);
      return explained.rows.map((row) => row["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("orders_partner_created");
    expect(plan).toMatch(/Index Cond: \(partner_id = /);
  });

  it("skips the grouping of a selection that includes the catalog file's rowKey", () => {
    const compiled = (query: string) =>
      prepareQuery(query, t.app.catalogs.get("warehouse").datasets, {
        program: "warehouse",
        tenant: TENANT,
        now: clock,
        dialect: "postgres",
      }).sql.sql;
    expect(compiled("SELECT OrderId, Country FROM Orders")).not.toContain("GROUP BY");
    expect(compiled("SELECT Country FROM Orders")).toContain('GROUP BY "Country"');
  });

  it("is only read: the service's role cannot write the table, and E1 says it was never loaded", async () => {
    await expect(
      asAdmin(
        (c) =>
          c.query(
            `INSERT INTO sales.orders VALUES (gen_random_uuid(), 'x', now(), 'c', 'c', 'p', true, 1, 1)`,
          ),
        roleUrl,
      ),
    ).rejects.toThrow(/permission denied for table orders/);
    const datasets = await t.call(TENANT, "GET", `${BASE}/ScheduledDataset?datasetName=Orders`);
    expect(datasets.body.value).toMatchObject([{ datasetName: "Orders", lastRefreshedTime: null }]);
  });

  it("refuses loads with 400 through the API, and through the CLI", async () => {
    const admin = await t.token("operators", { roles: [ADMIN_ROLE] });
    const res = await fetch(
      `${t.baseUrl}/admin/v1/warehouse/datasets/Orders/loads?tenantId=${TENANT}&mode=append`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "text/csv" },
        body: "OrderId,Country\nx,France\n",
      },
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.message).toBe(
      "Dataset warehouse/Orders is not loaded through OpenInsights: it reads the table sales.orders of the analytics database (source in its catalog file); write the rows to that table instead",
    );

    const file = path.join(dir, "orders.csv");
    await writeFile(file, "OrderId,Country\nx,France\n");
    const cli = await runCli(
      [
        "load",
        "--data-dir",
        path.join(dir, "cli"),
        "--program",
        "warehouse",
        "--dataset",
        "orders",
        "--tenant",
        TENANT,
        file,
      ],
      { OPENINSIGHTS_CATALOGS: catalogFile, OPENINSIGHTS_ANALYTICS_URL: roleUrl },
    );
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain("Dataset warehouse/Orders is not loaded through OpenInsights");
  });

  it("stops the start when a table, column or type does not fit, naming file, dataset, column and type", async () => {
    const bad = path.join(dir, "bad.yaml");
    await writeCatalog(bad, (catalog) => {
      const orders = catalog.datasets[0] as {
        columns: { name: string; type: string }[];
        source: { columns: Record<string, string> };
      };
      orders.columns.find((c) => c.name === "CustomerName")!.type = "integer";
      orders.source.columns.Product = "prodcut";
      orders.source.columns.Country = "Country";
      (catalog.datasets[1] as { source: { table: string } }).source.table = "sales.Returns";
    });
    const config = loadConfig(
      { OPENINSIGHTS_ANALYTICS_URL: roleUrl, OPENINSIGHTS_CATALOGS: bad },
      { dataDir: path.join(dir, "bad") },
    );
    const failure = await openServingAnalytics(config, await loadCatalogs(config.catalogFiles)).then(
      () => new Error("expected the start to fail"),
      (error: unknown) => error as Error,
    );
    expect(failure.message).toBe(
      [
        `Catalog ${bad}: The tables that program warehouse's datasets read do not match its catalog:`,
        '  dataset Orders: column CustomerName reads "customer" of sales.orders, which is character varying(200); catalog type integer reads from smallint, integer, bigint',
        '  dataset Orders: column Country reads "Country", which sales.orders does not have (names are exact: it has "country"; map it in source.columns)',
        '  dataset Orders: column Product reads "prodcut", which sales.orders does not have',
        "  dataset Returns: source.table: the analytics database has no table or view sales.Returns (names are exact: did you mean sales.returns?)",
      ].join("\n"),
    );

    // `serve` with it: that message, and a non-zero exit before listening.
    const served = await runCli(
      ["serve", "--data-dir", path.join(dir, "serve"), "--port", "0", "--catalog", bad],
      {
        OPENINSIGHTS_ANALYTICS_URL: roleUrl,
      },
    );
    expect(served.code).toBe(2);
    expect(served.stderr).toContain(
      `openinsights serve: Catalog ${bad}: The tables that program warehouse's datasets read`,
    );
    expect(served.stderr).toContain("which is character varying(200)");
  });

  it("stops the start when the role may not read the table, saying what to grant", async () => {
    await asAdmin((c) => c.query("CREATE TABLE sales.secret (partner_id text, day date)"));
    const file = path.join(dir, "secret.yaml");
    await writeFile(
      file,
      stringify({
        program: "secret",
        datasets: [
          {
            name: "Days",
            source: { table: "sales.secret", tenantColumn: "partner_id" },
            columns: [{ name: "Day", type: "date" }],
          },
        ],
      }),
    );
    const config = loadConfig(
      { OPENINSIGHTS_ANALYTICS_URL: roleUrl, OPENINSIGHTS_CATALOGS: file },
      { dataDir: dir },
    );
    await expect(openServingAnalytics(config, await loadCatalogs(config.catalogFiles))).rejects.toThrow(
      `dataset Days: column Day: the role ${role} may not read sales.secret.day: GRANT USAGE ON SCHEMA "sales" TO "${role}"; GRANT SELECT ON "sales"."secret" TO "${role}"`,
    );
  });

  it("is refused at start on the DuckDB engine, saying it needs OPENINSIGHTS_ANALYTICS_URL", async () => {
    const config = loadConfig({ OPENINSIGHTS_CATALOGS: catalogFile }, { dataDir: path.join(dir, "duckdb") });
    await expect(openServingAnalytics(config, await loadCatalogs(config.catalogFiles))).rejects.toThrow(
      `Catalog ${catalogFile}: Dataset warehouse/Orders reads the PostgreSQL table sales.orders (its catalog's source): that needs the PostgreSQL analytics engine; set OPENINSIGHTS_ANALYTICS_URL to the database that has the table`,
    );
  });

  // Last: they drop what the other tests read.
  it("a table dropped while serving fails the reports on it with the reason; the others complete", async () => {
    const returns = await executeNow({
      QueryId: await saveQuery("SELECT ReturnedOn, Reason FROM Returns TIMESPAN LIFETIME"),
    });
    const orders = await executeNow({ QueryId: SYSTEM_QUERY_ID });
    await asAdmin((c) => c.query("DROP TABLE sales.returns"));
    expect(await t.app.worker.runDue(2)).toBe(2);
    const failed = await latestExecution(returns);
    expect(failed).toMatchObject({
      executionStatus: "Failed",
      failure: {
        code: "engine_error",
        reason:
          'Export failed reading sales.returns, the table warehouse/Returns reads: relation "sales.returns" does not exist',
      },
    });
    expect(await latestExecution(orders)).toMatchObject({ executionStatus: "Completed" });
    // Not retried: the same table is missing next time too.
    expect(await t.app.worker.runDue()).toBe(0);

    const tried = await tryQuery("SELECT Reason FROM Returns TIMESPAN LIFETIME");
    expect(tried.status).toBe(400);
    expect(tried.body.message).toContain('relation "sales.returns" does not exist');
  });

  it("a column dropped while serving fails only the queries that read it", async () => {
    await asAdmin((c) => c.query("ALTER TABLE sales.orders DROP COLUMN product"));
    const tried = await tryQuery("SELECT Product FROM Orders TIMESPAN LIFETIME");
    expect(tried.status).toBe(400);
    expect(tried.body.message).toBe(
      'Query failed reading sales.orders, the table warehouse/Orders reads: column "product" does not exist',
    );
    const other = await tryQuery(
      "SELECT Country, OrderLines FROM Orders ORDER BY Country ASC TIMESPAN LIFETIME",
    );
    expect(other.status).toBe(200);
    expect(other.body.value).toEqual([
      { Country: "France", OrderLines: 3 },
      { Country: "Germany", OrderLines: 2 },
      { Country: "United States", OrderLines: 1 },
    ]);
  });
});
