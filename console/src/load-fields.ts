/**
 * The load form's pure parts: the formats a load takes (by Content-Type, from the file's name) and
 * which field an API message is about.
 */
export type LoadField = "program" | "dataset" | "tenantId" | "mode" | "from" | "to" | "file" | "format";

/** The body formats of `POST /admin/v1/…/loads` (src/api/admin-loads.ts; the test checks they agree). */
export const LOAD_FORMATS = [
  { type: "text/csv", label: "CSV", endings: [".csv"] },
  { type: "text/tab-separated-values", label: "TSV", endings: [".tsv"] },
  { type: "application/x-ndjson", label: "JSON, one object per line", endings: [".ndjson", ".jsonl"] },
  { type: "application/vnd.apache.parquet", label: "Parquet", endings: [".parquet"] },
] as const;

/** The Content-Type of a file by its name's ending (CSV when none matches). */
export function loadFormatOf(fileName: string): string {
  const name = fileName.toLowerCase();
  return LOAD_FORMATS.find((f) => f.endings.some((ending) => name.endsWith(ending)))?.type ?? "text/csv";
}

/** Most specific first: "from and to …" is about the window (shown at From). */
const FIELD_PATTERNS: readonly [LoadField, RegExp][] = [
  ["tenantId", /^tenantId\b/],
  ["mode", /^mode\b/],
  ["to", /^to\b/],
  ["from", /^from\b|time column/],
  ["format", /Content-Type|Content-Encoding/],
  ["dataset", /^No dataset/],
  ["program", /^No program/],
  ["file", /body|line|row|column|value|file|OPENINSIGHTS_LOAD_MAX_BYTES/i],
];

/** The field a load message names, or null (shown above the form). */
export function loadFieldOf(message: string): LoadField | null {
  return FIELD_PATTERNS.find(([, pattern]) => pattern.test(message))?.[0] ?? null;
}
