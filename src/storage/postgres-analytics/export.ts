/**
 * The `COPY (…) TO STDOUT` statement of an export: PostgreSQL's own CSV writer, fed a SELECT that
 * formats each value as the DuckDB engine writes it (its `exportTo` describes the files), so a
 * report's file does not depend on the engine:
 * - TIMESTAMP → 'YYYY-MM-DDTHH:MM:SSZ' (fraction dropped; TIMESTAMPTZ in UTC), DATE → 'YYYY-MM-DD';
 * - BOOLEAN → true/false (PostgreSQL's CSV would write t/f);
 * - DOUBLE → PostgreSQL's shortest round-trip digits, with '.0' added to whole numbers as DuckDB
 *   writes them (100.0); they differ only for whole numbers from 1e15 up and for NaN/Infinity;
 * - CSV/TSV: header row, fields quoted with '"' only when needed, quotes doubled, NULL → empty
 *   field, empty string → `""`, LF line ends;
 * - JSON: one compact object per row, keys in select order, values by to_json; COPY writes each
 *   line unquoted because JSON text never holds the 0x01 delimiter, the 0x02 quote, CR or LF.
 */
import type { ReportFormat } from "../../reports/formats.js";
import { TYPE_OIDS } from "./values.js";

export interface DescribedColumn {
  /** The output name (the header's, the JSON key). */
  readonly name: string;
  readonly typeOid: number;
}

/** The source's columns are read by position (`q.c1`, …): output names may exceed PostgreSQL's 63 bytes. */
const positional = (index: number) => `q.c${index + 1}`;

const TEXT_TYPES = new Set<number>([TYPE_OIDS.text, TYPE_OIDS.varchar, TYPE_OIDS.bpchar]);

/** A text-valued expression of the column as the files carry it (null stays null). */
function textValue(column: DescribedColumn, index: number, spreadsheetSafe: boolean): string {
  const c = positional(index);
  switch (column.typeOid) {
    // The text cast of a whole-second timestamp (DateStyle ISO) with 'T' and 'Z': cheaper than to_char.
    case TYPE_OIDS.timestamp:
      return `overlay(CAST(date_trunc('second', ${c}) AS text) placing 'T' from 11) || 'Z'`;
    case TYPE_OIDS.timestamptz:
      return `overlay(CAST(date_trunc('second', ${c} AT TIME ZONE 'UTC') AS text) placing 'T' from 11) || 'Z'`;
    case TYPE_OIDS.bool:
      return `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END`;
    case TYPE_OIDS.float4:
    case TYPE_OIDS.float8:
      // PostgreSQL writes whole numbers below 1e15 without a fraction; DuckDB adds '.0'. Arithmetic,
      // not a regular expression on the text: this runs for every value of every exported double.
      return `CASE WHEN ${c} = trunc(${c}) AND abs(${c}) < 1e15 THEN CAST(${c} AS text) || '.0' ELSE CAST(${c} AS text) END`;
    default:
      if (spreadsheetSafe && TEXT_TYPES.has(column.typeOid)) {
        // OWASP's CSV-injection advice, as the DuckDB engine applies it.
        return `CASE WHEN left(${c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || ${c} ELSE ${c} END`;
      }
      return c;
  }
}

/** A JSON value of the column: numbers and booleans stay JSON numbers and booleans. */
function jsonValue(column: DescribedColumn, index: number, spreadsheetSafe: boolean): string {
  switch (column.typeOid) {
    case TYPE_OIDS.timestamp:
    case TYPE_OIDS.timestamptz:
      return textValue(column, index, false);
    default:
      return TEXT_TYPES.has(column.typeOid) ? textValue(column, index, spreadsheetSafe) : positional(index);
  }
}

/**
 * The header row of CSV/TSV (null for JSON), written by the engine because PostgreSQL's would carry
 * names cut to 63 bytes; quoted as PostgreSQL and DuckDB quote a field.
 */
export function headerLine(columns: readonly DescribedColumn[], format: ReportFormat): string | null {
  if (format === "json" || format === "parquet") return null;
  const delimiter = format === "tsv" ? "\t" : ",";
  const field = (name: string) =>
    name.includes(delimiter) || /["\r\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
  return `${columns.map((c) => field(c.name)).join(delimiter)}\n`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The COPY statement writing `sql`'s rows (already parameter-free, see params.ts) as `format`. */
export function copyToStatement(
  sql: string,
  columns: readonly DescribedColumn[],
  format: Exclude<ReportFormat, "parquet">,
  spreadsheetSafe: boolean,
): string {
  const aliases = columns.map((_, i) => `c${i + 1}`).join(", ");
  const source = `(\n${sql.trim().replace(/;\s*$/, "")}\n) AS q(${aliases})`;
  if (format === "json") {
    // Compact, keys in select order (json_build_object would write " : ", jsonb would sort keys).
    const members = columns.map((c, i) => {
      // Doubles in DuckDB's digits (100.0) as JSON numbers; everything else as to_json writes it.
      const float = c.typeOid === TYPE_OIDS.float8 || c.typeOid === TYPE_OIDS.float4;
      const json = float
        ? `coalesce(${textValue(c, i, false)}, 'null')`
        : `coalesce(CAST(to_json(${jsonValue(c, i, spreadsheetSafe)}) AS text), 'null')`;
      return `${literal(`${i === 0 ? "{" : ","}${JSON.stringify(c.name)}:`)} || ${json}`;
    });
    const row = columns.length === 0 ? "'{}'" : `${members.join(" || ")} || '}'`;
    return `COPY (SELECT ${row} FROM ${source}) TO STDOUT (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')`;
  }
  const delimiter = format === "tsv" ? "E'\\t'" : "','";
  const select = columns.map((c, i) => textValue(c, i, spreadsheetSafe)).join(", ");
  return (
    `COPY (SELECT ${select} FROM ${source}) TO STDOUT ` +
    `(FORMAT csv, HEADER false, DELIMITER ${delimiter}, QUOTE '"', ESCAPE '"', NULL '')`
  );
}
