/** Running a load as a record: Running while it runs, then Completed with its counts or Failed with the reason. */
import type { MetadataStore } from "../storage/ports.js";
import { finishLoad, type LoadMode, type LoadOutcome, type StoredLoad, startLoad } from "./model.js";

export interface LoadRun {
  readonly rowCount: number;
  readonly bytes: number;
  /** When the load committed, if the run knows (its record's finishedAt); else when it returned. */
  readonly at?: Date;
}

export interface RecordLoadDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** How often a running load says it is alive (`loads.heartbeat_time`). */
export const LOAD_HEARTBEAT_MS = 2_000;
/**
 * A Running load silent this long has lost its process (a SIGKILL, a crash): `failStaleLoads` fails
 * it. Five missed heartbeats, so a busy event loop is not mistaken for a dead process.
 */
export const LOAD_STALE_MS = 5 * LOAD_HEARTBEAT_MS;
export const STALE_LOAD_REASON =
  "The process running this load stopped before it finished (killed or crashed); nothing of it was committed";

/**
 * Records the load, runs it, and records how it ended; the load's own error is rethrown once the
 * failure is recorded. While it runs, its heartbeat is renewed; a process killed meanwhile leaves
 * the record Running until a sweep (`sweepStaleLoads`) finds its heartbeat stale and fails it.
 */
export async function recordLoad(
  deps: RecordLoadDeps,
  fields: Pick<StoredLoad, "program" | "dataset" | "tenant"> & { readonly mode: LoadMode },
  run: (load: StoredLoad) => Promise<LoadRun>,
): Promise<StoredLoad> {
  const load = startLoad({ id: deps.newId(), ...fields }, deps.now());
  await deps.store.createLoad(load);
  // Wall time, not deps.now(): liveness is about this process, whatever clock the caller injects.
  const heartbeat = setInterval(() => {
    deps.store.heartbeatLoad(load.id, new Date()).catch(() => undefined);
  }, LOAD_HEARTBEAT_MS);
  heartbeat.unref();
  let outcome: LoadOutcome;
  try {
    const ran = await run(load);
    outcome = { status: "Completed", rowCount: ran.rowCount, bytes: ran.bytes, at: ran.at ?? deps.now() };
  } catch (error) {
    clearInterval(heartbeat);
    const reason = error instanceof Error ? error.message : String(error);
    await deps.store.finishLoad(load.id, { status: "Failed", at: deps.now(), reason, bytes: null });
    throw error;
  }
  clearInterval(heartbeat);
  // False when the engine's commit already completed the record (same transaction): nothing to do.
  await deps.store.finishLoad(load.id, outcome);
  return finishLoad(load, outcome);
}

/** Fails the Running loads whose process stopped (see LOAD_STALE_MS); returns how many. */
export function sweepStaleLoads(store: MetadataStore, now: Date = new Date()): Promise<number> {
  return store.failStaleLoads(new Date(now.getTime() - LOAD_STALE_MS), STALE_LOAD_REASON, now);
}
