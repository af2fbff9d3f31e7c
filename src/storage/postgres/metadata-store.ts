/**
 * `MetadataStore` on PostgreSQL (node-postgres `pg` through Kysely), for several processes
 * sharing one database.
 *
 * - One pool per store. The `schema` option puts every table (and the migration bookkeeping)
 *   in that schema, via the connections' `search_path`; without it, the URL's default schema is used.
 * - Migrations run at open in one transaction under an advisory lock per schema, so several
 *   processes starting at once apply them exactly once (see `migrations.ts`).
 * - Workers claim with `FOR UPDATE SKIP LOCKED`: claimers never wait for each other and never take
 *   the same row. The claim reads two small, ordered index ranges (partial indexes on Pending
 *   executions by next_attempt_at, and on Running ones by lease expiry) and stops at `limit`, so
 *   its cost does not grow with the table.
 * - Quota checks run in a transaction that first takes a transaction-scoped advisory lock for the
 *   (schema, tenant, program): concurrent creates in one scope queue there; other scopes don't wait.
 * - Duplicate (report, slot) executions are skipped by the unique key (`ON CONFLICT DO NOTHING`),
 *   whichever process inserts first. Deliveries are claimed like executions.
 * - `onWork` (optional) wakes workers through `LISTEN openinsights_work`; writes that create due
 *   work `NOTIFY` on commit. Workers must still poll: a notification can be missed.
 * - Instants are `timestamptz`, ids `text COLLATE "C"` (byte order, like SQLite), see `schema.ts`.
 */
import { createHash } from "node:crypto";
import {
  type Expression,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type RawBuilder,
  type SqlBool,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import type { ExecutionOutcome, ExecutionStatus, StoredExecution } from "../../executions/model.js";
import type { TokenTaken } from "../../ratelimit/bucket.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../../reports/model.js";
import type { CallbackDelivery } from "../../webhooks/model.js";
import {
  ACTIVE_QUOTA,
  checkPositiveInteger,
  checkReportExecutions,
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
  toDate,
} from "./rows.js";
import type { CallbackDeliveriesTable, ExecutionsTable, MetadataDatabase } from "./schema.js";

export interface PostgresMetadataStoreOptions {
  /** A `postgres://` connection URL. */
  readonly url: string;
  /**
   * The schema holding the tables (created when missing): lower-case letters, digits and `_`.
   * Default: the connection's current schema (normally `public`).
   */
  readonly schema?: string;
  /** Connections in the pool; default 10. */
  readonly poolSize?: number;
  /** How long opening retries while the database is away (refuses or drops connections); default 30 s. */
  readonly startupWaitMs?: number;
}

/** What kind of work a notification announces. */
export type WorkKind = "executions" | "deliveries";

export interface PostgresMetadataStore extends MetadataStore {
  /** The schema the store's tables live in. */
  readonly schema: string;
  /**
   * Calls `callback` when another writer (any process) commits work that may be due: new
   * executions, a retry, a resumed report, a new callback delivery. Also called once after the
   * listening connection is re-established (notifications may have been missed meanwhile).
   * Best effort: keep polling too. Returns an unsubscribe function.
   */
  onWork(callback: (kind: WorkKind) => void): () => void;
  /** Rate-limit buckets are rows of the database: every process shares them. */
  takeRateToken(bucket: string, perMinute: number, now: Date): Promise<TokenTaken>;
}

/** The LISTEN/NOTIFY channel; the payload is `<kind>:<schema>`. */
export const WORK_CHANNEL = "openinsights_work";

/** Rows per multi-row INSERT: 23 columns × 1000 stays far below PostgreSQL's 65535 parameters. */
const INSERT_CHUNK = 1_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const UNIQUE_VIOLATION = "23505";

/** Advisory lock namespaces (first key of the two-int form; "OI" + a number). */
const LOCK_MIGRATE = 0x4f49_0001;
const LOCK_QUERY_QUOTA = 0x4f49_0002;
const LOCK_REPORT_QUOTA = 0x4f49_0003;

/** A stable 32-bit key for `parts` (the second key of an advisory lock). */
function lockKey(...parts: string[]): number {
  return createHash("sha256").update(JSON.stringify(parts)).digest().readInt32BE(0);
}

/** `int8` (counts, bigint columns) as a JS number; refuses values a number cannot hold exactly. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`Integer ${text} is beyond JavaScript's safe range`);
  return n;
}

export async function openPostgresMetadataStore(
  options: PostgresMetadataStoreOptions,
): Promise<PostgresMetadataStore> {
  const { url, schema } = options;
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`poolSize must be a positive integer, got ${poolSize}`);
  }
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(
      `Schema name must be lower-case letters, digits and _ (at most 63), got ${JSON.stringify(schema)}`,
    );
  }
  const connection: pg.ClientConfig = {
    connectionString: url,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  };
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  const pool = new pg.Pool({ ...connection, types, max: poolSize });
  // A connection that breaks (server restart, failover, terminated backend) emits 'error'; without
  // a listener that event crashes the process. The pool listens on idle connections only, so every
  // connection gets its own listener too, for the time it is checked out: the query in progress
  // fails with the error, and the pool drops the broken connection on release.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<MetadataDatabase>({
    dialect: new PostgresDialect({ pool: reportingConnectionLoss(pool) }),
  });
  const startBy = Date.now() + (options.startupWaitMs ?? STARTUP_WAIT_MS);
  try {
    for (;;) {
      try {
        const current = schema ?? (await currentSchema(db));
        await migrateToLatest(db, current, [LOCK_MIGRATE, lockKey(current)]);
        return new PgMetadataStore(db, current, connection, pool);
      } catch (error) {
        // The database went away during start-up (a restart, a failover): start once it is back.
        if (!isUnavailable(error)) throw error;
        // Still away: fail with the server's own error, which names the address and the cause.
        if (Date.now() >= startBy) throw (error as AppError).cause ?? error;
        await new Promise((resolve) => setTimeout(resolve, STARTUP_RETRY_MS));
      }
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** The schema to migrate when none is given: the connection's current one. */
async function currentSchema(db: Kysely<MetadataDatabase>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(db);
  const name = rows[0]?.name ?? undefined;
  if (name === undefined)
    throw new Error("No schema on the connection's search_path to create the tables in");
  return name;
}

/** How long start-up waits for a database that is away (refuses or drops connections). */
const STARTUP_WAIT_MS = 30_000;
const STARTUP_RETRY_MS = 500;

/**
 * PostgreSQL error codes of a lost or refused connection: class 08 (connection exception), the
 * server shutting down or terminating the backend (57P01–57P03), too many connections (53300).
 */
const CONNECTION_LOSS_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Node's socket errors and pg's own messages for a connection that broke or could not be made. */
const SOCKET_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);
const PG_CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect/;

/** True when `error` says the database is away rather than that the statement is wrong. */
export function isConnectionLoss(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (code.startsWith("08") || CONNECTION_LOSS_STATES.has(code) || SOCKET_ERRORS.has(code)) return true;
  }
  return typeof message === "string" && PG_CONNECTION_MESSAGES.test(message);
}

function isUnavailable(error: unknown): boolean {
  return error instanceof AppError && error.code === ERROR_CODES.UNAVAILABLE;
}

/** Rethrows a connection loss as `unavailable` (503 for requests; loops log it and retry). */
function rethrowConnectionLoss(error: unknown): never {
  if (!isConnectionLoss(error)) throw error;
  throw new AppError(
    ERROR_CODES.UNAVAILABLE,
    "The metadata database is unavailable; retry in a few seconds",
    undefined,
    { cause: error },
  );
}

/** `pool` for Kysely, with every connection loss (on checkout or in a query) reported as `unavailable`. */
function reportingConnectionLoss(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect().catch(rethrowConnectionLoss);
      const query = (text: string, parameters: readonly unknown[]) =>
        client.query(text, [...parameters]).catch(rethrowConnectionLoss);
      // Kysely runs no cursors here (none is configured): only the (text, parameters) form is called.
      return {
        query: query as unknown as PostgresPoolClient["query"],
        release: (destroy) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}

type Db = Kysely<MetadataDatabase> | Transaction<MetadataDatabase>;

/** `= any($1::text[])`: one parameter for a whole list of ids. */
function anyText(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${[...values]}::text[])`;
}

/** `column = any($1::text[])`. */
function anyOf(column: string, values: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} = ${anyText(values)}`;
}

/** `(created_time, id) > (cursor)`, the keyset condition of every list (unqualified columns). */
function afterCursor(createdTime: Date, id: string): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref("created_time")}, ${sql.ref("id")}) > (${createdTime}::timestamptz, ${id}::text)`;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === UNIQUE_VIOLATION && e.constraint === constraint;
}

const POSTGRES_PARTS: KyselyDialectParts<Date, boolean> = {
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
  instant: toDate,
  bool: (value) => value,
  afterCursor,
  anyOf,
  // One `= any(…)` parameter holds every id; the database returns deliveries in creation order.
  idChunk: Number.POSITIVE_INFINITY,
};

/** Inserts rows, skipping any whose (report_id, scheduled_time) exists; returns the number inserted. */
function insertExecutions(db: Db, rows: readonly ExecutionsTable[]): Promise<number> {
  return insertExecutionRows(db, rows, INSERT_CHUNK);
}

/**
 * The claim: up to `limit` due executions — Pending and due, or Running with an expired (or no)
 * lease — of Active reports, oldest due first, locked with SKIP LOCKED and leased in the same
 * statement. Each branch reads its partial index in order and stops after `limit` rows.
 * Exported for tests (EXPLAIN); `$`-free, so it can be embedded in another `sql` template.
 */
export function claimExecutionsQuery(
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
): RawBuilder<ExecutionsTable> {
  const nowTs = toDate(now);
  const until = new Date(nowTs.getTime() + leaseMs);
  // A paused report's work waits; an Inactive report's last executions still run.
  const activeReport = sql`exists (select 1 from reports r where r.id = e.report_id and r.status <> 'Paused')`;
  return sql<ExecutionsTable>`
    with pending as (
      select e.id, e.next_attempt_at from executions e
      where e.status = 'Pending' and e.next_attempt_at <= ${nowTs}::timestamptz and ${activeReport}
      order by e.next_attempt_at, e.id
      limit ${limit}
      for update of e skip locked
    ), expired as (
      select e.id, e.next_attempt_at from executions e
      where e.status = 'Running'
        and (e.lease_expires_at <= ${nowTs}::timestamptz or e.lease_expires_at is null)
        and ${activeReport}
      order by e.next_attempt_at, e.id
      limit ${limit}
      for update of e skip locked
    ), due as (
      select c.id from (select * from pending union all select * from expired) c
      order by c.next_attempt_at, c.id
      limit ${limit}
    ), claimed as (
      update executions e
      set status = 'Running', lease_owner = ${owner}, lease_expires_at = ${until}::timestamptz,
          attempts = e.attempts + 1, modified_time = ${nowTs}::timestamptz
      from due where e.id = due.id
      returning e.*
    )
    select * from claimed order by next_attempt_at, id`;
}

/** The delivery claim: Pending, due, not leased (or the lease expired); leased in the same statement. */
export function claimDeliveriesQuery(
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
): RawBuilder<CallbackDeliveriesTable> {
  const nowTs = toDate(now);
  const until = new Date(nowTs.getTime() + leaseMs);
  return sql<CallbackDeliveriesTable>`
    with due as (
      select d.id from callback_deliveries d
      where d.status = 'Pending' and d.next_attempt_at <= ${nowTs}::timestamptz
        and (d.lease_owner is null or d.lease_expires_at is null or d.lease_expires_at <= ${nowTs}::timestamptz)
      order by d.next_attempt_at, d.id
      limit ${limit}
      for update of d skip locked
    ), claimed as (
      update callback_deliveries d
      set lease_owner = ${owner}, lease_expires_at = ${until}::timestamptz
      from due where d.id = due.id
      returning d.*
    )
    select * from claimed order by next_attempt_at, id`;
}

/** The connection that LISTENs for `onWork`, opened on first use and re-opened after a failure. */
class WorkListener {
  readonly #config: pg.ClientConfig;
  readonly #schema: string;
  readonly #callbacks = new Set<(kind: WorkKind) => void>();
  #client: pg.Client | undefined;
  #connecting = false;
  #connectedBefore = false;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, schema: string) {
    this.#config = config;
    this.#schema = schema;
  }

  subscribe(callback: (kind: WorkKind) => void): () => void {
    if (this.#closed) throw new Error("The metadata store is closed");
    this.#callbacks.add(callback);
    this.#ensure();
    return () => {
      this.#callbacks.delete(callback);
    };
  }

  #emit(kind: WorkKind): void {
    for (const callback of [...this.#callbacks]) {
      try {
        callback(kind);
      } catch (error) {
        process.emitWarning(`onWork callback threw: ${String(error)}`);
      }
    }
  }

  #ensure(): void {
    if (this.#closed || this.#client !== undefined || this.#connecting || this.#retry !== undefined) return;
    this.#connecting = true;
    this.#connect()
      .catch(() => this.#scheduleRetry())
      .finally(() => {
        this.#connecting = false;
      });
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    const lost = () => this.#drop(client);
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.channel !== WORK_CHANNEL || message.payload === undefined) return;
      const split = message.payload.indexOf(":");
      const kind = message.payload.slice(0, split);
      if (message.payload.slice(split + 1) !== this.#schema) return;
      if (kind === "executions" || kind === "deliveries") this.#emit(kind);
    });
    try {
      await client.connect();
      await client.query(`listen ${WORK_CHANNEL}`);
    } catch (error) {
      client.removeListener("end", lost);
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    if (this.#connectedBefore) {
      this.#emit("executions");
      this.#emit("deliveries");
    }
    this.#connectedBefore = true;
  }

  #drop(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined || this.#callbacks.size === 0) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#ensure();
    }, 1_000);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#callbacks.clear();
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => {});
  }
}

class PgMetadataStore extends KyselyMetadataStore<Date, boolean> implements PostgresMetadataStore {
  readonly capabilities = Object.freeze({ multiWriter: true, skipLocked: true });
  readonly schema: string;
  readonly #listener: WorkListener;
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(db: Kysely<MetadataDatabase>, schema: string, connection: pg.ClientConfig, pool: pg.Pool) {
    super(db, POSTGRES_PARTS);
    this.schema = schema;
    this.#listener = new WorkListener(connection, schema);
    this.#pool = pool;
  }

  /**
   * The token bucket (ratelimit/bucket.ts) in one statement: the row is locked by the upsert, so
   * concurrent requests of a tenant, from any process, take tokens one after the other.
   */
  async takeRateToken(bucket: string, perMinute: number, now: Date): Promise<TokenTaken> {
    const at = toDate(now);
    const rate = sql`${perMinute}::double precision`;
    const refilled = sql`least(${rate}, greatest(0, b.tokens) +
      greatest(0, extract(epoch from (${at}::timestamptz - b.updated_at)) * 1000) * ${rate} / 60000)`;
    const { rows } = await sql<TokenTaken>`
      insert into rate_limit_buckets as b (bucket, tokens, updated_at, allowed)
      values (${bucket}, ${rate} - 1, ${at}::timestamptz, true)
      on conflict (bucket) do update set
        tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        allowed = ${refilled} >= 1,
        updated_at = greatest(b.updated_at, ${at}::timestamptz)
      returning allowed, tokens`.execute(this.db);
    return rows[0]!;
  }

  poolStats() {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  onWork(callback: (kind: WorkKind) => void): () => void {
    return this.#listener.subscribe(callback);
  }

  /** Announces work on commit of `db`'s transaction (or at once, outside one). */
  async #notify(db: Db, kind: WorkKind): Promise<void> {
    await sql`select pg_notify(${WORK_CHANNEL}, ${`${kind}:${this.schema}`})`.execute(db);
  }

  /** Serialises quota checks of one scope across every connection and process. */
  async #lockScope(trx: Transaction<MetadataDatabase>, namespace: number, scope: Scope): Promise<void> {
    const key = lockKey(this.schema, scope.tenant, scope.program);
    await sql`select pg_advisory_xact_lock(${namespace}, ${key})`.execute(trx);
  }

  // ── queries ───────────────────────────────────────────────────────────────

  async createQuery(query: StoredQuery, maxQueries: number): Promise<CreateOutcome> {
    const row = queryToRow(query);
    return this.db.transaction().execute(async (trx) => {
      await this.#lockScope(trx, LOCK_QUERY_QUOTA, query);
      if ((await this.countQueries(trx, query)) >= maxQueries) return QUERY_QUOTA;
      await trx.insertInto("report_queries").values(row).execute();
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
    const reportRow = reportToRow(report);
    const executionRows = executions.map(executionToRow);
    const end = toDate(quotas.now).getTime();
    return this.db.transaction().execute(async (trx) => {
      await this.#lockScope(trx, LOCK_REPORT_QUOTA, report);
      // Checked in this order, so a report over both limits is refused for `activeReports`.
      // A new Inactive report does not add to the active count.
      if (report.status !== "Inactive") {
        if ((await this.countActiveReports(trx, report)) >= quotas.maxActiveReports) return ACTIVE_QUOTA;
      }
      if (report.executeNow) {
        // Window (now - windowMs, now]; every status counts (a finished ExecuteNow report is Inactive).
        const after = new Date(end - quotas.executeNowWindowMs);
        const refusal = await this.executeNowRefusal(
          trx,
          report,
          after,
          new Date(end),
          quotas.maxExecuteNow,
          quotas.executeNowWindowMs,
        );
        if (refusal) return refusal;
      }
      await trx.insertInto("reports").values(reportRow).execute();
      const inserted = await insertExecutions(trx, executionRows);
      if (inserted > 0 && report.status === "Active") await this.#notify(trx, "executions");
      return OK;
    });
  }

  async deleteReport(scope: Scope, id: string): Promise<{ deleted: boolean; fileKeys: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      // Locking the report first holds off createExecutions (FOR KEY SHARE) until we are done.
      const report = await trx
        .selectFrom("reports")
        .select("id")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (report === undefined) return { deleted: false, fileKeys: [] };
      // RETURNING reports the rows as deleted, including a file a worker recorded meanwhile.
      // Deliveries and their attempts go with their executions (ON DELETE CASCADE).
      const gone = await trx
        .deleteFrom("executions")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("report_id", "=", id)
        .returning(["file_key", "parts", "scheduled_time"])
        .execute();
      await trx
        .deleteFrom("reports")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("id", "=", id)
        .execute();
      const fileKeys = executionFileKeys(
        gone.sort((a, b) => a.scheduled_time.getTime() - b.scheduled_time.getTime()),
      );
      return { deleted: true, fileKeys };
    });
  }

  // ── executions ────────────────────────────────────────────────────────────

  async createExecutions(executions: readonly StoredExecution[]): Promise<number> {
    if (executions.length === 0) return 0;
    const candidates = executions.map(executionToRow);
    return this.db.transaction().execute(async (trx) => {
      // An execution whose report is missing from its scope (deleted meanwhile, or another
      // tenant's id) is skipped like a duplicate slot. FOR KEY SHARE keeps the reports found
      // from being deleted before the inserts commit.
      const reports = await trx
        .selectFrom("reports")
        .select(["id", "tenant", "program"])
        .where("id", "=", anyText([...new Set(candidates.map((r) => r.report_id))]))
        .forKeyShare()
        .execute();
      const known = new Set(reports.map((r) => JSON.stringify([r.tenant, r.program, r.id])));
      const rows = candidates.filter((r) => known.has(JSON.stringify([r.tenant, r.program, r.report_id])));
      const inserted = await insertExecutions(trx, rows);
      if (inserted > 0) await this.#notify(trx, "executions");
      return inserted;
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
    return this.db.transaction().execute(async (trx) => {
      const update = this.executionStatusUpdate(trx, scope, reportId, from, to, at);
      const n = count((await update.executeTakeFirst()).numUpdatedRows);
      if (n > 0 && to === "Pending") await this.#notify(trx, "executions");
      return n;
    });
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
    const { rows } = await claimExecutionsQuery(owner, now, leaseMs, limit).execute(this.db);
    return rows.map(rowToExecution);
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
      // The slot is already taken: leave the execution where it is.
      if (isUniqueViolation(error, "executions_report_slot_unique")) return false;
      throw error;
    }
  }

  protected override async afterFinish(
    trx: Kysely<MetadataDatabase>,
    outcome: ExecutionOutcome,
    enqueuedDelivery: boolean,
  ): Promise<void> {
    if (enqueuedDelivery) await this.#notify(trx, "deliveries");
    if (outcome.status === "Retry") await this.#notify(trx, "executions");
  }

  protected override async afterRedeliver(trx: Kysely<MetadataDatabase>): Promise<void> {
    await this.#notify(trx, "deliveries");
  }

  // ── the scheduler ─────────────────────────────────────────────────────────

  async setReportStatus(
    reportId: string,
    from: readonly ReportStatus[],
    to: ReportStatus,
    at: Date,
  ): Promise<boolean> {
    if (from.length === 0) return false;
    return this.db.transaction().execute(async (trx) => {
      const result = await this.reportStatusUpdate(trx, reportId, from, to, at).executeTakeFirst();
      const changed = result.numUpdatedRows > 0n;
      if (changed && to === "Active") await this.#notify(trx, "executions");
      return changed;
    });
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
    // A claimed delivery stays Pending; its lease says who is sending it, until when.
    const { rows } = await claimDeliveriesQuery(owner, now, leaseMs, limit).execute(this.db);
    return rows.map(rowToDelivery);
  }

  // ── retention ─────────────────────────────────────────────────────────────

  async purgeExecutions(before: Date, limit: number): Promise<string[]> {
    checkPositiveInteger("limit", limit);
    const cutoff = toDate(before);
    // SKIP LOCKED: concurrent purgers split the work instead of returning the same keys twice.
    // (`for update of e`: the `later` rows are only read.)
    // Deliveries and their attempts go with their executions (ON DELETE CASCADE).
    const { rows } = await sql<Pick<ExecutionsTable, "file_key" | "parts">>`
      with doomed as (
        select e.id from executions e
        where e.status in ('Completed', 'Failed') and e.scheduled_time < ${cutoff}::timestamptz
          -- A report's latest execution anchors its schedule: it is kept.
          and exists (
            select 1 from executions later
            where later.report_id = e.report_id and later.scheduled_time > e.scheduled_time
          )
          -- A test clock's reports keep their executions until the clock goes (their slots are on its time).
          and not exists (
            select 1 from reports r where r.id = e.report_id and r.test_clock_id is not null
          )
        order by e.scheduled_time, e.id
        limit ${limit}
        for update of e skip locked
      ), gone as (
        delete from executions e using doomed where e.id = doomed.id
        returning e.id, e.file_key, e.parts, e.scheduled_time
      )
      select file_key, parts from gone order by scheduled_time, id`.execute(this.db);
    return executionFileKeys(rows);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener.close();
    await this.db.destroy();
  }
}
