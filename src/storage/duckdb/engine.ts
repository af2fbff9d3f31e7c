/**
 * The DuckDB adapter of `AnalyticsEngine`: one in-memory DuckDB instance per process over the data
 * directory's Parquet files (docs/loading.md), a connection per operation (connections are cheap;
 * each `stream()` gets its own, so streams run concurrently and an abort interrupts exactly one query).
 *
 * Rows: each dataset table is a view over a file list held in a connection variable; a query or
 * export first sets it to the file set its tenant has at that moment (one metadata read), so it
 * reads one snapshot. Writes make a new file, then commit a new file set (`writeTenantRows`); there
 * is no database file, so no lock: any number of processes serve, load and start together.
 *
 * Sandbox (set once at open, then locked with `lock_configuration`):
 * - `allowed_directories` = the data directory plus `allowedDirectories` (export and staging dirs);
 * - `enable_external_access = false`: COPY TO / read_csv / read_parquet work only inside those
 *   directories (verified: writing or reading elsewhere, `..` escapes included, fails with a
 *   Permission Error), no extension install/load, no ATTACH outside them;
 * - `TimeZone = 'UTC'` so TIMESTAMPTZ casts and date functions never depend on the host's zone.
 * Loading a file that lives elsewhere links or copies it into `<dataDir>/.staging/` first (see `load.ts`).
 */
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { promises as fs, constants as fsConstants } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  DuckDBTypeId,
} from "@duckdb/node-api";
import { AppError } from "../../core/errors.js";
import { type DatasetDef, type Program, TENANT_COLUMN } from "../../datasets/types.js";
import type { CompiledSql, Row } from "../../query/compiled.js";
import { type Compression, compressionApplies, type ReportFormat } from "../../reports/formats.js";
import { flushFile, makeDirectories, syncDirectory } from "../durable.js";
import { removeExportParts, sumBytes, TextPartWriter, writeParquetParts } from "../export-parts.js";
import type {
  AnalyticsEngine,
  DatasetFile,
  ExportedPart,
  ExportOptions,
  ExportResult,
  FileSet,
  FileSetKey,
  LoadCompletion,
  LoadInputFormat,
  LoadRequest,
  LoadResult,
} from "../ports.js";
import { newStagingPath } from "../staging.js";
import {
  DATASETS_FOLDER,
  datasetFilePath,
  type FileSetSource,
  MemoryFileSets,
  newDatasetFileName,
  type WriteMode,
} from "./file-sets.js";
import { loadFile } from "./load.js";
import {
  appendColumns,
  ConnectionSession,
  type DuckDbSession,
  firstLine,
  prepareStatement,
  toAppError,
} from "./session.js";
import {
  asSubquery,
  type PhysicalColumn,
  physicalTables,
  quoteIdent,
  quoteString,
  tableName,
} from "./sql.js";
import { chunkToRows, readerFor } from "./values.js";

export interface DuckDbOptions {
  /** The data directory: dataset files live in its `datasets/` folder (docs/loading.md). */
  readonly dataDir: string;
  /** The current file set of each (program, table, tenant): the metadata store; default: this process only. */
  readonly fileSets?: FileSetSource;
  /** DuckDB `memory_limit`, e.g. '1GB' (default) or '512MB'. */
  readonly memoryLimit?: string;
  /** DuckDB worker threads (default 2). */
  readonly threads?: number;
  /** Size of the segments a CSV/TSV body is loaded in as it arrives (default 128 MiB; `load.ts`). */
  readonly loadSegmentBytes?: number;
  /** Directories besides the data directory that COPY/read_* may touch (export and staging dirs). */
  readonly allowedDirectories?: readonly string[];
  /** Runs once the engine is closed (releases what was opened for it, e.g. its metadata store). */
  readonly onClose?: () => Promise<void>;
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

const execFileAsync = promisify(execFile);

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

/** A COPY writes its target in place, front to back (see `exportTo`). */
const IN_PLACE = "USE_TMP_FILE false";

function delimitedTextOptions(delimiter: string, compression: Compression): string {
  return (
    `FORMAT csv, HEADER true, DELIMITER ${quoteString(delimiter)}, QUOTE '"', ESCAPE '"', NULLSTR '', ` +
    `${TIMESTAMP_OPTION}, COMPRESSION '${compression}'`
  );
}

const MEMORY_LIMIT_RE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

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
  const dataDir = path.resolve(options.dataDir);
  const datasetsDir = path.join(dataDir, DATASETS_FOLDER);
  await fs.mkdir(datasetsDir, { recursive: true });
  // Spill space of this process's in-memory database, removed at close (one per process: no lock).
  const spillDir = path.join(dataDir, ".duckdb-tmp", `${process.pid}-${randomUUID().slice(0, 8)}`);
  const dirs = [dataDir, ...(options.allowedDirectories ?? [])];
  // Both spellings of each directory: as given (resolved) and with symlinks resolved (e.g. macOS
  // /var → /private/var), so a path is recognised whichever way the caller wrote it.
  const allowed = [
    ...new Set([...dirs.map((d) => path.resolve(d)), ...(await Promise.all(dirs.map(canonicalDir)))]),
  ];

  let instance: DuckDBInstance;
  try {
    // In memory: no database file, so no file lock; any number of processes share the data directory.
    instance = await DuckDBInstance.create(":memory:", {
      threads: String(threads),
      memory_limit: memoryLimit,
      temp_directory: spillDir,
    });
  } catch (error) {
    throw new AppError("unavailable", `Cannot start DuckDB: ${firstLine(error)}`, undefined, {
      cause: error,
    });
  }
  const con = await instance.connect();
  try {
    // TimeZone needs ICU, which is only loaded once the instance exists: it cannot go in the create() config.
    await con.run("SET GLOBAL TimeZone = 'UTC'");
    await con.run(`SET allowed_directories = [${allowed.map((d) => quoteString(withSep(d))).join(", ")}]`);
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
  return new DuckDbEngine(instance, {
    dataDir,
    datasetsDir,
    spillDir,
    allowedDirectories: allowed,
    fileSets: options.fileSets ?? new MemoryFileSets(),
    onClose: options.onClose ?? (async () => undefined),
    loadSegmentBytes: options.loadSegmentBytes ?? DEFAULT_LOAD_SEGMENT_BYTES,
  });
}

const DEFAULT_LOAD_SEGMENT_BYTES = 128 << 20;

/** A dataset table as this process sees it: a view over the current files of one tenant (or all). */
interface DatasetView {
  readonly program: Program;
  /** The physical table as the catalog spells it (the file sets' key). */
  readonly table: string;
  readonly columns: readonly PhysicalColumn[];
  /** The connection variable holding the file list the view reads (set per query). */
  readonly variable: string;
  /** An empty Parquet file with every column: first in every list, so no column is ever missing. */
  readonly schemaFile: string;
}

/** Bytes read from an export's FIFO at once (one buffer, reused: no garbage per read). */
const FIFO_READ_BYTES = 1 << 20;

/**
 * Feeds what DuckDB writes into `fifo` to `writer` through one reused buffer, until DuckDB closes
 * it. A failure closes the FIFO, so that DuckDB's next write fails and its COPY ends.
 */
async function readFifo(fifo: string, writer: TextPartWriter): Promise<void> {
  const handle = await fs.open(fifo, "r");
  try {
    const buffer = Buffer.allocUnsafeSlow(FIFO_READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      await writer.takeChunk(buffer.subarray(0, bytesRead));
    }
    await writer.finishParts();
  } catch (error) {
    writer.destroy();
    throw error;
  } finally {
    await handle.close();
  }
}

/** Commits that lose a race with another commit of the same key are tried again this many times. */
const COMMIT_ATTEMPTS = 20;

export class DuckDbEngine implements AnalyticsEngine {
  readonly dialect = "duckdb" as const;
  private readonly connections = new Set<DuckDBConnection>();
  private readonly views = new Map<string, DatasetView>();
  private writeQueue: Promise<unknown> = Promise.resolve();
  private viewQueue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The data directory. */
  readonly dataDir: string;
  /** Where dataset files live (`<dataDir>/datasets`). */
  readonly datasetsDir: string;
  /** Canonical absolute directories COPY and read_* may touch. */
  readonly allowedDirectories: readonly string[];
  private readonly spillDir: string;
  private readonly fileSets: FileSetSource;
  private readonly onClose: () => Promise<void>;
  /** A CSV/TSV body that arrives is loaded in segments of this size (`load.ts`). */
  readonly loadSegmentBytes: number;

  /** @internal use `openDuckDb`. */
  constructor(
    private readonly instance: DuckDBInstance,
    parts: {
      dataDir: string;
      datasetsDir: string;
      spillDir: string;
      allowedDirectories: readonly string[];
      fileSets: FileSetSource;
      onClose: () => Promise<void>;
      loadSegmentBytes: number;
    },
  ) {
    this.onClose = parts.onClose;
    this.loadSegmentBytes = parts.loadSegmentBytes;
    this.dataDir = parts.dataDir;
    this.datasetsDir = parts.datasetsDir;
    this.spillDir = parts.spillDir;
    this.allowedDirectories = parts.allowedDirectories;
    this.fileSets = parts.fileSets;
  }

  // -------------------------------------------------------------------------------------------
  // AnalyticsEngine

  /**
   * Declares the dataset tables of a program: each is a view over its current files (set per query).
   * Idempotent; a later call adds the columns a newer catalog declares (files without them read NULL).
   */
  ensureTables(program: Program, datasets: readonly DatasetDef[]): Promise<void> {
    const run = async () => {
      for (const table of physicalTables(program, datasets)) {
        const key = viewKey(program, table.table);
        const existing = this.views.get(key);
        const columns = [...(existing?.columns ?? [])];
        for (const column of table.columns) {
          const known = columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase());
          if (!known) columns.push(column);
          else if (known.sqlType !== column.sqlType) {
            throw new AppError(
              "internal",
              `Column ${program}.${table.table}.${column.name} is ${known.sqlType} in the declared table but the catalog says ${column.sqlType}; restart with one catalog and reload that table`,
            );
          }
        }
        if (existing && existing.columns.length === columns.length) continue;
        const view: DatasetView = {
          program,
          table: existing?.table ?? table.table,
          columns,
          variable: existing?.variable ?? `oi_files_${this.views.size + 1}`,
          schemaFile: await this.schemaFile(columns),
        };
        await this.withConnection(async (con) => {
          await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(program)}`);
          await setFileList(con, view, []);
          await con.run(
            `CREATE OR REPLACE VIEW ${quoteIdent(program)}.${quoteIdent(view.table)} AS SELECT ${viewColumns(view)} ` +
              `FROM read_parquet(getvariable(${quoteString(view.variable)}), union_by_name = true)`,
          );
        });
        this.views.set(key, view);
      }
    };
    // Views are declared one call at a time (two calls must not both add the same view).
    const next = this.viewQueue.then(run, run);
    this.viewQueue = next.catch(() => undefined);
    return next;
  }

  async *stream(query: CompiledSql, options?: { signal?: AbortSignal }): AsyncIterable<Row[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const con = await this.connect();
    const onAbort = () => con.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.bindSnapshot(con, query);
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
   * It reads the tenant's file set resolved when it starts (its data version): one snapshot.
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
      const dataVersion = await this.bindSnapshot(con, query);
      const source = options.spreadsheetSafe
        ? await spreadsheetSafeSelect(con, query.sql)
        : asSubquery(query.sql);
      const copyTo = async (file: string, copyOptions: string) => {
        const copy = `COPY ${source} TO ${quoteString(file)} (${copyOptions})`;
        return (await prepareStatement(con, copy, query.params)).runAndReadAll();
      };
      if (options.maxPartBytes !== undefined) {
        const parts = await this.exportParts(target, options, compression, copyTo);
        const rowCount = parts.reduce((sum, part) => sum + part.rowCount, 0);
        return { rowCount, bytes: sumBytes(parts), dataVersion, parts };
      }
      const reader = await copyTo(target, `${EXPORT_OPTIONS[options.format](compression)}, ${IN_PLACE}`);
      const count = reader.getRows()[0]?.[0];
      const stat = await fs.stat(target);
      return { rowCount: Number(count ?? 0), bytes: stat.size, dataVersion };
    } catch (error) {
      await (options.maxPartBytes === undefined
        ? fs.rm(target, { force: true })
        : removeExportParts(target)
      ).catch(() => undefined);
      signal?.throwIfAborted();
      throw toAppError(error, "Export failed");
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.release(con);
    }
  }

  /**
   * The export in parts (`storage/export-parts.ts`): Parquet cut by DuckDB's writer; CSV, TSV and
   * JSON written uncompressed into a FIFO beside `target`, which a `TextPartWriter` reads and cuts.
   */
  private async exportParts(
    target: string,
    options: ExportOptions,
    compression: Compression,
    copyTo: (file: string, copyOptions: string) => Promise<DuckDBResultReader>,
  ): Promise<ExportedPart[]> {
    const maxBytes = options.maxPartBytes!;
    if (options.format === "parquet") {
      return writeParquetParts(target, maxBytes, async (file, extraOptions) =>
        // Files cut by size are each written in place already (DuckDB refuses USE_TMP_FILE with them).
        (
          await copyTo(file, `${EXPORT_OPTIONS.parquet(compression)}${extraOptions || `, ${IN_PLACE}`}`)
        ).getRowObjectsJS(),
      );
    }
    const fifo = `${target}.parts-fifo`;
    await execFileAsync("mkfifo", ["-m", "600", fifo]);
    const writer = new TextPartWriter({
      path: target,
      maxBytes,
      header: options.format !== "json",
      quoted: options.format !== "json",
      compression,
    });
    try {
      const writing = copyTo(fifo, `${EXPORT_OPTIONS[options.format]("none")}, ${IN_PLACE}`);
      const [read, wrote] = await Promise.allSettled([
        readFifo(fifo, writer),
        // A COPY that fails before it opened the FIFO leaves the reader waiting for a writer.
        writing.catch(async (error: unknown) => {
          await fs.open(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).then(
            (handle) => handle.close(),
            () => undefined,
          );
          throw error;
        }),
      ]);
      // A failed read is the cause (DuckDB then fails on the closed FIFO): its error first.
      if (read.status === "rejected") throw read.reason;
      if (wrote.status === "rejected") throw wrote.reason;
      return writer.parts;
    } finally {
      await fs.rm(fifo, { force: true });
    }
  }

  /** Loads a CSV/TSV/NDJSON/Parquet file into one dataset for one tenant (see `load.ts`). */
  load(request: LoadRequest): Promise<LoadResult> {
    return loadFile(this, request);
  }

  /** A CSV/TSV body is loaded in segments while the rest arrives (`load.ts`); other formats whole. */
  readsArrivingFiles(format: LoadInputFormat): boolean {
    return format === "csv" || format === "tsv";
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeQueue.catch(() => undefined);
    await this.viewQueue.catch(() => undefined);
    for (const con of this.connections) {
      con.interrupt();
      con.closeSync();
    }
    this.connections.clear();
    this.instance.closeSync();
    await fs.rm(this.spillDir, { recursive: true, force: true }).catch(() => undefined);
    await this.onClose();
  }

  // -------------------------------------------------------------------------------------------
  // Writing rows: one code path for loads, the demo generator and tests

  /**
   * Writes the rows of `rowsSql` (a SELECT whose columns are dataset columns, by name; missing ones
   * are NULL) as a new Parquet file of the tenant's rows, then commits the tenant's new file set:
   * append adds the file, replace makes it the only one, replace with a window keeps the old rows
   * outside [from, to) (rewritten with the new ones into one file). Nothing is visible before the
   * commit; a commit that loses a race with another of the same tenant and table is redone.
   * `session`: run on that connection (its TEMP tables are visible), else on a fresh one.
   */
  async writeTenantRows(
    target: { readonly program: Program; readonly dataset: DatasetDef; readonly tenant: string },
    rowsSql: string | AsyncIterable<string>,
    mode: WriteMode,
    options: {
      readonly session?: DuckDbSession;
      readonly signal?: AbortSignal;
      readonly onProgress?: (message: string) => void;
      readonly progressIntervalMs?: number;
      readonly record?: LoadCompletion;
    } = {},
  ): Promise<LoadResult> {
    if (typeof target.tenant !== "string" || target.tenant.trim() === "") {
      throw new AppError("invalid_argument", "A tenant id is required to load data");
    }
    await this.ensureTables(target.program, [target.dataset]);
    const view = this.views.get(viewKey(target.program, tableName(target.dataset)))!;
    const key = { program: view.program, table: view.table, tenant: target.tenant };
    const window = mode.mode === "replace" ? mode.window : undefined;
    const timeColumn = window ? windowColumn(view, target.dataset) : undefined;
    const own = options.session === undefined;
    const con = own ? await this.connect() : (options.session as ConnectionSession).con;
    const signal = options.signal;
    const onAbort = () => con.interrupt();
    signal?.addEventListener("abort", onAbort, { once: true });
    const written: string[] = [];
    let committed = false;
    // Each new file is flushed to disk as soon as it is written, while the next one is.
    const flushes = new Map<string, Promise<number>>();
    const flushSoon = (name: string) => {
      const flushing = flushFile(this.filePath(name));
      flushing.catch(() => undefined);
      flushes.set(name, flushing);
    };
    try {
      signal?.throwIfAborted();
      // Each SELECT (one, or one per segment of a body that arrives) becomes one new file.
      const fresh: DatasetFile[] = [];
      let select: ((rowsSql: string) => string) | undefined;
      for await (const sql of typeof rowsSql === "string" ? [rowsSql] : rowsSql) {
        signal?.throwIfAborted();
        select ??= await this.selectOfView(con, view, target, sql);
        const file = await this.writeFile(con, key, select(sql), written, options);
        const rowsBefore = fresh.reduce((sum, each) => sum + each.rows, 0);
        if (window && timeColumn) {
          await checkWindow(con, this.filePath(file.name), timeColumn, window, rowsBefore);
        }
        // An empty file (a segment of no rows: the header alone) is kept only while no other is.
        if (fresh.length === 1 && fresh[0]!.rows === 0) {
          await fs.rm(this.filePath(fresh[0]!.name), { force: true });
          fresh.length = 0;
        }
        if (file.rows > 0 || fresh.length === 0) fresh.push(file);
        else await fs.rm(this.filePath(file.name), { force: true });
        // A windowed replace commits the file it merges these into instead; an empty file may go.
        if (!window && file.rows > 0) flushSoon(file.name);
      }
      const rowCount = fresh.reduce((sum, file) => sum + file.rows, 0);
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        const base = await this.fileSets.getFileSet(key);
        let files: DatasetFile[];
        let merged: DatasetFile | undefined;
        if (mode.mode === "append") files = [...(base?.files ?? []), ...fresh];
        else if (!window || !timeColumn) files = fresh;
        else {
          // The old rows outside the window and the new ones, rewritten as one file.
          const keep = `${quoteIdent(timeColumn.name)} IS NULL OR ${quoteIdent(timeColumn.name)} < ${timeLiteral(window.from, timeColumn)} OR ${quoteIdent(timeColumn.name)} >= ${timeLiteral(window.to, timeColumn)}`;
          const old = `SELECT * FROM read_parquet(${fileList(view, base ? [base] : [], this.datasetsDir)}, union_by_name = true) WHERE ${keep}`;
          const fresher = `SELECT * FROM read_parquet([${fresh.map((f) => quoteString(this.filePath(f.name))).join(", ")}])`;
          merged = await this.writeFile(
            con,
            key,
            `SELECT ${viewColumns(view)} FROM (${old}) UNION ALL SELECT ${viewColumns(view)} FROM (${fresher})`,
            written,
            {},
          );
          files = [merged];
        }
        await this.makeDurable(merged ? [merged] : fresh, flushes);
        const set = await this.fileSets.commitFileSet(
          key,
          base?.version ?? 0,
          files,
          new Date(),
          options.record ? { ...options.record, rowCount } : undefined,
        );
        if (set) {
          committed = true;
          // The staged new rows of a windowed replace live on only inside the merged file.
          if (merged) for (const file of fresh) await fs.rm(this.filePath(file.name), { force: true });
          return { rowCount, dataVersion: String(set.version), committedAt: set.committedAt };
        }
        if (merged) {
          await fs.rm(this.filePath(merged.name), { force: true });
          written.splice(written.indexOf(merged.name), 1);
        }
        if (attempt >= COMMIT_ATTEMPTS) {
          throw new AppError(
            "unavailable",
            `Another load of ${target.program} ${target.dataset.name} for this tenant kept committing first; try again`,
          );
        }
      }
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!committed) {
        for (const name of written) await fs.rm(this.filePath(name), { force: true }).catch(() => undefined);
      }
      if (own) this.release(con);
    }
  }

  /**
   * The SELECT that writes a dataset file from rows given by name (`rowsSql`, whose columns are
   * checked against the view once): every view column cast to its type, missing ones NULL.
   */
  private async selectOfView(
    con: DuckDBConnection,
    view: DatasetView,
    target: { readonly dataset: DatasetDef; readonly tenant: string },
    rowsSql: string,
  ): Promise<(rowsSql: string) => string> {
    const described = await con.prepare(rowsSql);
    const provided = new Set(
      Array.from({ length: described.columnCount }, (_, i) => described.columnName(i).toLowerCase()),
    );
    const unknown = [...provided].filter((name) => !view.columns.some((c) => c.name.toLowerCase() === name));
    if (unknown.length > 0) {
      throw new AppError(
        "invalid_data",
        `Unknown column ${unknown[0]} for dataset ${target.dataset.name}; allowed: ${view.columns.map((c) => c.name).join(", ")}`,
      );
    }
    const columns = castToView(view, provided);
    return (sql) =>
      `SELECT ${columns}, ${quoteString(target.tenant)} AS ${quoteIdent(TENANT_COLUMN)} FROM ${asSubquery(sql)} AS given_rows`;
  }

  /** Per dataset, per tenant row counts (for `openinsights tenants`), from the current file sets. */
  async tableCounts(program: Program, datasets: readonly DatasetDef[]): Promise<DatasetRowCounts[]> {
    const out: DatasetRowCounts[] = [];
    for (const dataset of datasets) {
      const table = tableName(dataset);
      const view = this.views.get(viewKey(program, table));
      const sets = view ? await this.fileSets.listFileSets(program, view.table) : [];
      const tenants = sets
        .filter((s) => s.rowCount > 0)
        .map((s) => ({ tenantId: s.tenant, rows: s.rowCount }))
        .sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
      out.push({ dataset: dataset.name, table, exists: view !== undefined, tenants });
    }
    return out;
  }

  /** Appends rows for one tenant to a dataset (one new file, one commit). */
  appendTenantData(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
  ): Promise<LoadResult> {
    return this.writeBatches(program, dataset, tenantId, batches, { mode: "append" });
  }

  /** Replaces the tenant's rows of the dataset with `batches` (one new file, one commit). */
  replaceTenantData(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
  ): Promise<LoadResult> {
    return this.writeBatches(program, dataset, tenantId, batches, { mode: "replace" });
  }

  /** Empties the given tenants' file sets of a dataset's table; returns how many rows went. */
  async deleteTenantRows(
    program: Program,
    dataset: DatasetDef,
    tenantIds: readonly string[],
  ): Promise<number> {
    await this.ensureTables(program, [dataset]);
    const view = this.views.get(viewKey(program, tableName(dataset)))!;
    let deleted = 0;
    for (const tenant of tenantIds) {
      const key = { program: view.program, table: view.table, tenant };
      for (let attempt = 1; ; attempt++) {
        const base = await this.fileSets.getFileSet(key);
        if (!base || base.files.length === 0) break;
        if (await this.fileSets.commitFileSet(key, base.version, [], new Date())) {
          deleted += base.rowCount;
          break;
        }
        if (attempt >= COMMIT_ATTEMPTS) throw new AppError("unavailable", "Too many concurrent commits");
      }
    }
    return deleted;
  }

  /**
   * Runs `fn` with one connection, one call at a time (not reentrant: `fn` must not call
   * `withSession`). TEMP tables live as long as the session, so a caller can stage rows in one and
   * write them with `writeTenantRows(…, { session })`.
   */
  withSession<T>(fn: (session: DuckDbSession) => Promise<T>): Promise<T> {
    const run = () => this.withConnection((con) => fn(new ConnectionSession(con)));
    const next = this.writeQueue.then(run, run);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  /** Whether DuckDB's sandbox lets the engine read or write `file`. */
  isAllowedPath(file: string): boolean {
    const target = path.resolve(file);
    return this.allowedDirectories.some((dir) => target.startsWith(withSep(dir)));
  }

  /** A fresh path inside `<dataDir>/.staging/` (for files linked or copied in before loading). */
  stagingPath(extension: string): Promise<string> {
    return newStagingPath(this.dataDir, extension);
  }

  /**
   * Moves the rows of a data directory's old `analytics.duckdb` (tables, before issue #11) into file
   * sets: every (table, tenant) of a declared dataset table becomes that tenant's first file set,
   * unless it has one already (so a second run, or a second process starting at the same moment,
   * changes nothing). The old file is attached read-only and renamed `analytics.duckdb.migrated`
   * once done, so nothing of it is lost. Returns the rows moved.
   */
  async importLegacyDatabase(file: string, progress: (message: string) => void): Promise<number> {
    let moved = 0;
    await this.withConnection(async (con) => {
      const alias = "oi_legacy";
      await con.run(`ATTACH ${quoteString(file)} AS ${alias} (READ_ONLY)`);
      try {
        const tables = (
          await con.runAndReadAll(
            `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '${alias}' ORDER BY 1, 2`,
          )
        ).getRows();
        for (const [schema, table] of tables as [string, string][]) {
          const view = this.views.get(viewKey(schema, table));
          if (!view) {
            progress(
              `Skipping ${schema}.${table} of ${path.basename(file)}: no catalog declares it (it stays in the old file)`,
            );
            continue;
          }
          const qualified = `${alias}.${quoteIdent(schema)}.${quoteIdent(table)}`;
          const have = new Set(
            (
              await con.runAndReadAll(
                `SELECT lower(column_name) FROM duckdb_columns() WHERE database_name = '${alias}' AND schema_name = $1 AND table_name = $2`,
                [schema, table],
              )
            )
              .getRows()
              .map((r) => String(r[0])),
          );
          if (!have.has(TENANT_COLUMN)) continue;
          const tenants = (
            await con.runAndReadAll(
              `SELECT DISTINCT ${quoteIdent(TENANT_COLUMN)} FROM ${qualified} ORDER BY 1`,
            )
          )
            .getRows()
            .map((r) => String(r[0]));
          const columns = castToView(view, have);
          for (const tenant of tenants) {
            const key = { program: view.program, table: view.table, tenant };
            if (await this.fileSets.getFileSet(key)) continue;
            const written: string[] = [];
            const select = `SELECT ${columns}, ${quoteIdent(TENANT_COLUMN)} FROM ${qualified} WHERE ${quoteIdent(TENANT_COLUMN)} = ${quoteString(tenant)}`;
            const fresh = await this.writeFile(con, key, select, written, {});
            await this.makeDurable([fresh]);
            if (await this.fileSets.commitFileSet(key, 0, [fresh], new Date())) {
              moved += fresh.rows;
              progress(
                `Moved ${fresh.rows.toLocaleString("en-US")} rows of ${schema}.${table} for tenant ${tenant}`,
              );
            } else {
              await this.deleteDatasetFiles(written);
            }
          }
        }
      } finally {
        await con.run(`DETACH ${alias}`).catch(() => undefined);
      }
    });
    await fs.rename(file, `${file}.migrated`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    return moved;
  }

  /**
   * Flushes new dataset files and their names to disk (waiting for the flushes already `started`):
   * a committed file set survives a power loss (the metadata store syncs its commits), so the files
   * it names must be on disk before it is committed.
   */
  private async makeDurable(
    files: readonly DatasetFile[],
    started: ReadonlyMap<string, Promise<number>> = new Map(),
  ): Promise<void> {
    try {
      await Promise.all(files.map((file) => started.get(file.name) ?? flushFile(this.filePath(file.name))));
      for (const dir of new Set(files.map((file) => path.dirname(this.filePath(file.name))))) {
        await syncDirectory(dir);
      }
    } catch (error) {
      throw new AppError(
        "unavailable",
        `The new rows could not be flushed to disk: ${(error as Error).message}`,
        undefined,
        { cause: error },
      );
    }
  }

  /** Deletes dataset files by name (missing ones are ignored). */
  async deleteDatasetFiles(names: readonly string[]): Promise<void> {
    for (const name of names) await fs.rm(this.filePath(name), { force: true });
  }

  /** Every dataset file under `datasets/` (not the shared schema files), with when it was last written. */
  async listDatasetFiles(): Promise<{ readonly name: string; readonly modifiedMs: number }[]> {
    const entries = await fs.readdir(this.datasetsDir, { recursive: true, withFileTypes: true });
    const files: { name: string; modifiedMs: number }[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith(".parquet")) continue;
      const name = path
        .relative(this.datasetsDir, path.join(entry.parentPath, entry.name))
        .split(path.sep)
        .join("/");
      if (name.startsWith(".schemas/")) continue;
      const stat = await fs.stat(path.join(entry.parentPath, entry.name)).catch(() => null);
      if (stat) files.push({ name, modifiedMs: stat.mtimeMs });
    }
    return files;
  }

  /** The absolute path of a dataset file named in a file set. */
  filePath(name: string): string {
    return datasetFilePath(this.datasetsDir, name);
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

  // -------------------------------------------------------------------------------------------

  private async withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    const con = await this.connect();
    try {
      return await fn(con);
    } finally {
      this.release(con);
    }
  }

  /**
   * Points every view the statement may read at one snapshot: the statement's tenant's current
   * files (the compiler names them), or every tenant's for a hand-written statement. Returns the
   * data version read ("0": never loaded; "" for a statement over every tenant).
   */
  async bindSnapshot(con: DuckDBConnection, query: Pick<CompiledSql, "source">): Promise<string> {
    const source = query.source;
    if (source) {
      const view = this.views.get(viewKey(source.program, source.table));
      if (!view) return "0";
      const set = await this.fileSets.getFileSet({
        program: view.program,
        table: view.table,
        tenant: source.tenant,
      });
      await setFileList(con, view, set ? [set] : [], this.datasetsDir);
      return String(set?.version ?? 0);
    }
    for (const view of this.views.values()) {
      await setFileList(
        con,
        view,
        await this.fileSets.listFileSets(view.program, view.table),
        this.datasetsDir,
      );
    }
    return "";
  }

  /** COPY `select` to a new Parquet file of `key`; returns it as a file-set entry. */
  private async writeFile(
    con: DuckDBConnection,
    key: FileSetKey,
    select: string,
    written: string[],
    options: { readonly onProgress?: (message: string) => void; readonly progressIntervalMs?: number },
  ): Promise<DatasetFile> {
    const name = newDatasetFileName(key);
    const file = this.filePath(name);
    await makeDirectories(this.datasetsDir, path.dirname(file), 0o777);
    written.push(name);
    const progress = options.onProgress;
    const timer = progress
      ? setInterval(() => {
          const pct = con.progress.percentage;
          if (pct >= 0) progress(`… ${Math.floor(pct)}% read`);
        }, options.progressIntervalMs ?? 2000)
      : undefined;
    timer?.unref();
    try {
      const reader = await con.runAndReadAll(
        `COPY (${select}) TO ${quoteString(file)} (${DATASET_FILE_OPTIONS})`,
      );
      const rows = Number(reader.getRows()[0]?.[0] ?? 0);
      return { name, rows, bytes: (await fs.stat(file)).size };
    } finally {
      if (timer) clearInterval(timer);
    }
  }

  /** An empty Parquet file with `columns` and the tenant column, named by its schema (shared, written once). */
  private async schemaFile(columns: readonly PhysicalColumn[]): Promise<string> {
    const select = `SELECT ${[...columns.map((c) => `CAST(NULL AS ${c.sqlType}) AS ${quoteIdent(c.name)}`), `CAST(NULL AS VARCHAR) AS ${quoteIdent(TENANT_COLUMN)}`].join(", ")} WHERE false`;
    const digest = createHash("sha256").update(select).digest("hex").slice(0, 32);
    const file = path.join(this.datasetsDir, ".schemas", `${digest}.parquet`);
    if (
      await fs.stat(file).then(
        () => true,
        () => false,
      )
    )
      return file;
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Written aside then renamed: a process starting at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.partial`;
    await this.withConnection((con) =>
      con.run(`COPY (${select}) TO ${quoteString(partial)} (FORMAT parquet)`),
    );
    await fs.rename(partial, file);
    return file;
  }

  private async writeBatches(
    program: Program,
    dataset: DatasetDef,
    tenantId: string,
    batches: RowBatches,
    mode: WriteMode,
  ): Promise<LoadResult> {
    await this.ensureTables(program, [dataset]);
    const view = this.views.get(viewKey(program, tableName(dataset)))!;
    const columns = view.columns.map((c) => c.name);
    const index = new Map(columns.map((c, i) => [c.toLowerCase(), i]));
    return this.withSession(async (session) => {
      const con = (session as ConnectionSession).con;
      const stage = "_oi_rows";
      await con.run(
        `CREATE OR REPLACE TEMP TABLE ${stage} (${view.columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(", ")})`,
      );
      try {
        let rowCount = 0;
        const appender = await con.createAppender(stage, "main", "temp");
        try {
          for await (const batch of batches) {
            const values: unknown[][] = columns.map(() => new Array<unknown>(batch.length).fill(null));
            for (let r = 0; r < batch.length; r++) {
              const row = batch[r]!;
              for (const key of Object.keys(row)) {
                const i = index.get(key.toLowerCase());
                if (i === undefined) {
                  throw new AppError(
                    "invalid_data",
                    `Unknown column ${key} for dataset ${dataset.name}; allowed: ${columns.join(", ")}`,
                  );
                }
                values[i]![r] = row[key] ?? null;
              }
            }
            appendColumns(appender, values, batch.length, columns, rowCount);
            rowCount += batch.length;
          }
          appender.closeSync();
        } catch (error) {
          appender.clear();
          throw error;
        }
        return await this.writeTenantRows(
          { program, dataset, tenant: tenantId },
          `SELECT * FROM temp.main.${stage}`,
          mode,
          { session },
        );
      } finally {
        await con.run(`DROP TABLE IF EXISTS temp.main.${stage}`).catch(() => undefined);
      }
    });
  }
}

/** Dataset files: Parquet, Snappy-compressed (measured in docs/loading.md), one row group per 122,880 rows. */
const DATASET_FILE_OPTIONS = "FORMAT parquet, COMPRESSION 'snappy'";

function viewKey(program: string, table: string): string {
  return `${program}\u0000${table}`.toLowerCase();
}

function viewColumns(view: DatasetView): string {
  return [...view.columns.map((c) => quoteIdent(c.name)), quoteIdent(TENANT_COLUMN)].join(", ");
}

/** `[schemaFile, …the sets' files]` as a DuckDB list literal. */
function fileList(view: DatasetView, sets: readonly FileSet[], datasetsDir = ""): string {
  const files = [
    view.schemaFile,
    ...sets.flatMap((s) => s.files.map((f) => datasetFilePath(datasetsDir, f.name))),
  ];
  return `[${files.map(quoteString).join(", ")}]`;
}

async function setFileList(
  con: DuckDBConnection,
  view: DatasetView,
  sets: readonly FileSet[],
  datasetsDir = "",
): Promise<void> {
  await con.run(`SET VARIABLE ${quoteIdent(view.variable)} = ${fileList(view, sets, datasetsDir)}`);
}

/** The dataset's time column, which a windowed replace needs. */
function windowColumn(view: DatasetView, dataset: DatasetDef): PhysicalColumn {
  const column = dataset.timeColumn
    ? view.columns.find((c) => c.name.toLowerCase() === dataset.timeColumn!.toLowerCase())
    : undefined;
  if (!column) {
    throw new AppError(
      "invalid_argument",
      `Dataset ${dataset.name} has no time column, so from/to cannot pick rows to replace; replace all its rows instead`,
    );
  }
  return column;
}

function timeLiteral(instant: Date, column: PhysicalColumn): string {
  const text =
    column.type === "date" ? instant.toISOString().slice(0, 10) : instant.toISOString().slice(0, 19);
  return `CAST(${quoteString(text)} AS ${column.sqlType})`;
}

/** Refuses new rows of a windowed replace whose time falls outside [from, to): they would replace nothing. */
/** The view's columns as a select list: those in `present` (lower-cased names) cast to their type, the others NULL. */
function castToView(view: DatasetView, present: ReadonlySet<string>): string {
  return view.columns
    .map((c) =>
      present.has(c.name.toLowerCase())
        ? `CAST(${quoteIdent(c.name)} AS ${c.sqlType}) AS ${quoteIdent(c.name)}`
        : `CAST(NULL AS ${c.sqlType}) AS ${quoteIdent(c.name)}`,
    )
    .join(", ");
}

async function checkWindow(
  con: DuckDBConnection,
  file: string,
  column: PhysicalColumn,
  window: { readonly from: Date; readonly to: Date },
  /** Rows written before this file (the earlier segments of the same load). */
  rowsBefore: number,
): Promise<void> {
  const ref = quoteIdent(column.name);
  const reader = await con.runAndReadAll(
    `SELECT file_row_number + ${rowsBefore + 1}, CAST(${ref} AS VARCHAR) FROM read_parquet(${quoteString(file)}, file_row_number = true) ` +
      `WHERE ${ref} IS NULL OR ${ref} < ${timeLiteral(window.from, column)} OR ${ref} >= ${timeLiteral(window.to, column)} ` +
      "ORDER BY 1 LIMIT 1",
  );
  const bad = reader.getRows()[0];
  if (bad) {
    const [from, to] = [window.from, window.to].map((d) => d.toISOString().slice(0, 10));
    throw new AppError(
      "invalid_data",
      `Row ${Number(bad[0])}: ${column.name} ${bad[1] === null ? "is empty" : `'${String(bad[1])}'`} falls outside the window [${from}, ${to}) being replaced`,
      { column: column.name, row: Number(bad[0]) },
    );
  }
}

// ---------------------------------------------------------------------------------------------

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
