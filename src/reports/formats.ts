/**
 * The report file formats: the one table every list, check, schema enum, content type and file
 * name reads. Adding a format is a row here, the engine's export options for it, a migration that
 * widens the stored format's CHECK, and docs.
 */

export interface ReportFormatRow {
  /** The wire value of a report's `format` (lower case). */
  readonly name: string;
  /** The file name ending, without the compression's. */
  readonly extension: string;
  readonly contentType: string;
  /** Whether `compression: gzip` applies to files of this format. */
  readonly gzip: boolean;
}

export const REPORT_FORMATS = [
  { name: "csv", extension: ".csv", contentType: "text/csv; charset=utf-8", gzip: true },
  {
    name: "tsv",
    extension: ".tsv",
    contentType: "text/tab-separated-values; charset=utf-8",
    gzip: true,
  },
] as const satisfies readonly ReportFormatRow[];

export type ReportFormat = (typeof REPORT_FORMATS)[number]["name"];

export const REPORT_FORMAT_NAMES: readonly ReportFormat[] = REPORT_FORMATS.map((row) => row.name);

/** A report created without `format` gets this one. */
export const DEFAULT_REPORT_FORMAT: ReportFormat = "csv";

export const COMPRESSIONS = ["none", "gzip"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** What a gzip-compressed report file adds to its name, and its media type. */
const GZIP_FILE = { extension: ".gz", contentType: "application/gzip" } as const;

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMAT_NAMES as readonly string[]).includes(value);
}

export function reportFormatRow(format: ReportFormat): ReportFormatRow {
  return REPORT_FORMATS.find((row) => row.name === format)!;
}

/** The file name ending of a report file, e.g. `.csv.gz`. */
export function reportFileExtension(format: ReportFormat, gzip: boolean): string {
  return `${reportFormatRow(format).extension}${gzip ? GZIP_FILE.extension : ""}`;
}

/** The media type of a report file. */
export function reportContentType(format: ReportFormat, gzip: boolean): string {
  return gzip ? GZIP_FILE.contentType : reportFormatRow(format).contentType;
}

/** The media type of a report file from its name (case-insensitive); undefined for a name no format ends. */
export function contentTypeOfFileName(fileName: string): string | undefined {
  const name = fileName.toLowerCase();
  if (name.endsWith(GZIP_FILE.extension)) return GZIP_FILE.contentType;
  return REPORT_FORMATS.find((row) => name.endsWith(row.extension))?.contentType;
}
