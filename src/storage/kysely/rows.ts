/**
 * Row ↔ entity mapping shared by the SQLite and PostgreSQL metadata stores. The engines differ
 * only in how they represent instants and booleans (see each adapter's `schema.ts`); an adapter
 * passes a `ColumnCodec` for those and gets the mappers for its row types.
 */
import { AUDIT_OUTCOMES, type AuditEntry } from "../../audit/model.js";
import type { ExecutionPart, ExecutionStatus, StoredExecution } from "../../executions/model.js";
import { LOAD_MODES, LOAD_STATUSES, type StoredLoad } from "../../loads/model.js";
import { COMPRESSIONS, REPORT_FORMAT_NAMES } from "../../reports/formats.js";
import {
  type CallbackMethod,
  QUERY_WINDOWS,
  type ReportStatus,
  type StoredQuery,
  type StoredReport,
} from "../../reports/model.js";
import { type StoredTestClock, TEST_CLOCK_STATUSES } from "../../testclocks/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryStatus } from "../../webhooks/model.js";
import type {
  AuditLogTable,
  CallbackAttemptsTable,
  CallbackDeliveriesTable,
  ExecutionsTable,
  LoadsTable,
  ReportQueriesTable,
  ReportsTable,
  TestClocksTable,
} from "./schema.js";

const REPORT_STATUS_VALUES = ["Active", "Paused", "Inactive"] as const satisfies readonly ReportStatus[];
const METHOD_VALUES = ["GET", "POST"] as const satisfies readonly CallbackMethod[];
const EXECUTION_STATUS_VALUES = [
  "Pending",
  "Running",
  "Paused",
  "Completed",
  "Failed",
] as const satisfies readonly ExecutionStatus[];
const DELIVERY_STATUS_VALUES = [
  "Pending",
  "Delivered",
  "Failed",
] as const satisfies readonly DeliveryStatus[];

/**
 * The key case-insensitive name filters compare. Upper- then lower-casing folds more than
 * `toLowerCase` alone (e.g. "ß" ≡ "SS", "ſ" ≡ "s") without depending on a locale; NFC makes
 * precomposed and decomposed spellings of the same text equal. Both engines fold with this one
 * function, so a store can be moved from one engine to the other.
 */
export function foldName(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase();
}

/** How an engine stores instants (`I`) and booleans (`B`). */
export interface ColumnCodec<I, B> {
  /** Must reject invalid dates instead of storing garbage. */
  toInstant(date: Date): I;
  fromInstant(value: I): Date;
  toBool(value: boolean): B;
  fromBool(value: B): boolean;
}

function oneOf<T extends string>(values: readonly T[], value: string, column: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new Error(`Unexpected value ${JSON.stringify(value)} in column ${column}`);
}

/** The row ↔ entity mappers for one engine's representation. */
export function rowMapping<I, B>(codec: ColumnCodec<I, B>) {
  const { toInstant, fromInstant } = codec;
  const toInstantOrNull = (date: Date | null): I | null => (date === null ? null : toInstant(date));
  const fromInstantOrNull = (value: I | null): Date | null => (value === null ? null : fromInstant(value));

  return {
    toInstantOrNull,
    fromInstant,

    loadToRow(l: StoredLoad): LoadsTable<I> {
      return {
        id: l.id,
        tenant: l.tenant,
        program: l.program,
        dataset: l.dataset,
        mode: l.mode,
        status: l.status,
        row_count: l.rowCount,
        bytes: l.bytes,
        failure_reason: l.failureReason,
        started_time: toInstant(l.startedAt),
        finished_time: toInstantOrNull(l.finishedAt),
        heartbeat_time: null,
      };
    },

    rowToLoad(r: LoadsTable<I>): StoredLoad {
      return {
        id: r.id,
        tenant: r.tenant,
        program: r.program,
        dataset: r.dataset,
        mode: oneOf(LOAD_MODES, r.mode, "loads.mode"),
        status: oneOf(LOAD_STATUSES, r.status, "loads.status"),
        rowCount: r.row_count === null ? null : Number(r.row_count),
        bytes: r.bytes === null ? null : Number(r.bytes),
        failureReason: r.failure_reason,
        startedAt: fromInstant(r.started_time),
        finishedAt: fromInstantOrNull(r.finished_time),
      };
    },

    queryToRow(q: StoredQuery): ReportQueriesTable<I> {
      return {
        id: q.id,
        tenant: q.tenant,
        program: q.program,
        name: q.name,
        name_key: foldName(q.name),
        description: q.description,
        query_text: q.query,
        user_name: q.user,
        created_time: toInstant(q.createdTime),
        modified_time: toInstantOrNull(q.modifiedTime),
      };
    },

    rowToQuery(r: ReportQueriesTable<I>): StoredQuery {
      return {
        id: r.id,
        tenant: r.tenant,
        program: r.program,
        name: r.name,
        description: r.description,
        query: r.query_text,
        user: r.user_name,
        createdTime: fromInstant(r.created_time),
        modifiedTime: fromInstantOrNull(r.modified_time),
      };
    },

    reportToRow(r: StoredReport): ReportsTable<I, B> {
      return {
        id: r.id,
        tenant: r.tenant,
        program: r.program,
        name: r.name,
        name_key: foldName(r.name),
        description: r.description,
        query_id: r.queryId,
        query_text: r.queryText,
        start_time: toInstant(r.startTime),
        recurrence_interval: r.recurrenceInterval,
        recurrence_count: r.recurrenceCount,
        execute_now: codec.toBool(r.executeNow),
        query_start_time: toInstantOrNull(r.queryStartTime),
        query_end_time: toInstantOrNull(r.queryEndTime),
        query_window: r.queryWindow,
        schedule: r.schedule,
        time_zone: r.timeZone,
        format: r.format,
        compression: r.compression,
        spreadsheet_safe: codec.toBool(r.spreadsheetSafe),
        max_file_size_mb: r.maxFileSizeMB ?? null,
        callback_url: r.callbackUrl,
        callback_method: r.callbackMethod,
        callback_on_failure: codec.toBool(r.callbackOnFailure),
        test_clock_id: r.testClockId ?? null,
        status: r.status,
        user_name: r.user,
        created_time: toInstant(r.createdTime),
        modified_time: toInstantOrNull(r.modifiedTime),
      };
    },

    rowToReport(r: ReportsTable<I, B>): StoredReport {
      return {
        id: r.id,
        tenant: r.tenant,
        program: r.program,
        name: r.name,
        description: r.description,
        queryId: r.query_id,
        queryText: r.query_text,
        startTime: fromInstant(r.start_time),
        recurrenceInterval: r.recurrence_interval,
        recurrenceCount: r.recurrence_count,
        executeNow: codec.fromBool(r.execute_now),
        queryStartTime: fromInstantOrNull(r.query_start_time),
        queryEndTime: fromInstantOrNull(r.query_end_time),
        queryWindow:
          r.query_window === null ? null : oneOf(QUERY_WINDOWS, r.query_window, "reports.query_window"),
        schedule: r.schedule ?? null,
        timeZone: r.time_zone ?? null,
        format: oneOf(REPORT_FORMAT_NAMES, r.format, "reports.format"),
        compression: oneOf(COMPRESSIONS, r.compression, "reports.compression"),
        spreadsheetSafe: codec.fromBool(r.spreadsheet_safe),
        // Absent when not set, as reports made before MaxFileSizeMB existed.
        ...(r.max_file_size_mb == null ? {} : { maxFileSizeMB: r.max_file_size_mb }),
        callbackUrl: r.callback_url,
        callbackMethod:
          r.callback_method === null
            ? null
            : oneOf(METHOD_VALUES, r.callback_method, "reports.callback_method"),
        callbackOnFailure: codec.fromBool(r.callback_on_failure),
        // Absent on the wall clock, as reports made before test clocks existed.
        ...(r.test_clock_id ? { testClockId: r.test_clock_id } : {}),
        status: oneOf(REPORT_STATUS_VALUES, r.status, "reports.status"),
        user: r.user_name,
        createdTime: fromInstant(r.created_time),
        modifiedTime: fromInstantOrNull(r.modified_time),
      };
    },

    testClockToRow(c: StoredTestClock): TestClocksTable<I> {
      return {
        id: c.id,
        tenant: c.tenant,
        program: c.program,
        name: c.name,
        frozen_time: toInstant(c.frozenTime),
        status: c.status,
        created_time: toInstant(c.createdTime),
        modified_time: toInstantOrNull(c.modifiedTime),
      };
    },

    rowToTestClock(r: TestClocksTable<I>): StoredTestClock {
      return {
        id: r.id,
        tenant: r.tenant,
        program: r.program,
        name: r.name,
        frozenTime: fromInstant(r.frozen_time),
        status: oneOf(TEST_CLOCK_STATUSES, r.status, "test_clocks.status"),
        createdTime: fromInstant(r.created_time),
        modifiedTime: fromInstantOrNull(r.modified_time),
      };
    },

    executionToRow(e: StoredExecution): ExecutionsTable<I> {
      return {
        id: e.id,
        report_id: e.reportId,
        tenant: e.tenant,
        program: e.program,
        scheduled_time: toInstant(e.scheduledTime),
        window_start: toInstantOrNull(e.windowStart),
        window_end: toInstantOrNull(e.windowEnd),
        status: e.status,
        lease_owner: e.leaseOwner,
        lease_expires_at: toInstantOrNull(e.leaseExpiresAt),
        attempts: e.attempts,
        next_attempt_at: toInstant(e.nextAttemptAt),
        file_key: e.fileKey,
        row_count: e.rowCount,
        bytes: e.bytes,
        sha256: e.sha256,
        generated_time: toInstantOrNull(e.generatedTime),
        failure_code: e.failureCode,
        failure_reason: e.failureReason,
        skipped_slots: e.skippedSlots,
        origin: e.backfill ? "backfill" : null,
        created_time: toInstant(e.createdTime),
        modified_time: toInstantOrNull(e.modifiedTime),
        data_version: e.dataVersion ?? null,
        parts: e.parts ? JSON.stringify(e.parts) : null,
      };
    },

    rowToExecution(r: ExecutionsTable<I>): StoredExecution {
      return {
        id: r.id,
        reportId: r.report_id,
        tenant: r.tenant,
        program: r.program,
        scheduledTime: fromInstant(r.scheduled_time),
        windowStart: fromInstantOrNull(r.window_start),
        windowEnd: fromInstantOrNull(r.window_end),
        status: oneOf(EXECUTION_STATUS_VALUES, r.status, "executions.status"),
        leaseOwner: r.lease_owner,
        leaseExpiresAt: fromInstantOrNull(r.lease_expires_at),
        attempts: r.attempts,
        nextAttemptAt: fromInstant(r.next_attempt_at),
        fileKey: r.file_key,
        rowCount: r.row_count,
        bytes: r.bytes,
        sha256: r.sha256,
        generatedTime: fromInstantOrNull(r.generated_time),
        failureCode: r.failure_code,
        failureReason: r.failure_reason,
        skippedSlots: r.skipped_slots,
        backfill: r.origin === "backfill",
        createdTime: fromInstant(r.created_time),
        modifiedTime: fromInstantOrNull(r.modified_time),
        // Absent rather than null when unknown, so executions written before 010 compare as before.
        ...(r.data_version == null ? {} : { dataVersion: r.data_version }),
        ...(r.parts == null ? {} : { parts: JSON.parse(r.parts) as ExecutionPart[] }),
      };
    },

    deliveryToRow(d: CallbackDelivery): CallbackDeliveriesTable<I> {
      return {
        id: d.id,
        execution_id: d.executionId,
        report_id: d.reportId,
        tenant: d.tenant,
        program: d.program,
        url: d.url,
        method: d.method,
        payload: d.payload,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: toInstant(d.nextAttemptAt),
        lease_owner: d.leaseOwner,
        lease_expires_at: toInstantOrNull(d.leaseExpiresAt),
        last_status_code: d.lastStatusCode,
        last_error: d.lastError,
        delivered_at: toInstantOrNull(d.deliveredAt),
        created_time: toInstant(d.createdTime),
      };
    },

    rowToDelivery(r: CallbackDeliveriesTable<I>): CallbackDelivery {
      return {
        id: r.id,
        executionId: r.execution_id,
        reportId: r.report_id,
        tenant: r.tenant,
        program: r.program,
        url: r.url,
        method: oneOf(METHOD_VALUES, r.method, "callback_deliveries.method"),
        payload: r.payload,
        status: oneOf(DELIVERY_STATUS_VALUES, r.status, "callback_deliveries.status"),
        attempts: r.attempts,
        nextAttemptAt: fromInstant(r.next_attempt_at),
        leaseOwner: r.lease_owner,
        leaseExpiresAt: fromInstantOrNull(r.lease_expires_at),
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        deliveredAt: fromInstantOrNull(r.delivered_at),
        createdTime: fromInstant(r.created_time),
      };
    },

    attemptToRow(a: DeliveryAttempt): CallbackAttemptsTable<I> {
      return {
        delivery_id: a.deliveryId,
        attempt: a.attempt,
        at: toInstant(a.at),
        status_code: a.statusCode,
        error: a.error,
        duration_ms: a.durationMs,
      };
    },

    auditToRow(e: AuditEntry): AuditLogTable<I> {
      return {
        id: e.id,
        created_time: toInstant(e.createdTime),
        tenant: e.tenant,
        actor: e.actor,
        request_id: e.requestId,
        action: e.action,
        program: e.program,
        target: e.target,
        outcome: e.outcome,
        status_code: e.statusCode,
        detail: e.detail,
      };
    },

    rowToAudit(r: AuditLogTable<I>): AuditEntry {
      return {
        id: r.id,
        createdTime: fromInstant(r.created_time),
        tenant: r.tenant,
        actor: r.actor,
        requestId: r.request_id,
        action: r.action,
        program: r.program,
        target: r.target,
        outcome: oneOf(AUDIT_OUTCOMES, r.outcome, "audit_log.outcome"),
        statusCode: r.status_code,
        detail: r.detail,
      };
    },

    rowToAttempt(r: CallbackAttemptsTable<I>): DeliveryAttempt {
      return {
        deliveryId: r.delivery_id,
        attempt: r.attempt,
        at: fromInstant(r.at),
        statusCode: r.status_code,
        error: r.error,
        durationMs: r.duration_ms,
      };
    },
  };
}

/** The mappers `rowMapping` returns, for one engine's instant and boolean types. */
export type RowMapping<I, B> = ReturnType<typeof rowMapping<I, B>>;
