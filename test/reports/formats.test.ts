import { describe, expect, it } from "vitest";
import {
  type Compression,
  compressionApplies,
  contentTypeOfFileName,
  isReportFormat,
  REPORT_FORMAT_NAMES,
  type ReportFormat,
  reportContentType,
  reportFileExtension,
} from "../../src/reports/formats.js";

describe("report formats table", () => {
  it("lists the formats in table order", () => {
    expect(REPORT_FORMAT_NAMES).toEqual(["csv", "tsv", "parquet", "json"]);
    expect(isReportFormat("tsv")).toBe(true);
    expect(isReportFormat("parquet")).toBe(true);
    expect(isReportFormat("TSV")).toBe(false);
    expect(isReportFormat("xlsx")).toBe(false);
  });

  it.each<[ReportFormat, Compression, string, string]>([
    ["csv", "none", ".csv", "text/csv; charset=utf-8"],
    ["tsv", "none", ".tsv", "text/tab-separated-values; charset=utf-8"],
    ["parquet", "none", ".parquet", "application/vnd.apache.parquet"],
    ["json", "none", ".ndjson", "application/x-ndjson"],
    ["csv", "gzip", ".csv.gz", "application/gzip"],
    ["tsv", "gzip", ".tsv.gz", "application/gzip"],
    ["json", "gzip", ".ndjson.gz", "application/gzip"],
    ["csv", "zstd", ".csv.zst", "application/zstd"],
    ["tsv", "zstd", ".tsv.zst", "application/zstd"],
    ["json", "zstd", ".ndjson.zst", "application/zstd"],
  ])("%s with compression %s: %s, %s", (format, compression, extension, contentType) => {
    expect(compressionApplies(format, compression)).toBe(true);
    expect(reportFileExtension(format, compression)).toBe(extension);
    expect(reportContentType(format, compression)).toBe(contentType);
    expect(contentTypeOfFileName(`report${extension.toUpperCase()}`)).toBe(contentType);
  });

  it.each<[ReportFormat, Compression]>([
    ["parquet", "gzip"],
    ["parquet", "zstd"],
  ])("%s files are not compressed whole with %s (zstd is inside)", (format, compression) => {
    expect(compressionApplies(format, compression)).toBe(false);
  });

  it("knows no media type for a name no format ends", () => {
    expect(contentTypeOfFileName("report.txt")).toBeUndefined();
  });
});
