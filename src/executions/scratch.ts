/**
 * Scratch space for exports. Each process writes into its own directory, `<root>/<host>.<pid>`, so
 * that processes sharing a data directory can tell their files apart: at start a process removes
 * its host's directories whose process is gone (a crash or SIGKILL left their partial exports) and
 * files lying directly in `<root>` (left by versions before per-process directories). Directories
 * of other hosts are left to those hosts' own next start.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface ScratchOwner {
  readonly host: string;
  readonly pid: number;
}

const THIS_PROCESS: ScratchOwner = { host: os.hostname(), pid: process.pid };

/** Creates this process's scratch directory, emptied, after removing those of dead processes; returns it. */
export async function prepareScratchDir(root: string, owner: ScratchOwner = THIS_PROCESS): Promise<string> {
  await mkdir(root, { recursive: true });
  const mine = `${owner.host}.${owner.pid}`;
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const stale = entry.isDirectory() ? entry.name === mine || isDeadProcessOf(owner.host, entry.name) : true;
    if (stale) await rm(path.join(root, entry.name), { recursive: true, force: true });
  }
  const dir = path.join(root, mine);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** True when `name` is `<host>.<pid>` of a process on this host that no longer runs. */
function isDeadProcessOf(host: string, name: string): boolean {
  const dot = name.lastIndexOf(".");
  if (name.slice(0, dot) !== host) return false;
  const pid = Number(name.slice(dot + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
