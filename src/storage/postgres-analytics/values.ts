/**
 * PostgreSQL values as the rest of the service sees them — the same representations the DuckDB
 * engine hands out (`duckdb/values.ts`): BIGINT and NUMERIC → number (bigint when beyond a safe
 * integer), DOUBLE → number, DATE → 'YYYY-MM-DD', TIMESTAMP (and TIMESTAMPTZ, in UTC) →
 * 'YYYY-MM-DDTHH:mm:ssZ' with the fraction dropped, BOOLEAN → boolean, text → string.
 * The engine's sessions run with TimeZone UTC and DateStyle ISO, which these parsers rely on.
 */
import pg from "pg";

export const TYPE_OIDS = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

function parseInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function parseNumeric(text: string): number | bigint {
  return /^-?\d+$/.test(text) ? parseInteger(text) : Number(text);
}

/** '2024-06-03 10:00:00.123' or '2024-06-03 10:00:00+00' → '2024-06-03T10:00:00Z'. */
export function timestampText(text: string): string {
  if (text === "infinity" || text === "-infinity") return text;
  return `${text.slice(0, 10)}T${text.slice(11, 19)}Z`;
}

const parsers: Readonly<Record<number, (text: string) => unknown>> = {
  [TYPE_OIDS.int8]: parseInteger,
  [TYPE_OIDS.numeric]: parseNumeric,
  [TYPE_OIDS.float4]: Number,
  [TYPE_OIDS.float8]: Number,
  [TYPE_OIDS.date]: (text) => text,
  [TYPE_OIDS.timestamp]: timestampText,
  [TYPE_OIDS.timestamptz]: timestampText,
};

/** The `types` of the engine's pool: the parsers above, pg's defaults for everything else. */
export const ANALYTICS_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    const parser = parsers[oid];
    if (parser && (format ?? "text") === "text") return parser;
    return pg.types.getTypeParser(oid, format ?? "text");
  }) as typeof pg.types.getTypeParser,
};
