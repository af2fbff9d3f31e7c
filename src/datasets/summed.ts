/**
 * Catalog data helper: an additive amount of a dataset that documents no metrics, made a summed
 * measure (issue #14, docs/datasets.md "Metrics"): a hidden physical column and a `sum` metric of
 * the same name, so that selecting the amount sums it over the other selected columns.
 */
import type { MeasureDef, MetricDef } from "./types.js";

export interface SummedAmount {
  readonly measure: MeasureDef;
  readonly metric: MetricDef;
}

export function summedAmount(
  amount: { readonly name: string; readonly type: "integer" | "decimal"; readonly description: string },
  decision: string,
): SummedAmount {
  return {
    measure: { name: amount.name, type: amount.type, description: amount.description },
    metric: {
      name: amount.name,
      aggregation: "sum",
      source: amount.name,
      description: amount.description,
      decision,
    },
  };
}
