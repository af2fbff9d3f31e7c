/**
 * A queue worker process for the queue benchmark: opens the store, says ready, waits for "go",
 * then claims one execution at a time and finishes it as Completed (fake file), until none is due.
 * A store error (SQLite: "database is locked" once busy_timeout ran out) is counted and the call
 * retried, as the worker loop would on its next step.
 */
import { childMain } from "./common.js";
import { openStore, type StoreSpec } from "./stores.js";

export interface QueueJob {
  readonly spec: StoreSpec;
  readonly owner: string;
  readonly leaseMs: number;
  /** Executions claimed per call (the worker's runDue default is 1). */
  readonly batch: number;
}

export interface QueueChildResult {
  readonly claimed: number;
  readonly finished: number;
  /** Store calls that failed (and were retried), with the first message. */
  readonly errors: number;
  readonly firstError: string | null;
  /** Epoch ms (performance.timeOrigin based) of the first claim and of the last finish. */
  readonly startedAt: number;
  readonly endedAt: number;
}

childMain<QueueJob, QueueChildResult>(async (job, io) => {
  const store = await openStore(job.spec);
  try {
    io.ready();
    await io.next();
    const clock = () => performance.timeOrigin + performance.now();
    let claimed = 0;
    let finished = 0;
    let errors = 0;
    let firstError: string | null = null;
    const retrying = async <T>(fn: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
          if (attempt >= 50) throw error;
        }
      }
    };
    const startedAt = clock();
    for (;;) {
      const executions = await retrying(() =>
        store.claimExecutions(job.owner, new Date(), job.leaseMs, job.batch),
      );
      if (executions.length === 0) break;
      claimed += executions.length;
      for (const execution of executions) {
        const ok = await retrying(() =>
          store.finishExecution(
            execution.id,
            job.owner,
            {
              status: "Completed",
              at: new Date(),
              fileKey: `bench/${execution.id}.csv`,
              rowCount: 1,
              bytes: 10,
              sha256: "0".repeat(64),
              windowStart: null,
              windowEnd: null,
            },
            null,
          ),
        );
        if (ok) finished++;
      }
    }
    return { claimed, finished, errors, firstError, startedAt, endedAt: clock() };
  } finally {
    await store.close();
  }
});
