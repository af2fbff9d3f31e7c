/** Report executions: one row per (report, scheduled slot); the table is also the work queue. */
import type { Program } from "../datasets/types.js";

/** The documented statuses plus `Failed`, which the real API lacks and users need. */
export type ExecutionStatus = "Pending" | "Running" | "Paused" | "Completed" | "Failed";
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  "Pending",
  "Running",
  "Paused",
  "Completed",
  "Failed",
];

export interface StoredExecution {
  readonly id: string;
  readonly reportId: string;
  readonly tenant: string;
  readonly program: Program;
  /** The slot this execution runs for; TIMESPAN is evaluated at this instant. Unique per report. */
  readonly scheduledTime: Date;
  /** The data window covered, once computed ([start, end), null = open). */
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
  readonly status: ExecutionStatus;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly fileKey: string | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  readonly generatedTime: Date | null;
  readonly failureCode: string | null;
  readonly failureReason: string | null;
  readonly createdTime: Date;
  readonly modifiedTime: Date | null;
}
