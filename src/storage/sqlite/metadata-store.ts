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
} from "kysely";
import type { ExecutionStatus, StoredExecution } from "../../executions/model.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../../reports/model.js";
import type { CallbackDelivery } from "../../webhooks/model.js";
import {
  ACTIVE_QUOTA,
  byCreationOrder,
  checkPositiveInteger,
  checkReportExecutions,
  chunks,
  count,
  executionFileKeys,
  insertExecutionRows,
  type KyselyDialectParts,
  KyselyMetadataStore,
  OK,
  QUERY_QUOTA,
} from "../kysely/store.js";
import type { CreateOutcome, MetadataStore, ReportQuotas, Scope } from "../ports.js";
import { migrateToLatest } from "./migrations.js";
import {
  attemptToRow,
  auditToRow,
  deliveryToRow,
  executionToRow,
  fromInstant,
  loadToRow,
  queryToRow,
  reportToRow,
  rowToAttempt,
  rowToAudit,
  rowToDelivery,
  rowToExecution,
  rowToLoad,
  rowToQuery,
  rowToReport,
  rowToTestClock,
  testClockToRow,
  toMs,
} from "./rows.js";
import type { ExecutionsTable, MetadataDatabase } from "./schema.js";

export interface SqliteMetadataStoreOptions {
  /** The database file (created when missing). */
  readonly path: string;
  /** How long a statement waits for another process's lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** Rows per multi-row INSERT: 22 columns × 400 stays far below SQLite's bound-parameter limit. */
const INSERT_CHUNK = 400;
/** Values per `IN (…)` list of caller-supplied ids. */
const IN_CHUNK = 500;
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

const TRANSACTION_CONTROL = /^\s*(begin|commit|end|rollback|savepoint|release)\b/i;

/**
 * The connection's statements, and its change version: a number that changes whenever the
 * database may have changed.
 *
 * - Kysely prepares each statement anew; most of a small query's cost is that preparation, and
 *   the service runs the same few dozen statements over and over. Statements are run
 *   synchronously, one at a time (no streaming), so one prepared statement per text can serve
 *   every call.
 * - Every statement of this connection passes through `prepare` just before it runs, so a
 *   statement that may write moves the number on. Transaction control does not: the writes in a
 *   transaction move it themselves, before they run, and no read of this connection runs inside
 *   another caller's transaction (Kysely holds the connection); so a claim that finds nothing to
 *   claim (BEGIN IMMEDIATE, SELECT, COMMIT, every poll) drops nothing that was kept.
 * - `PRAGMA data_version` changes when another connection (another process) commits.
 *
 * Together they tell the store when results it kept may be stale (`StatementTemplates`).
 */
function watchStatements(sqlite: Database.Database, limit = 1000): () => number {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  let version = 0;
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      if (cache.size >= limit) cache.clear();
      statement = prepare(source);
      cache.set(source, statement);
    }
    if (!statement.readonly && !TRANSACTION_CONTROL.test(source)) version++;
    return statement;
  }) as typeof sqlite.prepare;
  const dataVersion = prepare("pragma data_version").pluck();
  let othersAt = dataVersion.get();
  return () => {
    const others = dataVersion.get();
    if (others !== othersAt) {
      othersAt = others;
      version++;
    }
    return version;
  };
}

/**
 * `journal_mode = WAL`, retried while another process holds the lock: SQLite answers SQLITE_BUSY to
 * a journal-mode change at once, without its busy handler, when waiting could deadlock — which
 * processes opening a fresh database at the same moment hit (1 start in ~40 of four processes).
 */
async function switchToWal(sqlite: Database.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      sqlite.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
}

export async function openSqliteMetadataStore(options: SqliteMetadataStoreOptions): Promise<MetadataStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  const sqlite = new Database(options.path);
  let changeVersion: () => number;
  try {
    // busy_timeout first: switching to WAL itself needs a lock another process may hold.
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    await switchToWal(sqlite, busyTimeoutMs);
    sqlite.pragma("synchronous = FULL");
    sqlite.pragma("foreign_keys = ON");
    changeVersion = watchStatements(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Kysely<MetadataDatabase>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  try {
    // Migrations 004 and 008 edit table definitions in the schema table, which defensive mode forbids.
    sqlite.unsafeMode(true);
    await migrateToLatest(db);
    sqlite.unsafeMode(false);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqliteMetadataStore(db, changeVersion);
}

type Db = Kysely<MetadataDatabase>;

/** `(created_time, id) > (cursor)`, the keyset condition of every list (unqualified columns). */
function afterCursor(ms: number, id: string): Expression<SqlBool> {
  const created = sql.ref("created_time");
  return sql<SqlBool>`(${created} > ${ms} or (${created} = ${ms} and ${sql.ref("id")} > ${id}))`;
}

/** `column in (…)`, one parameter per value. */
function anyOf(column: string, values: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

/** Reorders `rows` to follow `ids` (the order a claim selected them in). */
function inIdOrder<R extends { readonly id: string }>(ids: readonly string[], rows: readonly R[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [row];
  });
}

const SQLITE_PARTS: KyselyDialectParts<number, number> = {
  rows: {
    rowToQuery,
    reportToRow,
    rowToReport,
    rowToExecution,
    deliveryToRow,
    rowToDelivery,
    attemptToRow,
    rowToAttempt,
    auditToRow,
    rowToAudit,
    loadToRow,
    rowToLoad,
    testClockToRow,
    rowToTestClock,
    fromInstant,
  },
  instant: toMs,
  bool: (value) => (value ? 1 : 0),
  afterCursor,
  anyOf,
  idChunk: IN_CHUNK,
  deliveryOrder: byCreationOrder,
};

/** Inserts rows, skipping any whose (report_id, scheduled_time) exists; returns the number inserted. */
function insertExecutions(db: Db, rows: readonly ExecutionsTable[]): Promise<number> {
  return insertExecutionRows(db, rows, INSERT_CHUNK);
}

class SqliteMetadataStore extends KyselyMetadataStore<number, number> implements MetadataStore {
  readonly capabilities = Object.freeze({ multiWriter: false, skipLocked: false });
  #closed = false;

  constructor(
    db: Kysely<MetadataDatabase>,
    readonly changeVersion: () => number,
  ) {
    super(db, SQLITE_PARTS, { changeVersion });
  }

  // ── queries ───────────────────────────────────────────────────────────────

  async createQuery(query: StoredQuery, maxQueries: number): Promise<CreateOutcome> {
    return this.db.transaction().execute(async (trx) => {
      if ((await this.countQueries(trx, query)) >= maxQueries) return QUERY_QUOTA;
      await trx.insertInto("report_queries").values(queryToRow(query)).execute();
      return OK;
    });
  }

  // ── reports ───────────────────────────────────────────────────────────────

  async createReport(
    report: StoredReport,
    executions: readonly StoredExecution[],
    quotas: ReportQuotas,
  ): Promise<CreateOutcome> {
    checkReportExecutions(report, executions);
    return this.db.transaction().execute(async (trx) => {
      // Checked in this order, so a report over both limits is refused for `activeReports`.
      // A new Inactive report does not add to the active count.
      if (report.status !== "Inactive") {
        if ((await this.countActiveReports(trx, report)) >= quotas.maxActiveReports) return ACTIVE_QUOTA;
      }
      if (report.executeNow) {
        // Window (now - windowMs, now]; every status counts (a finished ExecuteNow report is Inactive).
        const end = toMs(quotas.now);
        const refusal = await this.executeNowRefusal(
          trx,
          report,
          end - quotas.executeNowWindowMs,
          end,
          quotas.maxExecuteNow,
          quotas.executeNowWindowMs,
        );
        if (refusal) return refusal;
      }
      await trx.insertInto("reports").values(reportToRow(report)).execute();
      await insertExecutions(trx, executions.map(executionToRow));
      return OK;
    });
  }

  async deleteReport(scope: Scope, id: string): Promise<{ deleted: boolean; fileKeys: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      const keyed = await trx
        .selectFrom("executions")
        .select(["file_key", "parts"])
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
      return { deleted: result.numDeletedRows > 0n, fileKeys: executionFileKeys(keyed) };
    });
  }

  // ── executions ────────────────────────────────────────────────────────────

  async createExecutions(executions: readonly StoredExecution[]): Promise<number> {
    if (executions.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
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

  async setExecutionStatus(
    scope: Scope,
    reportId: string,
    from: readonly ExecutionStatus[],
    to: ExecutionStatus,
    at: Date,
  ): Promise<number> {
    if (from.length === 0) return 0;
    const result = await this.executionStatusUpdate(
      this.db,
      scope,
      reportId,
      from,
      to,
      at,
    ).executeTakeFirst();
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
    return this.db.transaction().execute(async (trx) => {
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

  async moveExecutionToSlot(
    id: string,
    owner: string,
    scheduledTime: Date,
    skippedSlots: number,
  ): Promise<boolean> {
    try {
      const result = await this.moveToSlotUpdate(id, owner, scheduledTime, skippedSlots).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    } catch (error) {
      // The slot is already taken (UNIQUE report_id, scheduled_time): leave the execution where it is.
      if (String((error as Error).message).includes("UNIQUE")) return false;
      throw error;
    }
  }

  // ── the scheduler ─────────────────────────────────────────────────────────

  async setReportStatus(
    reportId: string,
    from: readonly ReportStatus[],
    to: ReportStatus,
    at: Date,
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.reportStatusUpdate(this.db, reportId, from, to, at).executeTakeFirst();
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
    return this.db.transaction().execute(async (trx) => {
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

  // ── retention ─────────────────────────────────────────────────────────────

  async purgeExecutions(before: Date, limit: number): Promise<string[]> {
    checkPositiveInteger("limit", limit);
    const beforeMs = toMs(before);
    return this.db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom("executions")
        .select(["id", "file_key", "parts"])
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
        // A test clock's reports keep their executions until the clock goes (their slots are on its time).
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("reports")
                .select("reports.id")
                .whereRef("reports.id", "=", "executions.report_id")
                .where("reports.test_clock_id", "is not", null),
            ),
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
      return executionFileKeys(doomed);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}
