/** Entities → the JSON objects of the real API (camelCase, times as yyyy-MM-ddTHH:mm:ssZ). */
import { BoundedMap } from "../core/bounded-map.js";
import type { DatasetDef, SystemQueryDef } from "../datasets/types.js";
import type { StoredExecution } from "../executions/model.js";
import type { StoredLoad } from "../loads/model.js";
import type { StoredQuery, StoredReport } from "../reports/model.js";
import type { BackfillResult } from "../reports/report-service.js";
import type { StoredTestClock } from "../testclocks/model.js";
import type { CallbackDelivery, DeliveryAttempt } from "../webhooks/model.js";
import type { DownloadLink } from "./context.js";
import { JsonText } from "./envelope.js";

export function wireTime(date: Date): string;
export function wireTime(date: Date | null): string | null;
export function wireTime(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 19)}Z` : null;
}

/** Catalog entries never change: each one's JSON is made once. */
function serializedOnce<K extends object>(build: (key: K) => unknown): (key: K) => JsonText {
  const cache = new WeakMap<K, JsonText>();
  return (key) => {
    let text = cache.get(key);
    if (!text) {
      text = new JsonText(JSON.stringify(build(key)));
      cache.set(key, text);
    }
    return text;
  };
}

/**
 * A dataset of E1. Extensions: `lastRefreshedTime`, the calling tenant's last completed load of it;
 * `openInsightsColumnTypes`, each selectable column with its catalog type (the real service
 * documents no types; the prefix keeps the name clear of any field it may add).
 */
export function wireDataset(dataset: DatasetDef, lastRefreshedTime: Date | null) {
  return {
    datasetName: dataset.name,
    selectableColumns: dataset.columns.map((c) => c.name),
    availableMetrics: dataset.metrics.map((m) => m.name),
    availableDateRanges: [...dataset.availableDateRanges],
    minimumRecurrenceInterval: dataset.minimumRecurrenceInterval,
    lastRefreshedTime: wireTime(lastRefreshedTime),
    openInsightsColumnTypes: dataset.columns.map((c) => ({ name: c.name, type: c.type })),
  };
}

/** A load record of the operator API. */
export function wireLoad(load: StoredLoad) {
  return {
    loadId: load.id,
    program: load.program,
    dataset: load.dataset,
    tenantId: load.tenant,
    mode: load.mode,
    status: load.status,
    rowCount: load.rowCount,
    bytes: load.bytes,
    startedAt: wireTime(load.startedAt),
    finishedAt: wireTime(load.finishedAt),
    failureReason: load.failureReason,
  };
}

export interface WireQuery {
  queryId: string;
  name: string;
  description: string;
  query: string;
  type: "userDefined" | "system";
  user: string;
  createdTime: string;
  modifiedTime: string | null;
}

/** System queries are catalog data: they carry a fixed creation time and the user "System". */
export const SYSTEM_QUERY_USER = "System";
export const SYSTEM_QUERY_CREATED = new Date("2021-07-14T00:00:00Z");

export const wireSystemQuery = serializedOnce(
  (query: SystemQueryDef): WireQuery => ({
    queryId: query.id,
    name: query.name,
    description: query.description,
    query: query.query,
    type: "system",
    user: SYSTEM_QUERY_USER,
    createdTime: wireTime(SYSTEM_QUERY_CREATED),
    modifiedTime: null,
  }),
);

/** The JSON of user-defined queries, bounded by entries and bytes. */
const userQueryJson = new BoundedMap<JsonText>({
  maxEntries: 10_000,
  maxSize: 16 * 1024 * 1024,
  sizeOf: (text) => text.bytes.length,
});

/**
 * A user-defined query's JSON, made once: a query never changes after it is created (the API
 * has no update) and its id is never reused, so what was made for an id stays right.
 */
export function listedUserQuery(query: StoredQuery): JsonText {
  const key = `${query.tenant}/${query.program}/${query.id}`;
  let text = userQueryJson.get(key);
  if (!text) {
    text = new JsonText(JSON.stringify(wireUserQuery(query)));
    userQueryJson.set(key, text);
  }
  return text;
}

export function wireUserQuery(query: StoredQuery): WireQuery {
  return {
    queryId: query.id,
    name: query.name,
    description: query.description,
    query: query.query,
    type: "userDefined",
    user: query.user,
    createdTime: wireTime(query.createdTime),
    modifiedTime: wireTime(query.modifiedTime),
  };
}

export function wireReport(report: StoredReport) {
  return {
    reportId: report.id,
    reportName: report.name,
    description: report.description,
    queryId: report.queryId,
    query: report.queryText,
    user: report.user,
    createdTime: wireTime(report.createdTime),
    modifiedTime: wireTime(report.modifiedTime),
    executeNow: report.executeNow,
    queryStartTime: wireTime(report.queryStartTime),
    queryEndTime: wireTime(report.queryEndTime),
    startTime: wireTime(report.startTime),
    reportStatus: report.status,
    recurrenceInterval: report.recurrenceInterval,
    recurrenceCount: report.recurrenceCount,
    callbackUrl: report.callbackUrl,
    callbackMethod: report.callbackMethod,
    /** Extension: also called back when an execution fails for good. */
    callbackOnFailure: report.callbackOnFailure,
    format: report.format,
    /** Extension: "none", "gzip" or "zstd". */
    compression: report.compression,
    /** Extension: "SinceLastSuccess", or null (TIMESPAN). */
    queryWindow: report.queryWindow,
    /** Extension: the cron expression of a calendar schedule, or null (RecurrenceInterval). */
    schedule: report.schedule,
    /** Extension: the IANA zone of `schedule`, or null. */
    timeZone: report.timeZone,
    /** Extension: formula-like text cells prefixed with '. */
    spreadsheetSafe: report.spreadsheetSafe,
    /** Extension: results larger than this many MB are written in parts; null = the deployment's default. */
    maxFileSizeMB: report.maxFileSizeMB ?? null,
    /** Extension: the test clock the report lives on, or null (the wall clock). */
    testClockId: report.testClockId ?? null,
  };
}

export function wireTestClock(clock: StoredTestClock) {
  return {
    testClockId: clock.id,
    name: clock.name,
    frozenTime: wireTime(clock.frozenTime),
    status: clock.status,
    createdTime: wireTime(clock.createdTime),
  };
}

export type DeliveryView = CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] };

export function wireExecution(
  execution: StoredExecution,
  report: StoredReport,
  link: DownloadLink | null,
  delivery: DeliveryView | undefined,
  overdue: boolean,
  /** The link of each part of a result in parts, in order. */
  partLinks: readonly (DownloadLink | null)[] = [],
) {
  const completed = execution.status === "Completed";
  return {
    executionId: execution.id,
    reportId: execution.reportId,
    recurrenceInterval: report.recurrenceInterval,
    recurrenceCount: report.recurrenceCount,
    callbackUrl: report.callbackUrl,
    callbackMethod: report.callbackMethod,
    format: report.format,
    executionStatus: execution.status,
    reportLocation: execution.fileKey,
    reportAccessSecureLink: link?.url ?? null,
    reportExpiryTime: wireTime(link?.expiresAt ?? null),
    reportGeneratedTime: wireTime(execution.generatedTime),
    // Extensions (docs/api.md).
    scheduledTime: wireTime(execution.scheduledTime),
    attempts: execution.attempts,
    skippedSlots: execution.skippedSlots,
    overdue,
    manifest: completed
      ? {
          rowCount: execution.rowCount,
          bytes: execution.bytes,
          sha256: execution.sha256,
          dataWindowStart: wireTime(execution.windowStart),
          dataWindowEnd: wireTime(execution.windowEnd),
          dataVersion: execution.dataVersion ?? null,
          // Extension (MaxFileSizeMB): only a result in parts has them, so other manifests keep their shape.
          ...(execution.parts
            ? {
                parts: execution.parts.map((part, i) => ({
                  part: i + 1,
                  rowCount: part.rowCount,
                  bytes: part.bytes,
                  sha256: part.sha256,
                  reportAccessSecureLink: partLinks[i]?.url ?? null,
                  reportExpiryTime: wireTime(partLinks[i]?.expiresAt ?? null),
                })),
              }
            : {}),
        }
      : null,
    failure: execution.failureCode
      ? {
          code: execution.failureCode,
          reason: execution.failureReason,
          willRetry: execution.status === "Pending",
        }
      : null,
    callbackDelivery: delivery ? wireDelivery(delivery) : null,
  };
}

/** A callback delivery and its attempts, oldest first. */
export function wireDelivery(delivery: DeliveryView) {
  return {
    status: delivery.status,
    url: delivery.url,
    method: delivery.method,
    deliveredTime: wireTime(delivery.deliveredAt),
    nextAttemptTime: delivery.status === "Pending" ? wireTime(delivery.nextAttemptAt) : null,
    attempts: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      time: wireTime(attempt.at),
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
    })),
  };
}

/** A delivery as the deliveries route lists it: whose callback it is, then the delivery. */
export function wireReportDelivery(delivery: DeliveryView) {
  return {
    reportId: delivery.reportId,
    executionId: delivery.executionId,
    webhookId: delivery.id,
    ...wireDelivery(delivery),
  };
}

/** The answer of a backfill (extension): the range, its slot count, and what was created. */
export function wireBackfill(result: BackfillResult) {
  return {
    reportId: result.report.id,
    from: wireTime(result.from),
    to: wireTime(result.to),
    slotCount: result.slots,
    createdCount: result.created.length,
    existingCount: result.slots - result.created.length,
    executions: result.created.map((execution) => ({
      executionId: execution.id,
      scheduledTime: wireTime(execution.scheduledTime),
      executionStatus: execution.status,
    })),
  };
}
