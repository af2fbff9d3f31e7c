/** What the query compiler produces: parameterised SQL for an analytics engine to run. */

/** A value bound to a `$n` / `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null;

/** SQL produced by the query compiler: identifiers come from the catalog, every value is in `params`. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  /** Output column names, in SELECT order, spelled as the catalog spells them. */
  readonly columns: readonly string[];
}

/** One result row, keyed by output column name. */
export type Row = Record<string, unknown>;
