/**
 * The AnalyticsEngine contract, run on both engines: exports (the same bytes from the same rows),
 * loads, snapshots during loads, cancellation and errors. Engine-specific behaviour (DuckDB's
 * sandbox, PostgreSQL's roles and timeouts) is tested beside each engine.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import pgDriver from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetDef } from "../../src/datasets/types.js";
import type { CompiledSql, Row } from "../../src/query/compiled.js";
import { compileQuery } from "../../src/query/index.js";
import type { AnalyticsEngine, ExportOptions } from "../../src/storage/ports.js";
import { makeEngine } from "./duckdb/helpers.js";
import { collectRows, makePgEngine } from "./postgres-analytics/helpers.js";

const TENANT = "8f3c2a91-5b7e-4d2a-9c41-6e0b3f7d2a58";
const OTHER = "2d7e9b14-c3a6-4f85-b0d2-91a4e6c7f3b0";
const NOW = new Date("2024-07-15T12:00:00Z");

const SALES: DatasetDef = {
  name: "Sales",
  description: "Contract dataset",
  columns: [
    { name: "Customer", type: "string" },
    { name: "SaleDate", type: "date" },
    { name: "SoldAt", type: "datetime" },
    { name: "Seats", type: "integer" },
    { name: "IsRenewal", type: "boolean" },
  ],
  measures: [{ name: "Amount", type: "decimal" }],
  metrics: [
    { name: "Revenue", aggregation: "sum", source: "Amount" },
    { name: "Orders", aggregation: "count" },
  ],
  timeColumn: "SaleDate",
  availableDateRanges: ["LIFETIME"],
  minimumRecurrenceInterval: 4,
};

const ROWS = [
  "Customer,SaleDate,SoldAt,Seats,IsRenewal,Amount",
  "Contoso,2024-06-01,2024-06-03T10:00:00Z,10,true,100.1",
  '"Comma, Inc",2024-06-02,2024-06-04T11:30:15Z,5,false,200.25',
  '"Quote ""Q""",2024-06-03,,7,,50',
  '"Line\nbreak",2024-06-04,2024-06-04T00:00:00Z,1,true,0.1',
  "Tab\there,2024-06-05,2024-06-05T00:00:00Z,2,false,1e20",
  '"",2024-06-06,2024-06-06T00:00:00Z,3,true,-0.5',
  ",2024-06-07,2024-06-07T00:00:00Z,,false,",
  "=1+1,2024-06-08,2024-06-08T00:00:00Z,4,true,3",
  "Émile ☃,2024-05-01,2024-05-01T00:00:00Z,8,true,1000",
].join("\n");

interface Subject {
  readonly engine: AnalyticsEngine;
  readonly dir: string;
  /** PostgreSQL's: the database's URL, for looking at its tables directly. */
  readonly url?: string;
  cleanup(): Promise<void>;
}

const ENGINES: Record<string, () => Promise<Subject>> = {
  duckdb: async () => {
    const t = await makeEngine();
    return { engine: t.engine, dir: t.exportDir, cleanup: t.cleanup };
  },
  postgres: async () => {
    const t = await makePgEngine();
    return { engine: t.engine, dir: t.dir, url: t.database.url, cleanup: t.cleanup };
  },
};

const subjects = new Map<string, Subject>();

beforeAll(async () => {
  for (const [name, open] of Object.entries(ENGINES)) {
    const subject = await open();
    subjects.set(name, subject);
    await subject.engine.ensureTables("acme", [SALES]);
    await load(subject, TENANT, ROWS);
    await load(subject, OTHER, "Customer,SaleDate,Seats\nOther,2024-06-01,99");
  }
});

afterAll(async () => {
  for (const subject of subjects.values()) await subject.cleanup();
});

let fileNumber = 0;
async function load(
  subject: Subject,
  tenant: string,
  csv: string,
  mode: "append" | "replace" = "append",
  window?: { from: Date; to: Date },
) {
  const file = path.join(subject.dir, `load-${fileNumber++}.csv`);
  await fs.writeFile(file, csv);
  return subject.engine.load({
    program: "acme",
    dataset: SALES,
    tenant,
    mode,
    ...(window ? { window } : {}),
    file: { path: file, format: "csv" },
  });
}

function compiled(engine: AnalyticsEngine, query: string, tenant = TENANT): CompiledSql {
  const result = compileQuery(query, [SALES], { program: "acme", tenant, now: NOW, dialect: engine.dialect });
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.sql;
}

async function exported(
  name: string,
  query: string,
  options: ExportOptions,
): Promise<{ bytes: Buffer; rowCount: number }> {
  const subject = subjects.get(name)!;
  const file = path.join(subject.dir, `export-${fileNumber++}`);
  const result = await subject.engine.exportTo(compiled(subject.engine, query), file, options);
  const bytes = await fs.readFile(file);
  expect(result.bytes).toBe(bytes.length);
  // An engine that hashes its exports (the worker then reads nothing back) hashes exactly the file.
  const hashes = subject.engine.hashesExports?.(options.format) ?? false;
  expect(result.sha256).toBe(hashes ? createHash("sha256").update(bytes).digest("hex") : undefined);
  return { bytes, rowCount: result.rowCount };
}

const ALL =
  "SELECT Customer, SaleDate, SoldAt, Seats, IsRenewal, Revenue FROM Sales ORDER BY SaleDate ASC TIMESPAN LIFETIME";

describe("exports: the same file from both engines", () => {
  for (const format of ["csv", "tsv", "json"] as const) {
    it(`${format}`, async () => {
      const onDuck = await exported("duckdb", ALL, { format });
      const onPg = await exported("postgres", ALL, { format });
      expect(onPg.rowCount).toBe(9);
      expect(onDuck.rowCount).toBe(9);
      if (format === "json") {
        // Same objects; DuckDB writes a whole double as 100.0, PostgreSQL as 100 (the same JSON number).
        const parse = (b: Buffer) =>
          b
            .toString()
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l));
        expect(parse(onPg.bytes)).toEqual(parse(onDuck.bytes));
      } else {
        expect(onPg.bytes.toString()).toBe(onDuck.bytes.toString());
      }
    });
  }

  it("spreadsheet-safe csv", async () => {
    const options = { format: "csv", spreadsheetSafe: true } as const;
    const onPg = await exported("postgres", ALL, options);
    expect(onPg.bytes.toString()).toBe((await exported("duckdb", ALL, options)).bytes.toString());
    expect(onPg.bytes.toString()).toContain("'=1+1");
  });

  it("gzip", async () => {
    const onPg = await exported("postgres", ALL, { format: "csv", compression: "gzip" });
    const onDuck = await exported("duckdb", ALL, { format: "csv", compression: "gzip" });
    expect(gunzipSync(onPg.bytes).toString()).toBe(gunzipSync(onDuck.bytes).toString());
  });

  it("PostgreSQL hashes text exports on their way to the file; Parquet's file is DuckDB's", () => {
    const pg = subjects.get("postgres")!.engine;
    expect(["csv", "tsv", "json", "parquet"].map((f) => pg.hashesExports?.(f as "csv"))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("an empty result is a header only", async () => {
    const query = "SELECT Customer, Seats FROM Sales WHERE Customer = 'nobody' TIMESPAN LIFETIME";
    const onPg = await exported("postgres", query, { format: "csv" });
    expect(onPg.bytes.toString()).toBe((await exported("duckdb", query, { format: "csv" })).bytes.toString());
    expect(onPg.rowCount).toBe(0);
  });
});

describe.each(Object.keys(ENGINES))("%s", (name) => {
  const subject = () => subjects.get(name)!;
  const rows = (query: string, tenant = TENANT): Promise<Row[]> =>
    collectRows(subject().engine.stream(compiled(subject().engine, query, tenant)));

  it("streams only the tenant's rows", async () => {
    expect(await rows("SELECT Customer FROM Sales WHERE Customer = 'Other' TIMESPAN LIFETIME")).toEqual([]);
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", OTHER)).toEqual([
      { Customer: "Other" },
    ]);
  });

  it("replaces one tenant's rows whole, leaving the others", async () => {
    const tenant = "c5a1f8e3-7d92-4b6c-a3e5-0f8d2b9c4e71";
    await load(subject(), tenant, "Customer,SaleDate\na,2024-06-01\nb,2024-06-02");
    const result = await load(subject(), tenant, "Customer,SaleDate\nc,2024-06-03", "replace");
    expect(result.rowCount).toBe(1);
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant)).toEqual([{ Customer: "c" }]);
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", OTHER)).toEqual([
      { Customer: "Other" },
    ]);
  });

  it("refuses an unknown column and a value that does not convert, loading nothing", async () => {
    const tenant = "0b7e4c1a-2d3f-4e5a-8b9c-1d2e3f4a5b6c";
    await expect(load(subject(), tenant, "Customer,Nope\na,1")).rejects.toMatchObject({
      code: "invalid_data",
    });
    await expect(load(subject(), tenant, "Customer,Seats\na,1\nb,lots")).rejects.toMatchObject({
      message: expect.stringMatching(/lots/),
    });
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant)).toEqual([]);
  });

  it("a stream keeps its snapshot while a load replaces the rows", async () => {
    const tenant = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";
    const many = ["Customer,SaleDate", ...Array.from({ length: 5000 }, (_, i) => `old-${i},2024-06-01`)].join(
      "\n",
    );
    await load(subject(), tenant, many);
    const stream = subject().engine.stream(
      compiled(subject().engine, "SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant),
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    const replacing = [
      "Customer,SaleDate",
      ...Array.from({ length: 5000 }, (_, i) => `new-${i},2024-06-01`),
    ].join("\n");
    await load(subject(), tenant, replacing, "replace");
    const seen = [...(first.value as Row[])];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(...next.value);
    expect(seen).toHaveLength(5000);
    expect(seen.every((r) => String(r.Customer).startsWith("old-"))).toBe(true);
    const after = await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant);
    expect(after.every((r) => String(r.Customer).startsWith("new-"))).toBe(true);
  });

  it("an aborted stream ends with the abort reason", async () => {
    const controller = new AbortController();
    const stream = subject().engine.stream(compiled(subject().engine, ALL), { signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(collectRows(stream)).rejects.toThrow("stop");
  });
});

describe("postgres: loads", () => {
  const pg = () => subjects.get("postgres")!;
  const rows = (query: string, tenant: string) =>
    collectRows(pg().engine.stream(compiled(pg().engine, query, tenant)));
  const appendFile = (tenant: string, file: string, format: "ndjson" | "parquet") =>
    pg().engine.load({
      program: "acme",
      dataset: SALES,
      tenant,
      mode: "append",
      file: { path: file, format },
    });
  const soldAt = (tenant: string) =>
    rows("SELECT Customer, SoldAt FROM Sales ORDER BY Customer ASC TIMESPAN LIFETIME", tenant);

  it("replaces a window [from, to) only, and bumps the data version each time", async () => {
    const tenant = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d";
    const first = await load(
      pg(),
      tenant,
      "Customer,SaleDate\nmay,2024-05-31\njune,2024-06-01\njuly,2024-07-01",
    );
    const window = { from: new Date("2024-06-01T00:00:00Z"), to: new Date("2024-07-01T00:00:00Z") };
    const second = await load(pg(), tenant, "Customer,SaleDate\njune2,2024-06-15", "replace", window);
    expect(Number(second.dataVersion)).toBe(Number(first.dataVersion) + 1);
    const names = (await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant))
      .map((r) => r.Customer)
      .sort();
    expect(names).toEqual(["july", "june2", "may"]);
    await expect(
      load(pg(), tenant, "Customer,SaleDate\nlate,2024-07-01", "replace", window),
    ).rejects.toMatchObject({
      code: "invalid_data",
      message: expect.stringContaining("falls outside the window"),
    });
  });

  it("an export reports the data version it read", async () => {
    const tenant = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    const loaded = await load(pg(), tenant, "Customer,SaleDate\nx,2024-06-01");
    const file = path.join(pg().dir, "versioned.csv");
    const result = await pg().engine.exportTo(compiled(pg().engine, ALL, tenant), file, { format: "csv" });
    expect(result.dataVersion).toBe(loaded.dataVersion);
  });

  it("copies a file straight into the table when its values convert as stored, naming a bad value's line", async () => {
    const tenant = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
    await load(pg(), tenant, "Customer,Seats\nkept,1");
    // No datetime column and no window: the direct COPY (load.ts); a bad value loads nothing.
    await expect(load(pg(), tenant, "Customer,Seats\nx,2\ny,2.5", "replace")).rejects.toMatchObject({
      code: "invalid_data",
      message: "Invalid value '2.5' for column Seats at line 3: not a valid integer (whole number)",
    });
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant)).toEqual([
      { Customer: "kept" },
    ]);
    const replaced = await load(pg(), tenant, "Customer,Seats\nx,2\ny,3", "replace");
    expect(replaced.rowCount).toBe(2);
    expect(
      await rows("SELECT Customer, Seats FROM Sales ORDER BY Customer ASC TIMESPAN LIFETIME", tenant),
    ).toEqual([
      { Customer: "x", Seats: 2 },
      { Customer: "y", Seats: 3 },
    ]);
  });

  it("turns a datetime's offset into UTC from a Parquet file's text column too", async () => {
    const tenant = "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c";
    const parquet = path.join(pg().dir, "text-datetimes.parquet");
    const duck = await DuckDBInstance.create(":memory:");
    const con = await duck.connect();
    try {
      await con.run(
        `COPY (SELECT 'offset' AS Customer, '2024-06-01T12:00:00+02:00' AS SoldAt UNION ALL SELECT 'typed', CAST(TIMESTAMP '2024-06-01 12:00:00' AS VARCHAR)) TO '${parquet}' (FORMAT parquet)`,
      );
    } finally {
      con.closeSync();
      duck.closeSync();
    }
    await appendFile(tenant, parquet, "parquet");
    expect(await soldAt(tenant)).toEqual([
      { Customer: "offset", SoldAt: "2024-06-01T10:00:00Z" },
      { Customer: "typed", SoldAt: "2024-06-01T12:00:00Z" },
    ]);
  });

  it("turns a CSV datetime's offset into UTC (through the staging table)", async () => {
    const tenant = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a";
    await load(pg(), tenant, "Customer,SoldAt\noffset,2024-06-01T12:00:00+02:00\nbare,2024-06-01T12:00:00");
    expect(await soldAt(tenant)).toEqual([
      { Customer: "bare", SoldAt: "2024-06-01T12:00:00Z" },
      { Customer: "offset", SoldAt: "2024-06-01T10:00:00Z" },
    ]);
  });

  it("no row gets into a dataset's table without a tenant; a table from before the tenant default gets it", async () => {
    const admin = new pgDriver.Client({ connectionString: pg().url! });
    await admin.connect();
    try {
      await expect(admin.query(`INSERT INTO acme."Sales" ("Customer") VALUES ('nobody')`)).rejects.toThrow(
        /_tenant_id/,
      );
      await admin.query(`ALTER TABLE acme."Sales" ALTER COLUMN _tenant_id DROP DEFAULT`);
      await pg().engine.ensureTables("acme", [SALES]);
      const restored = await admin.query(
        "SELECT column_default FROM information_schema.columns WHERE table_schema = 'acme' AND table_name = 'Sales' AND column_name = '_tenant_id'",
      );
      expect(restored.rows[0].column_default).toBe(
        "NULLIF(current_setting('openinsights.load_tenant'::text, true), ''::text)",
      );
      // Nor in a session where a load's transaction set the tenant before (the setting stays, empty).
      await admin.query("BEGIN");
      await admin.query("SELECT set_config('openinsights.load_tenant', 'someone', true)");
      await admin.query("COMMIT");
      await expect(admin.query(`INSERT INTO acme."Sales" ("Customer") VALUES ('nobody')`)).rejects.toThrow(
        /_tenant_id/,
      );
    } finally {
      await admin.end();
    }
    const tenant = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
    await load(pg(), tenant, "Customer,Seats\nafter,1");
    expect(await rows("SELECT Customer FROM Sales TIMESPAN LIFETIME", tenant)).toEqual([
      { Customer: "after" },
    ]);
  });

  it("loads NDJSON and Parquet through DuckDB's readers", async () => {
    const tenant = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
    const ndjson = path.join(pg().dir, "rows.ndjson");
    await fs.writeFile(
      ndjson,
      '{"Customer":"j1","SaleDate":"2024-06-01","SoldAt":"2024-06-01T10:00:00Z","IsRenewal":true}\n',
    );
    await appendFile(tenant, ndjson, "ndjson");
    const parquet = path.join(subjects.get("duckdb")!.dir, "rows.parquet");
    const duck = subjects.get("duckdb")!;
    await duck.engine.exportTo(
      compiled(
        duck.engine,
        "SELECT Customer, SaleDate, Seats FROM Sales WHERE Customer = 'Contoso' TIMESPAN LIFETIME",
      ),
      parquet,
      { format: "parquet" },
    );
    await appendFile(tenant, parquet, "parquet");
    const got = await rows(
      "SELECT Customer, SoldAt, IsRenewal, Seats FROM Sales ORDER BY Customer ASC TIMESPAN LIFETIME",
      tenant,
    );
    expect(got).toEqual([
      { Customer: "Contoso", SoldAt: null, IsRenewal: null, Seats: 10 },
      { Customer: "j1", SoldAt: "2024-06-01T10:00:00Z", IsRenewal: true, Seats: null },
    ]);
  });
});
