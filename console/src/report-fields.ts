/**
 * Which field of the report form an API message is about. The API's validation messages name the
 * field ("Recurrence Interval must be between …", "CallbackUrl must use http or https"); the form
 * shows the message under that field. Pure, so the test can check it against the API's own rules.
 */
export type ReportField =
  | "ReportName"
  | "Description"
  | "QueryId"
  | "QueryStartTime"
  | "QueryEndTime"
  | "StartTime"
  | "RecurrenceInterval"
  | "RecurrenceCount"
  | "Format"
  | "Compression"
  | "SpreadsheetSafe"
  | "CallbackUrl"
  | "CallbackMethod"
  | "CallbackOnFailure"
  | "QueryWindow"
  | "Schedule"
  | "TimeZone";

/**
 * The formats the form offers and the whole-file compressions each takes: the API's table
 * (src/reports/formats.ts; the test checks that the two agree). Parquet compresses its own column
 * chunks, so it is offered without gzip or zstd.
 */
export const FORMAT_CHOICES = [
  { format: "csv", label: "CSV", compressions: ["none", "gzip", "zstd"] },
  { format: "tsv", label: "TSV", compressions: ["none", "gzip", "zstd"] },
  { format: "parquet", label: "Parquet", compressions: ["none"] },
  { format: "json", label: "JSON (one object per line)", compressions: ["none", "gzip", "zstd"] },
] as const;

/** The compressions a format takes (only "none" for one the form does not know). */
export function compressionsOf(format: string): readonly string[] {
  return FORMAT_CHOICES.find((choice) => choice.format === format)?.compressions ?? ["none"];
}

/**
 * Most specific names first ("QueryStartTime" before "StartTime"); a message about the name and
 * the description together (their shared length limit) belongs to neither: it goes above the form.
 */
const FIELD_PATTERNS: readonly [ReportField | null, RegExp][] = [
  [null, /ReportName and Description/],
  // Before Schedule ("TimeZone applies only with Schedule"), and Schedule before RecurrenceInterval
  // ("Schedule and RecurrenceInterval exclude each other", "… its minimumRecurrenceInterval").
  ["TimeZone", /TimeZone/],
  ["Schedule", /\bSchedule\b/],
  // Before the times: "QueryWindow applies only to scheduled reports; … QueryStartTime/QueryEndTime".
  ["QueryWindow", /QueryWindow/],
  ["CallbackOnFailure", /CallbackOnFailure/],
  ["QueryEndTime", /QueryEndTime/],
  ["QueryStartTime", /QueryStartTime/],
  ["QueryId", /QueryId|\bquery\b/i],
  ["ReportName", /ReportName|Report name/i],
  ["StartTime", /Start ?time/i],
  ["RecurrenceInterval", /Recurrence ?Interval/i],
  ["RecurrenceCount", /Recurrence ?count/i],
  ["Compression", /Compression/i],
  ["SpreadsheetSafe", /SpreadsheetSafe/i],
  ["Format", /format/i],
  ["CallbackUrl", /CallbackUrl/i],
  ["CallbackMethod", /CallbackMethod/i],
  ["Description", /Description/i],
];

/** The field a message names, or null when it names none (shown above the form). */
export function fieldOf(message: string): ReportField | null {
  return FIELD_PATTERNS.find(([, pattern]) => pattern.test(message))?.[0] ?? null;
}
