/**
 * Which services run on a data directory: each `serve` process that answers the API writes
 * `<dataDir>/.serving/<pid>.json` (its URL) once listening and removes it on exit. A file whose
 * process is gone (a kill) is stale: readers check the process and skip (and remove) it.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export interface ServingEntry {
  readonly pid: number;
  readonly url: string;
  readonly role: string;
}

function servingDir(dataDir: string): string {
  return path.join(dataDir, ".serving");
}

/** Records this process as serving `url`; returns the function that removes the record. */
export async function announceServing(
  dataDir: string,
  entry: Omit<ServingEntry, "pid">,
): Promise<() => Promise<void>> {
  const dir = servingDir(dataDir);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.json`);
  await writeFile(file, JSON.stringify({ pid: process.pid, ...entry }));
  return () => rm(file, { force: true });
}

/** The live services of a data directory (stale records are removed). */
export async function liveServices(dataDir: string): Promise<ServingEntry[]> {
  const dir = servingDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: ServingEntry[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const file = path.join(dir, name);
    let entry: ServingEntry;
    try {
      entry = JSON.parse(await readFile(file, "utf8")) as ServingEntry;
    } catch {
      continue;
    }
    if (isAlive(entry.pid)) live.push(entry);
    else await rm(file, { force: true });
  }
  return live;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
