/**
 * Report files on the local disk: key `a/b/c.csv.gz` is the file `<root>/a/b/c.csv.gz`.
 *
 * `putFile` moves the finished file to `<root>/<key>.tmp-<random>` (a rename when it is on the same
 * filesystem, else a copy and the source is removed), flushes it, renames it over the final name
 * and flushes the directory: a reader sees no file or the whole file, never part of one, and once
 * `putFile` resolves the file survives a crash. Readers open the file before streaming it, so an
 * overwrite or delete while a download runs leaves that download whole.
 *
 * Keys are relative, `/`-separated paths; anything that could leave the root is refused.
 * Emptied directories are removed on delete. A crash during `putFile` can leave a `*.tmp-<hex>`
 * file behind; it is never visible under a key.
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { copyFile, mkdir, open, rename, rmdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { flushFile, makeDirectories, syncDirectory } from "../durable.js";
import { checkRange, keySegments, sourceSize } from "../file-keys.js";
import type { FileStore } from "../ports.js";

export interface DiskFileStoreOptions {
  /** The directory that holds the files (made when missing). */
  readonly root: string;
}

export interface DiskFileStore extends FileStore {
  /** The absolute root directory. */
  readonly root: string;
  /** The absolute path of a key's file (the key is checked first). */
  pathOf(key: string): string;
}

export async function openDiskFileStore(options: DiskFileStoreOptions): Promise<DiskFileStore> {
  const root = path.resolve(options.root);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const pathOf = (key: string) => path.join(root, ...keySegments(key));

  return {
    root,
    capabilities: { presignedUrls: false, renamesLocalFiles: true },
    pathOf,

    async putFile(key, localPath) {
      const final = pathOf(key);
      const source = path.resolve(localPath);
      await sourceSize(source);
      const temp = `${final}.tmp-${randomBytes(12).toString("hex")}`;
      const moved = await moveIntoPlace(root, source, temp);
      try {
        const bytes = await flushFile(temp);
        await rename(temp, final);
        await syncDirectory(path.dirname(final));
        return { bytes };
      } catch (error) {
        // Give the caller its file back when it was renamed away; else drop the partial copy.
        if (moved) await rename(temp, source).catch(() => unlink(temp).catch(() => undefined));
        else await unlink(temp).catch(() => undefined);
        throw error;
      }
    },

    async stat(key) {
      const file = pathOf(key);
      let info: Stats;
      try {
        info = await stat(file);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      return info.isFile() ? { bytes: info.size } : undefined;
    },

    async read(key, range) {
      const file = pathOf(key);
      if (range !== undefined) checkRange(range);
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(file, constants.O_RDONLY);
      } catch (error) {
        if (isMissing(error) || (error as NodeJS.ErrnoException).code === "EISDIR") throw notFound(key);
        throw error;
      }
      try {
        if (!(await handle.stat()).isFile()) throw notFound(key);
      } catch (error) {
        await handle.close();
        throw error;
      }
      // The stream owns the handle and closes it when it ends, fails or is destroyed.
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async delete(keys) {
      const files = keys.map(pathOf);
      for (const file of files) {
        try {
          await unlink(file);
        } catch (error) {
          if (isMissing(error)) continue;
          throw error;
        }
        await pruneEmptyDirectories(root, path.dirname(file));
      }
    },
  };
}

/**
 * Puts the source at `temp`: a rename on the same filesystem, else a copy (then the source is
 * removed, so both ways move). Returns true when it renamed. Retries when a concurrent delete
 * pruned the freshly made directory.
 */
async function moveIntoPlace(root: string, source: string, temp: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await makeDirectories(root, path.dirname(temp));
      await rename(source, temp);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && attempt < 5) continue; // the directory vanished: make it again
      if (code !== "EXDEV") throw error;
    }
    try {
      await copyFile(source, temp, constants.COPYFILE_EXCL);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if (isMissing(error) && attempt < 5) continue;
      throw error;
    }
    await unlink(source).catch(() => undefined);
    return false;
  }
}

/** Removes now-empty directories from `dir` up to (not including) `root`. */
async function pruneEmptyDirectories(root: string, dir: string): Promise<void> {
  let current = dir;
  while (current !== root && current.startsWith(root + path.sep)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or already gone, or in use by a concurrent put): stop
    }
    current = path.dirname(current);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function notFound(key: string): AppError {
  return new AppError(ERROR_CODES.NOT_FOUND, `no file is stored under ${JSON.stringify(key)}`);
}
