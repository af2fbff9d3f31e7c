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
  /** Set after a failed attempt; with status Pending the execution will be retried at nextAttemptAt. */
  readonly failureCode: string | null;
  readonly failureReason: string | null;
  /** Earlier slots of the report skipped in favour of this one (service downtime, see docs/scheduling.md). */
  readonly skippedSlots: number;
  /**
   * Created by a backfill (POST …/backfill) for a past slot: it runs for that slot as it is (no
   * catch-up to the latest due slot) with its TIMESPAN at that slot (docs/scheduling.md).
   */
  readonly backfill: boolean;
  readonly createdTime: Date;
  readonly modifiedTime: Date | null;
  /** The data version a Completed execution's export read (docs/api.md, manifest.dataVersion). */
  readonly dataVersion?: string;
  /**
   * A result written in parts (MaxFileSizeMB, docs/api.md): every part in order, the first being
   * the file of `fileKey`, `bytes` and `sha256`; `rowCount` is then the sum of theirs. Absent for
   * one file.
   */
  readonly parts?: readonly ExecutionPart[];
}

/** A part's number (from 1) as file names carry it: four digits at least, so that names sort in order. */
export function partNumber(n: number): string {
  return String(n).padStart(4, "0");
}

/** One file of a result written in parts. */
export interface ExecutionPart {
  readonly fileKey: string;
  readonly rowCount: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** How a claimed execution ended. */
export type ExecutionOutcome =
  | {
      readonly status: "Completed";
      readonly at: Date;
      readonly fileKey: string;
      readonly rowCount: number;
      readonly bytes: number;
      readonly sha256: string;
      readonly windowStart: Date | null;
      readonly windowEnd: Date | null;
      /** The data version the export read; absent from engines that cannot tell. */
      readonly dataVersion?: string;
      /** Two or more parts (the first is `fileKey`'s), as StoredExecution.parts. */
      readonly parts?: readonly ExecutionPart[];
    }
  /** A transient failure: back to Pending, tried again at `retryAt`. */
  | {
      readonly status: "Retry";
      readonly at: Date;
      readonly code: string;
      readonly reason: string;
      readonly retryAt: Date;
    }
  | { readonly status: "Failed"; readonly at: Date; readonly code: string; readonly reason: string };
