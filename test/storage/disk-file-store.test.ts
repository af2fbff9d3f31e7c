import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DiskFileStore, openDiskFileStore } from "../../src/storage/disk/file-store.js";
import { describeFileStoreContract, readAll } from "./file-store-contract.js";

let base: string;
let counter = 0;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "openinsights-disk-store-"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describeFileStoreContract("disk", async () => ({
  store: await openDiskFileStore({ root: path.join(base, `contract-${++counter}`) }),
}));

/** Every file below `dir`, as paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** A directory on another filesystem than `base` (tmpfs), when the machine has one. */
async function otherDevice(): Promise<string | undefined> {
  try {
    const shm = await stat("/dev/shm");
    if (!shm.isDirectory() || shm.dev === (await stat(base)).dev) return undefined;
    return await mkdtemp("/dev/shm/openinsights-disk-store-");
  } catch {
    return undefined;
  }
}

describe("disk file store", () => {
  let root: string;
  let work: string;
  let store: DiskFileStore;

  beforeEach(async () => {
    root = path.join(base, `disk-${++counter}`);
    work = await mkdtemp(path.join(base, "work-"));
    store = await openDiskFileStore({ root });
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("makes the root and resolves it to an absolute path", async () => {
    expect(path.isAbsolute(store.root)).toBe(true);
    expect((await stat(root)).isDirectory()).toBe(true);
    expect(store.capabilities.presignedUrls).toBe(false);
    expect(store.presignedUrl).toBeUndefined();
  });

  it("keeps files under the root at the key's path and leaves no temporary file", async () => {
    const source = path.join(work, "out.csv");
    await writeFile(source, "a,b\n");
    const { ino } = await stat(source);
    await store.putFile("mpn/t1/r1/e1.csv", source, { contentType: "text/csv" });
    expect(store.pathOf("mpn/t1/r1/e1.csv")).toBe(path.join(root, "mpn", "t1", "r1", "e1.csv"));
    expect(await readFile(path.join(root, "mpn/t1/r1/e1.csv"), "utf8")).toBe("a,b\n");
    expect(await listFiles(root)).toEqual(["mpn/t1/r1/e1.csv"]);
    // Stored by rename: the source is moved, not copied, so bytes flushed before putFile stay flushed.
    await expect(stat(source)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await stat(path.join(root, "mpn/t1/r1/e1.csv"))).ino).toBe(ino);
    expect(store.capabilities.renamesLocalFiles).toBe(true);
  });

  it("copies a source from another filesystem, leaving no temporary file and never a partial one", async () => {
    const other = await otherDevice();
    if (other === undefined) return; // no second filesystem on this machine
    try {
      const size = 32 * 1024 * 1024;
      const content = randomBytes(size);
      const source = path.join(other, "out.csv.gz");
      await writeFile(source, content);
      const seen = new Set<number | undefined>();
      let done = false;
      const putting = store.putFile("x/e.csv.gz", source, { contentType: "application/gzip" }).finally(() => {
        done = true;
      });
      while (!done) {
        seen.add((await store.stat("x/e.csv.gz"))?.bytes);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await expect(putting).resolves.toEqual({ bytes: size });
      for (const bytes of seen) expect([undefined, size]).toContain(bytes);
      expect((await readAll(await store.read("x/e.csv.gz"))).equals(content)).toBe(true);
      expect(await listFiles(root)).toEqual(["x/e.csv.gz"]);
      // Moved: the source is gone from the other filesystem too.
      await expect(stat(source)).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("leaves the source in place when it cannot be stored", async () => {
    const source = path.join(work, "out.csv");
    await writeFile(source, "data");
    await store.putFile("blocker.csv", path.join(work, "out.csv"), { contentType: "text/csv" });
    await writeFile(source, "data");
    // "blocker.csv" is a file, so nothing can be stored below it.
    await expect(store.putFile("blocker.csv/e.csv", source, { contentType: "text/csv" })).rejects.toThrow();
    expect(await readFile(source, "utf8")).toBe("data");
    expect(await listFiles(root)).toEqual(["blocker.csv"]);
  });

  it("refuses a missing source", async () => {
    await expect(
      store.putFile("k/e.csv", path.join(work, "missing.csv"), { contentType: "text/csv" }),
    ).rejects.toMatchObject({ code: "internal" });
  });

  it("removes emptied directories on delete but never the root", async () => {
    const write = async (name: string) => {
      const source = path.join(work, name);
      await writeFile(source, name);
      return source;
    };
    await store.putFile("mpn/t1/r1/e1.csv", await write("1"), { contentType: "text/csv" });
    await store.putFile("mpn/t1/r2/e2.csv", await write("2"), { contentType: "text/csv" });
    await store.delete(["mpn/t1/r1/e1.csv"]);
    expect(await readdir(path.join(root, "mpn/t1"))).toEqual(["r2"]);
    await store.delete(["mpn/t1/r2/e2.csv"]);
    expect(await readdir(root)).toEqual([]);
    // A new put after pruning makes the directories again.
    await store.putFile("mpn/t1/r1/e3.csv", await write("3"), { contentType: "text/csv" });
    expect(await listFiles(root)).toEqual(["mpn/t1/r1/e3.csv"]);
  });

  it("stores many keys concurrently while others are deleted", async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `mpn/t${i % 3}/r${i % 5}/e${i}.csv`);
    const sources = await Promise.all(
      keys.map(async (_, i) => {
        const source = path.join(work, `s${i}.csv`);
        await writeFile(source, `file ${i}`);
        return source;
      }),
    );
    await Promise.all(
      keys.map(async (key, i) => {
        await store.putFile(key, sources[i]!, { contentType: "text/csv" });
        if (i % 2 === 1) await store.delete([key]);
      }),
    );
    const kept = keys.filter((_, i) => i % 2 === 0).sort();
    expect(await listFiles(root)).toEqual(kept);
    for (const key of kept) {
      expect((await readAll(await store.read(key))).toString()).toBe(`file ${keys.indexOf(key)}`);
    }
  });
});
