/**
 * Test clocks (issue #18): a tenant's own frozen instant that reports can live on, moved forward
 * on demand so that a daily report's runs can be watched in seconds (docs/test-clocks.md).
 */
import type { Program } from "../datasets/types.js";

/** `Advancing` while an advance creates the executions of the slots it passed; `Ready` once every due slot has its execution. */
export type TestClockStatus = "Ready" | "Advancing";
export const TEST_CLOCK_STATUSES: readonly TestClockStatus[] = ["Ready", "Advancing"];

export interface StoredTestClock {
  readonly id: string;
  readonly tenant: string;
  readonly program: Program;
  readonly name: string;
  /** The clock's time: reports on it see this instant as "now". */
  readonly frozenTime: Date;
  readonly status: TestClockStatus;
  readonly createdTime: Date;
  readonly modifiedTime: Date | null;
}
