/**
 * Ports: what the core needs from storage engines. Adapters live in sibling folders
 * (`duckdb/`, later `sqlite/`, `postgres/`, `disk/`, `s3/`) and never import each other.
 */
import type { AuditEntry, AuditFilter } from "../audit/model.js";
import type { Page, PageRequest } from "../core/paging.js";
import type { DatasetDef, Program } from "../datasets/types.js";
import type { ExecutionOutcome, ExecutionStatus, StoredExecution } from "../executions/model.js";
import type { LoadOutcome, LoadStatus, StoredLoad } from "../loads/model.js";
import type { CompiledSql, Row, SqlDialect } from "../query/compiled.js";
import type { TokenTaken } from "../ratelimit/bucket.js";
import type { Compression, ReportFormat } from "../reports/formats.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../reports/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryNext } from "../webhooks/model.js";

export interface ExportOptions {
  readonly format: ReportFormat;
  /** Whole-file compression (none when absent); one the format takes (reports/formats.ts). */
  readonly compression?: Compression;
  /** Prefix text cells a spreadsheet would run as a formula with `'` (docs/api.md, SpreadsheetSafe). */
  readonly spreadsheetSafe?: boolean;
}

export interface ExportResult {
  readonly rowCount: number;
  readonly bytes: number;
  /** The version of the (dataset, tenant) rows the export read ("0": never loaded). */
  readonly dataVersion: string;
}

export type LoadMode = "append" | "replace";
export type LoadInputFormat = "csv" | "tsv" | "ndjson" | "parquet";

export interface LoadRequest {
  readonly program: Program;
  readonly dataset: DatasetDef;
  readonly tenant: string;
  readonly mode: LoadMode;
  /** mode=replace only: replace just the rows whose time column falls in [from, to). */
  readonly window?: { readonly from: Date; readonly to: Date };
  /** The whole body, already on local disk (decompressed). */
  readonly file: { readonly path: string; readonly format: LoadInputFormat };
  readonly signal?: AbortSignal;
}

export interface LoadResult {
  readonly rowCount: number;
  readonly dataVersion: string;
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
  /** Loads one file of rows into one dataset for one tenant, all or nothing. */
  load(request: LoadRequest): Promise<LoadResult>;
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
  /** Deletes a report's executions that are Pending or Paused and were never attempted (a schedule change); returns how many. */
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
