/**
 * The PostgreSQL adapter of `AnalyticsEngine` (`OPENINSIGHTS_ANALYTICS_URL=postgres://…`): every
 * query, try-query, export and load of every process runs on one shared PostgreSQL, which many
 * processes read and write at once (docs/analytics-postgres.md).
 *
 * - Sessions run with TimeZone UTC, DateStyle ISO (values.ts relies on both).
 * - Reads run in REPEATABLE READ READ ONLY transactions: a stream or an export sees one snapshot,
 *   the rows of a load entirely or not at all, and the data version of that same snapshot.
 * - `stream` reads through a cursor, `exportTo` through `COPY (…) TO STDOUT` (pg-copy-streams):
 *   memory stays bounded by a batch or a stream buffer whatever the result's size.
 * - Statement timeouts: `queryTimeoutMs` (default 100 s, the try-query bound) for streams,
 *   `exportTimeoutMs` for exports; an abort signal cancels the backend's statement.
 */
import { createHash } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { AppError } from "../../core/errors.js";
import { datasetTable, loadedDatasets } from "../../datasets/lookup.js";
import { type DatasetDef, type Program, TENANT_COLUMN } from "../../datasets/types.js";
import type { CompiledSql, Row, SqlDialect } from "../../query/compiled.js";
import { postgresIdentifier } from "../../query/compiler.js";
import { compressionApplies, type ReportFormat } from "../../reports/formats.js";
import { compressorFor } from "../compressors.js";
import { removeExportParts, sumBytes, TextPartWriter } from "../export-parts.js";
import type {
  AnalyticsEngine,
  ExportedPart,
  ExportOptions,
  ExportResult,
  LoadRequest,
  LoadResult,
} from "../ports.js";
import { isWholeFileLoad } from "../ports.js";
import { csvToParquet } from "./convert.js";
import { redactedUrl, toAppError } from "./errors.js";
import { copyToStatement, type DescribedColumn, headerLine } from "./export.js";
import { loadIntoTable } from "./load.js";
import { setParametersStatement, withSettingParameters } from "./params.js";
import { checkSourceTables } from "./source-tables.js";
import {
  BOOKKEEPING_SCHEMA,
  createTableStatements,
  ident,
  programTables,
  qualified,
  TENANT_DEFAULT,
} from "./tables.js";
import { ANALYTICS_TYPES } from "./values.js";

export interface PostgresAnalyticsOptions {
  /** postgres://… of the analytics database (may be the metadata's server, another database). */
  readonly url: string;
  /** Connections of this process's pool (default 10). */
  readonly poolSize?: number;
  /** Statement timeout of streams (queries, try-query), ms; default 100 s. */
  readonly queryTimeoutMs?: number;
  /** Statement timeout of exports and loads, ms; default 1 hour. */
  readonly exportTimeoutMs?: number;
  /** Where loads convert Parquet/NDJSON files to CSV (default: beside the input file). */
  readonly scratchDir?: string;
}

/** How long adding the tenant default to an older table waits for its lock (ms). */
const LOCK_WAIT_MS = 5000;
/** Bytes an export's file stream buffers before it pauses the COPY. */
const FILE_BUFFER_BYTES = 1 << 20;
/** Rows per FETCH of a stream. */
const BATCH_ROWS = 2048;
/** A result of at most this many rows (its LIMIT) is fetched in one go rather than through a cursor. */
const DIRECT_ROWS = 10_000;
const SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=1";
const DATA_VERSIONS = `${ident(BOOKKEEPING_SCHEMA)}.data_versions`;

export async function openPostgresAnalytics(
  options: PostgresAnalyticsOptions,
): Promise<PostgresAnalyticsEngine> {
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new AppError(
      "invalid_argument",
      `The analytics pool size must be a positive integer, got ${poolSize}`,
    );
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    options: SESSION_OPTIONS,
    types: ANALYTICS_TYPES,
    connectionTimeoutMillis: 10_000,
    application_name: "openinsights-analytics",
  });
  // An idle client's connection dropping (a server restart) must not crash the process.
  pool.on("error", () => undefined);
  const engine = new PostgresAnalyticsEngine(pool, options);
  try {
    await engine.bootstrap();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = (error as Error).message;
    throw new AppError(
      "unavailable",
      `Cannot use the analytics database ${redactedUrl(options.url)} (OPENINSIGHTS_ANALYTICS_URL): ${reason}`,
      undefined,
      { cause: error },
    );
  }
  return engine;
}

export class PostgresAnalyticsEngine implements AnalyticsEngine {
  readonly dialect: SqlDialect = "postgres";
  /** `program.table` of the dataset tables whose tenant column has its default (loads may copy straight in). */
  private readonly tenantDefaults = new Set<string>();
  private readonly queryTimeoutMs: number;
  private readonly exportTimeoutMs: number;
  private closed = false;

  /** @internal use `openPostgresAnalytics`. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresAnalyticsOptions,
  ) {
    this.queryTimeoutMs = options.queryTimeoutMs ?? 100_000;
    this.exportTimeoutMs = options.exportTimeoutMs ?? 3_600_000;
  }

  /** @internal Checks the connection and creates the bookkeeping table (idempotent, any number of processes). */
  async bootstrap(): Promise<void> {
    await this.writeTransaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(BOOKKEEPING_SCHEMA)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${DATA_VERSIONS} (program text NOT NULL, dataset_table text NOT NULL, ` +
          "tenant text NOT NULL, version bigint NOT NULL, PRIMARY KEY (program, dataset_table, tenant))",
      );
    });
  }

  /**
   * Creates (or widens) the tables of the program's loaded datasets, and checks the tables of the
   * user's own that its `source` datasets read (those are never created or written).
   */
  async ensureTables(program: Program, datasets: readonly DatasetDef[]): Promise<void> {
    const tables = programTables(program, loadedDatasets(datasets));
    await this.writeTransaction(async (client) => {
      await checkSourceTables(client, program, datasets);
      if (tables.length === 0) return;
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(program)}`);
      for (const table of tables) {
        const existing = await client.query<{
          column_name: string;
          data_type: string;
          column_default: string | null;
        }>(
          "SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
          [program, table.table],
        );
        const name = `${program}.${table.table}`;
        if (existing.rows.length === 0) {
          for (const statement of createTableStatements(table)) await client.query(statement);
          this.tenantDefaults.add(name);
          continue;
        }
        const tenant = existing.rows.find((r) => r.column_name === TENANT_COLUMN);
        if (
          tenant?.column_default === TENANT_DEFAULT ||
          (await this.addTenantDefault(client, program, table.table))
        ) {
          this.tenantDefaults.add(name);
        } else {
          this.tenantDefaults.delete(name);
        }
        // The table exists: add what a newer catalog declares, refuse silent type changes.
        const types = new Map(existing.rows.map((r) => [r.column_name, r.data_type]));
        for (const column of table.columns) {
          const type = types.get(column.physical);
          if (type === undefined) {
            await client.query(
              `ALTER TABLE ${qualified(program, table.table)} ADD COLUMN ${ident(column.physical)} ${column.sqlType}`,
            );
          } else if (
            type !== column.sqlType &&
            !(type.startsWith("timestamp") && column.sqlType === "timestamp")
          ) {
            throw new AppError(
              "internal",
              `Column ${program}.${table.table}.${column.name} is ${type} in the analytics database but the catalog says ${column.sqlType}; reload that table`,
            );
          }
        }
      }
    });
  }

  /**
   * Gives a table created before loads copied straight into it the tenant column's default. The
   * ALTER needs the table's exclusive lock: it waits at most LOCK_WAIT_MS for running exports (and
   * makes new readers queue only that long); when it cannot have it, or the role does not own the
   * table, the table keeps its loads on the staging path and the next start or load tries again.
   */
  private async addTenantDefault(client: pg.PoolClient, program: string, table: string): Promise<boolean> {
    await client.query("SAVEPOINT tenant_default");
    try {
      await client.query(`SET LOCAL lock_timeout = ${LOCK_WAIT_MS}`);
      await client.query(
        `ALTER TABLE ${qualified(program, table)} ALTER COLUMN ${ident(TENANT_COLUMN)} SET DEFAULT ${TENANT_DEFAULT}`,
      );
      await client.query("SET LOCAL lock_timeout TO DEFAULT");
      await client.query("RELEASE SAVEPOINT tenant_default");
      return true;
    } catch {
      await client.query("ROLLBACK TO SAVEPOINT tenant_default");
      return false;
    }
  }

  async *stream(query: CompiledSql, options?: { signal?: AbortSignal }): AsyncIterable<Row[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const client = await this.connect();
    const onAbort = () => void this.cancel(client);
    signal?.addEventListener("abort", onAbort, { once: true });
    let broken: Error | undefined;
    try {
      await this.beginRead(client, this.queryTimeoutMs, null);
      if (query.rowLimit !== undefined && query.rowLimit <= DIRECT_ROWS) {
        // A small result in one go: PostgreSQL plans no parallel workers for a cursor, and a try-query's
        // aggregation over a tenant's rows is where they count (bench/pg-analytics.ts: 1.33× the same
        // GROUP BY run directly through a cursor).
        const result = await client.query<unknown[]>({
          text: query.sql,
          values: [...query.params],
          rowMode: "array",
        });
        signal?.throwIfAborted();
        const names = outputNames(
          query,
          result.fields.map((f) => f.name),
        );
        for (let start = 0; start < result.rows.length; start += BATCH_ROWS) {
          yield rowsOf(result.rows.slice(start, start + BATCH_ROWS), names);
        }
        await client.query("COMMIT");
        return;
      }
      // Every row is read: plan for the whole result, not the first tenth (the cursor default).
      await client.query("SET LOCAL cursor_tuple_fraction = 1");
      // DECLARE takes bind parameters (COPY does not): the planner sees the values.
      await client.query(`DECLARE openinsights_rows NO SCROLL CURSOR FOR ${query.sql}`, [...query.params]);
      for (;;) {
        const batch = await client.query<unknown[]>({
          text: `FETCH ${BATCH_ROWS} FROM openinsights_rows`,
          rowMode: "array",
        });
        signal?.throwIfAborted();
        if (batch.rows.length === 0) break;
        const names = outputNames(
          query,
          batch.fields.map((f) => f.name),
        );
        yield rowsOf(batch.rows, names);
        if (batch.rows.length < BATCH_ROWS) break;
      }
      await client.query("COMMIT");
    } catch (error) {
      broken = error as Error;
      signal?.throwIfAborted();
      throw toAppError(error, readFailure("Query failed", query));
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await this.finish(client, broken);
    }
  }

  /** Text formats written as one file are hashed on their way to it; Parquet's file is DuckDB's. */
  hashesExports(format: ReportFormat): boolean {
    return format !== "parquet";
  }

  async exportTo(
    query: CompiledSql,
    filePath: string,
    options: ExportOptions & { signal?: AbortSignal },
  ): Promise<ExportResult> {
    const compression = options.compression ?? "none";
    if (!compressionApplies(options.format, compression)) {
      throw new AppError("internal", `Compression ${compression} does not apply to format ${options.format}`);
    }
    // Parquet: COPY writes CSV beside the target, which DuckDB then turns into the Parquet file.
    const parquet = options.format === "parquet";
    const copyTarget = parquet ? `${filePath}.csv.part` : filePath;
    const copyFormat = parquet ? "csv" : options.format;
    // In parts (storage/export-parts.ts): the text goes into a part-rotating sink instead of one file.
    const textParts =
      options.maxPartBytes !== undefined && !parquet
        ? new TextPartWriter({
            path: filePath,
            maxBytes: options.maxPartBytes,
            header: copyFormat !== "json",
            quoted: copyFormat !== "json",
            compression,
          })
        : undefined;
    const signal = options.signal;
    signal?.throwIfAborted();
    const client = await this.connect();
    const onAbort = () => void this.cancel(client);
    signal?.addEventListener("abort", onAbort, { once: true });
    let broken: Error | undefined;
    try {
      await this.beginRead(client, this.exportTimeoutMs, query);
      // The formatting expressions lift a plain scan's cost over jit_above_cost, and compiling them
      // costs more than it saves on a COPY's simple per-row work (2M rows: 120 ms more backend CPU).
      await client.query("SET LOCAL jit = off");
      const dataVersion = await this.readDataVersion(client, query);
      const sql = withSettingParameters(query.sql);
      const described = await describe(client, sql);
      const names = outputNames(
        query,
        described.map((c) => c.name),
      );
      const columns = described.map((c, i) => ({ ...c, name: names[i]! }));
      const header = headerLine(columns, copyFormat);
      const source = client.query(
        copyTo(copyToStatement(sql, columns, copyFormat, options.spreadsheetSafe ?? false)),
      );
      // The file is created here and only appended to: a reader can follow it (AnalyticsEngine).
      // In parts, COPY's bytes go into the part-rotating sink; otherwise to the file untouched, in the
      // socket's chunks (the buffer lets a slow disk write lag behind without pausing the socket at
      // every chunk). The header goes first, written before any row (also when none follows).
      let bytes = 0;
      let sha256: string | undefined;
      let parts: readonly ExportedPart[] | undefined;
      if (textParts) {
        if (header !== null) textParts.write(header);
        await pipeline([source, textParts], signal ? { signal } : {});
        parts = textParts.parts;
      } else {
        // Parts compress each part themselves: a compressor only for the one file.
        const compressor = await compressorFor(compression);
        const file = createWriteStream(copyTarget, { highWaterMark: FILE_BUFFER_BYTES });
        // The file's bytes hashed as they go to it (hashesExports): what the last stage emits is
        // what the file receives, so the caller reads nothing back. A listener, not a stage: no
        // extra hop per chunk. Parquet's file is DuckDB's, hashed by the caller.
        const hash = parquet ? undefined : createHash("sha256");
        if (hash) (compressor ?? source).on("data", (chunk: Buffer) => hash.update(chunk));
        if (header !== null) {
          (compressor ?? file).write(header);
          if (!compressor) hash?.update(header);
        }
        await pipeline([source, ...(compressor ? [compressor] : []), file], signal ? { signal } : {});
        bytes = file.bytesWritten;
        sha256 = hash?.digest("hex");
      }
      await client.query("COMMIT");
      if (parquet) {
        parts = await csvToParquet(
          copyTarget,
          filePath,
          columns,
          options.maxPartBytes === undefined
            ? undefined
            : { maxBytes: options.maxPartBytes, rowCount: source.rowCount },
        );
        bytes = (await fs.stat(filePath)).size;
      }
      const version = dataVersion ? { dataVersion } : {};
      if (!parts) return { rowCount: source.rowCount, bytes, ...(sha256 ? { sha256 } : {}), ...version };
      return { rowCount: source.rowCount, bytes: sumBytes(parts), ...version, parts };
    } catch (error) {
      broken = error as Error;
      await (options.maxPartBytes === undefined
        ? fs.rm(filePath, { force: true })
        : removeExportParts(filePath)
      ).catch(() => undefined);
      signal?.throwIfAborted();
      throw toAppError(error, readFailure("Export failed", query));
    } finally {
      if (parquet) await fs.rm(copyTarget, { force: true }).catch(() => undefined);
      signal?.removeEventListener("abort", onAbort);
      await this.finish(client, broken);
    }
  }

  async load(request: LoadRequest): Promise<LoadResult> {
    if (!isWholeFileLoad(request)) throw new Error("PostgreSQL loads whole files only (readsArrivingFiles)");
    request.signal?.throwIfAborted();
    await this.ensureTables(request.program, [request.dataset]);
    const client = await this.connect();
    const onAbort = () => void this.cancel(client);
    request.signal?.addEventListener("abort", onAbort, { once: true });
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL statement_timeout = ${this.exportTimeoutMs}`);
      // The version row first: it locks (dataset, tenant), so two loads of one tenant's rows queue.
      const version = await client.query<{ version: number }>(
        `INSERT INTO ${DATA_VERSIONS} AS v (program, dataset_table, tenant, version) VALUES ($1, $2, $3, 1) ` +
          "ON CONFLICT (program, dataset_table, tenant) DO UPDATE SET version = v.version + 1 RETURNING version",
        [request.program, datasetTable(request.dataset), request.tenant],
      );
      const table = `${request.program}.${postgresIdentifier(datasetTable(request.dataset))}`;
      const rowCount = await loadIntoTable(
        client,
        request,
        this.options.scratchDir,
        this.tenantDefaults.has(table),
      );
      await client.query("COMMIT");
      return { rowCount, dataVersion: String(version.rows[0]!.version) };
    } catch (error) {
      broken = error as Error;
      request.signal?.throwIfAborted();
      throw toAppError(error, "Load failed");
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
      await this.finish(client, broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // -------------------------------------------------------------------------------------------

  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new AppError("unavailable", "The analytics engine is closed");
    try {
      const client = await this.pool.connect();
      // A connection lost while idle in the pool is the pool's to drop; one lost in use fails its query.
      if (!client.listenerCount("error")) client.on("error", () => undefined);
      return client;
    } catch (error) {
      throw toAppError(error, "Cannot connect to the analytics database");
    }
  }

  private async writeTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      // DDL of processes starting together: one at a time (CREATE … IF NOT EXISTS races otherwise).
      await client.query("SELECT pg_advisory_xact_lock(hashtext('openinsights_analytics_ddl'))");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      broken = error as Error;
      throw toAppError(error, "Preparing the analytics tables failed");
    } finally {
      await this.finish(client, broken);
    }
  }

  /** One snapshot for the whole read, the statement timeout, and the parameters as settings (for COPY). */
  private async beginRead(
    client: pg.PoolClient,
    timeoutMs: number,
    query: CompiledSql | null,
  ): Promise<void> {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    if (!query) return;
    if (query.params.some((value) => value === null)) {
      throw new AppError("internal", "The PostgreSQL analytics engine takes no NULL parameters");
    }
    const parameters = setParametersStatement(query.params);
    if (parameters) await client.query(parameters.text, parameters.values);
  }

  private async readDataVersion(client: pg.PoolClient, query: CompiledSql): Promise<string | undefined> {
    if (query.source?.readsTable) return undefined;
    if (!query.source) return "0";
    const result = await client.query<{ version: number }>(
      `SELECT version FROM ${DATA_VERSIONS} WHERE program = $1 AND dataset_table = $2 AND tenant = $3`,
      [query.source.program, query.source.table, query.source.tenant],
    );
    return String(result.rows[0]?.version ?? 0);
  }

  /** Ends the transaction (if any) and returns the client; a broken one is discarded. */
  private async finish(client: pg.PoolClient, error: Error | undefined): Promise<void> {
    if (!error) {
      client.release();
      return;
    }
    try {
      await client.query("ROLLBACK");
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError as Error);
    }
  }

  /** Cancels the statement `client` runs, from a connection of its own (the pool may be full). */
  private async cancel(client: pg.PoolClient): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid === undefined) return;
    const canceller = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 5_000 });
    canceller.on("error", () => undefined);
    try {
      await canceller.connect();
      await canceller.query("SELECT pg_cancel_backend($1)", [pid]);
    } catch {
      // The statement ends with its timeout or its connection anyway.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }
}

/**
 * What failed, naming the table of the user's own that a `source` dataset reads: a table or column
 * dropped, or a grant revoked, while serving fails the reports on it with this reason.
 */
function readFailure(what: string, query: CompiledSql): string {
  const source = query.source;
  return source?.readsTable
    ? `${what} reading ${source.readsTable}, the table ${source.program}/${source.table} reads`
    : what;
}

/** Rows keyed by position: PostgreSQL cuts output names to 63 bytes, the catalog's can be longer. */
function rowsOf(rows: readonly unknown[][], names: readonly string[]): Row[] {
  return rows.map((values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row;
  });
}

/** The output names: the compiled query's own (whole) when it has them, else PostgreSQL's. */
function outputNames(query: CompiledSql, described: readonly string[]): readonly string[] {
  return query.columns.length === described.length ? query.columns : described;
}

/** The result columns of `sql`, without running it (LIMIT 0 plans and stops). */
async function describe(client: pg.PoolClient, sql: string): Promise<DescribedColumn[]> {
  const result = await client.query(`SELECT * FROM (\n${sql}\n) AS described LIMIT 0`);
  return result.fields.map((field) => ({ name: field.name, typeOid: field.dataTypeID }));
}
