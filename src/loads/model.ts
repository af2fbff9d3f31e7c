/**
 * A load: one file of rows added to (or replacing) a tenant's rows of one dataset, kept as a record
 * like an execution. Its state machine: Running → Completed | Failed, nothing else.
 */
import type { Program } from "../datasets/types.js";

export const LOAD_MODES = ["append", "replace"] as const;
export type LoadMode = (typeof LOAD_MODES)[number];

export const LOAD_STATUSES = ["Running", "Completed", "Failed"] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

export interface StoredLoad {
  readonly id: string;
  readonly program: Program;
  readonly dataset: string;
  readonly tenant: string;
  readonly mode: LoadMode;
  readonly status: LoadStatus;
  /** Rows added; null until Completed. */
  readonly rowCount: number | null;
  /** Size of the file as received. */
  readonly bytes: number | null;
  readonly failureReason: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/** How a Running load ended. */
export type LoadOutcome =
  | { readonly status: "Completed"; readonly at: Date; readonly rowCount: number; readonly bytes: number }
  | { readonly status: "Failed"; readonly at: Date; readonly reason: string; readonly bytes: number | null };

export function startLoad(
  fields: Pick<StoredLoad, "id" | "program" | "dataset" | "tenant" | "mode">,
  now: Date,
): StoredLoad {
  return {
    ...fields,
    status: "Running",
    rowCount: null,
    bytes: null,
    failureReason: null,
    startedAt: now,
    finishedAt: null,
  };
}

/** The load as its outcome leaves it (only a Running load has one). */
export function finishLoad(load: StoredLoad, outcome: LoadOutcome): StoredLoad {
  if (load.status !== "Running") throw new Error(`Load ${load.id} is ${load.status}, not Running`);
  return outcome.status === "Completed"
    ? {
        ...load,
        status: "Completed",
        rowCount: outcome.rowCount,
        bytes: outcome.bytes,
        finishedAt: outcome.at,
      }
    : {
        ...load,
        status: "Failed",
        bytes: outcome.bytes,
        failureReason: outcome.reason,
        finishedAt: outcome.at,
      };
}
