/**
 * The report file formats: the one table every list, check, schema enum, content type and file
 * name reads. Adding a format is a row here, the engine's export options for it, a migration that
 * widens the stored format's CHECK, and docs.
 */

/** What a report file is compressed with as a whole (the `Compression` extension field). */
export const COMPRESSIONS = ["none", "gzip", "zstd"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface ReportFormatRow {
  /** The wire value of a report's `format` (lower case). */
  readonly name: string;
  /** The file name ending, without the compression's. */
  readonly extension: string;
  readonly contentType: string;
  /** The whole-file compressions that apply to files of this format ("none" always does). */
  readonly compressions: readonly Compression[];
}

const TEXT_COMPRESSIONS = ["none", "gzip", "zstd"] as const satisfies readonly Compression[];

export const REPORT_FORMATS = [
  {
    name: "csv",
    extension: ".csv",
    contentType: "text/csv; charset=utf-8",
    compressions: TEXT_COMPRESSIONS,
  },
  {
    name: "tsv",
    extension: ".tsv",
    contentType: "text/tab-separated-values; charset=utf-8",
    compressions: TEXT_COMPRESSIONS,
  },
  // Parquet compresses its column chunks itself (zstd); a whole-file compression would only hide
  // the footer readers seek to.
  {
    name: "parquet",
    extension: ".parquet",
    contentType: "application/vnd.apache.parquet",
    compressions: ["none"],
  },
  // Newline-delimited JSON: one object per row.
  {
    name: "json",
    extension: ".ndjson",
    contentType: "application/x-ndjson",
    compressions: TEXT_COMPRESSIONS,
  },
] as const satisfies readonly ReportFormatRow[];

export type ReportFormat = (typeof REPORT_FORMATS)[number]["name"];

export const REPORT_FORMAT_NAMES: readonly ReportFormat[] = REPORT_FORMATS.map((row) => row.name);

/** A report created without `format` gets this one. */
export const DEFAULT_REPORT_FORMAT: ReportFormat = "csv";

/** What a compressed report file adds to its name, and its media type. */
const COMPRESSED_FILES: Readonly<
  Record<Exclude<Compression, "none">, { readonly extension: string; readonly contentType: string }>
> = {
  gzip: { extension: ".gz", contentType: "application/gzip" },
  zstd: { extension: ".zst", contentType: "application/zstd" },
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMAT_NAMES as readonly string[]).includes(value);
}

export function isCompression(value: string): value is Compression {
  return (COMPRESSIONS as readonly string[]).includes(value);
}

export function reportFormatRow(format: ReportFormat): ReportFormatRow {
  return REPORT_FORMATS.find((row) => row.name === format)!;
}

/** Whether files of `format` may be compressed whole with `compression`. */
export function compressionApplies(format: ReportFormat, compression: Compression): boolean {
  return reportFormatRow(format).compressions.includes(compression);
}

/** The file name ending of a report file, e.g. `.csv.gz`. */
export function reportFileExtension(format: ReportFormat, compression: Compression): string {
  return `${reportFormatRow(format).extension}${compression === "none" ? "" : COMPRESSED_FILES[compression].extension}`;
}

/** The media type of a report file. */
export function reportContentType(format: ReportFormat, compression: Compression): string {
  return compression === "none"
    ? reportFormatRow(format).contentType
    : COMPRESSED_FILES[compression].contentType;
}

/** The media type of a report file from its name (case-insensitive); undefined for a name no format ends. */
export function contentTypeOfFileName(fileName: string): string | undefined {
  const name = fileName.toLowerCase();
  const compressed = Object.values(COMPRESSED_FILES).find((file) => name.endsWith(file.extension));
  if (compressed) return compressed.contentType;
  return REPORT_FORMATS.find((row) => name.endsWith(row.extension))?.contentType;
}
