/**
 * The openers of what a process stores and reads, picked from the configuration: the catalogs, the
 * metadata store, the file store and the analytics engine. The composition root (`app.ts`) and the
 * CLI's commands that serve no HTTP (`load`, `query`, `tenants`, `demo`) open them from here, so
 * those commands never load the HTTP server's modules (measured: a quarter of `openinsights load`'s
 * start-up CPU, docs/loading.md).
 */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Config } from "./config/config.js";
import { AppError, isAppError } from "./core/errors.js";
import type { CatalogSet } from "./datasets/catalog.js";
import { loadCatalogs } from "./datasets/catalog-file.js";
import { loadedDatasets, sourceNeedsPostgres } from "./datasets/lookup.js";
import type { ProgramCatalog } from "./datasets/types.js";
import { openDiskFileStore } from "./storage/disk/file-store.js";
import { type DuckDbEngine, openDuckDb } from "./storage/duckdb/engine.js";
import type { AnalyticsEngine, FileStore, MetadataStore } from "./storage/ports.js";
import { openSqliteMetadataStore } from "./storage/sqlite/metadata-store.js";

/** The built-in catalogs and those of the configured catalog files; a bad file stops here, named. */
export function openCatalogs(config: Config): Promise<CatalogSet> {
  return loadCatalogs(config.catalogFiles);
}

/**
 * The analytics engine of a data directory (DuckDB in memory over the dataset files, docs/loading.md),
 * with the table of every dataset of `catalogs` declared. It reads and commits file sets through the
 * metadata store: `store` when given (shared with the caller), else one it opens and closes itself.
 * Any number of processes may open it at once: there is no database file to lock.
 */
export async function openAnalytics(
  config: Config,
  catalogs: CatalogSet,
  options: { readonly store?: MetadataStore; readonly onProgress?: (message: string) => void } = {},
): Promise<DuckDbEngine> {
  await mkdir(config.dataDir, { recursive: true });
  const store = options.store ?? (await openMetadata(config));
  let engine: DuckDbEngine;
  try {
    engine = await openDuckDb({
      dataDir: config.dataDir,
      fileSets: store,
      memoryLimit: config.duckdb.memoryLimit,
      threads: config.duckdb.threads,
      loadSegmentBytes: config.duckdb.loadSegmentBytes,
      ...(options.store ? {} : { onClose: () => store.close() }),
    });
  } catch (error) {
    if (!options.store) await store.close();
    throw error;
  }
  try {
    // Datasets that read a table of the user's own live on PostgreSQL only (openServingAnalytics).
    for (const catalog of catalogs.all) {
      await engine.ensureTables(catalog.program, loadedDatasets(catalog.datasets));
    }
    const legacy = path.join(config.dataDir, LEGACY_ANALYTICS_FILE);
    if (
      await stat(legacy).then(
        () => true,
        () => false,
      )
    ) {
      const progress = options.onProgress ?? ((message: string) => process.stderr.write(`${message}\n`));
      progress(
        `Moving the rows of ${legacy} into dataset files (once; the old file is kept as ${LEGACY_ANALYTICS_FILE}.migrated)…`,
      );
      const rows = await engine.importLegacyDatabase(legacy, progress);
      progress(`Moved ${rows.toLocaleString("en-US")} rows from ${LEGACY_ANALYTICS_FILE}`);
    }
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

/** The analytics database of versions before dataset files (issue #11), moved at start. */
const LEGACY_ANALYTICS_FILE = "analytics.duckdb";

/**
 * The analytics engine a process runs queries, exports and loads on: PostgreSQL when
 * OPENINSIGHTS_ANALYTICS_URL is set (shared by every process; loaded only then, like the metadata
 * adapter), else DuckDB in memory over the data directory's dataset files (`openAnalytics`, its
 * file sets in `store`). Either way every catalog's tables exist.
 */
export async function openServingAnalytics(
  config: Config,
  catalogs: CatalogSet,
  store?: MetadataStore,
): Promise<AnalyticsEngine> {
  if (!config.analytics.url) {
    for (const catalog of catalogs.all) {
      const reading = catalog.datasets.find((dataset) => dataset.source);
      if (reading) throw inCatalogFile(catalog, sourceNeedsPostgres(catalog.program, reading));
    }
    return openAnalytics(config, catalogs, store ? { store } : {});
  }
  const { openPostgresAnalytics } = await import("./storage/postgres-analytics/engine.js");
  const engine = await openPostgresAnalytics({
    url: config.analytics.url,
    poolSize: config.analytics.poolSize,
    queryTimeoutMs: config.testQuery.timeoutSeconds * 1000,
    exportTimeoutMs: config.analytics.exportTimeoutSeconds * 1000,
    scratchDir: config.dataDir,
  });
  try {
    for (const catalog of catalogs.all) {
      await engine.ensureTables(catalog.program, catalog.datasets).catch((error: unknown) => {
        throw inCatalogFile(catalog, error);
      });
    }
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

/** A start-up error about a program's datasets, prefixed with the catalog file that defines them. */
function inCatalogFile(catalog: ProgramCatalog, error: unknown): unknown {
  if (!catalog.file || !isAppError(error)) return error;
  return new AppError(error.code, `Catalog ${catalog.file}: ${error.message}`, error.details, {
    cause: error,
  });
}

/**
 * PostgreSQL when OPENINSIGHTS_DATABASE_URL is set (many processes), else SQLite in the data
 * directory. The scale-out adapters are loaded only when configured: the embedded default does
 * not carry the PostgreSQL client and the AWS SDK (about 36 MB of memory, measured).
 */
export async function openMetadata(config: Config): Promise<MetadataStore> {
  if (config.databaseUrl) {
    const { openPostgresMetadataStore } = await import("./storage/postgres/metadata-store.js");
    return openPostgresMetadataStore({ url: config.databaseUrl });
  }
  await mkdir(config.dataDir, { recursive: true });
  return openSqliteMetadataStore({ path: path.join(config.dataDir, "metadata.sqlite") });
}

/** S3-compatible storage when OPENINSIGHTS_S3_BUCKET is set, else OPENINSIGHTS_FILES_DIR on disk. */
export async function openFiles(config: Config): Promise<FileStore> {
  if (config.s3) {
    const { openS3FileStore } = await import("./storage/s3/file-store.js");
    return openS3FileStore({ ...config.s3 });
  }
  return openDiskFileStore({ root: config.filesDir });
}
