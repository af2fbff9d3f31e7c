import { describe, expect, it } from "vitest";
import {
  contentTypeOfFileName,
  isReportFormat,
  REPORT_FORMAT_NAMES,
  type ReportFormat,
  reportContentType,
  reportFileExtension,
} from "../../src/reports/formats.js";

describe("report formats table", () => {
  it("lists the formats in table order", () => {
    expect(REPORT_FORMAT_NAMES).toEqual(["csv", "tsv"]);
    expect(isReportFormat("tsv")).toBe(true);
    expect(isReportFormat("TSV")).toBe(false);
    expect(isReportFormat("parquet")).toBe(false);
  });

  it.each<[ReportFormat, boolean, string, string]>([
    ["csv", false, ".csv", "text/csv; charset=utf-8"],
    ["tsv", false, ".tsv", "text/tab-separated-values; charset=utf-8"],
    ["csv", true, ".csv.gz", "application/gzip"],
    ["tsv", true, ".tsv.gz", "application/gzip"],
  ])("%s with gzip %s: %s, %s", (format, gzip, extension, contentType) => {
    expect(reportFileExtension(format, gzip)).toBe(extension);
    expect(reportContentType(format, gzip)).toBe(contentType);
    expect(contentTypeOfFileName(`report${extension.toUpperCase()}`)).toBe(contentType);
  });

  it("knows no media type for a name no format ends", () => {
    expect(contentTypeOfFileName("report.txt")).toBeUndefined();
  });
});
