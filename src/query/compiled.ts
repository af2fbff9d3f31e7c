/** What the query compiler produces: parameterised SQL for an analytics engine to run. */

/**
 * The SQL dialect a query is compiled for: the analytics engine's (`AnalyticsEngine.dialect`).
 * Both give the same rows for the same query (test/query/semantics.test.ts compares them).
 */
export type SqlDialect = "duckdb" | "postgres";

/** A value bound to a `$n` / `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null;

/** SQL produced by the query compiler: identifiers come from the catalog, every value is in `params`. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  /** Output column names, in SELECT order, spelled as the catalog spells them. */
  readonly columns: readonly string[];
  /** The statement's LIMIT, when it has one: engines may fetch a result this small in one go. */
  readonly rowLimit?: number;
  /**
   * The one dataset table the statement reads and for which tenant (the compiler always sets it):
   * engines that keep each tenant's rows apart read just that tenant's current data. Absent from
   * hand-written statements (tests, tools), which then read every tenant's.
   */
  readonly source?: {
    readonly program: string;
    readonly table: string;
    readonly tenant: string;
    /** `schema.table` of the user's own table a `source` dataset reads (no data version: never loaded). */
    readonly readsTable?: string;
  };
}

/** One result row, keyed by output column name. */
export type Row = Record<string, unknown>;
