/** E1 — GET {base}/ScheduledDataset (reference §1.5.1). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import { COLUMN_TYPES } from "../../src/datasets/types.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { BASES, type Body, CMP, CMP11, expectError, expectOk, MPN } from "./helpers.js";

const TENANT = "d0000000-0000-4000-8000-000000000001";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

interface Dataset {
  datasetName: string;
  selectableColumns: string[];
  availableMetrics: string[];
  availableDateRanges: string[];
  minimumRecurrenceInterval: number;
  openInsightsColumnTypes: { name: string; type: string }[];
}
const datasets = (body: Body): Dataset[] => body.value as unknown as Dataset[];
const names = (body: Body): string[] => datasets(body).map((d) => d.datasetName);

describe("E1 get all datasets", () => {
  it.each(BASES)("lists the $program catalog at $base in the envelope", async ({ base }) => {
    const body = expectOk(await t.call(TENANT, "GET", `${base}/ScheduledDataset`));
    expect(body).toMatchObject({ message: "Dataset fetched successfully", nextLink: null, statusCode: 200 });
    expect(Object.keys(body).sort()).toEqual(
      ["dataRedacted", "message", "nextLink", "statusCode", "totalCount", "value"].sort(),
    );
    expect(body.value.length).toBeGreaterThan(5);
    for (const dataset of datasets(body)) {
      expect(dataset).toEqual({
        datasetName: expect.any(String),
        selectableColumns: expect.any(Array),
        availableMetrics: expect.any(Array),
        availableDateRanges: expect.any(Array),
        minimumRecurrenceInterval: expect.any(Number),
        // Extension: the calling tenant's last completed load (this tenant loaded nothing).
        lastRefreshedTime: null,
        // Extension: every selectable column with its catalog type.
        openInsightsColumnTypes: expect.any(Array),
      });
      expect(dataset.selectableColumns.length).toBeGreaterThan(0);
      expect(dataset.openInsightsColumnTypes.map((c) => c.name)).toEqual(dataset.selectableColumns);
      for (const column of dataset.openInsightsColumnTypes) {
        expect(Object.keys(column).sort()).toEqual(["name", "type"]);
        expect(COLUMN_TYPES).toContain(column.type);
      }
      expect(Number.isInteger(dataset.minimumRecurrenceInterval)).toBe(true);
    }
    expect(new Set(names(body)).size).toBe(body.value.length);
  });

  it("keeps the programs apart: mpn and cmp have their own datasets; v1 and v1.1 cmp agree", async () => {
    const mpn = names(expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`)));
    const cmp = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledDataset`));
    const cmp11 = expectOk(await t.call(TENANT, "GET", `${CMP11}/ScheduledDataset`));
    expect(mpn).toContain("OfficeUsage");
    expect(mpn).not.toContain("ISVUsage");
    expect(names(cmp)).toContain("ISVUsage");
    expect(names(cmp)).not.toContain("OfficeUsage");
    expect(cmp11.value).toEqual(cmp.value);
  });

  it("documents OfficeUsage as the reference does (minimumRecurrenceInterval 24, its date ranges)", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset?datasetName=OfficeUsage`));
    expect(body.value).toHaveLength(1);
    expect(body.value[0]).toMatchObject({
      datasetName: "OfficeUsage",
      minimumRecurrenceInterval: 24,
      availableDateRanges: ["LAST_MONTH", "LAST_3_MONTHS", "LAST_6_MONTHS", "LAST_1_YEAR", "LIFETIME"],
    });
    expect(body.value[0].selectableColumns).toEqual(
      expect.arrayContaining(["CustomerTenantId", "PaidAvailableUnits"]),
    );
  });

  it("gives each column the type the catalog declares (extension openInsightsColumnTypes)", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset?datasetName=OfficeUsage`));
    const catalog = builtInCatalogs.findDataset("mpn", "OfficeUsage")!;
    expect(datasets(body)[0]!.openInsightsColumnTypes).toEqual(
      catalog.columns.map((c) => ({ name: c.name, type: c.type })),
    );
    // Not the same type everywhere: the listing says which column holds what.
    expect(datasets(body)[0]!.openInsightsColumnTypes).toEqual(
      expect.arrayContaining([
        { name: "CustomerTenantId", type: "string" },
        { name: "PaidAvailableUnits", type: "integer" },
      ]),
    );
  });

  it.each([
    ["OfficeUsage", "OfficeUsage"],
    ["officeusage", "OfficeUsage"],
    ["OFFICEUSAGE", "OfficeUsage"],
    ["  OfficeUsage  ", "OfficeUsage"],
  ])("datasetName=%j filters case-insensitively to %s", async (given, expected) => {
    const body = expectOk(
      await t.call(TENANT, "GET", `${MPN}/ScheduledDataset?datasetName=${encodeURIComponent(given)}`),
    );
    expect(names(body)).toEqual([expected]);
    expect(body.message).toBe("Dataset fetched successfully");
  });

  it("accepts the parameter name in any case (DatasetName)", async () => {
    const body = expectOk(await t.call(TENANT, "GET", `${CMP}/ScheduledDataset?DatasetName=ISVOrder`));
    expect(names(body)).toEqual(["ISVOrder"]);
  });

  it("an empty datasetName lists everything", async () => {
    const all = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`));
    const empty = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset?datasetName=`));
    expect(empty.value).toEqual(all.value);
  });

  it.each([
    [MPN, "NoSuchDataset"],
    [MPN, "ISVUsage"], // a cmp dataset under mpn
    [CMP, "OfficeUsage"], // an mpn dataset under cmp
    [CMP11, "'; DROP TABLE x; --"],
  ])("%s datasetName=%s → 400 Invalid table name (reference §1.6)", async (base, name) => {
    const res = await t.call(
      TENANT,
      "GET",
      `${base}/ScheduledDataset?datasetName=${encodeURIComponent(name)}`,
    );
    expectError(res, 400, "Invalid table name");
  });
});
