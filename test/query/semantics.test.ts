/**
 * One query language, two engines: every query here runs on DuckDB and on PostgreSQL over the same
 * rows (loaded through each engine's `load`), and both must return the same rows — values, types
 * and order (when the query orders them totally; otherwise as sets).
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetDef } from "../../src/datasets/types.js";
import type { Row } from "../../src/query/compiled.js";
import { compileQuery } from "../../src/query/index.js";
import type { AnalyticsEngine } from "../../src/storage/ports.js";
import { makeEngine, type TestEngine } from "../storage/duckdb/helpers.js";
import { collectRows, makePgEngine, type TestPgEngine } from "../storage/postgres-analytics/helpers.js";

const TENANT = "8f3c2a91-5b7e-4d2a-9c41-6e0b3f7d2a58";
const OTHER = "2d7e9b14-c3a6-4f85-b0d2-91a4e6c7f3b0";
const NOW = new Date("2024-07-15T12:00:00Z");

const ORDERS: DatasetDef = {
  name: "Orders",
  description: "Every column type",
  columns: [
    { name: "Customer", type: "string" },
    { name: "Country", type: "string" },
    { name: "OrderDate", type: "date" },
    { name: "SoldAt", type: "datetime" },
    { name: "Seats", type: "integer" },
    { name: "IsRenewal", type: "boolean" },
    // Longer than PostgreSQL's 63-byte identifiers, and equal in their first 63 bytes.
    { name: "DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremises", type: "string" },
    { name: "DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremisesTwo", type: "integer" },
  ],
  measures: [{ name: "Amount", type: "decimal" }],
  metrics: [
    { name: "Revenue", aggregation: "sum", source: "Amount" },
    { name: "AverageAmount", aggregation: "avg", source: "Amount" },
    { name: "TotalSeats", aggregation: "sum", source: "Seats" },
    { name: "AverageSeats", aggregation: "avg", source: "Seats" },
    { name: "Customers", aggregation: "countDistinct", source: "Customer" },
    { name: "Orders", aggregation: "count" },
    { name: "FirstCustomer", aggregation: "min", source: "Customer" },
    { name: "LastCustomer", aggregation: "max", source: "Customer" },
    { name: "LatestSale", aggregation: "max", source: "SoldAt" },
  ],
  timeColumn: "OrderDate",
  availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_1_YEAR", "LIFETIME"],
  minimumRecurrenceInterval: 4,
};

const CSV = [
  "Customer,Country,OrderDate,SoldAt,Seats,IsRenewal,Amount",
  "Contoso,United States,2024-06-01,2024-06-03T10:00:00Z,10,true,100.1",
  "contoso,united states,2024-06-02,2024-06-04T11:30:00Z,5,false,200.2",
  "Fabrikam,France,2024-06-09,2024-06-09T08:00:00Z,7,false,50.05",
  '"O\'Brien & Sons",Ireland,2024-04-01,2024-04-09T08:00:00+02:00,3,,10',
  "Old Co,,2023-01-01,2023-01-01T00:00:00Z,1,false,1",
  "Current Month Co,France,2024-07-01,2024-07-02T00:00:00Z,2,true,5",
  "Émile,Åland,2024-06-15,2024-06-15T12:00:00Z,4,true,0.1",
  "émile,Zürich,2024-06-16,,4,true,0.2",
  "zeta,France,2024-05-20,2024-05-20T23:59:59Z,,false,",
  "Back\\slash,50% off,2024-05-21,2024-05-21T00:00:00Z,100,true,0.3",
  'under_score,"",2024-05-22,2024-05-22T00:00:00Z,-5,false,-1.25',
  "apple,Apple,2024-05-23,2024-05-23T00:00:00Z,8,true,1e3",
  "Apple,apple,2024-05-23,2024-05-23T00:00:00Z,8,true,1000",
  "=cmd,France,2024-06-20,2024-06-20T00:00:00Z,1,false,2",
].join("\n");

const LONG_CSV = [
  "Customer,OrderDate,DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremises,DataAIPowerbusinessdecisionswithCloudScaleAnalyticsMigrationOnPremisesTwo",
  "Long One,2024-06-01,first,1",
  "Long Two,2024-06-02,second,2",
].join("\n");

const OTHER_CSV = [
  "Customer,Country,OrderDate,Seats,Amount",
  "Other Tenant Co,France,2024-06-01,99,999",
].join("\n");

/** `ordered`: the ORDER BY is total, so the order is compared too; otherwise the rows as sets. */
const QUERIES: { query: string; ordered: boolean }[] = [
  { query: "SELECT Customer, Country FROM Orders TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders ORDER BY Customer ASC TIMESPAN LIFETIME", ordered: true },
  { query: "SELECT Customer FROM Orders ORDER BY Customer DESC TIMESPAN LIFETIME", ordered: true },
  {
    query: "SELECT Customer, Country FROM Orders ORDER BY Country ASC, Customer ASC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query: "SELECT Customer, Country FROM Orders ORDER BY Country DESC, Customer DESC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query:
      "SELECT Country, Revenue, Orders FROM Orders ORDER BY Revenue DESC, Country DESC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query: "SELECT Country, Revenue FROM Orders ORDER BY Revenue ASC, Country ASC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query:
      "SELECT Country, AverageAmount, AverageSeats, TotalSeats FROM Orders ORDER BY Country ASC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query:
      "SELECT IsRenewal, Customers, Orders, FirstCustomer, LastCustomer, LatestSale FROM Orders ORDER BY IsRenewal ASC TIMESPAN LIFETIME",
    ordered: true,
  },
  { query: "SELECT Revenue, Orders, TotalSeats FROM Orders TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Country = 'FRANCE' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Customer = 'émile' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Country != 'france' TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer FROM Orders WHERE Country IN ('france', 'IRELAND') TIMESPAN LIFETIME",
    ordered: false,
  },
  {
    query: "SELECT Customer FROM Orders WHERE Country NOT IN ('france', 'IRELAND') TIMESPAN LIFETIME",
    ordered: false,
  },
  { query: "SELECT Customer FROM Orders WHERE Customer LIKE 'con%' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Customer LIKE '%\\%' TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer FROM Orders WHERE Customer LIKE 'Back\\slash' TIMESPAN LIFETIME",
    ordered: false,
  },
  { query: "SELECT Customer FROM Orders WHERE Country LIKE '50%' TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer FROM Orders WHERE Customer LIKE 'under_score' TIMESPAN LIFETIME",
    ordered: false,
  },
  { query: "SELECT Customer FROM Orders WHERE Customer NOT LIKE '%o%' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Customer > 'b' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Customer <= 'Z' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Seats > 4.5 TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Seats = '10' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Seats != 10 TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE Seats IN (1, 4, 'x') TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer, Revenue FROM Orders WHERE Revenue < 1 TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE IsRenewal = 'true' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE IsRenewal = 0 TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE IsRenewal != 'TRUE' TIMESPAN LIFETIME", ordered: false },
  { query: "SELECT Customer FROM Orders WHERE OrderDate >= '2024-06-02' TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer FROM Orders WHERE SoldAt < '2024-06-04 11:30' TIMESPAN LIFETIME",
    ordered: false,
  },
  {
    query: "SELECT Customer FROM Orders WHERE SoldAt = '2024-04-09T06:00:00Z' TIMESPAN LIFETIME",
    ordered: false,
  },
  { query: "SELECT Customer FROM Orders WHERE OrderDate LIKE '2024-06%' TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer, SoldAt, OrderDate, Seats, IsRenewal FROM Orders TIMESPAN LAST_MONTH",
    ordered: false,
  },
  { query: "SELECT Customer FROM Orders TIMESPAN LAST_3_MONTHS", ordered: false },
  {
    query: "SELECT Country, Revenue FROM Orders WHERE Revenue > 100 ORDER BY Revenue DESC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query:
      "SELECT Country, Orders FROM Orders WHERE Orders >= 2 ORDER BY Orders DESC, Country ASC TIMESPAN LIFETIME",
    ordered: true,
  },
  { query: "SELECT Country FROM Orders ORDER BY Seats DESC TIMESPAN LIFETIME", ordered: false },
  {
    query: "SELECT Customer, Seats FROM Orders ORDER BY Seats DESC, Customer ASC LIMIT 5 TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query: "SELECT Customer, Seats FROM Orders ORDER BY Seats ASC, Customer DESC TIMESPAN LIFETIME",
    ordered: true,
  },
  {
    query: "SELECT Customer, AverageAmount FROM Orders ORDER BY AverageAmount TIMESPAN LIFETIME",
    ordered: false,
  },
];

let duck: TestEngine;
let pg: TestPgEngine;

async function loadBoth(engine: AnalyticsEngine, dir: string): Promise<void> {
  await engine.ensureTables("acme", [ORDERS]);
  for (const [tenant, csv] of [
    [TENANT, CSV],
    [OTHER, OTHER_CSV],
    [TENANT, LONG_CSV],
  ] as const) {
    const file = path.join(dir, `${tenant}-${csv.length}.csv`);
    await fs.writeFile(file, csv);
    await engine.load({
      program: "acme",
      dataset: ORDERS,
      tenant,
      mode: "append",
      file: { path: file, format: "csv" },
    });
  }
}

beforeAll(async () => {
  duck = await makeEngine();
  pg = await makePgEngine();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "oi-semantics-"));
  await loadBoth(duck.engine, duck.exportDir);
  await loadBoth(pg.engine, dir);
  await fs.rm(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await duck?.cleanup();
  await pg?.cleanup();
});

async function run(engine: AnalyticsEngine, query: string): Promise<Row[]> {
  const compiled = compileQuery(query, [ORDERS], {
    program: "acme",
    tenant: TENANT,
    now: NOW,
    dialect: engine.dialect,
  });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  return collectRows(engine.stream(compiled.sql));
}

const sorted = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))).sort();

describe("the same rows on DuckDB and PostgreSQL", () => {
  it.each(QUERIES)("$query", async ({ query, ordered }) => {
    const [onDuck, onPg] = await Promise.all([run(duck.engine, query), run(pg.engine, query)]);
    expect(onDuck.length).toBeGreaterThan(0);
    if (ordered) expect(onPg).toEqual(onDuck);
    else expect(sorted(onPg)).toEqual(sorted(onDuck));
  });

  it("reads only the tenant's rows on both", async () => {
    const query = "SELECT Customer FROM Orders WHERE Customer = 'Other Tenant Co' TIMESPAN LIFETIME";
    expect(await run(duck.engine, query)).toEqual([]);
    expect(await run(pg.engine, query)).toEqual([]);
  });
});
