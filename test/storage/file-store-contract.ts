/**
 * The `FileStore` contract: one suite every adapter runs (disk now, S3 later).
 *
 *   describeFileStoreContract("disk", async () => ({ store: await openDiskFileStore({ root }), close }));
 *
 * `open` must return an empty store; each test gets its own and closes it. Source files are made
 * in a fresh local directory; the suite does not rely on whether `putFile` removes its source.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import type { FileStore } from "../../src/storage/ports.js";

export interface OpenedFileStore {
  readonly store: FileStore;
  readonly close?: () => Promise<void>;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

export const BAD_KEYS: readonly string[] = [
  "",
  "../escape.csv",
  "mpn/../../escape.csv",
  "mpn/t/..",
  "/etc/passwd",
  "mpn\\t\\r.csv",
  "mpn/t/r\0.csv",
  "mpn//r.csv",
  "mpn/./r.csv",
  "mpn/t/",
];

export function describeFileStoreContract(name: string, open: () => Promise<OpenedFileStore>): void {
  describe(`FileStore contract: ${name}`, () => {
    let opened: OpenedFileStore;
    let store: FileStore;
    let work: string;
    let counter = 0;

    /** A local source file holding `content`. */
    const source = async (content: Buffer | string): Promise<string> => {
      const file = path.join(work, `source-${++counter}.bin`);
      await writeFile(file, content);
      return file;
    };
    const put = async (key: string, content: Buffer | string) =>
      store.putFile(key, await source(content), { contentType: "text/csv; charset=utf-8" });
    const read = async (key: string, range?: { start: number; end: number }) =>
      readAll(await store.read(key, range));

    beforeEach(async () => {
      work = await mkdtemp(path.join(tmpdir(), "openinsights-filestore-src-"));
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close?.();
      await rm(work, { recursive: true, force: true });
    });

    it("stores a file and reads it back whole", async () => {
      const content = "a,b\n1,2\n";
      await expect(put("mpn/t1/r1/e1.csv", content)).resolves.toEqual({ bytes: 8 });
      await expect(store.stat("mpn/t1/r1/e1.csv")).resolves.toEqual({ bytes: 8 });
      expect((await read("mpn/t1/r1/e1.csv")).toString()).toBe(content);
    });

    it("keeps binary content exactly, and empty files", async () => {
      const content = randomBytes(300_000);
      await expect(put("mpn/t1/r1/e2.csv.gz", content)).resolves.toEqual({ bytes: content.length });
      expect((await read("mpn/t1/r1/e2.csv.gz")).equals(content)).toBe(true);

      await expect(put("mpn/t1/r1/empty.csv", "")).resolves.toEqual({ bytes: 0 });
      await expect(store.stat("mpn/t1/r1/empty.csv")).resolves.toEqual({ bytes: 0 });
      expect((await read("mpn/t1/r1/empty.csv")).length).toBe(0);
    });

    it("reads inclusive byte ranges", async () => {
      const content = Buffer.from("0123456789abcdef");
      await put("k/ranges.csv", content);
      const cases: [number, number, string][] = [
        [0, 0, "0"],
        [0, 15, "0123456789abcdef"],
        [3, 7, "34567"],
        [15, 15, "f"],
        [10, 15, "abcdef"],
      ];
      for (const [start, end, expected] of cases) {
        expect((await read("k/ranges.csv", { start, end })).toString(), `${start}-${end}`).toBe(expected);
      }
      // An end past the last byte stops at the last byte.
      expect((await read("k/ranges.csv", { start: 12, end: 1000 })).toString()).toBe("cdef");
    });

    it("reads ranges of a large file", async () => {
      const content = randomBytes(3 * 1024 * 1024 + 17);
      await put("k/large.bin", content);
      const start = 1024 * 1024 - 5;
      const end = 2 * 1024 * 1024 + 11;
      expect((await read("k/large.bin", { start, end })).equals(content.subarray(start, end + 1))).toBe(true);
    });

    it("answers undefined / not_found for missing keys", async () => {
      await expect(store.stat("mpn/none/none.csv")).resolves.toBeUndefined();
      await expect(store.read("mpn/none/none.csv")).rejects.toMatchObject({ code: "not_found" });
      await put("mpn/t1/file.csv", "x");
      // A prefix of a key is not a file.
      await expect(store.stat("mpn/t1")).resolves.toBeUndefined();
      await expect(store.read("mpn/t1")).rejects.toMatchObject({ code: "not_found" });
      // A key below a file is not a file.
      await expect(store.stat("mpn/t1/file.csv/below")).resolves.toBeUndefined();
    });

    it("overwrites an existing key whole", async () => {
      await put("k/over.csv", "first version, long");
      await expect(put("k/over.csv", "second")).resolves.toEqual({ bytes: 6 });
      await expect(store.stat("k/over.csv")).resolves.toEqual({ bytes: 6 });
      expect((await read("k/over.csv")).toString()).toBe("second");
    });

    it("keeps keys apart", async () => {
      await put("mpn/t1/r/e.csv", "tenant one");
      await put("mpn/t2/r/e.csv", "tenant two");
      expect((await read("mpn/t1/r/e.csv")).toString()).toBe("tenant one");
      expect((await read("mpn/t2/r/e.csv")).toString()).toBe("tenant two");
    });

    it("deletes keys, ignoring missing ones, and is idempotent", async () => {
      await put("d/a.csv", "a");
      await put("d/b.csv", "b");
      await put("d/c.csv", "c");
      await store.delete(["d/a.csv", "d/missing.csv", "d/b.csv"]);
      await expect(store.stat("d/a.csv")).resolves.toBeUndefined();
      await expect(store.stat("d/b.csv")).resolves.toBeUndefined();
      await expect(store.stat("d/c.csv")).resolves.toEqual({ bytes: 1 });
      await store.delete(["d/a.csv", "d/b.csv"]);
      await store.delete([]);
      await store.delete(["d/c.csv"]);
      await expect(store.stat("d/c.csv")).resolves.toBeUndefined();
      // The same key can be stored again after a delete.
      await put("d/a.csv", "again");
      expect((await read("d/a.csv")).toString()).toBe("again");
    });

    it("never shows a partial file while a large one is stored", async () => {
      const size = 24 * 1024 * 1024;
      const content = randomBytes(size);
      const file = await source(content);
      const seen = new Set<number | undefined>();
      let done = false;
      const putting = store.putFile("big/e.csv.gz", file, { contentType: "application/gzip" }).finally(() => {
        done = true;
      });
      while (!done) {
        seen.add((await store.stat("big/e.csv.gz"))?.bytes);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await expect(putting).resolves.toEqual({ bytes: size });
      for (const bytes of seen) expect([undefined, size]).toContain(bytes);
      await expect(store.stat("big/e.csv.gz")).resolves.toEqual({ bytes: size });
    });

    it("never shows a mix of old and new content while a key is overwritten", async () => {
      const old = Buffer.alloc(8 * 1024 * 1024, 0x61);
      const next = Buffer.alloc(12 * 1024 * 1024, 0x62);
      await put("over/e.csv", old);
      const file = await source(next);
      let done = false;
      const putting = store.putFile("over/e.csv", file, { contentType: "text/csv" }).finally(() => {
        done = true;
      });
      const reads: Buffer[] = [];
      while (!done) {
        const stat = await store.stat("over/e.csv");
        expect([old.length, next.length]).toContain(stat?.bytes);
        reads.push(await read("over/e.csv"));
      }
      await putting;
      for (const bytes of reads) expect(bytes.equals(old) || bytes.equals(next)).toBe(true);
      expect((await read("over/e.csv")).equals(next)).toBe(true);
    });

    it("lets a read that started finish whole when the key is overwritten or deleted", async () => {
      const old = Buffer.alloc(2 * 1024 * 1024, 0x61);
      await put("race/e.csv", old);
      const stream = await store.read("race/e.csv");
      await put("race/e.csv", "new");
      await store.delete(["race/e.csv"]);
      expect((await readAll(stream)).equals(old)).toBe(true);
    });

    it("refuses keys that are not plain relative paths", async () => {
      const file = await source("x");
      for (const key of BAD_KEYS) {
        const label = JSON.stringify(key);
        await expect(store.putFile(key, file, { contentType: "text/csv" }), label).rejects.toSatisfy(
          (error: unknown) => error instanceof AppError && error.code === "invalid_argument",
        );
        await expect(store.stat(key), label).rejects.toMatchObject({ code: "invalid_argument" });
        await expect(store.read(key), label).rejects.toMatchObject({ code: "invalid_argument" });
        await expect(store.delete([key]), label).rejects.toMatchObject({ code: "invalid_argument" });
      }
    });

    it("accepts the service's key shape", async () => {
      const key =
        "mpn/0f8fad5b-d9cb-469f-a165-70867728950e/3fa85f64-5717-4562-b3fc-2c963f66afa6/9b2c1e4a-0d8b-4b8e-9a55-2f0e7c1b6d3a.csv.gz";
      await put(key, "ok");
      await expect(store.stat(key)).resolves.toEqual({ bytes: 2 });
    });
  });
}
