/** Catalog files: the example loads; every kind of bad catalog is refused with a message naming file, path and what is allowed. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadCatalogs, parseCatalog, readCatalogFile } from "../../src/datasets/catalog-file.js";
import { analyzeQuery } from "../../src/query/index.js";

const EXAMPLE = path.resolve("examples/acme-catalog.yaml");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-catalogs-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small valid catalog; each case below breaks one thing. */
function valid() {
  return {
    program: "shop",
    datasets: [
      {
        name: "Sales",
        description: "Sales lines",
        columns: [
          { name: "Day", type: "date" },
          { name: "Region", type: "string" },
          { name: "Paid", type: "boolean" },
          { name: "Units", type: "integer" },
          { name: "Amount", type: "decimal" },
        ],
        metrics: [
          { name: "Revenue", aggregation: "sum", source: "Amount" },
          { name: "Lines", aggregation: "count" },
        ],
        timeColumn: "Day",
        availableDateRanges: ["LAST_MONTH", "LIFETIME"],
        minimumRecurrenceInterval: 4,
      },
      { name: "Regions", columns: [{ name: "Region", type: "string" }] },
    ],
    systemQueries: [
      {
        id: "0b5d1c1e-8a4f-4f6e-9d3c-1a2b3c4d5e6f",
        name: "Revenue by region",
        description: "",
        query: "SELECT Region, Revenue FROM Sales TIMESPAN LAST_MONTH",
      },
    ],
  };
}
type Catalog = ReturnType<typeof valid>;
// biome-ignore lint/suspicious/noExplicitAny: the cases write invalid values on purpose
type Loose = any;

const invalid: readonly {
  readonly name: string;
  readonly change: (c: Loose) => void;
  readonly message: string;
}[] = [
  {
    name: "an unknown column type",
    change: (c) => {
      c.datasets[0].columns[4].type = "money";
    },
    message:
      'datasets[0].columns[4].type: unknown type "money"; allowed: string, integer, decimal, date, datetime, boolean',
  },
  {
    name: "a missing column type",
    change: (c) => {
      delete c.datasets[0].columns[1].type;
    },
    message:
      "datasets[0].columns[1].type: type is required; one of string, integer, decimal, date, datetime, boolean",
  },
  {
    name: "an unknown aggregation",
    change: (c) => {
      c.datasets[0].metrics[0].aggregation = "median";
    },
    message:
      'datasets[0].metrics[0].aggregation: unknown aggregation "median"; allowed: sum, count, countDistinct, avg, min, max',
  },
  {
    name: "a duplicate column name (case-insensitive)",
    change: (c) => {
      c.datasets[0].columns[3].name = "region";
    },
    message:
      'datasets[0].columns[3].name: duplicate name "region": columns[1].name has it already (names are case-insensitive)',
  },
  {
    name: "a metric named like a column",
    change: (c) => {
      c.datasets[0].metrics[1].name = "Units";
    },
    message: 'datasets[0].metrics[1].name: duplicate name "Units": columns[3].name has it already',
  },
  {
    name: "a duplicate dataset name",
    change: (c) => {
      c.datasets[1].name = "SALES";
    },
    message: 'datasets[1].name: duplicate dataset name "SALES": datasets[0] has it already',
  },
  {
    name: "a reserved word as a column name",
    change: (c) => {
      c.datasets[0].columns[1].name = "Limit";
    },
    message:
      'datasets[0].columns[1].name: "Limit" is a reserved word of the query language (SELECT, DISTINCT',
  },
  {
    name: "a hidden (underscore) column name",
    change: (c) => {
      c.datasets[0].columns[1].name = "_tenant_id";
    },
    message: "datasets[0].columns[1].name: a column name must start with a letter",
  },
  {
    name: "a metric whose source is missing",
    change: (c) => {
      c.datasets[0].metrics[0].source = "Price";
    },
    message:
      'datasets[0].metrics[0].source: no column "Price" in this dataset; columns: Day, Region, Paid, Units, Amount',
  },
  {
    name: "a sum without a source",
    change: (c) => {
      delete c.datasets[0].metrics[0].source;
    },
    message: "datasets[0].metrics[0].source: a sum metric needs a source column",
  },
  {
    name: "a metric whose source is not numeric",
    change: (c) => {
      c.datasets[0].metrics[0].source = "Region";
    },
    message: "datasets[0].metrics[0].source: sum needs a column of type integer, decimal; Region is string",
  },
  {
    name: "a time column that is not a date",
    change: (c) => {
      c.datasets[0].timeColumn = "Units";
    },
    message: "datasets[0].timeColumn: the time column must be of type date or datetime; Units is integer",
  },
  {
    name: "a time column that does not exist",
    change: (c) => {
      c.datasets[0].timeColumn = "When";
    },
    message: 'datasets[0].timeColumn: no column "When" in this dataset',
  },
  {
    name: "an unknown date range",
    change: (c) => {
      c.datasets[0].availableDateRanges = ["LAST_MONTH", "LAST_FORTNIGHT"];
    },
    message:
      'datasets[0].availableDateRanges[1]: unknown date range "LAST_FORTNIGHT"; allowed: TODAY, YESTERDAY',
  },
  {
    name: "date ranges on a dataset without a time column",
    change: (c) => {
      c.datasets[1].availableDateRanges = ["LIFETIME"];
    },
    message: "datasets[1].availableDateRanges: a dataset without a timeColumn has no date ranges",
  },
  {
    name: "a recurrence interval that is not whole hours",
    change: (c) => {
      c.datasets[0].minimumRecurrenceInterval = 1.5;
    },
    message:
      "datasets[0].minimumRecurrenceInterval: minimumRecurrenceInterval must be a whole number of hours",
  },
  {
    name: "an unknown field (a typo)",
    change: (c) => {
      c.datasets[0].timecolumn = "Day";
    },
    message: 'datasets[0]: Unrecognized key: "timecolumn"',
  },
  {
    name: "a program name that is not a path segment",
    change: (c) => {
      c.program = "My Shop";
    },
    message:
      "program: program must be 1 to 40 lower-case letters, digits, '-' or '_', starting with a letter",
  },
  {
    name: "a program name the analytics engine reserves",
    change: (c) => {
      c.program = "main";
    },
    message:
      'program: "main" is reserved by the analytics engine (main, temp, system, information_schema, pg_catalog, memory)',
  },
  {
    name: "a system query that does not compile against its dataset",
    change: (c) => {
      c.systemQueries[0].query = "SELECT Region, Profit FROM Sales";
    },
    message:
      "systemQueries[0].query: does not compile: line 1, column 16: [INCORRECT_COLUMN_NAME] Incorrect column name: 'Profit' is not a column or metric of Sales",
  },
  {
    name: "a system query id that is not a GUID",
    change: (c) => {
      c.systemQueries[0].id = "revenue";
    },
    message: "systemQueries[0].id: id must be a GUID",
  },
  {
    name: "no datasets",
    change: (c) => {
      c.datasets = [];
    },
    message: "datasets: a catalog needs at least one dataset",
  },
  {
    name: "a source that is not an object",
    change: (c) => {
      c.datasets[0].source = "sales.orders";
    },
    message:
      'datasets[0].source: source must be { table: "schema.table", tenantColumn: "…", columns: { … } }',
  },
  {
    name: "a source without its table",
    change: (c) => {
      c.datasets[0].source = { tenantColumn: "partner_id" };
    },
    message: 'datasets[0].source.table: table is required: the table or view to read, as "schema.table"',
  },
  {
    name: "a source table that is not schema.table",
    change: (c) => {
      c.datasets[0].source = { table: "db.sales.orders", tenantColumn: "partner_id" };
    },
    message: 'datasets[0].source.table: table must be "schema.table" (or "table" of the public schema)',
  },
  {
    name: "a source without its tenant column",
    change: (c) => {
      c.datasets[0].source = { table: "sales.orders" };
    },
    message:
      "datasets[0].source.tenantColumn: tenantColumn is required: the column of the table that holds each row's tenant id",
  },
  {
    name: "an unknown field in a source (a typo)",
    change: (c) => {
      c.datasets[0].source = { table: "sales.orders", tenantColumn: "partner_id", column: {} };
    },
    message: 'datasets[0].source: Unrecognized key: "column"',
  },
  {
    name: "source columns that are not a map",
    change: (c) => {
      c.datasets[0].source = { table: "sales.orders", tenantColumn: "partner_id", columns: ["day"] };
    },
    message:
      'datasets[0].source.columns: columns must map catalog column names to the table\'s, e.g. { OrderDate: "created_at" }',
  },
  {
    name: "a source column mapped to something that is not a name",
    change: (c) => {
      c.datasets[0].source = { table: "sales.orders", tenantColumn: "partner_id", columns: { Day: 5 } };
    },
    message: "datasets[0].source.columns.Day: a mapped column must be text",
  },
  {
    name: "a source mapping a column the dataset does not have",
    change: (c) => {
      c.datasets[0].source = { table: "sales.orders", tenantColumn: "partner_id", columns: { Dya: "day" } };
    },
    message:
      'datasets[0].source.columns.Dya: no column "Dya" in this dataset; columns: Day, Region, Paid, Units, Amount',
  },
  {
    name: "a rowKey naming a column the dataset does not have",
    change: (c) => {
      c.datasets[0].rowKey = ["Day", "Regoin"];
    },
    message:
      'datasets[0].rowKey[1]: no column "Regoin" in this dataset; columns: Day, Region, Paid, Units, Amount',
  },
  {
    name: "a rowKey naming a column twice",
    change: (c) => {
      c.datasets[0].rowKey = ["Day", "day"];
    },
    message: "datasets[0].rowKey[1]: day is in the rowKey twice",
  },
  {
    name: "an empty rowKey",
    change: (c) => {
      c.datasets[0].rowKey = [];
    },
    message: "datasets[0].rowKey: rowKey needs at least one column (leave it out when rows have no key)",
  },
];

describe("catalog files", () => {
  it("reads the example catalog: its datasets, a boolean column, a compiling system query", async () => {
    const catalog = await readCatalogFile(EXAMPLE);
    expect(catalog.program).toBe("acme");
    expect(catalog.datasets.map((d) => d.name)).toEqual(["Orders", "Customers"]);
    const orders = catalog.datasets[0]!;
    expect(orders.columns.find((c) => c.name === "IsRenewal")?.type).toBe("boolean");
    expect(orders.timeColumn).toBe("OrderDate");
    expect(catalog.datasets[1]!).toMatchObject({
      timeColumn: null,
      availableDateRanges: [],
      minimumRecurrenceInterval: 24,
    });
    for (const query of catalog.systemQueries)
      expect(analyzeQuery(query.query, catalog.datasets).ok).toBe(true);
  });

  it("reads the same catalog from JSON and from YAML", async () => {
    const json = path.join(dir, "shop.json");
    const yaml = path.join(dir, "shop.yml");
    await writeFile(json, JSON.stringify(valid()));
    await writeFile(yaml, stringify(valid()));
    expect(await readCatalogFile(json)).toEqual(await readCatalogFile(yaml));
  });

  it("defaults the date ranges of a dataset with a time column to all of them", () => {
    const catalog: Catalog = valid();
    delete (catalog.datasets[0] as Loose).availableDateRanges;
    expect(parseCatalog(catalog, "shop.yaml").datasets[0]!.availableDateRanges).toContain("LAST_3_YEARS");
  });

  it.each(invalid)("refuses $name, naming file, path and what is allowed", ({ change, message }) => {
    const catalog = valid();
    change(catalog);
    expect(() => parseCatalog(catalog, "/etc/openinsights/shop.yaml")).toThrow(
      `Invalid catalog /etc/openinsights/shop.yaml:\n  ${message}`,
    );
  });

  it("reads a source: mapped columns as written, the others folded to lower case; and a rowKey as the columns spell it", () => {
    const catalog: Loose = valid();
    catalog.datasets[0].source = {
      table: "sales.orders",
      tenantColumn: "partner_id",
      columns: { day: "created_at", Amount: "Amount USD" },
    };
    catalog.datasets[0].rowKey = ["region", "DAY"];
    const sales = parseCatalog(catalog, "shop.yaml").datasets[0]!;
    expect(sales.source).toEqual({
      schema: "sales",
      table: "orders",
      tenantColumn: "partner_id",
      columns: { Day: "created_at", Region: "region", Paid: "paid", Units: "units", Amount: "Amount USD" },
    });
    expect(sales.rowKey).toEqual(["Region", "Day"]);
    catalog.datasets[0].source = { table: "orders", tenantColumn: "partner_id" };
    expect(parseCatalog(catalog, "shop.yaml").datasets[0]!.source).toMatchObject({
      schema: "public",
      table: "orders",
    });
  });

  it("reports every problem of a file at once", () => {
    const catalog: Loose = valid();
    catalog.datasets[0].metrics[0].source = "Region";
    catalog.datasets[0].timeColumn = "Units";
    expect(() => parseCatalog(catalog, "shop.yaml")).toThrow(
      /metrics\[0\]\.source: sum needs[\s\S]*timeColumn: the time column must be/,
    );
  });

  it("refuses a file that is not valid YAML or JSON, or whose extension says neither", async () => {
    const yaml = path.join(dir, "broken.yaml");
    await writeFile(yaml, "program: shop\ndatasets: [\n");
    await expect(readCatalogFile(yaml)).rejects.toThrow(
      `Invalid catalog ${yaml}:\n  (the file): not valid YAML`,
    );
    const json = path.join(dir, "broken.json");
    await writeFile(json, "{");
    await expect(readCatalogFile(json)).rejects.toThrow(
      `Invalid catalog ${json}:\n  (the file): not valid JSON`,
    );
    const text = path.join(dir, "shop.txt");
    await writeFile(text, stringify(valid()));
    await expect(readCatalogFile(text)).rejects.toThrow("the name must end in .yaml, .yml or .json");
    await expect(readCatalogFile(path.join(dir, "missing.yaml"))).rejects.toThrow("cannot be read");
  });

  it("refuses a program name that a built-in catalog or another file already defines", async () => {
    const mpn = path.join(dir, "mpn.yaml");
    await writeFile(mpn, stringify({ ...valid(), program: "mpn" }));
    await expect(loadCatalogs([mpn])).rejects.toThrow(
      `Invalid catalog ${mpn}:\n  program: "mpn" is already defined by the built-in catalogs; choose another name`,
    );
    const first = path.join(dir, "first.yaml");
    const second = path.join(dir, "second.json");
    await writeFile(first, stringify(valid()));
    await writeFile(second, JSON.stringify(valid()));
    await expect(loadCatalogs([first, second])).rejects.toThrow(
      `program: "shop" is already defined by ${first}; choose another name`,
    );
  });

  it("serves the built-in catalogs first, then the files' in order", async () => {
    const catalogs = await loadCatalogs([EXAMPLE]);
    expect(catalogs.programs).toEqual(["mpn", "cmp", "acme"]);
    expect(catalogs.findDataset("ACME", "orders")?.name).toBe("Orders");
    expect(catalogs.findSystemQuery("acme", "6F1C7A52-3D0E-4B8A-9F6E-2C5D8B1A4E07")?.name).toBe(
      "Revenue by country, last month",
    );
  });
});
