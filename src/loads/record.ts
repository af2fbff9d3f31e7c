/** Running a load as a record: Running while it runs, then Completed with its counts or Failed with the reason. */
import type { MetadataStore } from "../storage/ports.js";
import { finishLoad, type LoadMode, type LoadOutcome, type StoredLoad, startLoad } from "./model.js";

export interface LoadRun {
  readonly rowCount: number;
  readonly bytes: number;
}

export interface RecordLoadDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
  readonly newId: () => string;
}

/**
 * Records the load, runs it, and records how it ended; the load's own error is rethrown once the
 * failure is recorded. (A process killed meanwhile leaves the record Running.)
 */
export async function recordLoad(
  deps: RecordLoadDeps,
  fields: Pick<StoredLoad, "program" | "dataset" | "tenant"> & { readonly mode: LoadMode },
  run: () => Promise<LoadRun>,
): Promise<StoredLoad> {
  const load = startLoad({ id: deps.newId(), ...fields }, deps.now());
  await deps.store.createLoad(load);
  let outcome: LoadOutcome;
  try {
    outcome = { status: "Completed", ...(await run()), at: deps.now() };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await deps.store.finishLoad(load.id, { status: "Failed", at: deps.now(), reason, bytes: null });
    throw error;
  }
  await deps.store.finishLoad(load.id, outcome);
  return finishLoad(load, outcome);
}
