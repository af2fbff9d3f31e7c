/**
 * Bound parameters where PostgreSQL takes none. `COPY (query) TO STDOUT` cannot carry bind
 * parameters, so each `$n` of a compiled query becomes `(SELECT current_setting('openinsights.p<n>'))`,
 * and the values are set with `set_config(name, $1, true)` — still bound, never written into the SQL
 * text, and local to the transaction. The PostgreSQL dialect of the compiler compares every
 * parameter with text or casts it to its type, so text settings mean the same as typed parameters.
 *
 * The sub-select makes each setting an InitPlan, read once per statement: a bare `current_setting()`
 * is a function call in the row filter, run for every row scanned (a 500,000-row export, median
 * backend CPU: 370 ms with it, 330 ms with the sub-select, 290 ms for the raw COPY; docs/benchmarks.md).
 */
import type { SqlValue } from "../../query/compiled.js";

const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g;

export function settingName(index: number): string {
  return `openinsights.p${index}`;
}

/** `sql` with `$n` outside quoted literals and identifiers read from the settings. */
export function withSettingParameters(sql: string): string {
  return sql.replace(TOKENS, (token, index: string | undefined) =>
    index === undefined ? token : `(SELECT current_setting('${settingName(Number(index))}'))`,
  );
}

/** The `set_config` statement and its values; null for no parameters. */
export function setParametersStatement(
  params: readonly SqlValue[],
): { text: string; values: string[] } | null {
  if (params.length === 0) return null;
  const calls = params.map((_, i) => `set_config('${settingName(i + 1)}', $${i + 1}, true)`);
  // A NULL parameter cannot be a setting; the compiler binds none (NULL rules are in its SQL).
  return { text: `SELECT ${calls.join(", ")}`, values: params.map((value) => String(value)) };
}
