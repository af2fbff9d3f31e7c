/**
 * Ports: what the core needs from storage engines. Adapters live in sibling folders
 * (`duckdb/`, later `sqlite/`, `postgres/`, `disk/`, `s3/`) and never import each other.
 */
import type { AuditEntry, AuditFilter } from "../audit/model.js";
import type { Page, PageRequest } from "../core/paging.js";
import type { DatasetDef, Program } from "../datasets/types.js";
import type { ExecutionOutcome, ExecutionStatus, StoredExecution } from "../executions/model.js";
import type { LoadMode, LoadOutcome, LoadStatus, StoredLoad } from "../loads/model.js";
import type { CompiledSql, Row, SqlDialect } from "../query/compiled.js";
import type { TokenTaken } from "../ratelimit/bucket.js";
import type { Compression, ReportFormat } from "../reports/formats.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../reports/model.js";
import type { StoredTestClock } from "../testclocks/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryNext } from "../webhooks/model.js";

export interface ExportOptions {
  readonly format: ReportFormat;
  /** Whole-file compression (none when absent); one the format takes (reports/formats.ts). */
  readonly compression?: Compression;
  /** Prefix text cells a spreadsheet would run as a formula with `'` (docs/api.md, SpreadsheetSafe). */
  readonly spreadsheetSafe?: boolean;
  /**
   * Write the result as parts (docs/api.md, MaxFileSizeMB): CSV/TSV/JSON parts hold at most this
   * many bytes of text before compression, Parquet parts are files of about this size
   * (`storage/export-parts.ts` says how). Absent: one file, as always.
   */
  readonly maxPartBytes?: number;
}

/** One file of an export written in parts: a whole file of the format, header row included. */
export interface ExportedPart {
  /** Part 1 is the export's path, part n is `exportPartPath(path, n)`. */
  readonly path: string;
  readonly rowCount: number;
  readonly bytes: number;
  /** Hex SHA-256 of the file, when the engine hashed it while writing it (else the caller does). */
  readonly sha256?: string;
}

export interface ExportResult {
  readonly rowCount: number;
  readonly bytes: number;
  /** Hex SHA-256 of the one file written, when the engine hashed it on the way (see `hashesExports`). */
  readonly sha256?: string;
  /**
   * The data version the export read (one snapshot of the dataset's rows; goes into the manifest).
   * Absent when no version exists: a dataset that reads a table of the user's own is never loaded.
   */
  readonly dataVersion?: string;
  /** With `maxPartBytes`: every part in order (one when the result fit in one); `bytes` is their sum. */
  readonly parts?: readonly ExportedPart[];
}

export type { LoadMode };
export type LoadInputFormat = "csv" | "tsv" | "ndjson" | "parquet";

/**
 * What a load reads: a whole file on local disk (decompressed), or, only for an engine whose
 * `readsArrivingFiles(format)` is true, a body still arriving: its bytes from the first, an
 * iteration that ends when the body is whole and throws (413, a dropped upload) when it never will
 * be. The engine never commits rows of a body that failed.
 */
export type LoadInput =
  | { readonly path: string; readonly format: LoadInputFormat }
  | { readonly arriving: AsyncIterable<Buffer>; readonly format: LoadInputFormat };

export interface LoadRequest {
  readonly program: Program;
  readonly dataset: DatasetDef;
  readonly tenant: string;
  readonly mode: LoadMode;
  /** mode=replace only: replace just the rows whose time column falls in [from, to). */
  readonly window?: { readonly from: Date; readonly to: Date };
  readonly file: LoadInput;
  readonly signal?: AbortSignal;
  /**
   * The load record this load completes (extension of the shared shape): an engine that commits
   * through the metadata store marks it Completed in the commit's own transaction, so a process
   * killed right after the commit never leaves a committed load recorded as Failed.
   */
  readonly record?: LoadCompletion;
  /** Human-readable progress lines (the CLI prints them). Optional; not every engine reports any. */
  readonly onProgress?: (message: string) => void;
}

/** A load of a whole file (what an engine without `readsArrivingFiles` gets). */
export type WholeFileLoad = LoadRequest & { readonly file: { readonly path: string } };

export function isWholeFileLoad(request: LoadRequest): request is WholeFileLoad {
  return "path" in request.file;
}

/** A Running load record a commit completes: its id, and the body's size as received. */
export interface LoadCompletion {
  readonly loadId: string;
  readonly bytes: number;
}

export interface LoadResult {
  readonly rowCount: number;
  /** The data version the load committed (what later queries and exports read). */
  readonly dataVersion: string;
  /** When it committed (extension: the load record's finishedAt when `record` was given). */
  readonly committedAt?: Date;
}

export interface AnalyticsEngine {
  /** The SQL dialect the query compiler emits for this engine. */
  readonly dialect: SqlDialect;
  /** Creates any missing dataset tables of a program (idempotent). */
  ensureTables(program: Program, datasets: readonly DatasetDef[]): Promise<void>;
  /** Streams result rows in batches; memory stays bounded by the batch size. */
  stream(query: CompiledSql, options?: { signal?: AbortSignal }): AsyncIterable<Row[]>;
  /**
   * Writes the whole result to `path` (header row first) with the engine's own writer, in place and
   * front to back (it creates `path`, then only appends), so that a reader can follow the file
   * while it is written (the worker hashes it that way).
   */
  exportTo(query: CompiledSql, path: string, options: ExportOptions): Promise<ExportResult>;
  /**
   * Whether `exportTo` of this format, written as one file, hashes the bytes as it writes them and
   * returns their `sha256` (the caller then reads nothing back). Absent means never.
   */
  hashesExports?(format: ReportFormat): boolean;
  /**
   * Loads a file into one dataset for one tenant, all or nothing: queries and exports that started
   * before it commits read only the old rows, those that start after only the new. A bad file
   * throws `AppError("invalid_data")` (400) naming the first bad line (or Parquet row group/column), the
   * column and why.
   */
  load(request: LoadRequest): Promise<LoadResult>;
  /** Whether `load` of this format reads `file.arriving` (a body still uploading). Absent means never. */
  readsArrivingFiles?(format: LoadInputFormat): boolean;
  /**
   * Calls back when another process queued work (a new execution, a retry, a callback), so idle
   * workers wake at once instead of at their next poll; returns the unsubscribe function. Optional:
   * stores without notifications (SQLite) rely on polling alone.
   */
  onWork?(callback: () => void): () => void;

  close(): Promise<void>;
}

/** Report files: written whole under a key, read back (with ranges), deleted with their execution. */
export interface FileStore {
  readonly capabilities: {
    readonly presignedUrls: boolean;
    /**
     * `putFile` keeps the local file's bytes where they are (a rename on the same filesystem) and
     * flushes them to disk: bytes flushed before `putFile` need no second write, so a caller may
     * flush a file while it is being written to shorten `putFile`. Absent means false.
     */
    readonly renamesLocalFiles?: boolean;
  };
  /** Moves a finished local file into the store under `key`; readers see it only once whole. */
  putFile(
    key: string,
    localPath: string,
    options: { readonly contentType: string },
  ): Promise<{ bytes: number }>;
  stat(key: string): Promise<{ readonly bytes: number } | undefined>;
  /** The bytes of `key`, or of the inclusive range [start, end]. */
  read(key: string, range?: { readonly start: number; readonly end: number }): Promise<NodeJS.ReadableStream>;
  /** Deletes keys; missing keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /** A time-limited URL served by the store itself (S3), when `capabilities.presignedUrls`. */
  presignedUrl?(key: string, expiresAt: Date, downloadName: string): Promise<string>;
  /** Releases connections, when the store holds any. */
  close?(): Promise<void>;
}

/** Who owns a row: every read and write is scoped to one tenant and one program. */
export interface Scope {
  readonly tenant: string;
  readonly program: Program;
}

export interface QueryFilter {
  readonly id?: string;
  /** Exact name, compared case-insensitively. */
  readonly name?: string;
}

/** Filters; a provided empty list matches nothing. */
export interface ReportFilter {
  readonly ids?: readonly string[];
  /** Exact name, compared case-insensitively. */
  readonly name?: string;
  readonly queryId?: string;
}

export interface ExecutionFilter {
  readonly reportIds: readonly string[];
  readonly executionIds?: readonly string[];
  readonly statuses?: readonly ExecutionStatus[];
  /** Only executions scheduled at or after this instant (history window). */
  readonly since?: Date;
  /** Only the most recent matching execution (by scheduled time) of each report. */
  readonly latestOnly?: boolean;
}

/** Whose rows a file set holds: a dataset's physical table of one program, for one tenant. */
export interface FileSetKey {
  readonly program: Program;
  /** The physical table (datasets may share one). */
  readonly table: string;
  readonly tenant: string;
}

/** One Parquet file of a file set; `name` is relative to the data directory's `datasets/` folder. */
export interface DatasetFile {
  readonly name: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface FileSet extends FileSetKey {
  /** 1, 2, … per key; the data version of what it holds. */
  readonly version: number;
  readonly files: readonly DatasetFile[];
  readonly rowCount: number;
  readonly committedAt: Date;
}

/** Filters of the load listing; each given one must match. */
export interface LoadFilter {
  readonly tenant?: string;
  readonly program?: string;
  /** Exact dataset name. */
  readonly dataset?: string;
  readonly status?: LoadStatus;
}

export type CreateOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "queries" | "activeReports" }
  /** `nextAllowedAt`: when enough ExecuteNow reports will have left the window for one more. */
  | { readonly ok: false; readonly reason: "executeNow"; readonly nextAllowedAt: Date };

export interface ReportQuotas {
  /** Active (not Inactive) reports per tenant and program. */
  readonly maxActiveReports: number;
  /** ExecuteNow reports created per tenant and program within `executeNowWindowMs`. */
  readonly maxExecuteNow: number;
  readonly executeNowWindowMs: number;
  /** The instant the window ends at (the request time). */
  readonly now: Date;
}

export interface QueueStats {
  readonly due: number;
  readonly oldestDueAt: Date | null;
  readonly overdue: number;
}

/**
 * Metadata: user-defined queries, reports and executions. Implemented per engine
 * (`storage/sqlite`, later `storage/postgres`) and checked by one contract suite.
 */
export interface MetadataStore {
  readonly capabilities: { readonly multiWriter: boolean; readonly skipLocked: boolean };
  /**
   * A number that changes whenever stored data may have changed (by this process or another);
   * absent when the store cannot tell. Whatever was derived from the store while it stayed the
   * same may be reused.
   */
  readonly changeVersion?: () => number;
  /** Reads from the database itself (never from kept results): for readiness checks. */
  ping(): Promise<void>;

  /** Inserts a query unless the scope already has `maxQueries` of them (checked atomically). */
  createQuery(query: StoredQuery, maxQueries: number): Promise<CreateOutcome>;
  getQuery(scope: Scope, id: string): Promise<StoredQuery | undefined>;
  listQueries(scope: Scope, filter: QueryFilter, page: PageRequest): Promise<Page<StoredQuery>>;
  deleteQuery(scope: Scope, id: string): Promise<boolean>;

  /** Inserts a report and its first executions together, unless a quota is reached (checked atomically). */
  createReport(
    report: StoredReport,
    executions: readonly StoredExecution[],
    quotas: ReportQuotas,
  ): Promise<CreateOutcome>;
  getReport(scope: Scope, id: string): Promise<StoredReport | undefined>;
  listReports(scope: Scope, filter: ReportFilter, page: PageRequest): Promise<Page<StoredReport>>;
  /** Reports of the scope that use a query and are not Inactive. */
  countReportsUsingQuery(scope: Scope, queryId: string): Promise<number>;
  /** Replaces the report row (same id and scope); returns false when it no longer exists. */
  updateReport(report: StoredReport): Promise<boolean>;
  /** Deletes the report and all its executions; returns the file keys of those executions. */
  deleteReport(scope: Scope, id: string): Promise<{ deleted: boolean; fileKeys: string[] }>;

  /**
   * Inserts executions, skipping any whose (reportId, scheduledTime) already exists or whose report
   * is not in the execution's scope; returns how many were inserted.
   */
  createExecutions(executions: readonly StoredExecution[]): Promise<number>;
  listExecutions(scope: Scope, filter: ExecutionFilter, page: PageRequest): Promise<Page<StoredExecution>>;
  /** One execution of a tenant (any program), for download links. */
  findExecution(tenant: string, id: string): Promise<StoredExecution | undefined>;
  /**
   * Deletes a report's executions that are Pending or Paused and were never attempted (a schedule
   * change), except a backfill's; returns how many.
   */
  deleteWaitingExecutions(scope: Scope, reportId: string): Promise<number>;
  /** Sets the status of a report's executions that are in one of `from` (pause/resume). */
  setExecutionStatus(
    scope: Scope,
    reportId: string,
    from: readonly ExecutionStatus[],
    to: ExecutionStatus,
    at: Date,
  ): Promise<number>;

  // --- The execution queue (workers) ---

  /**
   * Claims up to `limit` executions due at `now` — Pending with nextAttemptAt ≤ now, or Running
   * whose lease expired (a crashed worker) — of reports that are not Paused, oldest due first. Each becomes Running with the lease
   * (owner, now + leaseMs) and attempts + 1. Two callers never claim the same execution.
   */
  claimExecutions(owner: string, now: Date, leaseMs: number, limit: number): Promise<StoredExecution[]>;
  /** Extends a lease the owner still holds; false when it was lost. */
  renewExecutionLease(id: string, owner: string, until: Date): Promise<boolean>;
  /**
   * Moves a claimed execution to a later slot of its report (after downtime, the most recent
   * missed slot runs instead of a stale one), recording how many slots were skipped; only while
   * `owner` holds the lease and no execution of the report has that slot. False otherwise.
   */
  moveExecutionToSlot(id: string, owner: string, scheduledTime: Date, skippedSlots: number): Promise<boolean>;
  /**
   * Records how a claimed execution ended, only while `owner` still holds its lease (else false,
   * and nothing changes). A Completed or Failed outcome enqueues `delivery` (if any) in the same
   * transaction (a Failed one when the report asks for CallbackOnFailure).
   */
  finishExecution(
    id: string,
    owner: string,
    outcome: ExecutionOutcome,
    delivery: CallbackDelivery | null,
  ): Promise<boolean>;

  // --- The scheduler (across all tenants) ---

  /**
   * Active reports that have no execution Pending, Paused or Running: the scheduler plans their
   * next slot or makes them Inactive. Ordered by id; `afterId` continues a scan.
   */
  listReportsToPlan(limit: number, afterId?: string): Promise<StoredReport[]>;
  /** A report's execution with the latest scheduled time, whatever its status. */
  latestExecution(reportId: string): Promise<StoredExecution | undefined>;
  /**
   * Sets a report's status when it is currently one of `from`; false otherwise. A report becomes
   * Inactive only while it has no execution Pending, Paused or Running (checked in the same statement).
   */
  setReportStatus(
    reportId: string,
    from: readonly ReportStatus[],
    to: ReportStatus,
    at: Date,
  ): Promise<boolean>;

  // --- The callback outbox ---

  /** Claims up to `limit` Pending deliveries due at `now` (or whose lease expired), like executions. */
  claimDeliveries(owner: string, now: Date, leaseMs: number, limit: number): Promise<CallbackDelivery[]>;
  /** Records an attempt and the delivery's next state, only while `owner` holds its lease. */
  recordDeliveryAttempt(
    id: string,
    owner: string,
    attempt: DeliveryAttempt,
    next: DeliveryNext,
  ): Promise<boolean>;
  /** The deliveries (with every attempt, oldest first) of a report's executions, oldest first. */
  listReportDeliveries(
    scope: Scope,
    reportId: string,
  ): Promise<(CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] })[]>;
  /**
   * Sends an execution's callback again: its delivery becomes Pending, due at `now` (its attempts
   * go on counting). `busy` while an attempt holds its lease; `missing` when it has no delivery.
   */
  redeliver(scope: Scope, executionId: string, now: Date): Promise<"queued" | "busy" | "missing">;
  /** The deliveries (with every attempt, oldest first) of some executions of the scope. */
  listDeliveries(
    scope: Scope,
    executionIds: readonly string[],
  ): Promise<(CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] })[]>;

  // --- Operations ---

  recordAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries matching every given filter, in (createdTime, id) order. */
  listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>>;
  /** Deletes up to `limit` audit entries older than `before`; returns how many. */
  purgeAudit(before: Date, limit: number): Promise<number>;

  /**
   * The queue at `now`: Pending executions due (and when the oldest became due), and those never
   * started whose slot is at or before `overdueBefore`.
   */
  queueStats(now: Date, overdueBefore: Date): Promise<QueueStats>;
  /**
   * Takes a token from the rate-limit bucket `bucket` (refilled at `perMinute`, holding as many),
   * shared by every process using the store. Absent: each process limits on its own.
   */
  takeRateToken?(bucket: string, perMinute: number, now: Date): Promise<TokenTaken>;
  /** Connections of the store's pool, when it has one (PostgreSQL). */
  poolStats?(): { readonly total: number; readonly idle: number; readonly waiting: number };

  // --- Loads (the operator API; every tenant) ---

  createLoad(load: StoredLoad): Promise<void>;
  /** Records how a Running load ended; false (and nothing changes) when it is not Running. */
  finishLoad(id: string, outcome: LoadOutcome): Promise<boolean>;
  /** Loads newest first (started, then id, descending); `page.after` continues after an item. */
  listLoads(filter: LoadFilter, page: PageRequest): Promise<Page<StoredLoad>>;
  /** When each dataset of the program last had a load of the tenant completed (datasets never loaded are absent). */
  lastLoadTimes(tenant: string, program: Program): Promise<Map<string, Date>>;

  // --- The stand-in: test clocks and fault rules (docs/test-clocks.md, docs/faults.md) ---

  createTestClock(clock: StoredTestClock): Promise<void>;
  getTestClock(scope: Scope, id: string): Promise<StoredTestClock | undefined>;
  /** The scope's clocks in creation order (a tenant has few: not paged). */
  listTestClocks(scope: Scope): Promise<StoredTestClock[]>;
  /** Replaces the clock row (same id and scope); false when it no longer exists. */
  updateTestClock(clock: StoredTestClock): Promise<boolean>;
  deleteTestClock(scope: Scope, id: string): Promise<boolean>;
  /** The reports that live on a clock, by id. */
  listClockReports(scope: Scope, clockId: string): Promise<StoredReport[]>;
  /**
   * The fault rules every process applies, as the JSON they were set with, or null when none are
   * set. Kept in the metadata store so that every process sharing it applies the same rules.
   */
  getFaultRules(): Promise<string | null>;
  /** Replaces the fault rules (null clears them). */
  setFaultRules(rules: string | null, at: Date): Promise<void>;

  // --- Dataset file sets (the DuckDB engine's data, docs/loading.md) ---

  /** The current file set of one (program, table, tenant); undefined when never loaded. */
  getFileSet(key: FileSetKey): Promise<FileSet | undefined>;
  /** Every current file set of a program (or of one of its tables), any tenant. */
  listFileSets(program: Program, table?: string): Promise<FileSet[]>;
  /**
   * Replaces the file set of `key` when its version is still `expectedVersion` (0: none yet), in one
   * transaction: the load's commit point. Files of the old set that the new one drops are recorded
   * as retired at `at`. With `completes`, that Running load becomes Completed with `rowCount` in the
   * same transaction. Returns the new set, or undefined when another commit came first.
   */
  commitFileSet(
    key: FileSetKey,
    expectedVersion: number,
    files: readonly DatasetFile[],
    at: Date,
    completes?: LoadCompletion & { readonly rowCount: number },
  ): Promise<FileSet | undefined>;
  /** Removes up to `limit` retired files retired before `before` from the list; returns their names. */
  takeRetiredFiles(before: Date, limit: number): Promise<string[]>;
  /** Every file named by a current set or the retired list (to tell leftovers of killed loads). */
  knownDatasetFiles(): Promise<Set<string>>;

  /** A Running load's heartbeat; false when it is no longer Running. */
  heartbeatLoad(id: string, at: Date): Promise<boolean>;
  /**
   * Fails Running loads whose heartbeat (or start, before the first one) is older than `before`:
   * their process died (a SIGKILL); returns how many.
   */
  failStaleLoads(before: Date, reason: string, at: Date): Promise<number>;

  // --- Retention ---

  /**
   * Deletes up to `limit` executions (with their deliveries) scheduled before `before` that are
   * finished (Completed, Failed) and are not their report's latest execution (which anchors the
   * schedule); returns their non-null file keys.
   */
  purgeExecutions(before: Date, limit: number): Promise<string[]>;

  /**
   * Calls back when another process queued work (a new execution, a retry, a callback), so idle
   * workers wake at once instead of at their next poll; returns the unsubscribe function. Optional:
   * stores without notifications (SQLite) rely on polling alone.
   */
  onWork?(callback: () => void): () => void;

  close(): Promise<void>;
}
