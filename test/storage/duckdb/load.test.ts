import { promises as fs } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inferFormat, loadFile, parseHeader } from "../../../src/storage/duckdb/load.js";
import { PROFILE, SALES, SALES_BY_RESELLER } from "../../fixtures/analytics-datasets.js";
import { all, loadInto, makeEngine, type TestEngine } from "./helpers.js";

let t: TestEngine;
let inputDir: string;

const TENANT = "6f1a3c2e-8d4b-4e7a-9b1c-2d3e4f5a6b7c";
const OTHER = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";

beforeEach(async () => {
  t = await makeEngine();
  // Outside the engine's allowed directories: the loader must stage the file.
  inputDir = path.join(t.dir, "input");
  await fs.mkdir(inputDir);
  await t.engine.ensureTables("mpn", [SALES, SALES_BY_RESELLER, PROFILE]);
});

afterEach(async () => {
  await t.cleanup();
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(inputDir, name);
  await fs.writeFile(file, content);
  return file;
}

const salesRows = (tenant = TENANT) =>
  all(
    t.engine,
    `SELECT "CustomerName", "Month", "PaidSeats", "BilledRevenueUSD", "UpdatedAt", "Product"
     FROM mpn."Sales" WHERE "_tenant_id" = $1 ORDER BY "CustomerName" NULLS LAST`,
    [tenant],
  );

const GOOD_CSV = [
  "customername,MONTH,PaidSeats,BilledRevenueUSD,UpdatedAt",
  "Contoso,2024-01-01,10,1234.56,2024-01-02T03:04:05Z",
  '"Fabrikam, Inc.",2024-02-01,1.0,0.5,2024-02-02 10:00:00+02:00',
  '"Multi\nLine ""Quoted""",2024-03-01,,,',
  '"",2024-03-01,3,-1,2024-03-05',
  "",
].join("\n");

describe("load CSV", () => {
  it("loads a CSV into one tenant, matching headers case-insensitively and filling missing columns with NULL", async () => {
    const file = await write("sales.csv", GOOD_CSV);
    const messages: string[] = [];
    const result = await loadInto(t.engine, {
      program: "mpn",
      dataset: SALES,
      tenantId: TENANT,
      file,
      onProgress: (m) => messages.push(m),
    });
    expect(result).toEqual({ rowCount: 4 });
    expect(await salesRows()).toEqual([
      {
        CustomerName: "",
        Month: "2024-03-01",
        PaidSeats: 3,
        BilledRevenueUSD: -1,
        UpdatedAt: "2024-03-05T00:00:00Z",
        Product: null,
      },
      {
        CustomerName: "Contoso",
        Month: "2024-01-01",
        PaidSeats: 10,
        BilledRevenueUSD: 1234.56,
        UpdatedAt: "2024-01-02T03:04:05Z",
        Product: null,
      },
      {
        CustomerName: "Fabrikam, Inc.",
        Month: "2024-02-01",
        PaidSeats: 1,
        BilledRevenueUSD: 0.5,
        UpdatedAt: "2024-02-02T08:00:00Z",
        Product: null,
      },
      {
        CustomerName: 'Multi\nLine "Quoted"',
        Month: "2024-03-01",
        PaidSeats: null,
        BilledRevenueUSD: null,
        UpdatedAt: null,
        Product: null,
      },
    ]);
    // Same file system as the staging area: a hard link, no bytes copied.
    expect(messages[0]).toMatch(/Linking .* into the staging area/);
    expect(messages.some((m) => /Loading sales\.csv \(csv\) into mpn\.Sales for tenant/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith("Loaded"))).toBe(false);
    // The staged copy is gone.
    expect(await fs.readdir(path.join(t.engine.dataDir!, ".staging"))).toEqual([]);
  });

  it("appends by default and replaces only the tenant's rows with replace: true", async () => {
    const file = await write("sales.csv", GOOD_CSV);
    await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file });
    await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file });
    await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: OTHER, file });
    expect(await salesRows()).toHaveLength(8);
    const one = await write("one.csv", "CustomerName\nNorthwind\n");
    const messages: string[] = [];
    const result = await loadInto(t.engine, {
      program: "mpn",
      dataset: SALES,
      tenantId: TENANT,
      file: one,
      replace: true,
      onProgress: (m) => messages.push(m),
    });
    expect(result.rowCount).toBe(1);
    expect((await salesRows()).map((r) => r.CustomerName)).toEqual(["Northwind"]);
    expect(await salesRows(OTHER)).toHaveLength(4);
    expect(messages.some((m) => m.endsWith("replacing its rows"))).toBe(true);
  });

  it("loads TSV, gzipped CSV, semicolon CSV, CRLF line ends and a BOM", async () => {
    const tsv = await write("p.tsv", 'MPNId\tPartnerName\tCountry\n1000001\t"Tab\there"\tDenmark\n');
    const gz = await write("p.csv.gz", gzipSync("MPNId,PartnerName\r\n1000002,Gzipped\r\n"));
    const semi = await write("p2.csv", "\uFEFFMPNId;PartnerName;City\n1000003;Semi, colon;\n");
    for (const file of [tsv, gz, semi]) {
      await loadInto(t.engine, { program: "mpn", dataset: PROFILE, tenantId: TENANT, file });
    }
    expect(
      await all(t.engine, 'SELECT "MPNId", "PartnerName", "City", "Country" FROM mpn."Profile" ORDER BY 1'),
    ).toEqual([
      { MPNId: "1000001", PartnerName: "Tab\there", City: null, Country: "Denmark" },
      { MPNId: "1000002", PartnerName: "Gzipped", City: null, Country: null },
      { MPNId: "1000003", PartnerName: "Semi, colon", City: null, Country: null },
    ]);
  });

  it("reads a file in an allowed directory in place (no staging copy)", async () => {
    const file = path.join(t.exportDir, "p.csv");
    await fs.writeFile(file, "MPNId\n42\n");
    const messages: string[] = [];
    await loadInto(t.engine, {
      program: "mpn",
      dataset: PROFILE,
      tenantId: TENANT,
      file,
      onProgress: (m) => messages.push(m),
    });
    expect(messages.some((m) => m.includes("staging"))).toBe(false);
  });

  it("refuses an unknown column, naming it and listing the allowed ones", async () => {
    const file = await write("bad.csv", "CustomerName,Colour\nx,red\n");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file }),
    ).rejects.toMatchObject({
      code: "invalid_data",
      message: expect.stringMatching(
        /Unknown column 'Colour' for dataset Sales; allowed columns: CustomerName, CustomerTenantId,.*RawRevenue$/,
      ),
      details: { column: "Colour" },
    });
    // A column of another dataset sharing the table is not a column of this one.
    const shared = await write("shared.csv", "CustomerName,ResellerName\nx,y\n");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: shared }),
    ).rejects.toMatchObject({ code: "invalid_data", details: { column: "ResellerName" } });
    const tenant = await write("tenant.csv", "CustomerName,_tenant_id\nx,y\n");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: tenant }),
    ).rejects.toMatchObject({ code: "invalid_data", details: { column: "_tenant_id" } });
    const dup = await write("dup.csv", "CustomerName,customerNAME\nx,y\n");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: dup }),
    ).rejects.toMatchObject({ code: "invalid_data", message: expect.stringMatching(/appears twice/) });
  });

  it("refuses a bad value naming column, value and line, and leaves the table unchanged", async () => {
    const good = await write("good.csv", GOOD_CSV);
    await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: good });
    const before = await salesRows();
    const cases: [string, RegExp, Record<string, unknown>][] = [
      [
        "CustomerName,Month\na,2024-01-01\nb,2024-13-01\n",
        /Invalid value '2024-13-01' for column Month at line 3: not a valid date/,
        { column: "Month", line: 3, value: "2024-13-01" },
      ],
      [
        "CustomerName,PaidSeats\na,1\nb,lots\n",
        /Invalid value 'lots' for column PaidSeats at line 3/,
        { column: "PaidSeats", line: 3 },
      ],
      [
        "CustomerName,PaidSeats\na,1\nb,1.5\n",
        /^Invalid value '1.5' for column PaidSeats at line 3: not a valid integer \(whole number\)$/,
        { column: "PaidSeats", value: "1.5", line: 3 },
      ],
      [
        "CustomerName,BilledRevenueUSD\na,12abc\n",
        /column BilledRevenueUSD at line 2: not a valid number/,
        {},
      ],
      [
        "CustomerName,UpdatedAt\na,2024-01-01T00:00:00Z\nb,yesterday\n",
        /Invalid value 'yesterday' for column UpdatedAt at line 3: not a valid timestamp/,
        { column: "UpdatedAt", value: "yesterday", line: 3 },
      ],
      [
        "CustomerName,PaidSeats\na,1\nb,2,3\n",
        /Malformed CSV at line 3: Expected Number of Columns: 2 Found: 3/,
        {},
      ],
      ['CustomerName,PaidSeats\na,1\n"b,2\n', /Malformed CSV at line 3/, {}],
    ];
    for (const [content, message, details] of cases) {
      const file = await write("bad.csv", content);
      for (const replace of [false, true]) {
        await expect(
          loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file, replace }),
        ).rejects.toMatchObject({ code: "invalid_data", message: expect.stringMatching(message), details });
      }
    }
    expect(await salesRows()).toEqual(before);
  });

  it("reads datetimes in UTC: offsets and zone names applied, none or Z or UTC as is", async () => {
    const file = await write(
      "times.csv",
      [
        "CustomerName,UpdatedAt",
        "a,2024-01-01T10:00:00Z",
        "b,2024-01-01 10:00:00-05:30",
        "c,2024-01-01 10:00:00 Europe/Paris",
        "d,2024-01-01T10:00:00.250",
        "e,2024-01-01 10:00:00 UTC",
        "f,2024-01-01T10:00:00+02",
        "g,2024-07-01",
        "",
      ].join("\n"),
    );
    await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file });
    expect(
      await all(
        t.engine,
        `SELECT "CustomerName", CAST(epoch_ms("UpdatedAt") AS BIGINT) AS ms FROM mpn."Sales" WHERE "_tenant_id" = $1 ORDER BY 1`,
        [TENANT],
      ),
    ).toEqual(
      [
        ["a", "2024-01-01T10:00:00Z"],
        ["b", "2024-01-01T15:30:00Z"],
        ["c", "2024-01-01T09:00:00Z"],
        ["d", "2024-01-01T10:00:00.250Z"],
        ["e", "2024-01-01T10:00:00Z"],
        ["f", "2024-01-01T08:00:00Z"],
        ["g", "2024-07-01T00:00:00Z"],
      ].map(([name, at]) => ({ CustomerName: name, ms: Date.parse(at!) })),
    );
  });

  it("refuses an empty file, a missing file and an unknown extension", async () => {
    const empty = await write("empty.csv", "");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: empty }),
    ).rejects.toMatchObject({
      code: "invalid_data",
    });
    await expect(
      loadInto(t.engine, {
        program: "mpn",
        dataset: SALES,
        tenantId: TENANT,
        file: path.join(inputDir, "nope.csv"),
      }),
    ).rejects.toMatchObject({ code: "invalid_argument", message: expect.stringMatching(/File not found/) });
    const xlsx = await write("x.xlsx", "x");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: xlsx }),
    ).rejects.toMatchObject({
      code: "invalid_argument",
    });
    const headerOnly = await write("h.csv", "CustomerName,Month\n");
    expect(
      await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: headerOnly }),
    ).toEqual({
      rowCount: 0,
    });
  });
});

describe("load a CSV body as it arrives, in segments", () => {
  // 80 bytes a segment: the 60-row bodies below arrive in a dozen segments.
  let segmented: TestEngine;
  beforeEach(async () => {
    segmented = await makeEngine({ loadSegmentBytes: 80 });
    await segmented.engine.ensureTables("mpn", [SALES]);
  });
  afterEach(async () => {
    await segmented.cleanup();
  });

  const rowsText = (n: number, bad?: { line: number; field: string }) => {
    const lines = ["CustomerName,Month,PaidSeats"];
    for (let i = 2; i <= n + 1; i++) {
      const row = [`c${String(i).padStart(3, "0")}`, "2024-01-01", String(i)];
      if (bad?.line === i) row[bad.field === "Month" ? 1 : 2] = bad.field === "Month" ? "2024-13-01" : "many";
      lines.push(row.join(","));
    }
    return `${lines.join("\n")}\n`;
  };
  /** The text in pieces of 33 bytes, then `error` if given (a dropped upload). */
  async function* arriving(text: string, error?: Error): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 33) {
      if (error && at > bytes.length / 2) throw error;
      yield bytes.subarray(at, at + 33);
    }
  }
  const load = (body: AsyncIterable<Buffer>, mode: "append" | "replace" = "replace") =>
    loadFile(segmented.engine, {
      program: "mpn",
      dataset: SALES,
      tenant: TENANT,
      mode,
      file: { arriving: body, format: "csv" },
    });
  const rows = () =>
    all(
      segmented.engine,
      `SELECT "CustomerName", "PaidSeats" FROM mpn."Sales" WHERE "_tenant_id" = $1 ORDER BY 1`,
      [TENANT],
    );
  const staging = () => fs.readdir(path.join(segmented.engine.dataDir, ".staging")).catch(() => []);

  it("loads every row once, committed as one new version, and leaves no segment behind", async () => {
    const result = await load(arriving(rowsText(60)));
    expect(result.rowCount).toBe(60);
    // A dozen segments, one commit: the tenant's first version.
    expect(result.dataVersion).toBe("1");
    const loaded = await rows();
    expect(loaded).toHaveLength(60);
    expect(loaded[0]).toEqual({ CustomerName: "c002", PaidSeats: 2 });
    expect(loaded[59]).toEqual({ CustomerName: "c061", PaidSeats: 61 });
    expect(await staging()).toEqual([]);
  });

  it("names the line in the body of a bad value in a later segment, whichever check finds it", async () => {
    await load(arriving(rowsText(5)));
    const before = await rows();
    for (const [field, message] of [
      ["PaidSeats", /^Invalid value 'many' for column PaidSeats at line 47: not a valid integer/],
      ["Month", /^Invalid value '2024-13-01' for column Month at line 47: not a valid date/],
    ] as const) {
      await expect(load(arriving(rowsText(60, { line: 47, field })))).rejects.toMatchObject({
        code: "invalid_data",
        message: expect.stringMatching(message),
        details: expect.objectContaining({ line: 47 }),
      });
    }
    expect(await rows()).toEqual(before);
    expect(await staging()).toEqual([]);
  });

  it("names the row in the body of a row outside the window of a windowed replace", async () => {
    const text = rowsText(60).replace("c046,2024-01-01", "c046,2023-05-01");
    await expect(
      loadFile(segmented.engine, {
        program: "mpn",
        dataset: SALES,
        tenant: TENANT,
        mode: "replace",
        window: { from: new Date("2024-01-01T00:00:00Z"), to: new Date("2024-02-01T00:00:00Z") },
        file: { arriving: arriving(text), format: "csv" },
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^Row 45: Month '2023-05-01' falls outside/) });
  });

  it("commits nothing of a body that fails half-way, in append or replace", async () => {
    await load(arriving(rowsText(5)));
    const before = await rows();
    for (const mode of ["append", "replace"] as const) {
      await expect(load(arriving(rowsText(60), new Error("upload dropped")), mode)).rejects.toThrow(
        "upload dropped",
      );
    }
    expect(await rows()).toEqual(before);
    expect(await staging()).toEqual([]);
  });
});

describe("load NDJSON", () => {
  it("loads one object per line, keys matched like a header", async () => {
    const file = await write(
      "sales.ndjson",
      '{"CustomerName":"Contoso","Month":"2024-01-01","PaidSeats":10,"UpdatedAt":"2024-01-02T03:04:05+01:00"}\n' +
        '{"CustomerName":"Fabrikam","Month":"2024-02-01","PaidSeats":1.0,"BilledRevenueUSD":0.5}\n',
    );
    expect(await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file })).toEqual({
      rowCount: 2,
    });
    expect((await salesRows()).map((r) => [r.CustomerName, r.PaidSeats, r.UpdatedAt])).toEqual([
      ["Contoso", 10, "2024-01-02T02:04:05Z"],
      ["Fabrikam", 1, null],
    ]);
  });

  it("names the first bad line, the column and why; nothing is written", async () => {
    const good = '{"CustomerName":"a","Month":"2024-01-01","PaidSeats":1}\n';
    const cases: [string, RegExp, Record<string, unknown>][] = [
      [
        `${good}${good}{"CustomerName":"c","Month":"2024-01-01","PaidSeats":1.5}\n${good}`,
        /^Invalid value '1.5' for column PaidSeats at line 3: not a valid integer \(whole number\)$/,
        { column: "PaidSeats", value: "1.5", line: 3 },
      ],
      [
        `${good}{"CustomerName":"b","Month":"someday"}\n`,
        /^Invalid value 'someday' for column Month at line 2: not a valid date/,
        { column: "Month", value: "someday", line: 2 },
      ],
      [
        `${good}{"CustomerName":"b","UpdatedAt":"yesterday"}\n`,
        /^Invalid value 'yesterday' for column UpdatedAt at line 2: not a valid timestamp/,
        { column: "UpdatedAt", line: 2 },
      ],
      [`${good}{"CustomerName": oops}\n`, /^Malformed NDJSON at line 2: /, { line: 2 }],
      // A record left open: DuckDB stops on the next line; the open one is named.
      [`${good}{"CustomerName":"b"\n${good}`, /^Malformed NDJSON at line 2: /, { line: 2 }],
      [`${good}${good}[1, 2]\n`, /^Malformed NDJSON at line 3: not a JSON object$/, { line: 3 }],
    ];
    for (const [content, message, details] of cases) {
      const file = await write("bad.ndjson", content);
      await expect(
        loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file }),
      ).rejects.toMatchObject({ code: "invalid_data", message: expect.stringMatching(message), details });
    }
    expect(await salesRows()).toEqual([]);
  });
});

describe("load Parquet", () => {
  async function parquet(name: string, select: string): Promise<string> {
    // DuckDB may only write inside its allowed directories; move the file out afterwards.
    const inside = path.join(t.exportDir, name);
    await all(t.engine, `COPY (${select}) TO '${inside}' (FORMAT parquet)`);
    const file = path.join(inputDir, name);
    await fs.rename(inside, file);
    return file;
  }

  it("loads typed columns and converts compatible types", async () => {
    const file = await parquet(
      "sales.parquet",
      `SELECT * FROM (VALUES
         ('Contoso', DATE '2024-01-01', 10::INTEGER, 12.5::DECIMAL(10,2), TIMESTAMPTZ '2024-01-02 03:04:05+01:00', 'Azure'),
         ('Fabrikam', DATE '2024-02-01', NULL, NULL, NULL, NULL)
       ) AS v("CUSTOMERNAME", "Month", "PaidSeats", "BilledRevenueUSD", "UpdatedAt", "Product")`,
    );
    const result = await loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file });
    expect(result).toEqual({ rowCount: 2 });
    expect(await salesRows()).toEqual([
      {
        CustomerName: "Contoso",
        Month: "2024-01-01",
        PaidSeats: 10,
        BilledRevenueUSD: 12.5,
        UpdatedAt: "2024-01-02T02:04:05Z",
        Product: "Azure",
      },
      {
        CustomerName: "Fabrikam",
        Month: "2024-02-01",
        PaidSeats: null,
        BilledRevenueUSD: null,
        UpdatedAt: null,
        Product: null,
      },
    ]);
  });

  it("names the column, value and row of a value that does not convert; nothing is written", async () => {
    const file = await parquet(
      "bad.parquet",
      `SELECT * FROM (VALUES ('a', '2024-01-01'), ('b', 'not a date'), ('c', NULL)) AS v("CustomerName", "Month")`,
    );
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file }),
    ).rejects.toMatchObject({
      code: "invalid_data",
      message: "Invalid value 'not a date' for column Month in row 2: not a valid date (YYYY-MM-DD)",
      details: { column: "Month", value: "not a date", row: 2 },
    });
    const frac = await parquet("frac.parquet", `SELECT 2.5::DOUBLE AS "PaidSeats"`);
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: frac }),
    ).rejects.toMatchObject({ code: "invalid_data", details: { column: "PaidSeats", row: 1 } });
    const unknown = await parquet("unknown.parquet", `SELECT 1 AS "Colour"`);
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file: unknown }),
    ).rejects.toMatchObject({ code: "invalid_data", details: { column: "Colour" } });
    expect(await salesRows()).toEqual([]);
  });

  it("refuses a file that is not Parquet", async () => {
    const file = await write("fake.parquet", "not parquet at all");
    await expect(
      loadInto(t.engine, { program: "mpn", dataset: SALES, tenantId: TENANT, file }),
    ).rejects.toMatchObject({
      code: "invalid_data",
    });
  });
});

describe("helpers", () => {
  it("parses a quoted header and infers formats from names", () => {
    expect(parseHeader('a,"b,c","d""e"\r\n1,2,3', ",")).toEqual(["a", "b,c", 'd"e']);
    expect(parseHeader("   ", ",")).toBeNull();
    expect(inferFormat("x.CSV")).toBe("csv");
    expect(inferFormat("x.tsv.gz")).toBe("tsv");
    expect(inferFormat("x.parquet")).toBe("parquet");
    expect(() => inferFormat("x.json")).toThrow(/Cannot tell the format/);
  });
});
