import { describe, expect, it } from "vitest";
import { analyzeQuery } from "../../src/query/index.js";
import { fixtureDatasets } from "./fixture.js";

function diagnosticsOf(text: string) {
  const analysis = analyzeQuery(text, fixtureDatasets);
  return analysis.ok ? [] : analysis.diagnostics;
}

function planOf(text: string) {
  const analysis = analyzeQuery(text, fixtureDatasets);
  if (!analysis.ok) throw new Error(JSON.stringify(analysis.diagnostics));
  return analysis.plan;
}

describe("validator", () => {
  it("resolves names case-insensitively to the catalog's spelling", () => {
    const plan = planOf("select customername, REVENUE from sales");
    expect(plan.dataset.name).toBe("Sales");
    expect(plan.select.map((f) => f.name)).toEqual(["CustomerName", "Revenue"]);
    expect(plan.aggregated).toBe(true);
  });

  it("accepts a dataset alias", () => {
    expect(planOf("SELECT Market FROM salesold").dataset.name).toBe("Sales");
  });

  it("defaults TIMESPAN to LAST_6_MONTHS, and to none on a dataset without a time column", () => {
    expect(planOf("SELECT Market FROM Sales").timespan).toBe("LAST_6_MONTHS");
    expect(planOf("SELECT MPNId FROM Profile").timespan).toBeNull();
  });

  it.each([
    "SELECT Market FROM Sales ORDER BY CustomerName",
    "SELECT DISTINCT Market FROM Sales ORDER BY CustomerName",
  ])("orders rows without metrics by an unselected column: %s", (text) => {
    expect(planOf(text).orderBy.map((o) => o.field.name)).toEqual(["CustomerName"]);
  });

  it("defaults ORDER BY direction to DESC", () => {
    expect(planOf("SELECT Market FROM Sales ORDER BY Market").orderBy[0]!.direction).toBe("DESC");
  });

  it("converts literals to the column's type", () => {
    const plan = planOf(
      "SELECT Market FROM Sales WHERE Seats = '100' AND Seats > 5 AND Month >= '2024-01-01' AND SoldAt < '2024-01-01T10:00:00Z'",
    );
    expect(plan.where.map((c) => c.values[0])).toEqual([
      { kind: "typed", value: 100 },
      { kind: "typed", value: 5 },
      { kind: "typed", value: "2024-01-01" },
      { kind: "typed", value: "2024-01-01 10:00:00" },
    ]);
  });

  it("keeps a value that does not convert as text for equality (it then matches nothing)", () => {
    const plan = planOf("SELECT Market FROM Sales WHERE IsTrial = 'False'");
    expect(plan.where[0]!.values[0]).toEqual({ kind: "text", value: "False" });
  });

  it.each([
    ["SELECT Market FROM Sale", "INVALID_TABLE_NAME", "Invalid table name", "Sales"],
    ["SELECT CustomerNam FROM Sales", "INCORRECT_COLUMN_NAME", "Incorrect column name", "CustomerName"],
    [
      "SELECT Market FROM Sales WHERE Revnue > 1",
      "INCORRECT_COLUMN_NAME",
      "Incorrect column name",
      "Revenue",
    ],
    ["SELECT Market FROM Sales ORDER BY Markt", "INCORRECT_COLUMN_NAME", "Incorrect column name", "Market"],
    ["SELECT Market FROM Sales TIMESPAN LAST_MONTHS", "INVALID_TIMESPAN", "Invalid TIMESPAN", "LAST_MONTH"],
  ])("%s → %s with a suggestion", (text, code, prefix, suggestion) => {
    const [first] = diagnosticsOf(text);
    expect(first).toMatchObject({ code, suggestion });
    expect(first!.message.startsWith(prefix)).toBe(true);
    expect(first!.message).toContain(`Did you mean '${suggestion}'?`);
  });

  it.each([
    ["SELECT Market FROM Sales TIMESPAN LAST_1_YEAR", "INVALID_TIMESPAN"],
    ["SELECT MPNId FROM Profile TIMESPAN LAST_MONTH", "INVALID_TIMESPAN"],
    ["SELECT Market FROM Sales LIMIT 0", "INVALID_LIMIT"],
    ["SELECT Market FROM Sales LIMIT 1.5", "INVALID_LIMIT"],
    ["SELECT Market FROM Sales LIMIT 99999999999", "INVALID_LIMIT"],
    ["SELECT Market, market FROM Sales", "DUPLICATE_COLUMN"],
    ["SELECT Market FROM Sales WHERE Revenue LIKE '1%'", "INVALID_OPERATOR"],
    ["SELECT Market FROM Sales WHERE Seats > 'many'", "INVALID_VALUE"],
    ["SELECT Market FROM Sales WHERE Month < 'soon'", "INVALID_VALUE"],
    ["SELECT Market FROM Sales WHERE Revenue = 'lots'", "INVALID_VALUE"],
    ["SELECT Market, Revenue FROM Sales ORDER BY CustomerName", "ORDER_BY_NOT_GROUPED"],
  ])("%s → %s", (text, code) => {
    expect(diagnosticsOf(text).map((d) => d.code)).toEqual([code]);
  });

  it("lists what is allowed when no name is close", () => {
    const [first] = diagnosticsOf("SELECT Zzzzzzzzzz FROM Sales");
    expect(first!.suggestion).toBeUndefined();
    expect(first!.expected).toContain("CustomerName");
    expect(first!.message).toContain("Allowed: CustomerName, Market");
  });

  it("reports every problem of a query together, in text order", () => {
    const diagnostics = diagnosticsOf(
      "SELECT Nope, Market FROM Sales WHERE Bad = 1 ORDER BY Worse LIMIT 0 TIMESPAN NEVER",
    );
    expect(diagnostics.map((d) => d.code)).toEqual([
      "INCORRECT_COLUMN_NAME",
      "INCORRECT_COLUMN_NAME",
      "INCORRECT_COLUMN_NAME",
      "INVALID_LIMIT",
      "INVALID_TIMESPAN",
    ]);
    expect(diagnostics.map((d) => d.column)).toEqual([8, 38, 55, 67, 78]);
  });

  it("cannot name the hidden tenant column", () => {
    const diagnostics = diagnosticsOf("SELECT _tenant_id FROM Sales");
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnosticsOf("SELECT tenant_id FROM Sales")[0]!.code).toBe("INCORRECT_COLUMN_NAME");
  });
});
