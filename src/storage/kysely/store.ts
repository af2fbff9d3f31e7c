/**
 * The part of `MetadataStore` that is the same Kysely code on SQLite and PostgreSQL: reads,
 * listing, filtering and paging, plus the plain single-statement writes. Each adapter extends
 * `KyselyMetadataStore` and adds what is engine-specific (claims, quota locking, transactions
 * that notify, retention, migrations), and supplies the few dialect differences as a
 * `KyselyDialectParts`: how instants and booleans are bound, the keyset condition, and how a
 * list of ids is matched.
 */
import {
  type Expression,
  type Insertable,
  type InsertType,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  type SelectType,
  type SqlBool,
  sql,
  type Updateable,
  type UpdateType,
} from "kysely";
import type { AuditEntry, AuditFilter } from "../../audit/model.js";
import type { Cursor, Page, PageRequest } from "../../core/paging.js";
import type { ExecutionOutcome, ExecutionStatus, StoredExecution } from "../../executions/model.js";
import type { LoadOutcome, StoredLoad } from "../../loads/model.js";
import type { ReportStatus, StoredQuery, StoredReport } from "../../reports/model.js";
import type { StoredTestClock } from "../../testclocks/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryNext } from "../../webhooks/model.js";
import type {
  CreateOutcome,
  DatasetFile,
  ExecutionFilter,
  FileSet,
  FileSetKey,
  LoadCompletion,
  LoadFilter,
  QueryFilter,
  QueueStats,
  ReportFilter,
  Scope,
} from "../ports.js";
import { foldName } from "./rows.js";
import type {
  AuditLogTable,
  CallbackAttemptsTable,
  CallbackDeliveriesTable,
  DatasetFileSetsTable,
  ExecutionsTable,
  LoadsTable,
  MetadataTables,
  ReportQueriesTable,
  ReportsTable,
  RetiredDatasetFilesTable,
  TestClocksTable,
} from "./schema.js";
import { StatementTemplates, type TemplateOptions } from "./templates.js";

export const OK: CreateOutcome = Object.freeze({ ok: true });
export const QUERY_QUOTA: CreateOutcome = Object.freeze({ ok: false, reason: "queries" });
export const ACTIVE_QUOTA: CreateOutcome = Object.freeze({ ok: false, reason: "activeReports" });
/** The one row of `fault_rules`. */
const FAULT_RULES_ROW = "current";
/** Execution statuses that still wait for or hold a worker: the report is not ready to plan. */
export const UNFINISHED: readonly ExecutionStatus[] = ["Pending", "Paused", "Running"];

/** A column value as the engine binds it, usable where Kysely selects, inserts or updates it. */
export type Bound<T> = SelectType<T> & InsertType<T> & UpdateType<T>;

interface ScopedRow {
  readonly report_id: string;
  readonly tenant: string;
  readonly program: string;
}

/** The row mappers (see `rows.ts`), as the shared queries see them. */
export interface RowMappers<I, B> {
  rowToQuery(r: Selectable<ReportQueriesTable<I>>): StoredQuery;
  reportToRow(r: StoredReport): Updateable<ReportsTable<I, B>> & { readonly id: string };
  rowToReport(r: Selectable<ReportsTable<I, B>>): StoredReport;
  rowToExecution(r: Selectable<ExecutionsTable<I>>): StoredExecution;
  deliveryToRow(
    d: CallbackDelivery,
  ): Insertable<CallbackDeliveriesTable<I>> & ScopedRow & { readonly id: string };
  rowToDelivery(r: Selectable<CallbackDeliveriesTable<I>>): CallbackDelivery;
  attemptToRow(a: DeliveryAttempt): Insertable<CallbackAttemptsTable<I>> & { readonly at: Bound<I> };
  rowToAttempt(r: Selectable<CallbackAttemptsTable<I>>): DeliveryAttempt;
  auditToRow(e: AuditEntry): Insertable<AuditLogTable<I>>;
  rowToAudit(r: Selectable<AuditLogTable<I>>): AuditEntry;
  loadToRow(l: StoredLoad): Insertable<LoadsTable<I>>;
  testClockToRow(c: StoredTestClock): Insertable<TestClocksTable<I>> & {
    readonly id: string;
    readonly tenant: string;
    readonly program: string;
  };
  rowToTestClock(r: Selectable<TestClocksTable<I>>): StoredTestClock;
  /** An instant as the engine returns it (for aggregates such as max). */
  fromInstant(value: I): Date;
  rowToLoad(r: Selectable<LoadsTable<I>>): StoredLoad;
}

/** What differs between the engines in the shared queries. */
export interface KyselyDialectParts<I, B> {
  readonly rows: RowMappers<I, B>;
  /** An instant as bound in a statement; rejects invalid dates. */
  instant(date: Date): Bound<I>;
  bool(value: boolean): Bound<B>;
  /** `(created_time, id) > (createdTime, id)`, the keyset condition of every list (unqualified columns). */
  afterCursor(createdTime: Bound<I>, id: string): Expression<SqlBool>;
  /** `column` is one of `values` (a non-empty list of ids). */
  anyOf(column: string, values: readonly string[]): Expression<SqlBool>;
  /** At most this many ids go in one `anyOf`. */
  readonly idChunk: number;
  /**
   * Orders listed deliveries in creation order when set; otherwise they keep the order the
   * database returned them in (`created_time`, `id`), which is only right for one chunk of ids.
   */
  readonly deliveryOrder?: (a: CallbackDelivery, b: CallbackDelivery) => number;
}

/** A listing's execution filters, with values bound as the engine stores them. */
interface ExecutionMatch<I> {
  readonly tenant: string;
  readonly program: string;
  readonly reportIds: readonly string[];
  readonly executionIds?: readonly string[] | undefined;
  readonly statuses?: readonly ExecutionStatus[] | undefined;
  readonly since?: Bound<I> | undefined;
}

export type DeliveryWithLog = CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] };

/**
 * A LIMIT written into the statement: SQLite runs `LIMIT ?` markedly slower than `LIMIT 101`
 * (18 µs against 6.5 µs for a one-row select, measured), so templated lists carry their limit in
 * the template's name and the statement.
 */
function fixedLimit(rows: number) {
  return sql.lit(rows);
}

/** Reports whose latest executions one statement looks up (a UNION ALL of one lookup each)… */
const LATEST_CHUNK = 50;
/** …and the parameters it may bind at most (SQLite allows 32,766). */
const LATEST_PARAMETERS = 2000;

/**
 * Creation order, the order of every listing: created time, then id (compared by code unit, as
 * SQLite's BINARY collation compares the ASCII ids the service makes).
 */
export function byCreationOrder(a: Cursor, b: Cursor): number {
  const byTime = a.createdTime.getTime() - b.createdTime.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function checkLimit(page: PageRequest): number {
  if (!Number.isInteger(page.limit) || page.limit < 1) {
    throw new RangeError(`Page limit must be a positive integer, got ${page.limit}`);
  }
  return page.limit;
}

/** Rows were fetched with `limit + 1`: the extra row only says that more follow. */
export function toPage<R, T extends { readonly createdTime: Date; readonly id: string }>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  if (rows.length <= limit || last === undefined) return { items };
  return { items, next: { createdTime: last.createdTime, id: last.id } };
}

export function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export function count(value: bigint | number | string | undefined): number {
  return Number(value ?? 0);
}

export function sameScope(a: Scope, b: Scope): boolean {
  return a.tenant === b.tenant && a.program === b.program;
}

/** Every file key of finished executions' rows: the file, and the parts of a result in parts. */
export function executionFileKeys(
  rows: readonly { readonly file_key: string | null; readonly parts: string | null }[],
): string[] {
  return rows.flatMap((r) => {
    const parts =
      r.parts === null ? [] : (JSON.parse(r.parts) as { fileKey: string }[]).map((p) => p.fileKey);
    return [...new Set([...(r.file_key === null ? [] : [r.file_key]), ...parts])];
  });
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Refuses a report whose executions belong to another report or scope. */
export function checkReportExecutions(report: StoredReport, executions: readonly StoredExecution[]): void {
  for (const e of executions) {
    if (e.reportId !== report.id || !sameScope(e, report)) {
      throw new Error(`Execution ${e.id} does not belong to report ${report.id}`);
    }
  }
}

/** Refuses a callback delivery that a finishing execution may not enqueue. */
function checkFinishDelivery(id: string, outcome: ExecutionOutcome, delivery: CallbackDelivery | null): void {
  if (delivery === null) return;
  if (outcome.status === "Retry") {
    throw new Error(`Only a finished execution enqueues a callback (execution ${id} will be retried)`);
  }
  if (delivery.executionId !== id) {
    throw new Error(`Delivery ${delivery.id} belongs to execution ${delivery.executionId}, not ${id}`);
  }
}

/** Refuses a delivery whose report or scope differs from its (just finished) execution's. */

function checkDeliveryMatches(
  delivery: ScopedRow & { readonly id: string },
  execution: ScopedRow,
  executionId: string,
): void {
  if (
    delivery.report_id !== execution.report_id ||
    delivery.tenant !== execution.tenant ||
    delivery.program !== execution.program
  ) {
    // Throwing rolls the execution's update back too.
    throw new Error(
      `Delivery ${delivery.id} does not match the report and scope of execution ${executionId}`,
    );
  }
}

export abstract class KyselyMetadataStore<I, B> {
  protected readonly db: Kysely<MetadataTables<I, B>>;
  protected readonly dialect: KyselyDialectParts<I, B>;
  /** The reads the API serves on every request run from statements compiled once. */
  protected readonly templates: StatementTemplates;

  constructor(
    db: Kysely<MetadataTables<I, B>>,
    dialect: KyselyDialectParts<I, B>,
    templateOptions: TemplateOptions = {},
  ) {
    this.db = db;
    this.dialect = dialect;
    this.templates = new StatementTemplates(db as unknown as Kysely<unknown>, templateOptions);
  }

  /**
   * A list's next page: rows after the keyset values (when given) in creation order, one more
   * than the page holds (it tells whether more follow).
   */
  protected nextPage<DB, TB extends keyof DB, O>(
    q: SelectQueryBuilder<DB, TB, O>,
    keyset: { readonly afterTime?: Bound<I> | undefined; readonly afterId?: string | undefined },
    limit: number,
  ): SelectQueryBuilder<DB, TB, O> {
    const after =
      keyset.afterTime === undefined
        ? q
        : q.where(this.dialect.afterCursor(keyset.afterTime, keyset.afterId!));
    return after
      .orderBy(sql.ref("created_time"))
      .orderBy(sql.ref("id"))
      .limit(fixedLimit(limit + 1));
  }

  async ping(): Promise<void> {
    await this.db.selectFrom("report_queries").select("id").limit(1).execute();
  }

  /** The keyset values of a page request, bound as the engine stores them. */
  protected cursorValues(page: PageRequest): { afterTime?: Bound<I>; afterId?: string } {
    if (page.after === undefined) return {};
    return { afterTime: this.dialect.instant(page.after.createdTime), afterId: page.after.id };
  }

  // ── quota counts (run inside the adapter's create transaction) ───────────

  protected async countQueries(db: Kysely<MetadataTables<I, B>>, scope: Scope): Promise<number> {
    const { n } = await db
      .selectFrom("report_queries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .executeTakeFirstOrThrow();
    return count(n);
  }

  protected async countActiveReports(db: Kysely<MetadataTables<I, B>>, scope: Scope): Promise<number> {
    const { n } = await db
      .selectFrom("reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("status", "!=", "Inactive")
      .executeTakeFirstOrThrow();
    return count(n);
  }

  /**
   * The refusal of one more ExecuteNow report when the window (after, end] already holds `max` of
   * them (every status counts), with the instant enough of them will have left it; null when allowed.
   */
  protected async executeNowRefusal(
    db: Kysely<MetadataTables<I, B>>,
    scope: Scope,
    after: Bound<I>,
    end: Bound<I>,
    max: number,
    windowMs: number,
  ): Promise<CreateOutcome | null> {
    const inWindow = db
      .selectFrom("reports")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("execute_now", "=", this.dialect.bool(true))
      .where("created_time", ">", after)
      .where("created_time", "<=", end);
    const { n } = await inWindow.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    if (count(n) < max) return null;
    // One more is allowed once all but max - 1 have left: when the (n - max + 1)th oldest does.
    const leaving = await inWindow
      .selectAll()
      .orderBy("created_time")
      .orderBy("id")
      .offset(count(n) - max)
      .limit(1)
      .executeTakeFirstOrThrow();
    const createdTime = this.dialect.rows.rowToReport(leaving).createdTime;
    return { ok: false, reason: "executeNow", nextAllowedAt: new Date(createdTime.getTime() + windowMs) };
  }

  // ── queries ───────────────────────────────────────────────────────────────

  async getQuery(scope: Scope, id: string): Promise<StoredQuery | undefined> {
    const [row] = await this.templates.rows("getQuery", { ...scope, id }, (v) =>
      this.db
        .selectFrom("report_queries")
        .selectAll()
        .where("tenant", "=", v.tenant)
        .where("program", "=", v.program)
        .where("id", "=", v.id),
    );
    return row === undefined ? undefined : this.dialect.rows.rowToQuery(row);
  }

  async listQueries(scope: Scope, filter: QueryFilter, page: PageRequest): Promise<Page<StoredQuery>> {
    const limit = checkLimit(page);
    const values = {
      ...scope,
      id: filter.id,
      nameKey: filter.name === undefined ? undefined : foldName(filter.name),
      ...this.cursorValues(page),
    };
    const rows = await this.templates.rows(`listQueries limit ${limit + 1}`, values, (v) => {
      let q = this.db
        .selectFrom("report_queries")
        .selectAll()
        .where("tenant", "=", v.tenant)
        .where("program", "=", v.program);
      if (v.id !== undefined) q = q.where("id", "=", v.id);
      if (v.nameKey !== undefined) q = q.where("name_key", "=", v.nameKey);
      return this.nextPage(q, v, limit);
    });
    return toPage(rows, limit, this.dialect.rows.rowToQuery);
  }

  async deleteQuery(scope: Scope, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("report_queries")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // ── loads ─────────────────────────────────────────────────────────────────

  async createLoad(load: StoredLoad): Promise<void> {
    await this.db.insertInto("loads").values(this.dialect.rows.loadToRow(load)).execute();
  }

  async finishLoad(id: string, outcome: LoadOutcome): Promise<boolean> {
    const result = await this.db
      .updateTable("loads")
      .set({
        status: outcome.status,
        bytes: outcome.bytes,
        row_count: outcome.status === "Completed" ? outcome.rowCount : null,
        failure_reason: outcome.status === "Failed" ? outcome.reason : null,
        finished_time: this.dialect.instant(outcome.at),
      })
      .where("id", "=", id)
      .where("status", "=", "Running")
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async lastLoadTimes(tenant: string, program: string): Promise<Map<string, Date>> {
    const rows = await this.db
      .selectFrom("loads")
      .select(["dataset", (eb) => eb.fn.max("finished_time").as("finished")])
      .where("tenant", "=", tenant)
      .where("program", "=", program)
      .where("status", "=", "Completed")
      .groupBy("dataset")
      .execute();
    return new Map(rows.map((row) => [row.dataset, this.dialect.rows.fromInstant(row.finished as I)]));
  }

  async listLoads(filter: LoadFilter, page: PageRequest): Promise<Page<StoredLoad>> {
    const limit = checkLimit(page);
    let q = this.db.selectFrom("loads").selectAll();
    if (filter.tenant !== undefined) q = q.where("tenant", "=", filter.tenant);
    if (filter.program !== undefined) q = q.where("program", "=", filter.program);
    if (filter.dataset !== undefined) q = q.where("dataset", "=", filter.dataset);
    if (filter.status !== undefined) q = q.where("status", "=", filter.status);
    if (page.after !== undefined) {
      const time = this.dialect.instant(page.after.createdTime);
      const id = page.after.id;
      q = q.where(sql<SqlBool>`(started_time < ${time} or (started_time = ${time} and id < ${id}))`);
    }
    const rows = await q
      .orderBy("started_time", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((row) => this.dialect.rows.rowToLoad(row));
    const last = items[items.length - 1];
    if (rows.length <= limit || last === undefined) return { items };
    return { items, next: { createdTime: last.startedAt, id: last.id } };
  }

  async heartbeatLoad(id: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("loads")
      .set({ heartbeat_time: this.dialect.instant(at) })
      .where("id", "=", id)
      .where("status", "=", "Running")
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async failStaleLoads(before: Date, reason: string, at: Date): Promise<number> {
    const cutoff = this.dialect.instant(before);
    const result = await this.db
      .updateTable("loads")
      .set({ status: "Failed", failure_reason: reason, finished_time: this.dialect.instant(at) })
      .where("status", "=", "Running")
      .where((eb) =>
        eb.or([
          eb("heartbeat_time", "<", cutoff),
          eb.and([eb("heartbeat_time", "is", null), eb("started_time", "<", cutoff)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  // ── dataset file sets ─────────────────────────────────────────────────────

  async getFileSet(key: FileSetKey): Promise<FileSet | undefined> {
    const row = await this.db
      .selectFrom("dataset_file_sets")
      .selectAll()
      .where("program", "=", key.program)
      .where("dataset_table", "=", key.table)
      .where("tenant", "=", key.tenant)
      .executeTakeFirst();
    return row === undefined ? undefined : this.#rowToFileSet(row as DatasetFileSetsTable<I>);
  }

  async listFileSets(program: string, table?: string): Promise<FileSet[]> {
    let q = this.db.selectFrom("dataset_file_sets").selectAll().where("program", "=", program);
    if (table !== undefined) q = q.where("dataset_table", "=", table);
    const rows = await q.orderBy("dataset_table").orderBy("tenant").execute();
    return rows.map((row) => this.#rowToFileSet(row as DatasetFileSetsTable<I>));
  }

  async commitFileSet(
    key: FileSetKey,
    expectedVersion: number,
    files: readonly DatasetFile[],
    at: Date,
    completes?: LoadCompletion & { readonly rowCount: number },
  ): Promise<FileSet | undefined> {
    const committedAt = this.dialect.instant(at);
    const rowCount = files.reduce((sum, f) => sum + f.rows, 0);
    const version = expectedVersion + 1;
    const values = {
      files: JSON.stringify(files),
      row_count: rowCount,
      committed_time: committedAt,
      version,
    };
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom("dataset_file_sets")
        .select(["version", "files"])
        .where("program", "=", key.program)
        .where("dataset_table", "=", key.table)
        .where("tenant", "=", key.tenant)
        .executeTakeFirst();
      if (Number(current?.version ?? 0) !== expectedVersion) return undefined;
      if (current === undefined) {
        // A concurrent first commit of the same key loses on the primary key: the same as a CAS miss.
        const inserted = await trx
          .insertInto("dataset_file_sets")
          .values({
            program: key.program,
            dataset_table: key.table,
            tenant: key.tenant,
            ...values,
          } as Insertable<DatasetFileSetsTable<I>>)
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
      } else {
        const updated = await trx
          .updateTable("dataset_file_sets")
          .set(values)
          .where("program", "=", key.program)
          .where("dataset_table", "=", key.table)
          .where("tenant", "=", key.tenant)
          .where("version", "=", expectedVersion)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) return undefined;
        const kept = new Set(files.map((f) => f.name));
        const retired = (JSON.parse(current.files) as DatasetFile[]).filter((f) => !kept.has(f.name));
        if (retired.length > 0) {
          await trx
            .insertInto("retired_dataset_files")
            .values(
              retired.map(
                (f) =>
                  ({ name: f.name, retired_time: committedAt }) as Insertable<RetiredDatasetFilesTable<I>>,
              ),
            )
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
      if (completes) {
        await trx
          .updateTable("loads")
          .set({
            status: "Completed",
            row_count: completes.rowCount,
            bytes: completes.bytes,
            finished_time: committedAt,
          })
          .where("id", "=", completes.loadId)
          .where("status", "=", "Running")
          .execute();
      }
      return { ...key, version, files, rowCount, committedAt: at };
    });
  }

  async takeRetiredFiles(before: Date, limit: number): Promise<string[]> {
    checkPositiveInteger("limit", limit);
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("retired_dataset_files")
        .select("name")
        .where("retired_time", "<", this.dialect.instant(before))
        .orderBy("retired_time")
        .limit(limit)
        .execute();
      const names = rows.map((r) => r.name);
      if (names.length > 0) {
        await trx.deleteFrom("retired_dataset_files").where(this.dialect.anyOf("name", names)).execute();
      }
      return names;
    });
  }

  async knownDatasetFiles(): Promise<Set<string>> {
    const known = new Set<string>();
    const sets = await this.db.selectFrom("dataset_file_sets").select("files").execute();
    for (const row of sets) for (const f of JSON.parse(row.files) as DatasetFile[]) known.add(f.name);
    const retired = await this.db.selectFrom("retired_dataset_files").select("name").execute();
    for (const row of retired) known.add(row.name);
    return known;
  }

  #rowToFileSet(row: DatasetFileSetsTable<I>): FileSet {
    return {
      program: row.program,
      table: row.dataset_table,
      tenant: row.tenant,
      version: Number(row.version),
      files: JSON.parse(row.files) as DatasetFile[],
      rowCount: Number(row.row_count),
      committedAt: this.dialect.rows.fromInstant(row.committed_time),
    };
  }

  // ── reports ───────────────────────────────────────────────────────────────

  async getReport(scope: Scope, id: string): Promise<StoredReport | undefined> {
    const [row] = await this.templates.rows("getReport", { ...scope, id }, (v) =>
      this.db
        .selectFrom("reports")
        .selectAll()
        .where("tenant", "=", v.tenant)
        .where("program", "=", v.program)
        .where("id", "=", v.id),
    );
    return row === undefined ? undefined : this.dialect.rows.rowToReport(row);
  }

  async listReports(scope: Scope, filter: ReportFilter, page: PageRequest): Promise<Page<StoredReport>> {
    const limit = checkLimit(page);
    if (filter.ids !== undefined && filter.ids.length === 0) return { items: [] };
    const values = {
      ...scope,
      ids: filter.ids,
      nameKey: filter.name === undefined ? undefined : foldName(filter.name),
      queryId: filter.queryId,
      ...this.cursorValues(page),
    };
    const rows = await this.templates.rows(`listReports limit ${limit + 1}`, values, (v) => {
      let q = this.db
        .selectFrom("reports")
        .selectAll()
        .where("tenant", "=", v.tenant)
        .where("program", "=", v.program);
      if (v.ids !== undefined) q = q.where(this.dialect.anyOf("id", v.ids));
      if (v.nameKey !== undefined) q = q.where("name_key", "=", v.nameKey);
      if (v.queryId !== undefined) q = q.where("query_id", "=", v.queryId);
      return this.nextPage(q, v, limit);
    });
    return toPage(rows, limit, this.dialect.rows.rowToReport);
  }

  async countReportsUsingQuery(scope: Scope, queryId: string): Promise<number> {
    const { n } = await this.db
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
    const { id, tenant, program, ...changes } = this.dialect.rows.reportToRow(report);
    const result = await this.db
      .updateTable("reports")
      .set(changes)
      .where("tenant", "=", report.tenant)
      .where("program", "=", report.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  // ── executions ────────────────────────────────────────────────────────────

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
    const since = filter.since === undefined ? undefined : this.dialect.instant(filter.since);
    if (filter.latestOnly === true) {
      return this.latestExecutions({ ...scope, reportIds, executionIds, statuses, since }, page, limit);
    }
    const values = { ...scope, reportIds, executionIds, statuses, since, ...this.cursorValues(page) };
    const rows = await this.templates.rows(`listExecutions limit ${limit + 1}`, values, (v) =>
      this.nextPage(this.matchingExecutions(v), v, limit),
    );
    return toPage(rows, limit, this.dialect.rows.rowToExecution);
  }

  /**
   * The latest matching execution of each report (slots are unique per report, so the one with
   * the latest scheduled time), paged in creation order. Each report's is found through its
   * (report_id, scheduled_time) index; at most one row per report comes back, so ordering and
   * the keyset condition apply here.
   */
  private async latestExecutions(
    matching: ExecutionMatch<I>,
    page: PageRequest,
    limit: number,
  ): Promise<Page<StoredExecution>> {
    const { executionIds, statuses } = matching;
    const latest: StoredExecution[] = [];
    // Each lookup carries the id and status lists: fewer lookups per statement when they are long.
    const perLookup = 3 + (executionIds?.length ?? 0) + (statuses?.length ?? 0);
    const chunk = Math.max(1, Math.min(LATEST_CHUNK, Math.floor(LATEST_PARAMETERS / perLookup)));
    for (const part of chunks([...new Set(matching.reportIds)], chunk)) {
      const values = { ...matching, reportIds: part };
      const rows = await this.templates.rows("latestExecutions", values, (v) => {
        const latestOf = (reportId: string) =>
          this.matchingExecutions({ ...v, reportIds: [reportId] })
            .orderBy("scheduled_time", "desc")
            .limit(fixedLimit(1));
        if (v.reportIds.length === 1) return latestOf(v.reportIds[0]!);
        const [first, ...rest] = v.reportIds.map((id, i) =>
          this.db.selectFrom(latestOf(id).as(`l${i}`)).selectAll(),
        );
        return rest.reduce((union, next) => union.unionAll(next), first!);
      });
      // Every column of `executions`: Kysely cannot see through the derived tables' row type while `I` is generic.
      const typed = rows as readonly Selectable<ExecutionsTable<I>>[];
      latest.push(...typed.map(this.dialect.rows.rowToExecution));
    }
    const after = page.after;
    const ordered = latest
      .filter((e) => after === undefined || byCreationOrder(e, after) > 0)
      .sort(byCreationOrder);
    return toPage(ordered, limit, (e) => e);
  }

  /** Executions of the scope matching a listing's filters. */
  private matchingExecutions(v: ExecutionMatch<I>) {
    const { anyOf } = this.dialect;
    let q = this.db
      .selectFrom("executions")
      .selectAll()
      .where("tenant", "=", v.tenant)
      .where("program", "=", v.program);
    q =
      v.reportIds.length === 1
        ? q.where("report_id", "=", v.reportIds[0]!)
        : q.where(anyOf("report_id", v.reportIds));
    if (v.executionIds !== undefined) q = q.where(anyOf("id", v.executionIds));
    if (v.statuses !== undefined) q = q.where("status", "in", v.statuses);
    if (v.since !== undefined) q = q.where("scheduled_time", ">=", v.since);
    return q;
  }

  async findExecution(tenant: string, id: string): Promise<StoredExecution | undefined> {
    const [row] = await this.templates.rows("findExecution", { tenant, id }, (v) =>
      this.db.selectFrom("executions").selectAll().where("tenant", "=", v.tenant).where("id", "=", v.id),
    );
    return row === undefined ? undefined : this.dialect.rows.rowToExecution(row);
  }

  async deleteWaitingExecutions(scope: Scope, reportId: string): Promise<number> {
    const result = await this.db
      .deleteFrom("executions")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "=", reportId)
      .where("status", "in", ["Pending", "Paused"])
      .where("attempts", "=", 0)
      // A backfill's slots are not the schedule's next slot: a reschedule or resume keeps them.
      .where("origin", "is", null)
      .executeTakeFirst();
    return count(result.numDeletedRows);
  }

  /** The update of `setExecutionStatus` (the adapter runs it, and may notify). */
  protected executionStatusUpdate(
    db: Kysely<MetadataTables<I, B>>,
    scope: Scope,
    reportId: string,
    from: readonly ExecutionStatus[],
    to: ExecutionStatus,
    at: Date,
  ) {
    return db
      .updateTable("executions")
      .set({ status: to, modified_time: this.dialect.instant(at) })
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "=", reportId)
      .where("status", "in", from);
  }

  // ── the execution queue ───────────────────────────────────────────────────

  async renewExecutionLease(id: string, owner: string, until: Date): Promise<boolean> {
    // The owner may renew a little late, as long as nobody has reclaimed the execution since.
    const result = await this.db
      .updateTable("executions")
      .set({ lease_expires_at: this.dialect.instant(until) })
      .where("id", "=", id)
      .where("status", "=", "Running")
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The update of `moveExecutionToSlot` (the adapter runs it and recognises a taken slot). */
  protected moveToSlotUpdate(id: string, owner: string, scheduledTime: Date, skippedSlots: number) {
    const slot = this.dialect.instant(scheduledTime);
    return this.db
      .updateTable("executions")
      .set({ scheduled_time: slot, next_attempt_at: slot, skipped_slots: skippedSlots })
      .where("id", "=", id)
      .where("status", "=", "Running")
      .where("lease_owner", "=", owner);
  }

  async finishExecution(
    id: string,
    owner: string,
    outcome: ExecutionOutcome,
    delivery: CallbackDelivery | null,
  ): Promise<boolean> {
    checkFinishDelivery(id, outcome, delivery);
    const changes = this.#outcomeChanges(outcome);
    const deliveryRow = delivery === null ? null : this.dialect.rows.deliveryToRow(delivery);
    return this.db.transaction().execute(async (trx) => {
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
        checkDeliveryMatches(deliveryRow, updated, id);
        await trx.insertInto("callback_deliveries").values(deliveryRow).execute();
      }
      await this.afterFinish(trx, outcome, deliveryRow !== null);
      return true;
    });
  }

  /** Runs in `finishExecution`'s transaction once the execution is finished (e.g. to notify). */
  protected async afterFinish(
    _trx: Kysely<MetadataTables<I, B>>,
    _outcome: ExecutionOutcome,
    _enqueuedDelivery: boolean,
  ): Promise<void> {}

  /** The column changes `finishExecution` makes (lease cleared, outcome recorded). */
  #outcomeChanges(outcome: ExecutionOutcome) {
    const { instant } = this.dialect;
    const at = instant(outcome.at);
    const cleared = { lease_owner: null, lease_expires_at: null, modified_time: at };
    if (outcome.status === "Completed") {
      return {
        ...cleared,
        status: "Completed",
        file_key: outcome.fileKey,
        row_count: outcome.rowCount,
        bytes: outcome.bytes,
        sha256: outcome.sha256,
        generated_time: at,
        window_start: outcome.windowStart === null ? null : instant(outcome.windowStart),
        window_end: outcome.windowEnd === null ? null : instant(outcome.windowEnd),
        data_version: outcome.dataVersion ?? null,
        parts: outcome.parts ? JSON.stringify(outcome.parts) : null,
        failure_code: null,
        failure_reason: null,
      };
    }
    if (outcome.status === "Retry") {
      return {
        ...cleared,
        status: "Pending",
        next_attempt_at: instant(outcome.retryAt),
        failure_code: outcome.code,
        failure_reason: outcome.reason,
      };
    }
    return { ...cleared, status: "Failed", failure_code: outcome.code, failure_reason: outcome.reason };
  }

  // ── the scheduler ─────────────────────────────────────────────────────────

  async listReportsToPlan(limit: number, afterId?: string): Promise<StoredReport[]> {
    checkPositiveInteger("limit", limit);
    let q = this.db
      .selectFrom("reports")
      .selectAll()
      .where("reports.status", "=", "Active")
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("executions as e")
              .select("e.id")
              .whereRef("e.report_id", "=", "reports.id")
              .where("e.status", "in", UNFINISHED),
          ),
        ),
      );
    if (afterId !== undefined) q = q.where("reports.id", ">", afterId);
    const rows = await q.orderBy("reports.id").limit(limit).execute();
    return rows.map(this.dialect.rows.rowToReport);
  }

  async latestExecution(reportId: string): Promise<StoredExecution | undefined> {
    const row = await this.db
      .selectFrom("executions")
      .selectAll()
      .where("report_id", "=", reportId)
      .orderBy("scheduled_time", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : this.dialect.rows.rowToExecution(row);
  }

  /** The update of `setReportStatus` (the adapter runs it, and may notify). */
  protected reportStatusUpdate(
    db: Kysely<MetadataTables<I, B>>,
    reportId: string,
    from: readonly ReportStatus[],
    to: ReportStatus,
    at: Date,
  ) {
    const update = db
      .updateTable("reports")
      .set({ status: to, modified_time: this.dialect.instant(at) })
      .where("id", "=", reportId)
      .where("status", "in", from);
    if (to !== "Inactive") return update;
    // Never while work is queued: another scheduler may just have planned the next slot.
    return update.where((eb) =>
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

  // ── test clocks and fault rules (the stand-in, docs/test-clocks.md, docs/faults.md) ──

  async createTestClock(clock: StoredTestClock): Promise<void> {
    await this.db.insertInto("test_clocks").values(this.dialect.rows.testClockToRow(clock)).execute();
  }

  async getTestClock(scope: Scope, id: string): Promise<StoredTestClock | undefined> {
    const row = await this.db
      .selectFrom("test_clocks")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return row === undefined ? undefined : this.dialect.rows.rowToTestClock(row);
  }

  async listTestClocks(scope: Scope): Promise<StoredTestClock[]> {
    const rows = await this.db
      .selectFrom("test_clocks")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .orderBy("created_time")
      .orderBy("id")
      .execute();
    return rows.map(this.dialect.rows.rowToTestClock);
  }

  async updateTestClock(clock: StoredTestClock): Promise<boolean> {
    const { id, tenant, program, ...changes } = this.dialect.rows.testClockToRow(clock);
    const result = await this.db
      .updateTable("test_clocks")
      .set(changes)
      .where("tenant", "=", tenant)
      .where("program", "=", program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteTestClock(scope: Scope, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("test_clocks")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listClockReports(scope: Scope, clockId: string): Promise<StoredReport[]> {
    const rows = await this.db
      .selectFrom("reports")
      .selectAll()
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("test_clock_id", "=", clockId)
      .orderBy("id")
      .execute();
    return rows.map(this.dialect.rows.rowToReport);
  }

  async getFaultRules(): Promise<string | null> {
    const row = await this.db
      .selectFrom("fault_rules")
      .select("rules")
      .where("id", "=", FAULT_RULES_ROW)
      .executeTakeFirst();
    return row?.rules ?? null;
  }

  async setFaultRules(rules: string | null, at: Date): Promise<void> {
    if (rules === null) {
      await this.db.deleteFrom("fault_rules").where("id", "=", FAULT_RULES_ROW).execute();
      return;
    }
    // One statement both engines take alike (Kysely's generic types cannot see a generic instant).
    await sql`insert into fault_rules (id, rules, modified_time)
      values (${FAULT_RULES_ROW}, ${rules}, ${this.dialect.instant(at)})
      on conflict (id) do update set rules = excluded.rules, modified_time = excluded.modified_time`.execute(
      this.db,
    );
  }

  // ── operations ─────────────────────────────────────────────────────────────

  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.db.insertInto("audit_log").values(this.dialect.rows.auditToRow(entry)).execute();
  }

  async listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
    const limit = checkLimit(page);
    const { instant } = this.dialect;
    let q = this.db.selectFrom("audit_log").selectAll();
    if (filter.tenant !== undefined) q = q.where("tenant", "=", filter.tenant);
    if (filter.actor !== undefined) q = q.where("actor", "=", filter.actor);
    if (filter.action !== undefined) q = q.where("action", "=", filter.action);
    if (filter.outcome !== undefined) q = q.where("outcome", "=", filter.outcome);
    if (filter.since !== undefined) q = q.where("created_time", ">=", instant(filter.since));
    if (filter.until !== undefined) q = q.where("created_time", "<", instant(filter.until));
    const rows = await this.nextPage(q, this.cursorValues(page), limit).execute();
    return toPage(rows, limit, this.dialect.rows.rowToAudit);
  }

  async purgeAudit(before: Date, limit: number): Promise<number> {
    checkPositiveInteger("limit", limit);
    const doomed = this.db
      .selectFrom("audit_log")
      .select("id")
      .where("created_time", "<", this.dialect.instant(before))
      .orderBy("created_time")
      .limit(limit);
    const result = await this.db.deleteFrom("audit_log").where("id", "in", doomed).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async queueStats(now: Date, overdueBefore: Date): Promise<QueueStats> {
    const due = this.db
      .selectFrom("executions")
      .where("status", "=", "Pending")
      .where("next_attempt_at", "<=", this.dialect.instant(now));
    const [{ n }, oldest, { overdue }] = await Promise.all([
      due.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
      due.selectAll().orderBy("next_attempt_at").limit(1).executeTakeFirst(),
      this.db
        .selectFrom("executions")
        .select((eb) => eb.fn.countAll<number>().as("overdue"))
        .where("status", "=", "Pending")
        .where("attempts", "=", 0)
        .where("scheduled_time", "<=", this.dialect.instant(overdueBefore))
        .executeTakeFirstOrThrow(),
    ]);
    return {
      due: count(n),
      oldestDueAt: oldest === undefined ? null : this.dialect.rows.rowToExecution(oldest).nextAttemptAt,
      overdue: count(overdue),
    };
  }

  // ── the callback outbox ───────────────────────────────────────────────────

  async recordDeliveryAttempt(
    id: string,
    owner: string,
    attempt: DeliveryAttempt,
    next: DeliveryNext,
  ): Promise<boolean> {
    if (attempt.deliveryId !== id) {
      throw new Error(`Attempt of delivery ${attempt.deliveryId} recorded on delivery ${id}`);
    }
    const attemptRow = this.dialect.rows.attemptToRow(attempt);
    const changes = {
      attempts: attempt.attempt,
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
      lease_owner: null,
      lease_expires_at: null,
      status: next.status,
      ...(next.status === "Pending" ? { next_attempt_at: this.dialect.instant(next.nextAttemptAt) } : {}),
      ...(next.status === "Delivered" ? { delivered_at: attemptRow.at } : {}),
    };
    return this.db.transaction().execute(async (trx) => {
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

  async listReportDeliveries(scope: Scope, reportId: string): Promise<DeliveryWithLog[]> {
    const rows = await this.db
      .selectFrom("callback_deliveries")
      .select("execution_id")
      .where("tenant", "=", scope.tenant)
      .where("program", "=", scope.program)
      .where("report_id", "=", reportId)
      .execute();
    return this.listDeliveries(
      scope,
      rows.map((r) => r.execution_id),
    );
  }

  async redeliver(scope: Scope, executionId: string, now: Date): Promise<"queued" | "busy" | "missing"> {
    const at = this.dialect.instant(now);
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("callback_deliveries")
        .set({
          status: "Pending",
          next_attempt_at: at,
          delivered_at: null,
          lease_owner: null,
          lease_expires_at: null,
        })
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("execution_id", "=", executionId)
        .where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_expires_at", "<=", at)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        await this.afterRedeliver(trx);
        return "queued";
      }
      const exists = await trx
        .selectFrom("callback_deliveries")
        .select("id")
        .where("tenant", "=", scope.tenant)
        .where("program", "=", scope.program)
        .where("execution_id", "=", executionId)
        .executeTakeFirst();
      return exists ? "busy" : "missing";
    });
  }

  /** Runs in `redeliver`'s transaction once a delivery is due again (e.g. to notify). */
  protected async afterRedeliver(_trx: Kysely<MetadataTables<I, B>>): Promise<void> {}

  async listDeliveries(scope: Scope, executionIds: readonly string[]): Promise<DeliveryWithLog[]> {
    if (executionIds.length === 0) return [];
    const { anyOf, idChunk, deliveryOrder, rows: mappers } = this.dialect;
    const deliveries: CallbackDelivery[] = [];
    for (const part of chunks([...new Set(executionIds)], idChunk)) {
      const rows = await this.templates.rows("listDeliveries", { ...scope, executionIds: part }, (v) =>
        this.db
          .selectFrom("callback_deliveries")
          .selectAll()
          .where("tenant", "=", v.tenant)
          .where("program", "=", v.program)
          .where(anyOf("execution_id", v.executionIds))
          .orderBy("created_time")
          .orderBy("id"),
      );
      deliveries.push(...rows.map(mappers.rowToDelivery));
    }
    if (deliveryOrder !== undefined) deliveries.sort(deliveryOrder);
    const log = new Map<string, DeliveryAttempt[]>(deliveries.map((d) => [d.id, []]));
    for (const part of chunks([...log.keys()], idChunk)) {
      const rows = await this.templates.rows("listAttempts", { deliveryIds: part }, (v) =>
        this.db
          .selectFrom("callback_attempts")
          .selectAll()
          .where(anyOf("delivery_id", v.deliveryIds))
          .orderBy("delivery_id")
          .orderBy("attempt"),
      );
      for (const row of rows) log.get(row.delivery_id)?.push(mappers.rowToAttempt(row));
    }
    return deliveries.map((d) => ({ ...d, attemptLog: log.get(d.id) ?? [] }));
  }
}

/**
 * Inserts execution rows `chunk` at a time, skipping any whose (report_id, scheduled_time)
 * exists; returns the number inserted.
 */
export async function insertExecutionRows<I, B>(
  db: Kysely<MetadataTables<I, B>>,
  rows: readonly Insertable<ExecutionsTable<I>>[],
  chunk: number,
): Promise<number> {
  let inserted = 0;
  for (const part of chunks(rows, chunk)) {
    const result = await db
      .insertInto("executions")
      .values(part)
      .onConflict((oc) => oc.columns(["report_id", "scheduled_time"]).doNothing())
      .executeTakeFirst();
    inserted += count(result.numInsertedOrUpdatedRows);
  }
  return inserted;
}
