/**
 * The seed's own example, "top 10 customers by revenue for last month" (spec: the programmatic
 * access paradigm), against an oracle: the rows the test loads, summed per customer and product
 * here, in plain code. Holds because CustomersAndTenants' revenue is
 * a summed measure (docs/datasets.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../src/demo/random.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { MPN } from "./helpers.js";

const TENANT = DEMO_TENANTS[0]!.id;
const NOW = new Date("2025-03-14T15:09:26Z");
const SEED_QUERY =
  "SELECT CustomerName, Product, BilledRevenueUSD FROM CustomersAndTenants ORDER BY BilledRevenueUSD LIMIT 10 TIMESPAN LAST_MONTH";

/**
 * Rows loaded for the test: 12 customers × 3 products, several rows each in February 2025 (last
 * month at NOW) and more in January and March, revenue drawn by a small deterministic generator.
 */
const PRODUCTS = ["Microsoft 365", "Dynamics 365", "Power BI"];
const ROWS: { customer: string; product: string; month: string; revenue: number }[] = [];
const random = new Random(7, "seed-example");
const next = () => random.next();
for (let c = 0; c < 12; c++) {
  for (const product of PRODUCTS) {
    for (const month of ["2025-01-01", "2025-02-01", "2025-02-01", "2025-02-01", "2025-03-01"]) {
      if (next() < 0.2) continue;
      ROWS.push({ customer: `Customer ${c}`, product, month, revenue: Math.round(next() * 1_000_000) / 100 });
    }
  }
}
const CSV = [
  "CustomerName,Product,Month,BilledRevenueUSD",
  ...ROWS.map((r) => `${r.customer},${r.product},${r.month},${r.revenue}`),
].join("\n");

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: () => NOW,
    rows: [{ program: "mpn", dataset: "CustomersAndTenants", tenant: TENANT, csv: CSV }],
  });
});
afterAll(async () => {
  await t?.close();
});

/** The oracle: the loaded rows of last month (February 2025, by NOW), grouped and summed here. */
function oracle(): [string, string, number][] {
  const totals = new Map<string, { customer: string; product: string; cents: number }>();
  const february = ROWS.filter((r) => r.month.startsWith("2025-02-"));
  for (const row of february) {
    const key = JSON.stringify([row.customer, row.product]);
    const total = totals.get(key) ?? { customer: row.customer, product: row.product, cents: 0 };
    total.cents += Math.round(row.revenue * 100);
    totals.set(key, total);
  }
  // The data makes the question meaningful: several rows per customer and product.
  expect(february.length).toBeGreaterThan(totals.size * 2);
  return [...totals.values()]
    .sort((a, b) => b.cents - a.cents)
    .slice(0, 10)
    .map((x) => [x.customer, x.product, x.cents / 100]);
}

describe("the seed's example: top 10 customers by revenue for last month", () => {
  it("sums revenue per customer and product and ranks by the total, as an independent computation does", async () => {
    const answer = await t.call(
      TENANT,
      "GET",
      `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(SEED_QUERY)}`,
    );
    expect(answer.status).toBe(200);
    const got = (
      answer.body.value as { CustomerName: string; Product: string; BilledRevenueUSD: number }[]
    ).map((r) => [r.CustomerName, r.Product, Math.round(r.BilledRevenueUSD * 100) / 100]);
    expect(got).toEqual(oracle());
  });

  it("lists BilledRevenueUSD as a summed metric of the dataset (E1), not a column", async () => {
    const answer = await t.call(TENANT, "GET", `${MPN}/ScheduledDataset?datasetName=CustomersAndTenants`);
    const dataset = answer.body.value[0] as { selectableColumns: string[]; availableMetrics: string[] };
    expect(dataset.availableMetrics).toEqual(
      expect.arrayContaining(["BilledRevenueUSD", "AvailableSeats", "AzureConsumedRevenueUSD"]),
    );
    expect(dataset.selectableColumns).not.toContain("BilledRevenueUSD");
    expect(dataset.selectableColumns).toContain("CPORActiveUsers");
  });
});
