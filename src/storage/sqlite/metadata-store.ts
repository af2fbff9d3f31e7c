/**
 * `MetadataStore` on one SQLite file (better-sqlite3 through Kysely).
 *
 * - WAL journal, `synchronous = FULL` (a committed transaction survives power loss),
 *   `busy_timeout` so a second process waits for the write lock instead of failing, and
 *   foreign keys on.
 * - Instants are stored as INTEGER epoch milliseconds and booleans as INTEGER 0/1 (see `schema.ts`).
 * - Every statement that touches a tenant-owned row filters on (tenant, program).
 * - Quota checks and multi-row writes run in one transaction. Kysely's SQLite driver serialises
 *   this process's statements on its single connection; transactions start with
 *   `BEGIN IMMEDIATE`, so a check-then-insert also excludes writers in other processes (a
 *   deferred transaction would fail with SQLITE_BUSY when upgrading its read lock).
 * - Open ONE store per file per process: better-sqlite3 is synchronous, so a second store in
 *   the same thread waiting for the first one's write lock blocks the event loop the first
 *   one needs to finish (it fails after `busyTimeoutMs`). Other processes are fine.
 */
import Database from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Expression,
  Kysely,
  type SqlBool,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
  type Transaction,
} from "kysely";
import type { ExecutionOutcome, ExecutionStatus, StoredExecution } from "../../executions/model.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../../reports/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryNext } from "../../webhooks/model.js";
import type {
  CreateOutcome,
  Cursor,
  ExecutionFilter,
  MetadataStore,
  Page,
  PageRequest,
  QueryFilter,
  ReportFilter,
  ReportQuotas,
  Scope,
} from "../ports.js";
import { migrateToLatest } from "./migrations.js";
import {
  attemptToRow,
  deliveryToRow,
  executionToRow,
  foldName,
  queryToRow,
  reportToRow,
  rowToAttempt,
  rowToDelivery,
  rowToExecution,
  rowToQuery,
  rowToReport,
  toMs,
  toMsOrNull,
} from "./rows.js";
import type { ExecutionsTable, MetadataDatabase } from "./schema.js";

export interface SqliteMetadataStoreOptions {
  /** The database file (created when missing). */
  readonly path: string;
  /** How long a statement waits for another process's lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

const OK: CreateOutcome = Object.freeze({ ok: true });
const QUERY_QUOTA: CreateOutcome = Object.freeze({ ok: false, reason: "queries" });
const ACTIVE_QUOTA: CreateOutcome = Object.freeze({ ok: false, reason: "activeReports" });
const EXECUTE_NOW_QUOTA: CreateOutcome = Object.freeze({ ok: false, reason: "executeNow" });
/** Rows per multi-row INSERT: 22 columns × 400 stays far below SQLite's bound-parameter limit. */
const INSERT_CHUNK = 400;
/** Values per `IN (…)` list of caller-supplied ids. */
const IN_CHUNK = 500;
/** Execution statuses that still wait for or hold a worker: the report is not ready to plan. */
const UNFINISHED: readonly ExecutionStatus[] = ["Pending", "Paused", "Running"];
/** Execution statuses retention may delete. */
const FINISHED: readonly ExecutionStatus[] = ["Completed", "Failed"];

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it cannot, so its `Migrator`
 * would apply migrations statement by statement: a failure half-way would leave a half-migrated
 * file, and two processes opening a new file could both start migrating. Saying yes makes the
 * migrator run all pending migrations (and its bookkeeping) in one `BEGIN IMMEDIATE` transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/**
 * Kysely's SQLite dialect with `BEGIN IMMEDIATE` transactions (see the file comment) and
 * transactional migrations.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export async function openSqliteMetadataStore(options: SqliteMetadataStoreOptions): Promise<MetadataStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  const sqlite = new Database(options.path);
  try {
    // busy_timeout first: switching to WAL itself needs a lock another process may hold.
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = FULL");
    sqlite.pragma("foreign_keys = ON");
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<MetadataDatabase>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqliteMetadataStore(db);
}

type Db = Kysely<MetadataDatabase> | Transaction<MetadataDatabase>;

/** `(created_time, id) > (cursor)`, the keyset condition of every list (unqualified columns). */
function afterCursor(cursor: Cursor): Expression<SqlBool> {
  const ms = toMs(cursor.createdTime);
  const created = sql.ref("created_time");
  return sql<SqlBool>`(${created} > ${ms} or (${created} = ${ms} and ${sql.ref("id")} > ${cursor.id}))`;
}

function checkLimit(page: PageRequest): number {
  if (!Number.isInteger(page.limit) || page.limit < 1) {
    throw new RangeError(`Page limit must be a positive integer, got ${page.limit}`);
  }
  return page.limit;
}

/** Rows were fetched with `limit + 1`: the extra row only says that more follow. */
function toPage<R, T extends { readonly createdTime: Date; readonly id: string }>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  if (rows.length <= limit || last === undefined) return { items };
  return { items, next: { createdTime: last.createdTime, id: last.id } };
}

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reorders `rows` to follow `ids` (the order a claim selected them in). */
function inIdOrder<R extends { readonly id: string }>(ids: readonly string[], rows: readonly R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [row];
  });
}

/** Creation order, the order deliveries are listed in (ids compared like SQLite's BINARY collation for ASCII). */
function byCreatedThenId(a: CallbackDelivery, b: CallbackDelivery): number {
  const dt = a.createdTime.getTime() - b.createdTime.getTime();
  if (dt !== 0) return dt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function count(value: bigint | number | string | undefined): number {
  return Number(value ?? 0);
}

function sameScope(a: Scope, b: Scope): boolean {
  return a.tenant === b.tenant && a.program === b.program;
}

class SqliteMetadataStore implements MetadataStore {
  readonly capabilities = Object.freeze({ multiWriter: false, skipLocked: false });
  readonly #db: Kysely<MetadataDatabase>;
  #closed = false;

  constructor(db: Kysely<MetadataDatabase>) {
    this.#db = db;
  }

  // ── queries ───────────────────────────────────────────────────────────────

  async createQuery(query: StoredQuery, maxQueries: number): Promise<CreateOutcome> {
    return this.#db.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom("report_queries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenant", "=", query.tenant)
        .where("program", "=", query.program)
        .executeTakeFirstOrThrow();
      if (count(n) >= maxQueries) return QUERY_QUOTA;
      await trx.insertInto("report_queries").values(queryToRow(query)).execute();
      return OK;
    });
  }

  async getQuery(scope: Scope, id: string): Promise<StoredQuery | undefined> {
    const row = await this.#db
      .selectFrom("report_queries")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToQuery(row);
  }

  async listQueries(scope: Scope, filter: QueryFilter, page: PageRequest): Promise<Page<StoredQuery>> {
    const limit = checkLimit(page);
    let q = this.#db
      .selectFrom("report_queries")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program);
    if (filter.id !== undefined) q = q.where("id", "=", filter.id);
    if (filter.name !== undefined) q = q.where("name_key", "=", foldName(filter.name));
    if (page.after !== undefined) q = q.where(afterCursor(page.after));
    const rows = await q
      .orderBy("created_time")
      .orderBy("id")
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, rowToQuery);
  }

  async deleteQuery(scope: Scope, id: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom("report_queries")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // ── reports ───────────────────────────────────────────────────────────────

  async createReport(
    report: StoredReport,
    executions: readonly StoredExecution[],
    quotas: ReportQuotas,
  ): Promise<CreateOutcome> {
    for (const e of executions) {
      if (e.reportId !== report.id || !sameScope(e, report)) {
        throw new Error(`Execution ${e.id} does not belong to report ${report.id}`);
      }
    }
    return this.#db.transaction().execute(async (trx) => {
      // Checked in this order, so a report over both limits is refused for `activeReports`.
      // A new Inactive report does not add to the active count.
      if (report.status !== "Inactive") {
        const { n } = await trx
          .selectFrom("reports")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("tenant", "=", report.tenant)
          .where("program", "=", report.program)
          .where("status", "!=", "Inactive")
          .executeTakeFirstOrThrow();
        if (count(n) >= quotas.maxActiveReports) return ACTIVE_QUOTA;
      }
      if (report.executeNow) {
        // Window (now - windowMs, now]; every status counts (a finished ExecuteNow report is Inactive).
        const end = toMs(quotas.now);
        const { n } = await trx
          .selectFrom("reports")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("tenant", "=", report.tenant)
          .where("program", "=", report.program)
          .where("execute_now", "=", 1)
          .where("created_time", ">", end - quotas.executeNowWindowMs)
          .where("created_time", "<=", end)
          .executeTakeFirstOrThrow();
        if (count(n) >= quotas.maxExecuteNow) return EXECUTE_NOW_QUOTA;
      }
      await trx.insertInto("reports").values(reportToRow(report)).execute();
      await insertExecutions(trx, executions.map(executionToRow));
      return OK;
    });
  }

  async getReport(scope: Scope, id: string): Promise<StoredReport | undefined> {
    const row = await this.#db
      .selectFrom("reports")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToReport(row);
  }

  async listReports(scope: Scope, filter: ReportFilter, page: PageRequest): Promise<Page<StoredReport>> {
    const limit = checkLimit(page);
    if (filter.ids !== undefined && filter.ids.length === 0) return { items: [] };
    let q = this.#db
      .selectFrom("reports")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program);
    if (filter.ids !== undefined) q = q.where("id", "in", filter.ids);
    if (filter.name !== undefined) q = q.where("name_key", "=", foldName(filter.name));
    if (filter.queryId !== undefined) q = q.where("query_id", "=", filter.queryId);
    if (page.after !== undefined) q = q.where(afterCursor(page.after));
    const rows = await q
      .orderBy("created_time")
      .orderBy("id")
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, rowToReport);
  }

  async countReportsUsingQuery(scope: Scope, queryId: string): Promise<number> {
    const { n } = await this.#db
      .selectFrom("reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("query_id", "=", queryId)
      .where("status", "!=", "Inactive")
      .executeTakeFirstOrThrow();
    return count(n);
  }

  async updateReport(report: StoredReport): Promise<boolean> {
    const { id, tenant, program, ...changes } = reportToRow(report);
    const result = await this.#db
      .updateTable("reports")
      .set(changes)
      .where("tenant", "=", tenant)
      .where("program", "=", program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteReport(scope: Scope, id: string): Promise<{ deleted: boolean; fileKeys: string[] }> {
    return this.#db.transaction().execute(async (trx) => {
      const keyed = await trx
        .selectFrom("executions")
        .select("file_key")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("report_id", "=", id)
        .where("file_key", "is not", null)
        .orderBy("scheduled_time")
        .execute();
      // Explicit, although the foreign keys cascade too: the intent does not rest on a pragma.
      const deliveries = trx
        .selectFrom("callback_deliveries")
        .select("id")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("report_id", "=", id);
      await trx.deleteFrom("callback_attempts").where("delivery_id", "in", deliveries).execute();
      await trx
        .deleteFrom("callback_deliveries")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("report_id", "=", id)
        .execute();
      await trx
        .deleteFrom("executions")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("report_id", "=", id)
        .execute();
      const result = await trx
        .deleteFrom("reports")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("id", "=", id)
        .executeTakeFirst();
      const fileKeys = keyed.flatMap((r) => (r.file_key === null ? [] : [r.file_key]));
      return { deleted: result.numDeletedRows > 0n, fileKeys };
    });
  }

  // ── executions ────────────────────────────────────────────────────────────

  async createExecutions(executions: readonly StoredExecution[]): Promise<number> {
    if (executions.length === 0) return 0;
    return this.#db.transaction().execute(async (trx) => {
      // An execution whose report is missing from its scope (deleted meanwhile, or another
      // tenant's id) is skipped like a duplicate slot.
      const known = new Map<string, boolean>();
      const rows: ExecutionsTable[] = [];
      for (const e of executions) {
        const key = JSON.stringify([e.tenant, e.program, e.reportId]);
        let exists = known.get(key);
        if (exists === undefined) {
          const row = await trx
            .selectFrom("reports")
            .select("id")
            .where("tenant", "=", e.tenant)
            .where("program", "=", e.program)
            .where("id", "=", e.reportId)
            .executeTakeFirst();
          exists = row !== undefined;
          known.set(key, exists);
        }
        if (exists) rows.push(executionToRow(e));
      }
      return insertExecutions(trx, rows);
    });
  }

  async listExecutions(
    scope: Scope,
    filter: ExecutionFilter,
    page: PageRequest,
  ): Promise<Page<StoredExecution>> {
    const limit = checkLimit(page);
    const { reportIds, executionIds, statuses } = filter;
    if (reportIds.length === 0 || executionIds?.length === 0 || statuses?.length === 0) {
      return { items: [] };
    }
    let matching = this.#db
      .selectFrom("executions")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "in", reportIds);
    if (executionIds !== undefined) matching = matching.where("id", "in", executionIds);
    if (statuses !== undefined) matching = matching.where("status", "in", statuses);
    if (filter.since !== undefined) matching = matching.where("scheduled_time", ">=", toMs(filter.since));

    if (filter.latestOnly === true) {
      // Slots are unique per report, so row_number() = 1 picks exactly one row per report.
      const ranked = matching.select((eb) =>
        eb.fn
          .agg<number>("row_number")
          .over((ob) => ob.partitionBy("report_id").orderBy("scheduled_time", "desc"))
          .as("slot_rank"),
      );
      let q = this.#db.selectFrom(ranked.as("m")).selectAll("m").where("m.slot_rank", "=", 1);
      if (page.after !== undefined) q = q.where(afterCursor(page.after));
      const rows = await q
        .orderBy("m.created_time")
        .orderBy("m.id")
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, rowToExecution);
    }

    if (page.after !== undefined) matching = matching.where(afterCursor(page.after));
    const rows = await matching
      .orderBy("created_time")
      .orderBy("id")
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, rowToExecution);
  }

  async findExecution(tenant: string, id: string): Promise<StoredExecution | undefined> {
    const row = await this.#db
      .selectFrom("executions")
      .selectAll()
      .where("tenant", "=", tenant)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToExecution(row);
  }

  async deleteWaitingExecutions(scope: Scope, reportId: string): Promise<number> {
    const result = await this.#db
      .deleteFrom("executions")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "=", reportId)
      .where("status", "in", ["Pending", "Paused"])
      .where("attempts", "=", 0)
      .executeTakeFirst();
    return count(result.numDeletedRows);
  }

  async setExecutionStatus(
    scope: Scope,
    reportId: string,
    from: readonly ExecutionStatus[],
    to: ExecutionStatus,
    at: Date,
  ): Promise<number> {
    if (from.length === 0) return 0;
    const result = await this.#db
      .updateTable("executions")
      .set({ status: to, modified_time: toMs(at) })
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "=", reportId)
      .where("status", "in", from)
      .executeTakeFirst();
    return count(result.numUpdatedRows);
  }

  // ── the execution queue ───────────────────────────────────────────────────

  async claimExecutions(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<StoredExecution[]> {
    checkPositiveInteger("leaseMs", leaseMs);
    checkPositiveInteger("limit", limit);
    const nowMs = toMs(now);
    // BEGIN IMMEDIATE takes the write lock before the SELECT, so no other process can claim the
    // same rows between it and the UPDATE (and a stale read snapshot cannot fail the upgrade).
    return this.#db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom("executions as e")
        .select("e.id")
        .where((eb) =>
          eb.or([
            eb.and([eb("e.status", "=", "Pending"), eb("e.next_attempt_at", "<=", nowMs)]),
            // A Running row without a lease expiry cannot be renewed or finished by anyone: reclaim it too.
            eb.and([
              eb("e.status", "=", "Running"),
              eb.or([eb("e.lease_expires_at", "<=", nowMs), eb("e.lease_expires_at", "is", null)]),
            ]),
          ]),
        )
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("reports as r")
              .select("r.id")
              .whereRef("r.id", "=", "e.report_id")
              // A paused report's work waits; an Inactive report's last executions still run.
              .where("r.status", "<>", "Paused"),
          ),
        )
        .orderBy("e.next_attempt_at")
        .orderBy("e.id")
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      const rows = await trx
        .updateTable("executions")
        .set((eb) => ({
          status: "Running",
          lease_owner: owner,
          lease_expires_at: nowMs + leaseMs,
          attempts: eb("attempts", "+", 1),
          modified_time: nowMs,
        }))
        .where("id", "in", ids)
        .returningAll()
        .execute();
      return inIdOrder(ids, rows).map(rowToExecution);
    });
  }

  async renewExecutionLease(id: string, owner: string, until: Date): Promise<boolean> {
    // The owner may renew a little late, as long as nobody has reclaimed the execution since.
    const result = await this.#db
      .updateTable("executions")
      .set({ lease_expires_at: toMs(until) })
      .where("id", "=", id)
      .where("status", "=", "Running")
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async moveExecutionToSlot(
    id: string,
    owner: string,
    scheduledTime: Date,
    skippedSlots: number,
  ): Promise<boolean> {
    try {
      const result = await this.#db
        .updateTable("executions")
        .set({
          scheduled_time: toMs(scheduledTime),
          next_attempt_at: toMs(scheduledTime),
          skipped_slots: skippedSlots,
        })
        .where("id", "=", id)
        .where("status", "=", "Running")
        .where("lease_owner", "=", owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    } catch (error) {
      // The slot is already taken (UNIQUE report_id, scheduled_time): leave the execution where it is.
      if (String((error as Error).message).includes("UNIQUE")) return false;
      throw error;
    }
  }

  async finishExecution(
    id: string,
    owner: string,
    outcome: ExecutionOutcome,
    delivery: CallbackDelivery | null,
  ): Promise<boolean> {
    if (delivery !== null) {
      if (outcome.status !== "Completed") {
        throw new Error(
          `Only a Completed execution enqueues a callback (execution ${id} is ${outcome.status})`,
        );
      }
      if (delivery.executionId !== id) {
        throw new Error(`Delivery ${delivery.id} belongs to execution ${delivery.executionId}, not ${id}`);
      }
    }
    const at = toMs(outcome.at);
    const cleared = { lease_owner: null, lease_expires_at: null, modified_time: at };
    const changes =
      outcome.status === "Completed"
        ? {
            ...cleared,
            status: "Completed",
            file_key: outcome.fileKey,
            row_count: outcome.rowCount,
            bytes: outcome.bytes,
            sha256: outcome.sha256,
            generated_time: at,
            window_start: toMsOrNull(outcome.windowStart),
            window_end: toMsOrNull(outcome.windowEnd),
            failure_code: null,
            failure_reason: null,
          }
        : outcome.status === "Retry"
          ? {
              ...cleared,
              status: "Pending",
              next_attempt_at: toMs(outcome.retryAt),
              failure_code: outcome.code,
              failure_reason: outcome.reason,
            }
          : { ...cleared, status: "Failed", failure_code: outcome.code, failure_reason: outcome.reason };
    const deliveryRow = delivery === null ? null : deliveryToRow(delivery);
    return this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("executions")
        .set(changes)
        .where("id", "=", id)
        .where("status", "=", "Running")
        .where("lease_owner", "=", owner)
        .returning(["report_id", "tenant", "program"])
        .executeTakeFirst();
      if (updated === undefined) return false;
      if (deliveryRow !== null) {
        if (
          deliveryRow.report_id !== updated.report_id ||
          deliveryRow.tenant !== updated.tenant ||
          deliveryRow.program !== updated.program
        ) {
          // Throwing rolls the execution's update back too.
          throw new Error(
            `Delivery ${deliveryRow.id} does not match the report and scope of execution ${id}`,
          );
        }
        await trx.insertInto("callback_deliveries").values(deliveryRow).execute();
      }
      return true;
    });
  }

  // ── the scheduler ─────────────────────────────────────────────────────────

  async listReportsToPlan(limit: number, afterId?: string): Promise<StoredReport[]> {
    checkPositiveInteger("limit", limit);
    let q = this.#db
      .selectFrom("reports as r")
      .selectAll("r")
      .where("r.status", "=", "Active")
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("executions as e")
              .select("e.id")
              .whereRef("e.report_id", "=", "r.id")
              .where("e.status", "in", UNFINISHED),
          ),
        ),
      );
    if (afterId !== undefined) q = q.where("r.id", ">", afterId);
    const rows = await q.orderBy("r.id").limit(limit).execute();
    return rows.map(rowToReport);
  }

  async latestExecution(reportId: string): Promise<StoredExecution | undefined> {
    const row = await this.#db
      .selectFrom("executions")
      .selectAll()
      .where("report_id", "=", reportId)
      .orderBy("scheduled_time", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : rowToExecution(row);
  }

  async setReportStatus(
    reportId: string,
    from: readonly ReportStatus[],
    to: ReportStatus,
    at: Date,
  ): Promise<boolean> {
    if (from.length === 0) return false;
    let update = this.#db
      .updateTable("reports")
      .set({ status: to, modified_time: toMs(at) })
      .where("id", "=", reportId)
      .where("status", "in", from);
    if (to === "Inactive") {
      // Never while work is queued: another scheduler may just have planned the next slot.
      update = update.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("executions as e")
              .select("e.id")
              .whereRef("e.report_id", "=", "reports.id")
              .where("e.status", "in", ["Pending", "Paused", "Running"]),
          ),
        ),
      );
    }
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  // ── the callback outbox ───────────────────────────────────────────────────

  async claimDeliveries(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<CallbackDelivery[]> {
    checkPositiveInteger("leaseMs", leaseMs);
    checkPositiveInteger("limit", limit);
    const nowMs = toMs(now);
    // A claimed delivery stays Pending; its lease says who is sending it, until when.
    return this.#db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom("callback_deliveries")
        .select("id")
        .where("status", "=", "Pending")
        .where("next_attempt_at", "<=", nowMs)
        .where((eb) =>
          eb.or([
            eb("lease_owner", "is", null),
            eb("lease_expires_at", "is", null),
            eb("lease_expires_at", "<=", nowMs),
          ]),
        )
        .orderBy("next_attempt_at")
        .orderBy("id")
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((r) => r.id);
      const rows = await trx
        .updateTable("callback_deliveries")
        .set({ lease_owner: owner, lease_expires_at: nowMs + leaseMs })
        .where("id", "in", ids)
        .returningAll()
        .execute();
      return inIdOrder(ids, rows).map(rowToDelivery);
    });
  }

  async recordDeliveryAttempt(
    id: string,
    owner: string,
    attempt: DeliveryAttempt,
    next: DeliveryNext,
  ): Promise<boolean> {
    if (attempt.deliveryId !== id) {
      throw new Error(`Attempt of delivery ${attempt.deliveryId} recorded on delivery ${id}`);
    }
    const attemptRow = attemptToRow(attempt);
    const changes = {
      attempts: attempt.attempt,
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
      lease_owner: null,
      lease_expires_at: null,
      status: next.status,
      ...(next.status === "Pending" ? { next_attempt_at: toMs(next.nextAttemptAt) } : {}),
      ...(next.status === "Delivered" ? { delivered_at: attemptRow.at } : {}),
    };
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("callback_deliveries")
        .set(changes)
        .where("id", "=", id)
        .where("status", "=", "Pending")
        .where("lease_owner", "=", owner)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      // A duplicate attempt number fails here and rolls the update back.
      await trx.insertInto("callback_attempts").values(attemptRow).execute();
      return true;
    });
  }

  async listDeliveries(
    scope: Scope,
    executionIds: readonly string[],
  ): Promise<(CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] })[]> {
    if (executionIds.length === 0) return [];
    const deliveries = [];
    for (const part of chunks([...new Set(executionIds)], IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom("callback_deliveries")
        .selectAll()
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("execution_id", "in", part)
        .execute();
      deliveries.push(...rows.map(rowToDelivery));
    }
    deliveries.sort(byCreatedThenId);
    const log = new Map<string, DeliveryAttempt[]>(deliveries.map((d) => [d.id, []]));
    for (const part of chunks([...log.keys()], IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom("callback_attempts")
        .selectAll()
        .where("delivery_id", "in", part)
        .orderBy("delivery_id")
        .orderBy("attempt")
        .execute();
      for (const row of rows) log.get(row.delivery_id)?.push(rowToAttempt(row));
    }
    return deliveries.map((d) => ({ ...d, attemptLog: log.get(d.id) ?? [] }));
  }

  // ── retention ─────────────────────────────────────────────────────────────

  async purgeExecutions(before: Date, limit: number): Promise<string[]> {
    checkPositiveInteger("limit", limit);
    const beforeMs = toMs(before);
    return this.#db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom("executions")
        .select(["id", "file_key"])
        .where("status", "in", FINISHED)
        .where("scheduled_time", "<", beforeMs)
        // A report's latest execution anchors its schedule: it is kept.
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("executions as later")
              .select("later.id")
              .whereRef("later.report_id", "=", "executions.report_id")
              .whereRef("later.scheduled_time", ">", "executions.scheduled_time"),
          ),
        )
        .orderBy("scheduled_time")
        .orderBy("id")
        .limit(limit)
        .execute();
      if (doomed.length === 0) return [];
      for (const part of chunks(
        doomed.map((r) => r.id),
        IN_CHUNK,
      )) {
        // Explicit, although the foreign keys cascade too (see deleteReport).
        const deliveries = trx
          .selectFrom("callback_deliveries")
          .select("id")
          .where("execution_id", "in", part);
        await trx.deleteFrom("callback_attempts").where("delivery_id", "in", deliveries).execute();
        await trx.deleteFrom("callback_deliveries").where("execution_id", "in", part).execute();
        await trx.deleteFrom("executions").where("id", "in", part).execute();
      }
      return doomed.flatMap((r) => (r.file_key === null ? [] : [r.file_key]));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }
}

/** Inserts rows, skipping any whose (report_id, scheduled_time) exists; returns the number inserted. */
async function insertExecutions(db: Db, rows: readonly ExecutionsTable[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const result = await db
      .insertInto("executions")
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(["report_id", "scheduled_time"]).doNothing())
      .executeTakeFirst();
    inserted += count(result.numInsertedOrUpdatedRows);
  }
  return inserted;
}
