/**
 * The staging area (`<data-dir>/.staging/`): load bodies, their segments, and files linked in for
 * DuckDB's sandbox live there while a load runs and are removed when it ends. A process killed
 * during a load leaves them behind; every process's upkeep removes what nothing has touched for
 * STAGING_IDLE_MS, long past any load's end (a load writes or links its files as it starts).
 */
import { randomUUID } from "node:crypto";
import { lstat, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { AppError, isAppError } from "../core/errors.js";

export const STAGING_FOLDER = ".staging";
/** Left-over staging files older than this are removed (mtime and ctime: a hard link is new by its ctime). */
export const STAGING_IDLE_MS = 6 * 60 * 60 * 1000;
/** How often the upkeep looks. */
export const STAGING_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Removes the staging entries idle longer than `idleMs`; returns how many. */
export async function sweepStaging(
  dataDir: string,
  options: { readonly idleMs?: number; readonly now?: Date } = {},
): Promise<number> {
  const dir = path.join(dataDir, STAGING_FOLDER);
  const idleMs = options.idleMs ?? STAGING_IDLE_MS;
  const before = (options.now ?? new Date()).getTime() - idleMs;
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await lstat(file).catch(() => null);
    if (!stat || Math.max(stat.mtimeMs, stat.ctimeMs) > before) continue;
    await rm(file, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** A fresh path inside `<dataDir>/.staging/` (made when missing), ending in `extension`. */
export async function newStagingPath(dataDir: string, extension: string): Promise<string> {
  const dir = path.join(dataDir, STAGING_FOLDER);
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${randomUUID()}${extension}`);
}

/**
 * A load body that could not be written to the staging area (a full disk, a broken volume): the
 * service's trouble, not the body's, so 503 with what the file system said, never a 500.
 */
export function stagingWriteError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(
    "unavailable",
    `The load body could not be written to the staging area (${STAGING_FOLDER}/ of the data directory): ${message}`,
    undefined,
    { cause: error },
  );
}
