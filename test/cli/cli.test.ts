/** The `openinsights` command line, run as a real process on a fresh data directory. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { prepareQuery } from "../../src/query/prepare.js";
import { openSqliteMetadataStore } from "../../src/storage/sqlite/metadata-store.js";
import { openAnalytics } from "../../src/stores.js";
import { all } from "../storage/duckdb/helpers.js";
import { runCli } from "../support/cli.js";

const TENANT = DEMO_TENANTS[0]!.id;
let dataDir: string;
const cli = (...args: string[]) =>
  runCli([...args, "--data-dir", dataDir], { OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB" });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-cli-"));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe("openinsights", () => {
  it("prints usage, and exits 2 for an unknown command or option", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/Usage: openinsights <command>/);
    expect((await runCli(["frobnicate"])).code).toBe(2);
    const bad = await runCli(["query", "--nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage: openinsights query/);
  });

  it("serve with a bad catalog file stops at once, naming file, path and what is allowed (exit 2)", async () => {
    const file = path.join(dataDir, "bad-catalog.json");
    const catalog = {
      program: "shop",
      datasets: [{ name: "Sales", columns: [{ name: "Day", type: "day" }] }],
    };
    await writeFile(file, JSON.stringify(catalog));
    const serve = await cli("serve", "--port", "0", "--catalog", file);
    expect(serve.code).toBe(2);
    expect(serve.stderr.toString()).toContain(
      `Invalid catalog ${file}:\n  datasets[0].columns[0].type: unknown type "day"; allowed: string, integer, decimal, date, datetime, boolean`,
    );
  });

  it("query, load and tenants serve a catalog file's program (--catalog or OPENINSIGHTS_CATALOGS)", async () => {
    const example = path.resolve("examples/acme-catalog.yaml");
    const orders = path.resolve("examples/acme-orders.csv");
    const load = await cli(
      "load",
      "--catalog",
      example,
      "--program",
      "acme",
      "--dataset",
      "orders",
      "--tenant",
      TENANT,
      orders,
    );
    expect(load.stdout.toString()).toContain("Loaded 5 rows");
    expect(load.code).toBe(0);
    const query = await runCli(
      [
        "query",
        "--program",
        "acme",
        "--tenant",
        TENANT,
        "--data-dir",
        dataDir,
        "SELECT Country, Revenue FROM Orders WHERE IsRenewal = 'true' ORDER BY Revenue DESC TIMESPAN LIFETIME",
      ],
      { OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB", OPENINSIGHTS_CATALOGS: example },
    );
    expect(query.stderr.toString()).toBe("");
    expect(query.stdout.toString()).toBe("Country,Revenue\nUnited States,999.98\nGermany,499.99\n");
    const unknown = await cli("query", "--program", "acme", "--tenant", TENANT, "SELECT Country FROM Orders");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.toString()).toContain("--program must be one of mpn, cmp, not 'acme'");
  });

  it("demo generates deterministic data and tenants lists it", async () => {
    const demo = await cli("demo", "--rows", "20000", "--seed", "7");
    expect(demo.stderr).toMatch(/rows/);
    expect(demo.code).toBe(0);
    expect(demo.stdout.toString()).toContain(TENANT);
    const tenants = await cli("tenants");
    expect(tenants.code).toBe(0);
    const text = tenants.stdout.toString();
    for (const tenant of DEMO_TENANTS) expect(text).toContain(`${tenant.id} (demo: ${tenant.name})`);
    expect(text).toMatch(/mpn {2}CustomersAndTenants +\d/);
  });

  it("query prints CSV and TSV with the header first, JSON one object per line", async () => {
    const text =
      "SELECT CustomerMarket, TotalRevenue FROM ResellerPerformance ORDER BY CustomerMarket ASC TIMESPAN LIFETIME";
    const csv = await cli("query", "--program", "mpn", "--tenant", TENANT, text);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.toString().trimEnd().split("\n");
    expect(lines[0]).toBe("CustomerMarket,TotalRevenue");
    expect(lines.length).toBeGreaterThan(2);
    const tsv = await cli("query", "--program", "mpn", "--tenant", TENANT, "--format", "tsv", text);
    expect(tsv.stdout.toString().split("\n")[0]).toBe("CustomerMarket\tTotalRevenue");
    const json = await cli("query", "--program", "mpn", "--tenant", TENANT, "--format", "json", text);
    const rows = ndjson(json.stdout);
    expect(rows).toHaveLength(lines.length - 1);
    expect(Object.keys(rows[0]!)).toEqual(["CustomerMarket", "TotalRevenue"]);
    // Another tenant's rows are not this tenant's.
    const other = await cli(
      "query",
      "--program",
      "mpn",
      "--tenant",
      "00000000-0000-4000-8000-000000000000",
      text,
    );
    expect(other.stdout.toString().trimEnd()).toBe("CustomerMarket,TotalRevenue");
  });

  it("query returns each combination of the selected columns once when no metric is selected", async () => {
    const text = "SELECT CustomerMarket FROM CustomersAndTenants TIMESPAN LAST_6_MONTHS";
    const now = "2026-01-15T00:00:00Z";
    const result = await cli("query", "--program", "mpn", "--tenant", TENANT, "--now", now, text);
    expect(result.code).toBe(0);
    const [header, ...markets] = result.stdout.toString().trimEnd().split("\n");
    expect(header).toBe("CustomerMarket");
    // Oracle: the stored rows of the same window, read straight from the analytics database.
    const { window } = prepareQuery(text, builtInCatalogs.get("mpn").datasets, {
      program: "mpn",
      tenant: TENANT,
      now: new Date(now),
    });
    const engine = await openAnalytics(loadConfig({}, { dataDir }), builtInCatalogs);
    try {
      const where = `FROM mpn."CustomersAndTenants" WHERE _tenant_id = $1 AND "Month" >= $2::DATE AND "Month" < $3::DATE`;
      const params = [TENANT, ...[window.start!, window.end!].map((at) => at.toISOString().slice(0, 10))];
      const [stored] = await all(engine, `SELECT count(*) AS "rows" ${where}`, params);
      const distinct = await all(
        engine,
        `SELECT DISTINCT coalesce("CustomerMarket", '') AS "m" ${where}`,
        params,
      );
      expect(markets.length).toBeLessThan(Number(stored!.rows));
      expect([...markets].sort()).toEqual(distinct.map((row) => row.m).sort());
    } finally {
      await engine.close();
    }
  });

  it("query exits 2 with every diagnostic for a bad query", async () => {
    const result = await cli(
      "query",
      "--program",
      "cmp",
      "--tenant",
      TENANT,
      "SELECT Nope FROM ISVUsage TIMESPAN FOREVER",
    );
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toMatch(/line 1, column 8: \[INCORRECT_COLUMN_NAME\] Incorrect column name/);
    expect(result.stderr).toMatch(/\[INVALID_TIMESPAN\]/);
  });

  it("query takes --now for TIMESPAN", async () => {
    const text = "SELECT Month FROM CustomersAndTenants TIMESPAN LAST_MONTH";
    const result = await cli(
      "query",
      "--program",
      "mpn",
      "--tenant",
      TENANT,
      "--now",
      "2000-01-15T00:00:00Z",
      text,
    );
    expect(result.stdout.toString().trimEnd()).toBe("Month");
    expect((await cli("query", "--program", "mpn", "--tenant", TENANT, "--now", "soon", text)).code).toBe(2);
  });

  it("load appends a CSV all or nothing, naming a bad column or value", async () => {
    const tenant = "4d1b6f0e-2c3a-4e59-8f7d-0a1b2c3d4e5f";
    const good = path.join(dataDir, "profile.csv");
    await writeFile(good, "MPNId,PartnerName,Country\n100,Alpha,France\n200,Beta,Norway\n");
    const loaded = await cli("load", "--program", "mpn", "--dataset", "profile", "--tenant", tenant, good);
    expect(loaded.stderr).not.toMatch(/error/i);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout.toString()).toMatch(/Loaded 2 rows into mpn Profile/);

    const badColumn = path.join(dataDir, "bad-column.csv");
    await writeFile(badColumn, "MPNId,Nickname\n300,Gamma\n");
    const refused = await cli(
      "load",
      "--program",
      "mpn",
      "--dataset",
      "Profile",
      "--tenant",
      tenant,
      badColumn,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Nickname/);

    const unknownDataset = await cli(
      "load",
      "--program",
      "mpn",
      "--dataset",
      "Profil",
      "--tenant",
      tenant,
      good,
    );
    expect(unknownDataset.code).toBe(2);

    // Each load that started is a record: the good one Completed, the refused one Failed with the reason.
    const store = await openSqliteMetadataStore({ path: path.join(dataDir, "metadata.sqlite") });
    try {
      const { items } = await store.listLoads({ tenant }, { limit: 10 });
      expect(items.map((l) => [l.dataset, l.status, l.rowCount])).toEqual([
        ["Profile", "Failed", null],
        ["Profile", "Completed", 2],
      ]);
      expect(items[0]!.failureReason).toContain("Nickname");
      expect(items[1]!.bytes).toBe(
        Buffer.byteLength("MPNId,PartnerName,Country\n100,Alpha,France\n200,Beta,Norway\n"),
      );
      // Both loads are in the audit log too (docs/operations.md), the refused one with its reason.
      const audit = await store.listAudit({ tenant, action: "load" }, { limit: 10 });
      expect(audit.items.map((e) => [e.actor, e.program, e.target, e.outcome, e.detail])).toEqual([
        [`cli:${os.userInfo().username}`, "mpn", "Profile", "success", "2 rows"],
        [`cli:${os.userInfo().username}`, "mpn", "Profile", "failure", expect.stringMatching(/Nickname/)],
      ]);
    } finally {
      await store.close();
    }

    const rows = await cli(
      "query",
      "--program",
      "mpn",
      "--tenant",
      tenant,
      "--format",
      "json",
      "SELECT MPNId, Country FROM Profile ORDER BY MPNId ASC",
    );
    expect(ndjson(rows.stdout)).toEqual([
      { MpnId: "100", Country: "France" },
      { MpnId: "200", Country: "Norway" },
    ]);
  });
});

/** Newline-delimited JSON: one object per line. */
function ndjson(output: Buffer): Record<string, unknown>[] {
  return output
    .toString()
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}
