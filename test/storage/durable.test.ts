import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushFile, makeDirectories, syncDirectory } from "../../src/storage/durable.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "oi-durable-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("durable files", () => {
  it("flushes a file and answers its size; a missing file is an error, not a silent success", async () => {
    const file = path.join(root, "rows.parquet");
    await writeFile(file, "x".repeat(12_345));
    expect(await flushFile(file)).toBe(12_345);
    await expect(flushFile(path.join(root, "missing.parquet"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("syncs a directory, and refuses one that is not there", async () => {
    await expect(syncDirectory(root)).resolves.toBeUndefined();
    await expect(syncDirectory(path.join(root, "gone"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("makes nested directories with the mode asked, and leaves existing ones as they are", async () => {
    const dir = path.join(root, "mpn", "Orders", "tenant");
    await makeDirectories(root, dir, 0o750);
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect((await stat(path.join(root, "mpn"))).mode & 0o777).toBe(0o750 & ~process.umask());
    await expect(makeDirectories(root, dir)).resolves.toBeUndefined();
  });
});
