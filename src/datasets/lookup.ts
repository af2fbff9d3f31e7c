/** Pure lookups over one dataset definition, independent of which catalog it belongs to. */
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { ColumnType, DatasetDef, MetricDef, Program } from "./types.js";

const lower = (s: string): string => s.toLowerCase();

/** A physical column of a dataset's table: a selectable column or a hidden measure. */
export interface PhysicalColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** The dataset a name or alias designates among `datasets` (case-insensitive). */
export function findDatasetIn(datasets: readonly DatasetDef[], name: string): DatasetDef | undefined {
  const wanted = lower(name);
  return datasets.find(
    (d) => lower(d.name) === wanted || (d.aliases ?? []).some((alias) => lower(alias) === wanted),
  );
}

/** The physical table holding the dataset's rows. */
export function datasetTable(ds: DatasetDef): string {
  return ds.table ?? ds.name;
}

/** The datasets whose rows are loaded into the service: all but those that read a table of the user's own. */
export function loadedDatasets(datasets: readonly DatasetDef[]): DatasetDef[] {
  return datasets.filter((ds) => !ds.source);
}

/** `schema.table` of a dataset that reads a table of its own (`source`), for messages. */
export function sourceTableName(ds: DatasetDef): string | undefined {
  return ds.source ? `${ds.source.schema}.${ds.source.table}` : undefined;
}

/** Why a dataset that reads a table of its own cannot be served on an engine other than PostgreSQL. */
export function sourceNeedsPostgres(program: Program, ds: DatasetDef): AppError {
  return new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    `Dataset ${program}/${ds.name} reads the PostgreSQL table ${sourceTableName(ds)} (its catalog's source): ` +
      "that needs the PostgreSQL analytics engine; set OPENINSIGHTS_ANALYTICS_URL to the database that has the table",
  );
}

/**
 * Refuses a load into a dataset that reads a table of its own: the service only reads that table
 * (its owners write it), so nothing is loaded into it through the service.
 */
export function assertLoadable(program: Program, ds: DatasetDef): void {
  if (!ds.source) return;
  throw new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    `Dataset ${program}/${ds.name} is not loaded through OpenInsights: it reads the table ${sourceTableName(ds)} ` +
      "of the analytics database (source in its catalog file); write the rows to that table instead",
  );
}

/** Every physical column of the dataset's table: selectable columns first, then measures. */
export function physicalColumns(ds: DatasetDef): PhysicalColumn[] {
  return [
    ...ds.columns.map((c) => ({ name: c.name, type: c.type })),
    ...(ds.measures ?? []).map((m) => ({ name: m.name, type: m.type })),
  ];
}

/**
 * The value type of a metric (given as its definition or its name, case-insensitive): counts are
 * integers, averages decimals, the rest keep the type of the column or measure they aggregate.
 */
export function metricType(ds: DatasetDef, metric: MetricDef | string): ColumnType {
  const def = typeof metric === "string" ? ds.metrics.find((m) => lower(m.name) === lower(metric)) : metric;
  if (!def) throw new Error(`Dataset ${ds.name} has no metric ${String(metric)}`);
  switch (def.aggregation) {
    case "count":
    case "countDistinct":
      return "integer";
    case "avg":
      return "decimal";
    default: {
      const source = def.source === undefined ? undefined : lower(def.source);
      const found = physicalColumns(ds).find((c) => lower(c.name) === source);
      if (!found) throw new Error(`Metric ${ds.name}.${def.name} reads unknown column ${String(def.source)}`);
      return found.type;
    }
  }
}
