/**
 * The two program catalogs and small pure lookups over them. Names are matched case-insensitively,
 * as the query language is case-insensitive (reference §2.3).
 */

import { cmpCatalog } from "./cmp.js";
import { mpnCatalog } from "./mpn.js";
import type { DatasetDef, Program, ProgramCatalog, SystemQueryDef } from "./types.js";

export { datasetTable, findDatasetIn, metricType, type PhysicalColumn, physicalColumns } from "./lookup.js";

export const catalogs: Record<Program, ProgramCatalog> = {
  mpn: mpnCatalog,
  cmp: cmpCatalog,
};

const lower = (s: string): string => s.toLowerCase();

/** Per program: lower-cased dataset name or alias → dataset; lower-cased query id → system query. */
const datasetIndex = new Map<Program, Map<string, DatasetDef>>();
const systemQueryIndex = new Map<Program, Map<string, SystemQueryDef>>();
for (const catalog of Object.values(catalogs)) {
  const byName = new Map<string, DatasetDef>();
  for (const ds of catalog.datasets) {
    for (const name of [ds.name, ...(ds.aliases ?? [])]) byName.set(lower(name), ds);
  }
  datasetIndex.set(catalog.program, byName);
  systemQueryIndex.set(catalog.program, new Map(catalog.systemQueries.map((q) => [lower(q.id), q])));
}

/** The dataset a FROM clause or `datasetName` names (case-insensitive; documented aliases too). */
export function findDataset(program: Program, name: string): DatasetDef | undefined {
  return datasetIndex.get(program)?.get(lower(name));
}

/** The built-in system query with this id (case-insensitive). */
export function findSystemQuery(program: Program, id: string): SystemQueryDef | undefined {
  return systemQueryIndex.get(program)?.get(lower(id));
}
