/**
 * The dataset catalog's vocabulary. A catalog is plain data: the query language,
 * the demo-data generator, the engine's table layout and the HTTP API all read it.
 */

/** A program's name, as in `/insights/v1/{program}/…`: the built-in `mpn` and `cmp`, or one a catalog file defines. */
export type Program = string;

/**
 * Value types a column can hold. The built-in catalogs keep flags documented as 0/1 as `integer`
 * and textual flags ('Y'/'N', 'True'/'False') as `string`, as the reference prints them; catalog
 * files may declare `boolean` (written as true/false).
 */
export const COLUMN_TYPES = ["string", "integer", "decimal", "date", "datetime", "boolean"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** What a value of a column type must look like, for load messages ("not a valid …"), on every engine. */
export function describeColumnType(type: ColumnType | "value"): string {
  switch (type) {
    case "integer":
      return "integer (whole number)";
    case "decimal":
      return "number";
    case "date":
      return "date (YYYY-MM-DD)";
    case "datetime":
      return "timestamp (YYYY-MM-DDTHH:mm:ssZ)";
    case "boolean":
      return "boolean (true or false)";
    default:
      return type;
  }
}

/** How a metric is computed from the rows of each group. */
export const AGGREGATIONS = ["sum", "count", "countDistinct", "avg", "min", "max"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const TIMESPANS = [
  "TODAY",
  "YESTERDAY",
  "LAST_7_DAYS",
  "LAST_14_DAYS",
  "LAST_30_DAYS",
  "LAST_90_DAYS",
  "LAST_180_DAYS",
  "LAST_365_DAYS",
  "LAST_MONTH",
  "LAST_3_MONTHS",
  "LAST_6_MONTHS",
  "LAST_1_YEAR",
  "LAST_3_YEARS",
  "LIFETIME",
] as const;
export type Timespan = (typeof TIMESPANS)[number];

/** A selectable column (a dimension: selecting it groups by it). Also a physical column of the dataset's table. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly description?: string;
  /** Documented value domain, when the reference gives one; the demo generator draws from it. */
  readonly values?: readonly string[];
  /** Why the type was chosen where the reference is silent. */
  readonly decision?: string;
}

/** A hidden physical column that only metrics read (for example the raw amount behind `TotalRevenue`). */
export interface MeasureDef {
  readonly name: string;
  readonly type: "integer" | "decimal";
  readonly description?: string;
}

/** An entry of `availableMetrics`: an aggregate over a physical column (a column or a measure). */
export interface MetricDef {
  readonly name: string;
  readonly aggregation: Aggregation;
  /** The physical column aggregated; omitted only for `count` (count of rows). */
  readonly source?: string;
  readonly description?: string;
  readonly decision?: string;
}

export interface DatasetDef {
  /** Spelling used by E1 and in output. */
  readonly name: string;
  /** Other names accepted in FROM (documented misspellings), never listed. */
  readonly aliases?: readonly string[];
  /** Physical table name, when two catalog names share one table. Defaults to `name`. */
  readonly table?: string;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  readonly measures?: readonly MeasureDef[];
  readonly metrics: readonly MetricDef[];
  /** The date column TIMESPAN filters; null for snapshot datasets (no TIMESPAN allowed). */
  readonly timeColumn: string | null;
  readonly availableDateRanges: readonly Timespan[];
  /** Hours. */
  readonly minimumRecurrenceInterval: number;
  /**
   * Columns whose values identify a row of a tenant: no two rows share them (docs/datasets.md,
   * "Row keys"). A selection without metrics that includes all of them is distinct already, so the
   * compiler leaves out the grouping that would make it so (benchmark 3: 1.7× the time and 386 MB
   * instead of 252 MB for 10M rows). Only for a dataset that has its table to itself.
   */
  readonly rowKey?: readonly string[];
  /**
   * Set when the dataset reads an existing table or view of the PostgreSQL analytics database
   * instead of rows loaded into the service (a catalog file's `source`): never loaded, only read.
   */
  readonly source?: DatasetSource;
  readonly decision?: string;
}

/**
 * Where a dataset's rows live when the service does not load them: a table or view of the
 * analytics database, every name exactly as PostgreSQL spells it (docs/analytics-postgres.md,
 * "Reports straight from your own tables").
 */
export interface DatasetSource {
  readonly schema: string;
  readonly table: string;
  /** The column holding each row's tenant id (compared as text). */
  readonly tenantColumn: string;
  /** Every column of the dataset (catalog spelling) → the table's column it reads. */
  readonly columns: Readonly<Record<string, string>>;
}

export interface SystemQueryDef {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly query: string;
}

export interface ProgramCatalog {
  readonly program: Program;
  /** Base paths served besides `/insights/v1/{program}` (the built-in cmp's v1.1). */
  readonly alsoServedAt?: readonly string[];
  readonly datasets: readonly DatasetDef[];
  readonly systemQueries: readonly SystemQueryDef[];
  /** The catalog file that defines the program (for messages); absent for the built-in catalogs. */
  readonly file?: string;
}

/** The hidden column every table carries; no query can name it (names starting with '_' are not identifiers in the language). */
export const TENANT_COLUMN = "_tenant_id";
