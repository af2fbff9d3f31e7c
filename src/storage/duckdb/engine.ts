/**
 * The DuckDB adapter of `AnalyticsEngine`: one database file, one DuckDB instance, a connection per
 * operation (connections are cheap; each `stream()` gets its own, so streams run concurrently and an
 * abort interrupts exactly one query).
 *
 * Sandbox (set once at open, then locked with `lock_configuration`):
 * - `allowed_directories` = the database's directory plus `allowedDirectories` (export and staging dirs);
 * - `enable_external_access = false`: COPY TO / read_csv / read_parquet work only inside those
 *   directories (verified: writing or reading elsewhere, `..` escapes included, fails with a
 *   Permission Error), no extension install/load, no ATTACH outside them;
 * - `TimeZone = 'UTC'` so TIMESTAMPTZ casts and date functions never depend on the host's zone.
 * Loading a file that lives elsewhere copies it into `<dataDir>/.staging/` first (see `load.ts`).
 *
 * Writes (DDL, loads, demo data) are serialised by an in-process lock; reads never wait for it
 * (DuckDB's MVCC gives them a consistent snapshot).
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api";
import { AppError } from "../../core/errors.js";
import { type DatasetDef, type Program, TENANT_COLUMN } from "../../datasets/types.js";
import type { CompiledSql, Row } from "../../query/compiled.js";
import { type Compression, compressionApplies, type ReportFormat } from "../../reports/formats.js";
import type { AnalyticsEngine, ExportOptions, ExportResult, LoadRequest, LoadResult } from "../ports.js";
import { type LoadOptions, loadFile } from "./load.js";
import {
  appendColumns,
  ConnectionSession,
  type DuckDbSession,
  firstLine,
  prepareStatement,
  toAppError,
} from "./session.js";
import { asSubquery, physicalTables, quoteIdent, quoteString, tableName } from "./sql.js";
import { chunkToRows, readerFor } from "./values.js";

export interface DuckDbOptions {
  /** Database file (created if missing), or ':memory:' (tests). */
  readonly path: string;
  /** DuckDB `memory_limit`, e.g. '1GB' (default) or '512MB'. */
  readonly memoryLimit?: string;
  /** DuckDB worker threads (default 2). */
  readonly threads?: number;
  /** Directories besides the database's own that COPY/read_* may touch (export and staging dirs). */
  readonly allowedDirectories?: readonly string[];
  /**
   * Open without the write lock: several processes can then read one database file at once
   * (serving processes), but none can write it while they do.
   */
  readonly readOnly?: boolean;
}

export interface TenantRowCount {
  readonly tenantId: string;
  readonly rows: number;
}

export interface DatasetRowCounts {
  readonly dataset: string;
  /** Physical table; datasets sharing a table report the same counts. */
  readonly table: string;
  readonly exists: boolean;
  /** Sorted by tenant id. */
  readonly tenants: readonly TenantRowCount[];
}

/** Rows for `appendTenantData`/`replaceTenantData`: keys are physical column names (case-insensitive). */
export type RowBatches = Iterable<readonly Row[]> | AsyncIterable<readonly Row[]>;

/** Timestamps in text formats: second precision, UTC, ISO 8601 with `Z` (the fraction is dropped). */
const TIMESTAMP_OPTION = "TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ'";

/**
 * COPY options per report format and whole-file compression (see `exportTo`); a format added to the
 * table needs its entry here. Parquet takes no whole-file compression (the report rules refuse one):
 * its `COMPRESSION` is the codec of its column chunks, always zstd.
 */
const EXPORT_OPTIONS: Record<ReportFormat, (compression: Compression) => string> = {
  csv: (compression) => delimitedTextOptions(",", compression),
  tsv: (compression) => delimitedTextOptions("\t", compression),
  json: (compression) => `FORMAT json, ${TIMESTAMP_OPTION}, COMPRESSION '${compression}'`,
  parquet: () => "FORMAT parquet, COMPRESSION 'zstd'",
};

function delimitedTextOptions(delimiter: string, compression: Compression): string {
  return (
    `FORMAT csv, HEADER true, DELIMITER ${quoteString(delimiter)}, QUOTE '"', ESCAPE '"', NULLSTR '', ` +
    `${TIMESTAMP_OPTION}, COMPRESSION '${compression}'`
  );
}

const MEMORY_LIMIT_RE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const openPaths = new Set<string>();

export async function openDuckDb(options: DuckDbOptions): Promise<DuckDbEngine> {
  const memoryLimit = options.memoryLimit ?? "1GB";
  const threads = options.threads ?? 2;
  if (!MEMORY_LIMIT_RE.test(memoryLimit)) {
    throw new AppError(
      "invalid_argument",
      `memoryLimit must look like '1GB' or '512MB', got '${memoryLimit}'`,
    );
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new AppError("invalid_argument", `threads must be a positive integer, got ${threads}`);
  }
  const inMemory = options.path === ":memory:";
  const dbPath = inMemory ? ":memory:" : path.resolve(options.path);
  const dirs: string[] = [];
  if (!inMemory) {
    await fs.mkdir(path.dirname(dbPath), { recursive: true });
    dirs.push(path.dirname(dbPath));
  }
  dirs.push(...(options.allowedDirectories ?? []));
  // Both spellings of each directory: as given (resolved) and with symlinks resolved (e.g. macOS
  // /var → /private/var), so a path is recognised whichever way the caller wrote it.
  const allowed = [
    ...new Set([...dirs.map((d) => path.resolve(d)), ...(await Promise.all(dirs.map(canonicalDir)))]),
  ];
  if (!inMemory && openPaths.has(dbPath)) {
    throw new AppError("unavailable", `The analytics database ${dbPath} is already open in this process`);
  }

  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(dbPath, {
      threads: String(threads),
      memory_limit: memoryLimit,
      ...(options.readOnly && !inMemory ? { access_mode: "READ_ONLY" } : {}),
    });
  } catch (error) {
    const holder = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(firstLine(error));
    if (holder) {
      throw new AppError(
        "unavailable",
        `The analytics database ${dbPath} is locked by another process (PID ${holder[2]}, ${holder[1]}): ` +
          "stop it (a running 'openinsights serve', 'load' or 'demo' on this data directory) and try again, " +
          "or use another --data-dir",
        undefined,
        { cause: error },
      );
    }
    throw new AppError(
      "unavailable",
      `Cannot open the analytics database ${dbPath}: ${firstLine(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const con = await instance.connect();
  try {
    // TimeZone needs ICU, which is only loaded once the instance exists: it cannot go in the create() config.
    await con.run("SET GLOBAL TimeZone = 'UTC'");
    if (allowed.length > 0) {
      await con.run(`SET allowed_directories = [${allowed.map((d) => quoteString(withSep(d))).join(", ")}]`);
    }
    // Rows keep ORDER BY order either way; without ORDER BY the order is unspecified (docs/query-language.md).
    // Not preserving the scan order lets COPY stream in parallel with less memory (docs/benchmarks.md).
    await con.run("SET preserve_insertion_order = false");
    await con.run("SET autoinstall_known_extensions = false");
    await con.run("SET autoload_known_extensions = false");
    await con.run("SET enable_external_access = false");
    await con.run("SET lock_configuration = true");
  } catch (error) {
    con.closeSync();
    instance.closeSync();
    throw new AppError("internal", `Cannot configure DuckDB: ${firstLine(error)}`, undefined, {
      cause: error,
    });
  }
  con.closeSync();
  if (!inMemory) openPaths.add(dbPath);
  return new DuckDbEngine(instance, dbPath, allowed);
}

export class DuckDbEngine implements AnalyticsEngine {
  readonly dialect = "duckdb" as const;
  private readonly connections = new Set<DuckDBConnection>();
  private writeQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** @internal use `openDuckDb`. */
  constructor(
    private readonly instance: DuckDBInstance,
    /** Absolute database path, or ':memory:'. */
    readonly path: string,
    /** Canonical absolute directories COPY and read_* may touch. */
    readonly allowedDirectories: readonly string[],
  ) {}

  /** The directory holding the database file (null for ':memory:'). */
  get dataDir(): string | null {
    return this.path === ":memory:" ? null : path.dirname(this.path);
  }

  // -------------------------------------------------------------------------------------------
  // AnalyticsEngine

  async ensureTables(program: Program, datasets: readonly DatasetDef[]): Promise<void> {
    const tables = physicalTables(program, datasets);
    await this.transaction(async (session) => {
      await session.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(program)}`);
      for (const table of tables) {
        const qualified = `${quoteIdent(program)}.${quoteIdent(table.table)}`;
        const existing = await session.query(
          "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND lower(table_name) = lower($2)",
          [program, table.table],
        );
        if (existing.length === 0) {
          const defs = table.columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`);
          defs.push(`${quoteIdent(TENANT_COLUMN)} VARCHAR NOT NULL`);
          await session.run(`CREATE TABLE IF NOT EXISTS ${qualified} (\n  ${defs.join(",\n  ")}\n)`);
          continue;
        }
        // The table exists: add what a newer catalog declares, refuse silent type changes.
        const types = new Map(
          existing.map((r) => [String(r.column_name).toLowerCase(), String(r.data_type)]),
        );
        for (const column of table.columns) {
          const type = types.get(column.name.toLowerCase());
          if (type === undefined) {
            await session.run(
              `ALTER TABLE ${qualified} ADD COLUMN ${quoteIdent(column.name)} ${column.sqlType}`,
            );
          } else if (type !== column.sqlType) {
            throw new AppError(
              "internal",
              `Column ${program}.${table.table}.${column.name} is ${type} in the database but the catalog says ${column.sqlType}; reload that table`,
            );
          }
        }
      }
    });
  }

  async *stream(query: CompiledSql, options?: { signal?: AbortSignal }): AsyncIterable<Row[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const con = await this.connect();
    const onAbort = () => con.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const prepared = await prepareStatement(con, query.sql, query.params);
      const result = await prepared.stream();
      const names = result.deduplicatedColumnNames();
      const readers = result.columnTypes().map(readerFor);
      for (;;) {
        const chunk = await result.fetchChunk();
        signal?.throwIfAborted();
        if (!chunk || chunk.rowCount === 0) break;
        yield chunkToRows(chunk, names, readers);
      }
    } catch (error) {
      signal?.throwIfAborted();
      throw toAppError(error, "Query failed");
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.release(con);
    }
  }

  /**
   * `COPY (query) TO file` with DuckDB's own writer of the format (CSV, JSON or Parquet). Parameters are bound (DuckDB 1.5 prepares COPY
   * with `$n` placeholders inside the query), never inlined. The file is written in place, front to
   * back (USE_TMP_FILE false: DuckDB would otherwise write an existing target's replacement
   * elsewhere and rename it at the end), so a reader can follow it while it grows (AnalyticsEngine).
   *
   * Output: header row; ',' or TAB; fields quoted with '"' only when they contain the delimiter, a
   * quote, CR or LF (TSV too, so a TAB or newline in a value never breaks a row), quotes doubled;
   * NULL → empty field, empty string → `""`; lines end with LF; DATE → YYYY-MM-DD; TIMESTAMP →
   * YYYY-MM-DDTHH:MM:SSZ (fraction dropped); DOUBLE → shortest round-trip digits (100.0, 0.1, 1e+20).
   *
   * JSON (newline-delimited): one object per row, keys the column names in select order, each line
   * ending with LF; NULL → null; numbers as JSON numbers; DATE and TIMESTAMP as the strings above.
   *
   * Parquet: the result's own types (the catalog's: VARCHAR, BIGINT, DOUBLE, DATE, TIMESTAMP; metrics
   * BIGINT or DOUBLE), column chunks compressed with zstd, row groups written as they fill.
   */
  async exportTo(
    query: CompiledSql,
    filePath: string,
    options: ExportOptions & { signal?: AbortSignal },
  ): Promise<ExportResult> {
    const compression = options.compression ?? "none";
    if (!compressionApplies(options.format, compression)) {
      throw new AppError("internal", `Compression ${compression} does not apply to format ${options.format}`);
    }
    const resolved = path.resolve(filePath);
    const target = path.join(await canonicalDir(path.dirname(resolved)), path.basename(resolved));
    if (!this.isAllowedPath(target)) {
      throw new AppError(
        "internal",
        `Export path ${target} is outside the analytics engine's allowed directories (${this.allowedDirectories.join(", ")})`,
      );
    }
    const signal = options.signal;
    signal?.throwIfAborted();
    const con = await this.connect();
    const onAbort = () => con.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const source = options.spreadsheetSafe
        ? await spreadsheetSafeSelect(con, query.sql)
        : asSubquery(query.sql);
      const copy =
        `COPY ${source} TO ${quoteString(target)} (${EXPORT_OPTIONS[options.format](compression)}, ` +
        "USE_TMP_FILE false)";
      const prepared = await prepareStatement(con, copy, query.params);
      const reader = await prepared.runAndReadAll();
      const count = reader.getRows()[0]?.[0];
      const stat = await fs.stat(target);
      // Data versions come with issue #11's per-tenant file sets; one file has one version.
      return { rowCount: Number(count ?? 0), bytes: stat.size, dataVersion: "0" };
    } catch (error) {
      await fs.rm(target, { force: true }).catch(() => undefined);
      signal?.throwIfAborted();
      throw toAppError(error, "Export failed");
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.release(con);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeQueue.catch(() => undefined);
    for (const con of this.connections) {
      con.interrupt();
      con.closeSync();
    }
    this.connections.clear();
    this.instance.closeSync();
    openPaths.delete(this.path);
  }

  // -------------------------------------------------------------------------------------------
  // Extras for the CLI, the loader and the demo generator

  /** Per dataset, per tenant row counts (for `openinsights tenants`). */
  async tableCounts(program: Program, datasets: readonly DatasetDef[]): Promise<DatasetRowCounts[]> {
    const con = await this.connect();
    try {
      const cache = new Map<string, { exists: boolean; tenants: TenantRowCount[] }>();
      const out: DatasetRowCounts[] = [];
      for (const dataset of datasets) {
        const table = tableName(dataset);
        let entry = cache.get(table.toLowerCase());
        if (!entry) {
          const exists = await tableExists(con, program, table);
          let tenants: TenantRowCount[] = [];
          if (exists) {
            const reader = await con.runAndReadAll(
              `SELECT ${quoteIdent(TENANT_COLUMN)}, count(*) FROM ${quoteIdent(program)}.${quoteIdent(table)} GROUP BY 1 ORDER BY 1`,
            );
            tenants = reader
              .getRows()
              .map(([tenantId, rows]) => ({ tenantId: String(tenantId), rows: Number(rows) }));
          }
          entry = { exists, tenants };
          cache.set(table.toLowerCase(), entry);
        }
        out.push({ dataset: dataset.name, table, exists: entry.exists, tenants: entry.tenants });
      }
      return out;
    } catch (error) {
      throw toAppError(error, "Counting rows failed");
    } finally {
      this.release(con);
    }
  }

  /** Appends rows for one tenant to a dataset's table (one transaction, via the Appender). */
  appendTenantData(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
  ): Promise<LoadResult> {
    return this.writeTenantRows(program, dataset, tenantId, batches, false);
  }

  /** Deletes the tenant's rows of the dataset's table, then appends `batches`, in one transaction. */
  replaceTenantData(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
  ): Promise<LoadResult> {
    return this.writeTenantRows(program, dataset, tenantId, batches, true);
  }

  /** Deletes the rows of the given tenants from a dataset's table; returns how many went. */
  async deleteTenantRows(
    program: Program,
    dataset: DatasetDef,
    tenantIds: readonly string[],
  ): Promise<number> {
    if (tenantIds.length === 0) return 0;
    return this.transaction((s) =>
      s.run(
        `DELETE FROM ${quoteIdent(program)}.${quoteIdent(tableName(dataset))} WHERE ${quoteIdent(TENANT_COLUMN)} IN (${tenantIds.map((_, i) => `$${i + 1}`).join(", ")})`,
        tenantIds,
      ),
    );
  }

  /**
   * Loads a CSV/TSV/Parquet file into one dataset for one tenant (see `load.ts`): the port's
   * `LoadRequest`, or the loader's own options (CLI, tests). A bridge until issue #11's loads
   * replace this engine's storage: no replace windows, no NDJSON, data version "0".
   */
  load(options: LoadOptions | LoadRequest): Promise<LoadResult & { dataVersion: string }> {
    if (!("mode" in options)) return loadFile(this, options).then((r) => ({ ...r, dataVersion: "0" }));
    if (options.window || options.file.format === "ndjson") {
      throw new AppError(
        "invalid_argument",
        "Replace windows and NDJSON loads need issue #11's DuckDB loads",
      );
    }
    return loadFile(this, {
      program: options.program,
      dataset: options.dataset,
      tenantId: options.tenant,
      file: options.file.path,
      format: options.file.format,
      replace: options.mode === "replace",
    }).then((r) => ({ ...r, dataVersion: "0" }));
  }

  /**
   * Runs `fn` inside one transaction on one connection, holding the engine's write lock: commit when
   * it resolves, roll back when it throws.
   */
  transaction<T>(fn: (session: DuckDbSession) => Promise<T>): Promise<T> {
    return this.withSession((session) => session.transaction(() => fn(session)));
  }

  /**
   * Runs `fn` with one connection in autocommit mode, holding the engine's write lock (not
   * reentrant: `fn` must not call `ensureTables`, `transaction`, `load` or the tenant-data writers). TEMP tables
   * live as long as the session; `session.transaction()` groups statements (the demo generator
   * commits table by table so a 10M-row run never holds one giant transaction).
   */
  withSession<T>(fn: (session: DuckDbSession) => Promise<T>): Promise<T> {
    const run = async () => {
      const con = await this.connect();
      try {
        return await fn(new ConnectionSession(con));
      } finally {
        this.release(con);
      }
    };
    const next = this.writeQueue.then(run, run);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  /** Whether DuckDB's sandbox lets the engine read or write `file`. */
  isAllowedPath(file: string): boolean {
    const target = path.resolve(file);
    return this.allowedDirectories.some((dir) => target.startsWith(withSep(dir)));
  }

  /** A fresh path inside `<dataDir>/.staging/` (for files copied in before loading). */
  async stagingPath(extension: string): Promise<string> {
    const dataDir = this.dataDir;
    if (!dataDir) throw new AppError("internal", "An in-memory engine has no staging directory");
    const dir = path.join(dataDir, ".staging");
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, `${randomUUID()}${extension}`);
  }

  // -------------------------------------------------------------------------------------------

  private async writeTenantRows(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
    replace: boolean,
  ): Promise<LoadResult> {
    const table = tableName(dataset);
    return this.transaction(async (session) => {
      const con = (session as ConnectionSession).con;
      const columns = await tableColumns(con, program, table);
      if (columns.length === 0) {
        throw new AppError("internal", `Table ${program}.${table} does not exist; call ensureTables first`);
      }
      if (replace) {
        await session.run(
          `DELETE FROM ${quoteIdent(program)}.${quoteIdent(table)} WHERE ${quoteIdent(TENANT_COLUMN)} = $1`,
          [tenantId],
        );
      }
      const index = new Map(columns.map((c, i) => [c.toLowerCase(), i]));
      const tenantIndex = index.get(TENANT_COLUMN)!;
      let rowCount = 0;
      const appender = await con.createAppender(table, program);
      try {
        for await (const batch of batches) {
          const values: unknown[][] = columns.map(() => new Array<unknown>(batch.length).fill(null));
          for (let r = 0; r < batch.length; r++) {
            const row = batch[r]!;
            for (const key of Object.keys(row)) {
              const i = index.get(key.toLowerCase());
              if (i === undefined || i === tenantIndex) {
                throw new AppError(
                  "invalid_data",
                  `Unknown column ${key} for dataset ${dataset.name}; allowed: ${columns.filter((c) => c !== TENANT_COLUMN).join(", ")}`,
                );
              }
              values[i]![r] = row[key] ?? null;
            }
            values[tenantIndex]![r] = tenantId;
          }
          appendColumns(appender, values, batch.length, columns, rowCount);
          rowCount += batch.length;
        }
        appender.closeSync();
      } catch (error) {
        appender.clear();
        throw error;
      }
      return { rowCount, dataVersion: "0" };
    });
  }

  /** @internal */
  async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw new AppError("unavailable", "The analytics engine is closed");
    const con = await this.instance.connect();
    this.connections.add(con);
    return con;
  }

  /** @internal */
  release(con: DuckDBConnection): void {
    if (this.connections.delete(con)) con.closeSync();
  }
}

// ---------------------------------------------------------------------------------------------

async function tableExists(con: DuckDBConnection, program: string, table: string): Promise<boolean> {
  const reader = await con.runAndReadAll(
    "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1 AND lower(table_name) = lower($2)",
    [program, table],
  );
  return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
}

/** The table's column names in table order (empty when the table does not exist). */
export async function tableColumns(con: DuckDBConnection, program: string, table: string): Promise<string[]> {
  const reader = await con.runAndReadAll(
    "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND lower(table_name) = lower($2) ORDER BY column_index",
    [program, table],
  );
  return reader.getRows().map((r) => String(r[0]));
}

async function canonicalDir(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  try {
    return await fs.realpath(abs);
  } catch {
    return abs;
  }
}

function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
}

/**
 * `(SELECT …)` over `sql` with every text column's values that a spreadsheet would run as a formula
 * — starting with =, +, -, @, TAB or CR — prefixed with `'` (OWASP's CSV-injection advice). The
 * columns' types come from preparing `sql` (nothing runs); other types are written unchanged, as
 * a number, date or time cannot hold a formula.
 */
async function spreadsheetSafeSelect(con: DuckDBConnection, sql: string): Promise<string> {
  const described = await con.prepare(sql);
  const columns = Array.from({ length: described.columnCount }, (_, i) => {
    const column = quoteIdent(described.columnName(i));
    if (described.columnTypeId(i) !== DuckDBTypeId.VARCHAR) return column;
    return (
      `CASE WHEN left(${column}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) ` +
      `THEN '''' || ${column} ELSE ${column} END AS ${column}`
    );
  });
  return `(SELECT ${columns.join(", ")} FROM ${asSubquery(sql)} AS spreadsheet_safe)`;
}
