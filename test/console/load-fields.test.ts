/**
 * The load form's formats are the load route's content types, and the route's messages land under
 * the field they are about (the messages as test/api/loads.test.ts sees them).
 */
import { describe, expect, it } from "vitest";
import { LOAD_FORMATS, type LoadField, loadFieldOf, loadFormatOf } from "../../console/src/load-fields.js";
import { LOAD_CONTENT_TYPES } from "../../src/api/admin-loads.js";

describe("load form fields", () => {
  it("offers exactly the content types the load route takes, chosen by the file's name", () => {
    expect(LOAD_FORMATS.map((f) => f.type).sort()).toEqual(Object.keys(LOAD_CONTENT_TYPES).sort());
    expect(loadFormatOf("Orders.CSV")).toBe("text/csv");
    expect(loadFormatOf("rows.tsv")).toBe("text/tab-separated-values");
    expect(loadFormatOf("rows.jsonl")).toBe("application/x-ndjson");
    expect(loadFormatOf("rows.parquet")).toBe("application/vnd.apache.parquet");
    expect(loadFormatOf("rows.txt")).toBe("text/csv");
  });

  it("puts each message of the load route under its field", () => {
    const cases: [string, LoadField | null][] = [
      ["tenantId is required: the tenant whose rows the body holds", "tenantId"],
      ["tenantId must be a tenant id (a GUID such as 8f3c2a91-…), not 'contoso'", "tenantId"],
      ["mode must be one of append, replace, not 'merge'", "mode"],
      ["from and to apply to mode=replace only", "from"],
      ["from and to go together: give both (YYYY-MM-DD)", "from"],
      ["from (2026-12-01) must be before to (2026-11-01)", "from"],
      ["to must be a date (YYYY-MM-DD), not '2026-13-01'", "to"],
      ["This dataset has no time column: from/to cannot pick rows; replace all of them", "from"],
      ["Content-Type 'text/plain' is not one a load takes: send text/csv, …", "format"],
      ["No dataset 'Nope' in mpn; its datasets are …", "dataset"],
      ["No program 'nope'; the programs are mpn, cmp", "program"],
      ["The body is empty: send the file to load", "file"],
      ["Unknown column 'Nope'", "file"],
      ["Invalid value 'many' for column Quantity at line 2: not a valid integer (whole number)", "file"],
      ["Row 1: Month '2020-01-01' falls outside the window", "file"],
      ["The body is more than 4,194,304 bytes (OPENINSIGHTS_LOAD_MAX_BYTES)", "file"],
      ["Something else went wrong", null],
    ];
    for (const [message, field] of cases) expect(loadFieldOf(message), message).toBe(field);
  });
});
