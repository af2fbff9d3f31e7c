/**
 * Making files survive a crash or power loss: a file's bytes are flushed (fsync) before anything
 * that points at it is committed, and a new name is flushed in its directory.
 */
import { constants } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";

/** Flushes a file's bytes to disk and returns its size. */
export async function flushFile(file: string): Promise<number> {
  const handle = await open(file, constants.O_RDONLY);
  try {
    await handle.sync();
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries (a new file's name) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Some filesystems cannot fsync a directory; the name itself still stands.
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM" && code !== "ENOTSUP") throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Makes `dir` (under `root`) and flushes every directory entry it had to create. */
export async function makeDirectories(root: string, dir: string, mode = 0o700): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode });
  if (first === undefined) return;
  // Each new directory's name lives in its parent: flush from the deepest new one's parent up.
  let current = dir;
  for (;;) {
    const parent = path.dirname(current);
    await syncDirectory(parent);
    if (current === first || parent === root || parent === current) break;
    current = parent;
  }
}
