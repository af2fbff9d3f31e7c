import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import type { Program } from "../../src/datasets/types.js";
import { planColumn } from "../../src/demo/columns.js";
import { DEMO_MONTHS, generateDemoData } from "../../src/demo/generate.js";
import { Random } from "../../src/demo/random.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import type { Row } from "../../src/query/compiled.js";
import type { DuckDbEngine } from "../../src/storage/duckdb/engine.js";
import { FIXTURE_CATALOGS, PROFILE, SALES, USAGE } from "../fixtures/analytics-datasets.js";
import { all, makeEngine, type TestEngine } from "../storage/duckdb/helpers.js";

const NOW = new Date("2025-03-14T15:09:26Z");
const ROWS = 20_000;
const OTHER_TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/** Order-independent fingerprint of every table the fixtures use. */
async function fingerprint(engine: DuckDbEngine): Promise<Row[]> {
  const tables = ['mpn."Sales"', 'mpn."Profile"', 'cmp."Usage"'];
  const out: Row[] = [];
  for (const table of tables) {
    out.push(
      ...(await all(
        engine,
        `SELECT '${table}' AS t, count(*) AS n, md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))) AS h
         FROM ${table} x WHERE "_tenant_id" IN ($1, $2, $3)`,
        DEMO_TENANTS.map((t) => t.id),
      )),
    );
  }
  return out;
}

describe("generateDemoData", () => {
  let a: TestEngine;
  let b: TestEngine;
  let messages: string[];

  beforeAll(async () => {
    a = await makeEngine();
    b = await makeEngine();
    messages = [];
    // A row of a non-demo tenant that must survive.
    await a.engine.ensureTables("mpn", FIXTURE_CATALOGS.mpn);
    await a.engine.appendTenantData("mpn", SALES, OTHER_TENANT, [[{ CustomerName: "Keep me" }]]);
    await generateDemoData(a.engine, {
      catalogs: FIXTURE_CATALOGS,
      rows: ROWS,
      now: NOW,
      onProgress: (m) => messages.push(m),
    });
    // Small blocks: the result must not depend on how rows are batched.
    await generateDemoData(b.engine, { catalogs: FIXTURE_CATALOGS, rows: ROWS, now: NOW, blockRows: 777 });
  });

  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  it("is deterministic: same seed, rows and now give identical tables", async () => {
    expect(await fingerprint(a.engine)).toEqual(await fingerprint(b.engine));
  });

  it("generates exactly the requested rows, for every dataset of every program and every tenant", async () => {
    const counts = [
      ...(await a.engine.tableCounts("mpn", FIXTURE_CATALOGS.mpn)),
      ...(await a.engine.tableCounts("cmp", FIXTURE_CATALOGS.cmp)),
    ];
    const demoIds = new Set(DEMO_TENANTS.map((t) => t.id));
    let total = 0;
    const perTable = new Map<string, number>();
    for (const c of counts) {
      const demo = c.tenants.filter((t) => demoIds.has(t.tenantId));
      expect(demo.map((t) => t.tenantId).sort()).toEqual([...demoIds].sort());
      for (const t of demo) expect(t.rows).toBeGreaterThan(0);
      perTable.set(
        c.table,
        demo.reduce((sum, t) => sum + t.rows, 0),
      );
    }
    for (const n of perTable.values()) total += n;
    expect(total).toBe(ROWS);
    // The first tenant gets the biggest share, the usage-like dataset more than the snapshot.
    const sales = counts.find((c) => c.dataset === "Sales")!.tenants;
    const share = (id: string) => sales.find((t) => t.tenantId === id)!.rows;
    expect(share(DEMO_TENANTS[0]!.id)).toBeGreaterThan(share(DEMO_TENANTS[2]!.id));
    expect(perTable.get("Usage")!).toBeGreaterThan(perTable.get("Profile")!);
    expect(messages[0]).toMatch(
      /^Generating 20,000 demo rows for 4 datasets × 3 tenants \(seed 42, 2022-04-01 to 2025-03-14\)$/,
    );
    expect(messages.at(-1)).toMatch(/^Generated 20,000 demo rows in \d+\.\d s$/);
  });

  it("replaces earlier demo data and leaves other tenants alone", async () => {
    const before = await fingerprint(a.engine);
    const result = await generateDemoData(a.engine, { catalogs: FIXTURE_CATALOGS, rows: ROWS, now: NOW });
    expect(result.rowCount).toBe(ROWS);
    expect(await fingerprint(a.engine)).toEqual(before);
    expect(
      await all(a.engine, 'SELECT "CustomerName" FROM mpn."Sales" WHERE "_tenant_id" = $1', [OTHER_TENANT]),
    ).toEqual([{ CustomerName: "Keep me" }]);
  });

  it("changes with the seed", async () => {
    const c = await makeEngine();
    try {
      await generateDemoData(c.engine, { catalogs: FIXTURE_CATALOGS, rows: ROWS, now: NOW, seed: 7 });
      expect(await fingerprint(c.engine)).not.toEqual(await fingerprint(b.engine));
    } finally {
      await c.cleanup();
    }
  });

  it("keeps dates within the 36 months ending at now; month columns hold month starts", async () => {
    const [range] = await all(
      b.engine,
      `SELECT min("Month") AS lo, max("Month") AS hi, count(DISTINCT "Month") AS months,
              bool_and(day("Month") = 1) AS starts, min("UpdatedAt") AS tlo, max("UpdatedAt") AS thi
       FROM mpn."Sales"`,
    );
    expect(range).toEqual({
      lo: "2022-04-01",
      hi: "2025-03-01",
      months: DEMO_MONTHS,
      starts: true,
      tlo: expect.any(String),
      thi: expect.any(String),
    });
    expect(String(range!.tlo) >= "2022-04-01T00:00:00Z").toBe(true);
    expect(String(range!.thi) <= "2025-03-14T15:09:26Z").toBe(true);
    const [usage] = await all(
      b.engine,
      `SELECT min("UsageDate") AS lo, max("UsageDate") AS hi, min("SubscriptionEndDate") AS elo,
              max("SubscriptionEndDate") AS ehi, max("UsageStartTime") AS thi,
              count(*) FILTER (WHERE "UsageDate" >= DATE '2025-03-07') AS lastweek
       FROM cmp."Usage"`,
    );
    expect(String(usage!.lo) >= "2022-04-01").toBe(true);
    expect(usage!.hi).toBe("2025-03-14");
    expect(String(usage!.elo) >= "2022-04-01").toBe(true);
    expect(String(usage!.ehi) <= "2025-03-14").toBe(true);
    expect(String(usage!.thi) <= "2025-03-14T15:09:26Z").toBe(true);
    expect(Number(usage!.lastweek)).toBeGreaterThan(0);
  });

  it("draws realistic, coherent values", async () => {
    const [sales] = await all(
      b.engine,
      `SELECT count(DISTINCT "CustomerName") AS names,
              bool_and(regexp_matches("CustomerTenantId", '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')) AS guids,
              bool_and("Product" IN ('Microsoft 365', 'Dynamics 365', 'Azure')) AS products,
              bool_and("IsDuplicateRowForPGA" IN (0, 1)) AS flags,
              bool_and("PaidSeats" >= 1) AS seats,
              bool_and(round("BilledRevenueUSD", 2) = "BilledRevenueUSD" AND "BilledRevenueUSD" > 0) AS cents,
              max("BilledRevenueUSD") > 10 * median("BilledRevenueUSD") AS skewed,
              count(*) FILTER (WHERE "CustomerName" IS NULL) AS null_names
       FROM mpn."Sales"`,
    );
    expect(sales).toEqual({
      names: expect.any(Number),
      guids: true,
      products: true,
      flags: true,
      seats: true,
      cents: true,
      skewed: true,
      null_names: 0,
    });
    expect(Number(sales!.names)).toBeGreaterThan(20);
    // One customer id always comes with the same name and market.
    const [coherent] = await all(
      b.engine,
      `SELECT max(n) AS most FROM (
         SELECT count(DISTINCT ("CustomerName", "CustomerMarket")) AS n FROM mpn."Sales" WHERE "CustomerTenantId" IS NOT NULL GROUP BY "_tenant_id", "CustomerTenantId")`,
    );
    expect(coherent).toEqual({ most: 1 });
    const [usage] = await all(
      b.engine,
      `SELECT bool_and("IsPrivateOffer" IN ('True', 'False')) AS flags,
              count(DISTINCT "ReferenceId") AS refs, count("ReferenceId") AS n,
              count(*) FILTER (WHERE "ReferenceId" IS NULL) AS null_refs,
              count(*) FILTER (WHERE "MarketplaceSubscriptionId" IS NULL) AS null_subs,
              bool_and(starts_with("OfferName", 'Contoso ') OR starts_with("OfferName", 'Fabrikam ') OR starts_with("OfferName", 'Northwind Traders ')) AS offers
       FROM cmp."Usage"`,
    );
    expect(usage).toMatchObject({ flags: true, null_subs: 0, offers: true });
    // Unique-ish ids; an optional-looking column has a few NULLs.
    expect(Number(usage!.refs)).toBeGreaterThan(Number(usage!.n) * 0.99);
    expect(Number(usage!.null_refs)).toBeGreaterThan(0);
    const [profile] = await all(
      b.engine,
      `SELECT count(*) FILTER (WHERE "City" IS NULL) AS null_cities, count(*) AS n,
              bool_and("HierarchyLevel" IN ('Global', 'Location')) AS levels,
              bool_and(regexp_matches("MPNId", '^[1-9][0-9]{6}$')) AS mpn
       FROM mpn."Profile"`,
    );
    expect(profile).toMatchObject({ levels: true, mpn: true });
    expect(Number(profile!.null_cities)).toBeLessThan(Number(profile!.n));
  });

  it("validates its options", async () => {
    const base = { catalogs: FIXTURE_CATALOGS, now: NOW };
    await expect(generateDemoData(a.engine, { ...base, rows: 0 })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(generateDemoData(a.engine, { ...base, seed: 1.5 })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(generateDemoData(a.engine, { ...base, now: new Date("nope") })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(generateDemoData(a.engine, { ...base, tenants: [] })).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });
});

describe("column heuristics", () => {
  const plan = (
    program: Program,
    name: string,
    type: "string" | "integer" | "decimal" | "date" | "datetime",
    extra = {},
  ) => planColumn(program, SALES, { name, type, ...extra });

  it("maps names to coherent entities and domains", () => {
    expect(plan("mpn", "CustomerName", "string")).toEqual({
      kind: "entity",
      entity: "customer",
      attr: "name",
    });
    expect(plan("cmp", "CustomerName", "string")).toEqual({ kind: "entity", entity: "person", attr: "name" });
    expect(plan("mpn", "CustomerTenantId", "string")).toEqual({
      kind: "entity",
      entity: "customer",
      attr: "tenantId",
    });
    expect(plan("mpn", "PGA_MPNId", "string")).toEqual({ kind: "entity", entity: "partner", attr: "pgaId" });
    expect(plan("mpn", "ResellerName", "string")).toEqual({
      kind: "entity",
      entity: "reseller",
      attr: "name",
    });
    expect(plan("mpn", "SubscriptionId", "string")).toEqual({
      kind: "entity",
      entity: "subscription",
      attr: "id",
    });
    expect(plan("mpn", "IsAutoRenew", "string", { description: "Yes or No" })).toEqual({
      kind: "domain",
      values: ["Yes", "No"],
      nullRate: 0,
    });
    expect(plan("mpn", "Status", "string", { values: ["A", "B"] })).toEqual({
      kind: "domain",
      values: ["A", "B"],
      nullRate: 0,
    });
    expect(plan("cmp", "UsageReference", "string")).toMatchObject({ kind: "guid" });
    expect(plan("mpn", "Whatever", "string")).toMatchObject({ kind: "domain" });
    // Bare Country describes the partner in a dataset without customer columns.
    expect(planColumn("mpn", PROFILE, { name: "Country", type: "string" })).toEqual({
      kind: "entity",
      entity: "partner",
      attr: "country",
    });
    expect(planColumn("cmp", USAGE, { name: "CustomerCountry", type: "string" })).toEqual({
      kind: "entity",
      entity: "customer",
      attr: "country",
    });
  });

  it("picks number and date generators by name", () => {
    expect(plan("mpn", "IsDuplicateRowForPGA", "integer", { values: ["0", "1"] })).toEqual({
      kind: "int",
      gen: "rareFlag",
    });
    expect(plan("mpn", "HasTrial", "integer")).toEqual({ kind: "int", gen: "flag" });
    expect(plan("mpn", "AvailableSeats", "integer")).toEqual({ kind: "int", gen: "count" });
    expect(plan("mpn", "ActiveUsagePercent", "decimal")).toEqual({ kind: "decimal", gen: "percent" });
    expect(plan("mpn", "BilledRevenueUSD", "decimal")).toEqual({ kind: "decimal", gen: "revenue" });
    expect(plan("mpn", "Month", "date")).toEqual({ kind: "date", role: "anchor", monthStart: true });
    expect(plan("mpn", "SubscriptionStartMonth", "date")).toEqual({
      kind: "date",
      role: "before",
      monthStart: true,
    });
    expect(plan("mpn", "SubscriptionEndDate", "date")).toEqual({
      kind: "date",
      role: "after",
      monthStart: false,
    });
    expect(plan("mpn", "UpdatedAt", "datetime")).toEqual({ kind: "datetime", role: "anchor" });
  });
});

describe("Random", () => {
  it("is deterministic per seed and key path, and draws in range", () => {
    const x = new Random(42, "mpn", "Sales");
    const y = new Random(42, "mpn", "Sales");
    const z = new Random(42, "mpn", "Sale", "s");
    const xs = Array.from({ length: 5 }, () => x.next32());
    expect(Array.from({ length: 5 }, () => y.next32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => z.next32())).not.toEqual(xs);
    const r = new Random(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.next();
      expect(v >= 0 && v < 1).toBe(true);
      expect(r.skewed(10, 1.5)).toBeLessThan(10);
    }
    expect(r.guid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.digits(7)).toMatch(/^[1-9][0-9]{6}$/);
  });
});

describe("generateDemoData with a row key", () => {
  it("keeps no two rows of a tenant with the same key, and reports the rows it kept", async () => {
    const seats = builtInCatalogs.findDataset("mpn", "SeatsSubscriptionsAndRevenue")!;
    const t = await makeEngine();
    try {
      const result = await generateDemoData(t.engine, { catalogs: { mpn: [seats] }, rows: 30_000, now: NOW });
      const [counts] = await all(
        t.engine,
        `SELECT count(*) AS n, count(DISTINCT ("_tenant_id", "SubscriptionId", "Month")) AS keys
         FROM mpn."SeatsSubscriptionsAndRevenue"`,
      );
      expect(Number(counts!.n)).toBe(Number(counts!.keys));
      // Entities and months are drawn at random: some keys repeated and were dropped (here, alone in
      // the run, the dataset has a small subscription pool: about a third).
      expect(result.rowCount).toBeLessThan(30_000);
      expect(result.rowCount).toBeGreaterThan(15_000);
      expect(Number(counts!.n)).toBe(result.rowCount);
      expect(result.datasets.reduce((sum, d) => sum + d.rows, 0)).toBe(result.rowCount);
    } finally {
      await t.cleanup();
    }
  });
});
