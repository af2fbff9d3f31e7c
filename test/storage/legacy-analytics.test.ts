/**
 * A data directory of a version before dataset files (issue #11) keeps its rows: the tables of its
 * `analytics.duckdb` become file sets at the first start, once, and the old file stays beside them.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import { openAnalytics } from "../../src/stores.js";
import { all } from "./duckdb/helpers.js";

const A = "11111111-2222-4333-8444-555555555555";
const B = "66666666-7777-4888-9999-aaaaaaaaaaaa";
let dir: string;

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("an old analytics.duckdb", () => {
  it("is moved into file sets at start, per tenant, with a progress line; then renamed and never moved twice", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "openinsights-legacy-"));
    const legacy = path.join(dir, "analytics.duckdb");
    const instance = await DuckDBInstance.create(legacy);
    const con = await instance.connect();
    await con.run("CREATE SCHEMA mpn; CREATE SCHEMA old");
    // An older catalog: fewer columns than today's.
    await con.run(
      'CREATE TABLE mpn."CustomersAndTenants" ("CustomerName" VARCHAR, "Month" DATE, _tenant_id VARCHAR NOT NULL)',
    );
    await con.run(
      `INSERT INTO mpn."CustomersAndTenants" SELECT 'c' || range, DATE '2024-01-01', CASE WHEN range % 3 = 0 THEN '${A}' ELSE '${B}' END FROM range(3000)`,
    );
    await con.run("CREATE TABLE old.gone (x INTEGER, _tenant_id VARCHAR)");
    con.closeSync();
    instance.closeSync();

    const lines: string[] = [];
    const config = loadConfig({}, { dataDir: dir });
    const engine = await openAnalytics(config, builtInCatalogs, { onProgress: (m) => lines.push(m) });
    try {
      const counts = await all(
        engine,
        `SELECT _tenant_id AS tenant, count(*) AS n, count("CustomerTenantId") AS newer FROM mpn."CustomersAndTenants" GROUP BY 1 ORDER BY 1`,
      );
      expect(counts).toEqual([
        { tenant: A, n: 1000, newer: 0 },
        { tenant: B, n: 2000, newer: 0 },
      ]);
    } finally {
      await engine.close();
    }
    expect(lines[0]).toMatch(/^Moving the rows of .*analytics\.duckdb into dataset files/);
    expect(lines).toContain(`Moved 1,000 rows of mpn.CustomersAndTenants for tenant ${A}`);
    expect(lines.some((l) => l.startsWith("Skipping old.gone"))).toBe(true);
    expect(lines.at(-1)).toBe("Moved 3,000 rows from analytics.duckdb");
    expect((await readdir(dir)).filter((f) => f.startsWith("analytics"))).toEqual([
      "analytics.duckdb.migrated",
    ]);

    const again: string[] = [];
    const reopened = await openAnalytics(config, builtInCatalogs, { onProgress: (m) => again.push(m) });
    await reopened.close();
    expect(again).toEqual([]);
  });
});
