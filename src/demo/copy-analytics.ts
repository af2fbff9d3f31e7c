/**
 * Copies every tenant's rows of a DuckDB analytics database into another engine through its port's
 * `load` (one Parquet file per table and tenant, exported by DuckDB into `scratchDir`). The demo data
 * and its generator are DuckDB's; this puts them on PostgreSQL (`serve --demo` with
 * OPENINSIGHTS_ANALYTICS_URL, the tests' PostgreSQL-analytics project).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { CatalogSet } from "../datasets/catalog.js";
import { datasetTable, loadedDatasets, physicalColumns } from "../datasets/lookup.js";
import { type DatasetDef, TENANT_COLUMN } from "../datasets/types.js";
import type { DuckDbEngine } from "../storage/duckdb/engine.js";
import type { AnalyticsEngine } from "../storage/ports.js";

/** One dataset per physical table, with the union of the columns of the datasets that share it. */
function tableDatasets(datasets: readonly DatasetDef[]): DatasetDef[] {
  const byTable = new Map<string, DatasetDef>();
  for (const dataset of datasets) {
    const table = datasetTable(dataset);
    const seen = byTable.get(table);
    const columns = physicalColumns(dataset).map(({ name, type }) => ({ name, type }));
    if (!seen) {
      byTable.set(table, { ...dataset, table, columns, measures: [], metrics: [] });
      continue;
    }
    const known = new Set(seen.columns.map((c) => c.name));
    byTable.set(table, { ...seen, columns: [...seen.columns, ...columns.filter((c) => !known.has(c.name))] });
  }
  return [...byTable.values()];
}

export async function copyAnalytics(
  from: DuckDbEngine,
  to: AnalyticsEngine,
  catalogs: CatalogSet,
  scratchDir: string,
): Promise<number> {
  let rows = 0;
  await fs.mkdir(scratchDir, { recursive: true });
  for (const catalog of catalogs.all) {
    // Datasets that read a table of the user's own have nothing to copy.
    const datasets = loadedDatasets(catalog.datasets);
    await to.ensureTables(catalog.program, datasets);
    const counts = await from.tableCounts(catalog.program, datasets);
    for (const dataset of tableDatasets(datasets)) {
      const table = datasetTable(dataset);
      const tenants = counts.find((c) => c.table === table)?.tenants ?? [];
      for (const { tenantId } of tenants) {
        const file = path.join(scratchDir, `copy-${catalog.program}-${table}-${tenantId}.parquet`);
        const columns = dataset.columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(", ");
        // Through the port: the tenant's current snapshot of the table (its dataset files), as Parquet.
        await from.exportTo(
          {
            sql: `SELECT ${columns} FROM "${catalog.program}"."${table}" WHERE "${TENANT_COLUMN}" = $1`,
            params: [tenantId],
            columns: dataset.columns.map((c) => c.name),
            source: { program: catalog.program, table, tenant: tenantId },
          },
          file,
          { format: "parquet" },
        );
        try {
          const result = await to.load({
            program: catalog.program,
            dataset,
            tenant: tenantId,
            mode: "replace",
            file: { path: file, format: "parquet" },
          });
          rows += result.rowCount;
        } finally {
          await fs.rm(file, { force: true });
        }
      }
    }
  }
  return rows;
}
