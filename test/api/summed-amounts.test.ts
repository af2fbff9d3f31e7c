/**
 * The summed amounts issue #14 decided for ISVRevenue, ISVOfferRetention and
 * CLASAgreementRenewalsPropensity (docs/datasets.md "Metrics"), against an oracle computed here from
 * the rows the test loads: an amount decided additive is summed over the other selected columns; an
 * amount kept a column (a transaction-currency amount, a running total) groups like any column.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../src/demo/random.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { CMP, MPN } from "./helpers.js";

const TENANT = DEMO_TENANTS[0]!.id;
const NOW = new Date("2025-03-14T15:09:26Z");

interface RevenueRow {
  offer: string;
  month: string;
  usd: number;
  cc: number;
}
const OFFERS = ["Contoso Backup", "Fabrikam CRM", "Tailspin VM"];
const REVENUE: RevenueRow[] = [];
const random = new Random(11, "summed-amounts");
const next = () => random.next();
for (const offer of OFFERS) {
  for (const month of ["2024-12-01", "2025-01-01", "2025-02-01", "2025-02-01"]) {
    const usd = Math.round(next() * 100_000) / 100;
    // Months inside LAST_6_MONTHS at NOW (which ends before the current month). Two transaction currencies: the CC amount is a column, so equal CC values group together.
    REVENUE.push({ offer, month, usd, cc: next() < 0.5 ? 10 : 20 });
  }
}
const REVENUE_CSV = [
  "OfferName,MonthStartDate,TransactionAmountUSD,TransactionAmountCC,LineItemId",
  ...REVENUE.map((r, i) => `${r.offer},${r.month},${r.usd},${r.cc},line-${i}`),
].join("\n");

/** Retention rows: per offer and offset, the day's revenue and the running total up to that day. */
const RETENTION: { offer: string; offset: number; perDay: number; total: number }[] = [];
for (const offer of OFFERS) {
  let total = 0;
  for (let offset = 0; offset < 5; offset++) {
    const perDay = Math.round(next() * 10_000) / 100;
    total = Math.round((total + perDay) * 100) / 100;
    RETENTION.push({ offer, offset, perDay, total });
  }
}
const RETENTION_CSV = [
  "OfferName,FirstUsageDate,Offset,RevenueGeneratedPerDayUSD,RevenueGeneratedUSD",
  ...RETENTION.map((r) => `${r.offer},2025-02-10,${r.offset},${r.perDay},${r.total}`),
].join("\n");

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: () => NOW,
    rows: [
      { program: "cmp", dataset: "ISVRevenue", tenant: TENANT, csv: REVENUE_CSV },
      { program: "cmp", dataset: "ISVOfferRetention", tenant: TENANT, csv: RETENTION_CSV },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

async function rows(program: string, query: string): Promise<Record<string, unknown>[]> {
  const answer = await t.call(
    TENANT,
    "GET",
    `${program}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(query)}`,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.value as Record<string, unknown>[];
}

const cents = (x: unknown) => Math.round(Number(x) * 100);

describe("ISVRevenue's amounts", () => {
  it("sums the USD amount per offer over months and line items", async () => {
    const got = await rows(
      CMP,
      "SELECT OfferName, TransactionAmountUSD FROM ISVRevenue ORDER BY OfferName ASC TIMESPAN LAST_6_MONTHS",
    );
    const expected = OFFERS.map((offer) => [
      offer,
      REVENUE.filter((r) => r.offer === offer).reduce((sum, r) => sum + Math.round(r.usd * 100), 0),
    ]);
    expect(got.map((r) => [r.OfferName, cents(r.TransactionAmountUSD)])).toEqual(expected);
  });

  it("keeps the transaction-currency amount a column: distinct values per offer, not a sum", async () => {
    const got = await rows(
      CMP,
      "SELECT OfferName, TransactionAmountCC FROM ISVRevenue ORDER BY OfferName ASC, TransactionAmountCC ASC TIMESPAN LAST_6_MONTHS",
    );
    const expected = OFFERS.flatMap((offer) =>
      [...new Set(REVENUE.filter((r) => r.offer === offer).map((r) => r.cc))]
        .sort((a, b) => a - b)
        .map((cc) => [offer, cc * 100]),
    );
    expect(got.map((r) => [r.OfferName, cents(r.TransactionAmountCC)])).toEqual(expected);
  });
});

describe("ISVOfferRetention's revenue", () => {
  it("sums the per-day revenue per offer; the running total stays a column", async () => {
    const summed = await rows(
      CMP,
      "SELECT OfferName, RevenueGeneratedPerDayUSD FROM ISVOfferRetention ORDER BY OfferName ASC TIMESPAN LAST_6_MONTHS",
    );
    expect(summed.map((r) => [r.OfferName, cents(r.RevenueGeneratedPerDayUSD)])).toEqual(
      OFFERS.map((offer) => [
        offer,
        RETENTION.filter((r) => r.offer === offer).reduce((sum, r) => sum + Math.round(r.perDay * 100), 0),
      ]),
    );
    const totals = await rows(
      CMP,
      "SELECT OfferName, RevenueGeneratedUSD FROM ISVOfferRetention TIMESPAN LAST_6_MONTHS",
    );
    expect(totals).toHaveLength(RETENTION.length);
  });
});

describe("E1 lists the decided amounts as metrics, not columns", () => {
  it.each([
    [
      CMP,
      "ISVRevenue",
      ["TransactionAmountUSD", "EarningAmountPC", "Quantity", "Units"],
      ["TransactionAmountCC", "Revenue"],
    ],
    [CMP, "ISVOfferRetention", ["RevenueGeneratedPerDayUSD"], ["RevenueGeneratedUSD"]],
    [MPN, "CLASAgreementRenewalsPropensity", ["ExpiringRevenue"], ["AgreementID"]],
    [CMP, "ISVOrder", [], ["OrderQuantity"]],
  ])("%s %s", async (program, dataset, metrics, columns) => {
    const answer = await t.call(TENANT, "GET", `${program}/ScheduledDataset?datasetName=${dataset}`);
    const found = answer.body.value[0] as { selectableColumns: string[]; availableMetrics: string[] };
    expect(found.availableMetrics).toEqual(expect.arrayContaining(metrics));
    for (const name of metrics) expect(found.selectableColumns).not.toContain(name);
    expect(found.selectableColumns).toEqual(expect.arrayContaining(columns));
    if (dataset === "ISVOrder") expect(found.availableMetrics).toEqual([]);
  });
});
