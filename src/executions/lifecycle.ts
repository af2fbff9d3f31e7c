/** Execution rules that do not depend on storage: how an execution starts its life. */
import type { StoredReport } from "../reports/model.js";
import type { StoredExecution } from "./model.js";

/** A Pending execution of `report` for the slot `scheduledTime`, due at that time. */
export function newExecution(
  report: StoredReport,
  scheduledTime: Date,
  now: Date,
  id: string,
): StoredExecution {
  return {
    id,
    reportId: report.id,
    tenant: report.tenant,
    program: report.program,
    scheduledTime,
    windowStart: null,
    windowEnd: null,
    status: report.status === "Paused" ? "Paused" : "Pending",
    leaseOwner: null,
    leaseExpiresAt: null,
    attempts: 0,
    nextAttemptAt: scheduledTime,
    fileKey: null,
    rowCount: null,
    bytes: null,
    sha256: null,
    generatedTime: null,
    failureCode: null,
    failureReason: null,
    skippedSlots: 0,
    backfill: false,
    createdTime: now,
    modifiedTime: null,
  };
}

/**
 * Overdue: still waiting for its first attempt `thresholdMs` after its slot (a Paused one waits on
 * purpose, a retried one has started).
 */
export function isOverdue(execution: StoredExecution, now: Date, thresholdMs: number): boolean {
  return (
    execution.status === "Pending" &&
    execution.attempts === 0 &&
    now.getTime() - execution.scheduledTime.getTime() >= thresholdMs
  );
}
