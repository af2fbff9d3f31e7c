/**
 * Row ↔ entity mapping for the PostgreSQL metadata store (representation: see `schema.ts`).
 * `foldName` is a copy of the SQLite adapter's (adapters never import each other): both must
 * fold names identically so a store can be moved from one engine to the other.
 */
import type { Program } from "../../datasets/types.js";
import type { ExecutionStatus, StoredExecution } from "../../executions/model.js";
import type {
  CallbackMethod,
  Compression,
  ReportFormat,
  ReportStatus,
  StoredQuery,
  StoredReport,
} from "../../reports/model.js";
import type { CallbackDelivery, DeliveryAttempt, DeliveryStatus } from "../../webhooks/model.js";
import type {
  CallbackAttemptsTable,
  CallbackDeliveriesTable,
  ExecutionsTable,
  ReportQueriesTable,
  ReportsTable,
} from "./schema.js";

const PROGRAM_VALUES = ["mpn", "cmp"] as const satisfies readonly Program[];
const REPORT_STATUS_VALUES = ["Active", "Paused", "Inactive"] as const satisfies readonly ReportStatus[];
const FORMAT_VALUES = ["csv", "tsv"] as const satisfies readonly ReportFormat[];
const COMPRESSION_VALUES = ["none", "gzip"] as const satisfies readonly Compression[];
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
 * precomposed and decomposed spellings of the same text equal.
 */
export function foldName(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase();
}

/** A copy of a Date, rejecting invalid dates instead of storing garbage. */
export function toDate(date: Date): Date {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("Cannot store an invalid Date");
  return new Date(ms);
}

export function toDateOrNull(date: Date | null): Date | null {
  return date === null ? null : toDate(date);
}

/** node-postgres returns `timestamptz` as a Date; a copy keeps rows and entities independent. */
function fromDate(date: Date): Date {
  return new Date(date.getTime());
}

function fromDateOrNull(date: Date | null): Date | null {
  return date === null ? null : fromDate(date);
}

function oneOf<T extends string>(values: readonly T[], value: string, column: string): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new Error(`Unexpected value ${JSON.stringify(value)} in column ${column}`);
}

export function queryToRow(q: StoredQuery): ReportQueriesTable {
  return {
    id: q.id,
    tenant: q.tenant,
    program: q.program,
    name: q.name,
    name_key: foldName(q.name),
    description: q.description,
    query_text: q.query,
    user_name: q.user,
    created_time: toDate(q.createdTime),
    modified_time: toDateOrNull(q.modifiedTime),
  };
}

export function rowToQuery(r: ReportQueriesTable): StoredQuery {
  return {
    id: r.id,
    tenant: r.tenant,
    program: oneOf(PROGRAM_VALUES, r.program, "report_queries.program"),
    name: r.name,
    description: r.description,
    query: r.query_text,
    user: r.user_name,
    createdTime: fromDate(r.created_time),
    modifiedTime: fromDateOrNull(r.modified_time),
  };
}

export function reportToRow(r: StoredReport): ReportsTable {
  return {
    id: r.id,
    tenant: r.tenant,
    program: r.program,
    name: r.name,
    name_key: foldName(r.name),
    description: r.description,
    query_id: r.queryId,
    query_text: r.queryText,
    start_time: toDate(r.startTime),
    recurrence_interval: r.recurrenceInterval,
    recurrence_count: r.recurrenceCount,
    execute_now: r.executeNow,
    query_start_time: toDateOrNull(r.queryStartTime),
    query_end_time: toDateOrNull(r.queryEndTime),
    format: r.format,
    compression: r.compression,
    callback_url: r.callbackUrl,
    callback_method: r.callbackMethod,
    status: r.status,
    user_name: r.user,
    created_time: toDate(r.createdTime),
    modified_time: toDateOrNull(r.modifiedTime),
  };
}

export function rowToReport(r: ReportsTable): StoredReport {
  return {
    id: r.id,
    tenant: r.tenant,
    program: oneOf(PROGRAM_VALUES, r.program, "reports.program"),
    name: r.name,
    description: r.description,
    queryId: r.query_id,
    queryText: r.query_text,
    startTime: fromDate(r.start_time),
    recurrenceInterval: r.recurrence_interval,
    recurrenceCount: r.recurrence_count,
    executeNow: r.execute_now,
    queryStartTime: fromDateOrNull(r.query_start_time),
    queryEndTime: fromDateOrNull(r.query_end_time),
    format: oneOf(FORMAT_VALUES, r.format, "reports.format"),
    compression: oneOf(COMPRESSION_VALUES, r.compression, "reports.compression"),
    callbackUrl: r.callback_url,
    callbackMethod:
      r.callback_method === null ? null : oneOf(METHOD_VALUES, r.callback_method, "reports.callback_method"),
    status: oneOf(REPORT_STATUS_VALUES, r.status, "reports.status"),
    user: r.user_name,
    createdTime: fromDate(r.created_time),
    modifiedTime: fromDateOrNull(r.modified_time),
  };
}

export function executionToRow(e: StoredExecution): ExecutionsTable {
  return {
    id: e.id,
    report_id: e.reportId,
    tenant: e.tenant,
    program: e.program,
    scheduled_time: toDate(e.scheduledTime),
    window_start: toDateOrNull(e.windowStart),
    window_end: toDateOrNull(e.windowEnd),
    status: e.status,
    lease_owner: e.leaseOwner,
    lease_expires_at: toDateOrNull(e.leaseExpiresAt),
    attempts: e.attempts,
    next_attempt_at: toDate(e.nextAttemptAt),
    file_key: e.fileKey,
    row_count: e.rowCount,
    bytes: e.bytes,
    sha256: e.sha256,
    generated_time: toDateOrNull(e.generatedTime),
    failure_code: e.failureCode,
    failure_reason: e.failureReason,
    skipped_slots: e.skippedSlots,
    created_time: toDate(e.createdTime),
    modified_time: toDateOrNull(e.modifiedTime),
  };
}

export function rowToExecution(r: ExecutionsTable): StoredExecution {
  return {
    id: r.id,
    reportId: r.report_id,
    tenant: r.tenant,
    program: oneOf(PROGRAM_VALUES, r.program, "executions.program"),
    scheduledTime: fromDate(r.scheduled_time),
    windowStart: fromDateOrNull(r.window_start),
    windowEnd: fromDateOrNull(r.window_end),
    status: oneOf(EXECUTION_STATUS_VALUES, r.status, "executions.status"),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: fromDateOrNull(r.lease_expires_at),
    attempts: r.attempts,
    nextAttemptAt: fromDate(r.next_attempt_at),
    fileKey: r.file_key,
    rowCount: r.row_count,
    bytes: r.bytes,
    sha256: r.sha256,
    generatedTime: fromDateOrNull(r.generated_time),
    failureCode: r.failure_code,
    failureReason: r.failure_reason,
    skippedSlots: r.skipped_slots,
    createdTime: fromDate(r.created_time),
    modifiedTime: fromDateOrNull(r.modified_time),
  };
}

export function deliveryToRow(d: CallbackDelivery): CallbackDeliveriesTable {
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
    next_attempt_at: toDate(d.nextAttemptAt),
    lease_owner: d.leaseOwner,
    lease_expires_at: toDateOrNull(d.leaseExpiresAt),
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    delivered_at: toDateOrNull(d.deliveredAt),
    created_time: toDate(d.createdTime),
  };
}

export function rowToDelivery(r: CallbackDeliveriesTable): CallbackDelivery {
  return {
    id: r.id,
    executionId: r.execution_id,
    reportId: r.report_id,
    tenant: r.tenant,
    program: oneOf(PROGRAM_VALUES, r.program, "callback_deliveries.program"),
    url: r.url,
    method: oneOf(METHOD_VALUES, r.method, "callback_deliveries.method"),
    payload: r.payload,
    status: oneOf(DELIVERY_STATUS_VALUES, r.status, "callback_deliveries.status"),
    attempts: r.attempts,
    nextAttemptAt: fromDate(r.next_attempt_at),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: fromDateOrNull(r.lease_expires_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: fromDateOrNull(r.delivered_at),
    createdTime: fromDate(r.created_time),
  };
}

export function attemptToRow(a: DeliveryAttempt): CallbackAttemptsTable {
  return {
    delivery_id: a.deliveryId,
    attempt: a.attempt,
    at: toDate(a.at),
    status_code: a.statusCode,
    error: a.error,
    duration_ms: a.durationMs,
  };
}

export function rowToAttempt(r: CallbackAttemptsTable): DeliveryAttempt {
  return {
    deliveryId: r.delivery_id,
    attempt: r.attempt,
    at: fromDate(r.at),
    statusCode: r.status_code,
    error: r.error,
    durationMs: r.duration_ms,
  };
}
