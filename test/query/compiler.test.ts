import type { DuckDBValue } from "@duckdb/node-api";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledSql } from "../../src/query/compiled.js";
import { compileQuery } from "../../src/query/index.js";
import { fixtureDatasets, profileDataset, salesDataset } from "./fixture.js";

const TENANT = "tenant-a";
const NOW = new Date("2024-07-15T12:00:00Z");

let connection: DuckDBConnection;

beforeAll(async () => {
  const instance = await DuckDBInstance.create(":memory:");
  connection = await instance.connect();
  await connection.run(`CREATE SCHEMA mpn`);
  await connection.run(`CREATE TABLE mpn."Sales" ("CustomerName" VARCHAR, "Market" VARCHAR, "Month" DATE,
    "Seats" BIGINT, "IsTrial" BIGINT, "SoldAt" TIMESTAMP, "Revenue" DOUBLE, "_tenant_id" VARCHAR NOT NULL)`);
  const rows: [string | null, string | null, string, number, number, string, number, string][] = [
    ["Contoso", "United States", "2024-06-01", 10, 0, "2024-06-03 10:00:00", 100.1, TENANT],
    ["Contoso", "United States", "2024-05-01", 5, 1, "2024-05-03 10:00:00", 200.2, TENANT],
    ["Fabrikam", "France", "2024-06-01", 7, 0, "2024-06-09 08:00:00", 50.05, TENANT],
    ["O'Brien & Sons", "Ireland", "2024-04-01", 3, 0, "2024-04-09 08:00:00", 10, TENANT],
    ["Old Co", null, "2023-01-01", 1, 0, "2023-01-01 00:00:00", 1, TENANT],
    ["Current Month Co", "France", "2024-07-01", 2, 0, "2024-07-02 00:00:00", 5, TENANT],
    ["Other Tenant Co", "France", "2024-06-01", 99, 0, "2024-06-01 00:00:00", 999, "tenant-b"],
  ];
  for (const row of rows) {
    await connection.run(
      `INSERT INTO mpn."Sales" VALUES ($1, $2, CAST($3 AS DATE), $4, $5, CAST($6 AS TIMESTAMP), $7, $8)`,
      row,
    );
  }
});

afterAll(() => connection?.closeSync());

function compiled(text: string, options: { override?: { start?: Date; end?: Date } } = {}): CompiledSql {
  const result = compileQuery(text, fixtureDatasets, {
    program: "mpn",
    tenant: TENANT,
    now: NOW,
    ...options,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.sql;
}

async function rowsOf(text: string, options: { override?: { start?: Date; end?: Date } } = {}) {
  const sql = compiled(text, options);
  const reader = await connection.runAndReadAll(sql.sql, sql.params as DuckDBValue[]);
  return reader.getRowsJS();
}

describe("compiler: SQL", () => {
  it("binds every value, quotes catalog identifiers and filters the tenant first", () => {
    const sql = compiled(
      "SELECT CustomerName, Revenue FROM Sales WHERE Market = 'France' AND Revenue > 10 ORDER BY Revenue LIMIT 5 TIMESPAN LAST_3_MONTHS",
    );
    expect(sql.sql).toBe(
      'SELECT "CustomerName" AS "CustomerName", round(sum("Revenue"), 6) AS "Revenue" FROM "mpn"."Sales"' +
        ' WHERE "_tenant_id" = $1 AND "Month" >= CAST($2 AS DATE) AND "Month" < CAST($3 AS DATE)' +
        ' AND lower(CAST("Market" AS VARCHAR)) = $4 GROUP BY "CustomerName" HAVING round(sum("Revenue"), 6) > $5' +
        ' ORDER BY round(sum("Revenue"), 6) DESC LIMIT 5',
    );
    expect(sql.params).toEqual([TENANT, "2024-04-01", "2024-07-01", "france", 10]);
    expect(sql.columns).toEqual(["CustomerName", "Revenue"]);
  });

  it.each([
    "' OR 1=1 --",
    '\'; DROP TABLE mpn."Sales"; --',
    'x" FROM pg_catalog --',
    "/* comment */ ' UNION SELECT 1",
    "\u0000\u202Eevil",
    "日本'語",
  ])("keeps hostile text %j out of the SQL", async (hostile) => {
    const literal = `'${hostile.replaceAll("'", "''")}'`;
    const sql = compiled(
      `SELECT CustomerName FROM Sales WHERE CustomerName = ${literal} AND Market LIKE ${literal}`,
    );
    expect(sql.sql).not.toContain(hostile);
    expect(sql.params).toContain(hostile.toLowerCase());
    const reader = await connection.runAndReadAll(sql.sql, sql.params as DuckDBValue[]);
    expect(reader.getRowsJS()).toEqual([]);
    const count = await connection.runAndReadAll(`SELECT count(*) FROM mpn."Sales"`);
    expect(count.getRowsJS()).toEqual([[7n]]);
  });
});

describe("compiler: rows from a real engine", () => {
  it("returns distinct rows when no metric is selected, with or without DISTINCT", async () => {
    for (const select of ["SELECT", "SELECT DISTINCT"]) {
      expect(
        await rowsOf(`${select} Market FROM Sales WHERE Market = 'united states' TIMESPAN LIFETIME`),
      ).toEqual([["United States"]]);
      expect(
        await rowsOf(`${select} Market, Month FROM Sales ORDER BY Month ASC LIMIT 3 TIMESPAN LIFETIME`),
      ).toEqual([
        [null, new Date("2023-01-01T00:00:00.000Z")],
        ["Ireland", new Date("2024-04-01T00:00:00.000Z")],
        ["United States", new Date("2024-05-01T00:00:00.000Z")],
      ]);
    }
    expect(compiled("SELECT Market FROM Sales").sql).toContain('GROUP BY "Market"');
  });

  describe("with a row key (CustomerName, Month: unique in the rows above)", () => {
    const keyed = [{ ...salesDataset, rowKey: ["CustomerName", "Month"] }, profileDataset];
    const keyedSql = (text: string) => {
      const result = compileQuery(text, keyed, { program: "mpn", tenant: TENANT, now: NOW });
      if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
      return result.sql;
    };
    const keyedRows = async (text: string) => {
      const sql = keyedSql(text);
      return (await connection.runAndReadAll(sql.sql, sql.params as DuckDBValue[])).getRowsJS();
    };

    it("leaves out the grouping when the selection includes the whole key, with the same rows", async () => {
      const text = "SELECT month, CustomerName, Market FROM Sales ORDER BY Seats DESC TIMESPAN LIFETIME";
      expect(keyedSql(text).sql).not.toContain("GROUP BY");
      expect(keyedSql(text).sql).toContain('ORDER BY "Seats" DESC');
      expect(await keyedRows(text)).toEqual(await rowsOf(text));
      expect(await keyedRows(text)).toHaveLength(6);
    });

    it.each([
      "SELECT CustomerName, Market FROM Sales TIMESPAN LIFETIME",
      "SELECT Month FROM Sales TIMESPAN LIFETIME",
      "SELECT CustomerName, Month, Revenue FROM Sales TIMESPAN LIFETIME",
      "SELECT CustomerName, Month FROM Sales WHERE Revenue > 1 TIMESPAN LIFETIME",
    ])("still groups when rows can repeat or a metric is involved: %s", (text) => {
      expect(keyedSql(text).sql).toContain("GROUP BY");
    });
  });

  it.each([
    // Each market by its earliest month ascending (no market: 2023-01, Ireland: 2024-04, United
    // States: 2024-05, France: 2024-06), by its latest descending (France: 2024-07, United States: 2024-06).
    ["ASC", [null, "Ireland", "United States", "France"]],
    ["DESC", ["France", "United States", "Ireland", null]],
  ])(
    "orders distinct rows by an unselected column %s: the first value in that direction",
    async (direction, markets) => {
      expect(
        (
          await rowsOf(`SELECT Market FROM Sales ORDER BY Month ${direction}, Market ASC TIMESPAN LIFETIME`)
        ).map((r) => r[0]),
      ).toEqual(markets);
    },
  );

  it("groups by the selected columns and aggregates metrics", async () => {
    expect(
      await rowsOf(
        "SELECT CustomerName, Revenue, TotalSeats, RowCount FROM Sales ORDER BY Revenue TIMESPAN LIFETIME",
      ),
    ).toEqual([
      ["Contoso", 300.3, 15n, 2n],
      ["Fabrikam", 50.05, 7n, 1n],
      ["O'Brien & Sons", 10, 3n, 1n],
      ["Current Month Co", 5, 2n, 1n],
      ["Old Co", 1, 1n, 1n],
    ]);
    expect(await rowsOf("SELECT CustomerCount, Revenue FROM Sales TIMESPAN LIFETIME")).toEqual([
      [5n, 366.35],
    ]);
  });

  it("filters metrics after aggregation", async () => {
    expect(
      await rowsOf("SELECT CustomerName, Revenue FROM Sales WHERE Revenue > 60 TIMESPAN LIFETIME"),
    ).toEqual([["Contoso", 300.3]]);
  });

  it("applies TIMESPAN as whole calendar months before now, leaving the current month out", async () => {
    const names = async (timespan: string) =>
      (
        await rowsOf(`SELECT CustomerName, Month FROM Sales ORDER BY CustomerName ASC TIMESPAN ${timespan}`)
      ).map((r) => r[0]);
    expect(await names("LAST_MONTH")).toEqual(["Contoso", "Fabrikam"]);
    expect(await names("LAST_3_MONTHS")).toEqual(["Contoso", "Contoso", "Fabrikam", "O'Brien & Sons"]);
    expect(await names("LIFETIME")).toHaveLength(6);
  });

  it("uses an explicit window with both ends included instead of TIMESPAN", async () => {
    const override = { start: new Date("2024-05-01T00:00:00Z"), end: new Date("2024-06-01T00:00:00Z") };
    const rows = await rowsOf(
      "SELECT CustomerName, Month FROM Sales ORDER BY CustomerName ASC TIMESPAN LAST_MONTH",
      { override },
    );
    expect(rows.map((r) => r[0])).toEqual(["Contoso", "Contoso", "Fabrikam"]);
  });

  it("compares strings case-insensitively, with IN, NOT IN, LIKE and NOT LIKE", async () => {
    const names = async (where: string) =>
      (
        await rowsOf(
          `SELECT DISTINCT CustomerName FROM Sales WHERE ${where} ORDER BY CustomerName ASC TIMESPAN LIFETIME`,
        )
      ).map((r) => r[0]);
    expect(await names("Market IN ('FRANCE', 'ireland')")).toEqual([
      "Current Month Co",
      "Fabrikam",
      "O'Brien & Sons",
    ]);
    expect(await names("Market NOT IN ('France', 'Ireland')")).toEqual(["Contoso", "Old Co"]);
    expect(await names("CustomerName LIKE '%co%'")).toEqual(["Contoso", "Current Month Co", "Old Co"]);
    expect(await names("CustomerName NOT LIKE '%co%'")).toEqual(["Fabrikam", "O'Brien & Sons"]);
    expect(await names("CustomerName = 'o''brien & sons'")).toEqual(["O'Brien & Sons"]);
    expect(await names("CustomerName = \u2018Fabrikam\u2019")).toEqual(["Fabrikam"]);
    expect(await names("Market != 'France'")).toEqual(["Contoso", "O'Brien & Sons", "Old Co"]);
  });

  it("converts literals: numbers as strings, dates, datetimes", async () => {
    const names = async (where: string) =>
      (
        await rowsOf(
          `SELECT DISTINCT CustomerName FROM Sales WHERE ${where} ORDER BY CustomerName ASC TIMESPAN LIFETIME`,
        )
      ).map((r) => r[0]);
    expect(await names("Seats = '10'")).toEqual(["Contoso"]);
    expect(await names("Seats >= 7 AND Seats <= 10")).toEqual(["Contoso", "Fabrikam"]);
    expect(await names("Month <= '2024-04-30'")).toEqual(["O'Brien & Sons", "Old Co"]);
    expect(await names("SoldAt > '2024-06-03T10:00:00Z'")).toEqual(["Current Month Co", "Fabrikam"]);
    expect(await names("IsTrial = 'False'")).toEqual([]);
    expect(await names("IsTrial IN (1, '1')")).toEqual(["Contoso"]);
    // Per list element: 'abc' matches no seat count, 10 matches Contoso's.
    expect(await names("Seats IN ('abc', 10)")).toEqual(["Contoso"]);
    expect(await names("Seats IN ('abc', 'xyz')")).toEqual([]);
    const notTen = await names("Seats != 10");
    expect(notTen.length).toBeGreaterThan(1);
    expect(await names("Seats NOT IN ('abc', 10)")).toEqual(notTen);
    expect(await names("Seats NOT IN ('abc')")).toEqual(await names("Seats != 'abc'"));
  });

  it("never returns another tenant's rows", async () => {
    const rows = await rowsOf(
      "SELECT CustomerName FROM Sales WHERE CustomerName = 'Other Tenant Co' TIMESPAN LIFETIME",
    );
    expect(rows).toEqual([]);
  });

  it("honours ORDER BY direction and LIMIT", async () => {
    expect(
      await rowsOf("SELECT CustomerName, Seats FROM Sales ORDER BY Seats ASC LIMIT 2 TIMESPAN LIFETIME"),
    ).toEqual([
      ["Old Co", 1n],
      ["Current Month Co", 2n],
    ]);
    expect(
      await rowsOf("SELECT CustomerName, Seats FROM Sales ORDER BY Seats LIMIT 1 TIMESPAN LIFETIME"),
    ).toEqual([["Contoso", 10n]]);
  });
});

describe("compiler: PostgreSQL identifiers", () => {
  it("keeps names up to 63 bytes and shortens longer ones to distinct 63-byte names", async () => {
    const { postgresIdentifier } = await import("../../src/query/compiler.js");
    expect(postgresIdentifier("CustomerName")).toBe("CustomerName");
    const base = "x".repeat(63);
    expect(postgresIdentifier(base)).toBe(base);
    const a = postgresIdentifier(`${base}A`);
    const b = postgresIdentifier(`${base}B`);
    expect(a).not.toBe(b);
    for (const name of [a, b, postgresIdentifier("é".repeat(40))]) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    }
  });
});
