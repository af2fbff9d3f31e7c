/** Report queries and reports as the service stores them. All times are UTC instants. */
import type { Program } from "../datasets/types.js";
import type { Compression, ReportFormat } from "./formats.js";

export interface StoredQuery {
  readonly id: string;
  readonly tenant: string;
  readonly program: Program;
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly user: string;
  readonly createdTime: Date;
  readonly modifiedTime: Date | null;
}

export type ReportStatus = "Active" | "Paused" | "Inactive";

/**
 * Extension `QueryWindow`: `SinceLastSuccess` makes each run cover from the end of the report's
 * previous completed run's window to its own slot (docs/scheduling.md); null = TIMESPAN as today.
 */
export const QUERY_WINDOWS = ["SinceLastSuccess"] as const;
export type QueryWindow = (typeof QUERY_WINDOWS)[number];
export type CallbackMethod = "GET" | "POST";

/** What MaxFileSizeMB counts in: a megabyte of 1,048,576 bytes. */
export const BYTES_PER_MB = 1_048_576;
/** The largest MaxFileSizeMB (1 TB): larger is no limit at all. */
export const MAX_FILE_SIZE_MB = 1_048_576;

export interface StoredReport {
  readonly id: string;
  readonly tenant: string;
  readonly program: Program;
  readonly name: string;
  readonly description: string;
  /** A system query id or a user-defined query id. */
  readonly queryId: string;
  /** The query text at creation, so a report keeps running what it was created with. */
  readonly queryText: string;
  readonly startTime: Date;
  /** Hours between runs. */
  readonly recurrenceInterval: number;
  /** Number of runs; null = indefinitely. */
  readonly recurrenceCount: number | null;
  readonly executeNow: boolean;
  readonly queryStartTime: Date | null;
  readonly queryEndTime: Date | null;
  /** Extension; null = each run's window is the query's TIMESPAN at its slot. */
  readonly queryWindow: QueryWindow | null;
  /**
   * Extension `Schedule`: a 5-field cron expression whose times in `timeZone` are the slots
   * (docs/scheduling.md, "Calendar schedules"); null = slots every `recurrenceInterval` hours.
   */
  readonly schedule: string | null;
  /** Extension `TimeZone`: the IANA zone of `schedule` (canonical spelling); null without a schedule. */
  readonly timeZone: string | null;
  readonly format: ReportFormat;
  readonly compression: Compression;
  /** Extension: text cells a spreadsheet would run as a formula are prefixed with '. */
  readonly spreadsheetSafe: boolean;
  /**
   * Extension `MaxFileSizeMB`: a larger result is written as parts of at most this many MB
   * (`BYTES_PER_MB`); null = the deployment's default (OPENINSIGHTS_MAX_FILE_SIZE_MB), else one file.
   */
  readonly maxFileSizeMB?: number | null;
  readonly callbackUrl: string | null;
  readonly callbackMethod: CallbackMethod | null;
  /** Extension: also call back when an execution fails for good (docs/callbacks.md). */
  readonly callbackOnFailure: boolean;
  /**
   * Extension `TestClockId`: the test clock the report lives on (its slots are planned against the
   * clock's frozen time, docs/test-clocks.md); null or absent = the wall clock.
   */
  readonly testClockId?: string | null;
  readonly status: ReportStatus;
  readonly user: string;
  readonly createdTime: Date;
  readonly modifiedTime: Date | null;
}
