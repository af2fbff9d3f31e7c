/**
 * Turns a report query into SQL for one tenant and one instant, against the program's datasets.
 * Shared by the CLI, the test-query endpoint and report executions.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { DatasetDef } from "../datasets/types.js";
import type { CompiledSql } from "./compiled.js";
import {
  type CompileOptions,
  compileQuery,
  type Diagnostic,
  type QueryPlan,
  type TimeWindow,
} from "./index.js";

export interface PreparedQuery {
  readonly plan: QueryPlan;
  readonly sql: CompiledSql;
  readonly window: TimeWindow;
}

/** Throws AppError `invalid_query` carrying every diagnostic when the query is not valid. */
export function prepareQuery(
  text: string,
  datasets: readonly DatasetDef[],
  options: CompileOptions,
): PreparedQuery {
  const result = compileQuery(text, datasets, options);
  if (!result.ok) throw invalidQueryError(result.diagnostics);
  return { plan: result.plan, sql: result.sql, window: result.window };
}

/**
 * The error for an invalid query: its message is the first diagnostic's (which starts with the
 * real API's text, e.g. "Invalid table name"), and `details` carries every diagnostic.
 */
export function invalidQueryError(diagnostics: readonly Diagnostic[]): AppError {
  const [first] = diagnostics;
  const more = diagnostics.length - 1;
  const message = first
    ? `${first.message} (line ${first.line}, column ${first.column})${more > 0 ? ` and ${more} more problem(s)` : ""}`
    : "Invalid query";
  return new AppError(ERROR_CODES.INVALID_QUERY, message, diagnostics);
}
