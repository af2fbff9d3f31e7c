/** Pure lookups over one dataset definition, independent of which catalog it belongs to. */
import type { ColumnType, DatasetDef, MetricDef } from "./types.js";

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
