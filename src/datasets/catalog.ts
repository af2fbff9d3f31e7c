/**
 * The catalogs a process serves — the built-in mpn and cmp and those of users' catalog files — and
 * small pure lookups over them. Names are matched case-insensitively, as the query language is
 * case-insensitive (reference §2.3).
 */

import { cmpCatalog } from "./cmp.js";
import { mpnCatalog } from "./mpn.js";
import type { DatasetDef, Program, ProgramCatalog, SystemQueryDef } from "./types.js";

export { datasetTable, findDatasetIn, metricType, type PhysicalColumn, physicalColumns } from "./lookup.js";

const lower = (s: string): string => s.toLowerCase();

interface Indexed {
  readonly catalog: ProgramCatalog;
  /** Lower-cased dataset name or alias → dataset. */
  readonly datasets: ReadonlyMap<string, DatasetDef>;
  /** Lower-cased system query id → system query. */
  readonly systemQueries: ReadonlyMap<string, SystemQueryDef>;
}

/** An immutable set of program catalogs, in the order given; program names are unique case-insensitively. */
export class CatalogSet {
  private readonly byProgram = new Map<string, Indexed>();

  constructor(catalogs: readonly ProgramCatalog[]) {
    for (const catalog of catalogs) {
      if (this.byProgram.has(lower(catalog.program))) {
        throw new Error(`Two catalogs define the program ${catalog.program}`);
      }
      const datasets = new Map<string, DatasetDef>();
      for (const ds of catalog.datasets) {
        for (const name of [ds.name, ...(ds.aliases ?? [])]) datasets.set(lower(name), ds);
      }
      const systemQueries = new Map(catalog.systemQueries.map((q) => [lower(q.id), q]));
      this.byProgram.set(lower(catalog.program), { catalog, datasets, systemQueries });
    }
  }

  /** Every catalog, in the order given. */
  get all(): readonly ProgramCatalog[] {
    return [...this.byProgram.values()].map((entry) => entry.catalog);
  }

  get programs(): readonly Program[] {
    return this.all.map((catalog) => catalog.program);
  }

  /** The catalog of a program (case-insensitive), if this set has it. */
  find(program: string): ProgramCatalog | undefined {
    return this.byProgram.get(lower(program))?.catalog;
  }

  /** The catalog of a program the caller knows to be in this set (a program taken from it). */
  get(program: Program): ProgramCatalog {
    const catalog = this.find(program);
    if (!catalog) throw new Error(`No catalog defines the program ${program}`);
    return catalog;
  }

  /** The dataset a FROM clause or `datasetName` names (case-insensitive; documented aliases too). */
  findDataset(program: Program, name: string): DatasetDef | undefined {
    return this.byProgram.get(lower(program))?.datasets.get(lower(name));
  }

  /** The program's system query with this id (case-insensitive). */
  findSystemQuery(program: Program, id: string): SystemQueryDef | undefined {
    return this.byProgram.get(lower(program))?.systemQueries.get(lower(id));
  }
}

/** The catalogs that ship with the service. */
export const BUILT_IN_CATALOGS: readonly ProgramCatalog[] = [mpnCatalog, cmpCatalog];

/** The built-in catalogs alone: what a process serves when no catalog file is configured. */
export const builtInCatalogs = new CatalogSet(BUILT_IN_CATALOGS);

/** The built-in datasets by program: what the demo generator fills. */
export const BUILT_IN_DATASETS: Readonly<Record<Program, readonly DatasetDef[]>> = Object.fromEntries(
  BUILT_IN_CATALOGS.map((catalog) => [catalog.program, catalog.datasets]),
);
