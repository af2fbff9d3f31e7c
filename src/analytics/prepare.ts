/**
 * Turns a report query into SQL for one tenant and one instant, against the program's catalog.
 * Shared by the CLI, the test-query endpoint and report executions.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { catalogs } from "../datasets/catalog.js";
import type { Program } from "../datasets/types.js";
import { type CompileOptions, compileQuery, formatDiagnostics } from "../query/index.js";
import type { QueryPlan, TimeWindow } from "../query/index.js";
import type { CompiledSql } from "../storage/ports.js";

export interface PreparedQuery {
  readonly plan: QueryPlan;
  readonly sql: CompiledSql;
  readonly window: TimeWindow;
}

/** Throws AppError `invalid_query` carrying every diagnostic when the query is not valid. */
export function prepareQuery(text: string, options: CompileOptions): PreparedQuery {
  const result = compileQuery(text, catalogs[options.program].datasets, options);
  if (!result.ok) {
    throw new AppError(ERROR_CODES.INVALID_QUERY, formatDiagnostics(result.diagnostics), result.diagnostics);
  }
  return { plan: result.plan, sql: result.sql, window: result.window };
}

export function datasetsOf(program: Program) {
  return catalogs[program].datasets;
}
