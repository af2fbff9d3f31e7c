/**
 * The report query language: lexer → parser → validator → compiler, each a pure stage.
 * `analyzeQuery` checks a query against a catalog; `compileQuery` also produces the SQL
 * for one tenant and one point in time.
 */
import type { DatasetDef, Program } from "../datasets/types.js";
import type { CompiledSql, SqlDialect } from "./compiled.js";
import { compile } from "./compiler.js";
import type { Diagnostic } from "./diagnostics.js";
import { parse } from "./parser.js";
import { explicitWindow, type TimeWindow, timespanWindow } from "./timespan.js";
import { type QueryPlan, validate } from "./validator.js";

export type { Diagnostic } from "./diagnostics.js";
export type { TimeWindow } from "./timespan.js";
export type { QueryPlan } from "./validator.js";

export type Analysis = { ok: true; plan: QueryPlan } | { ok: false; diagnostics: Diagnostic[] };

export function analyzeQuery(text: string, datasets: readonly DatasetDef[]): Analysis {
  const parsed = parse(text);
  const validated = validate(parsed.ast, datasets);
  const diagnostics = [...parsed.diagnostics, ...validated.diagnostics];
  if (diagnostics.length > 0 || !validated.plan) {
    return { ok: false, diagnostics: diagnostics.sort((a, b) => a.offset - b.offset) };
  }
  return { ok: true, plan: validated.plan };
}

export interface CompileOptions {
  readonly program: Program;
  readonly tenant: string;
  /** The instant TIMESPAN is evaluated at (a report's scheduled time, or the request time). */
  readonly now: Date;
  /** Explicit bounds that replace TIMESPAN (QueryStartTime/QueryEndTime, startTime/endTime). */
  readonly override?: { readonly start?: Date; readonly end?: Date };
  /** Caps the rows returned (the test query's row limit); a smaller LIMIT in the query wins. */
  readonly maxRows?: number;
  /** The analytics engine's SQL dialect (DuckDB when absent). */
  readonly dialect?: SqlDialect;
}

export type Compilation =
  | { ok: true; plan: QueryPlan; sql: CompiledSql; window: TimeWindow }
  | { ok: false; diagnostics: Diagnostic[] };

export function compileQuery(
  text: string,
  datasets: readonly DatasetDef[],
  options: CompileOptions,
): Compilation {
  const analysis = analyzeQuery(text, datasets);
  if (!analysis.ok) return analysis;
  const plan =
    options.maxRows === undefined
      ? analysis.plan
      : { ...analysis.plan, limit: Math.min(analysis.plan.limit ?? options.maxRows, options.maxRows) };
  const window = dataWindow(plan, options);
  const sql = compile(plan, {
    program: options.program,
    tenant: options.tenant,
    window,
    ...(options.dialect ? { dialect: options.dialect } : {}),
  });
  return { ok: true, plan, sql, window };
}

/** The data window a run covers: the override when given, else the TIMESPAN at `now`. */
export function dataWindow(plan: QueryPlan, options: Pick<CompileOptions, "now" | "override">): TimeWindow {
  if (!plan.timespan) return { start: null, end: null };
  if (options.override && (options.override.start || options.override.end)) {
    return explicitWindow(options.override.start, options.override.end);
  }
  return timespanWindow(plan.timespan, options.now);
}

/** One line per diagnostic, for terminals: "line 1, column 8: message". */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `line ${d.line}, column ${d.column}: [${d.code}] ${d.message}`).join("\n");
}
