/**
 * digestWhileWriting against real writers: plain appends over time, DuckDB's own COPY (CSV, gzip,
 * header only), a writer that fails half way, one that never makes the file, and one that writes
 * elsewhere and renames at the end. The digest must always equal the SHA-256 of the finished file,
 * or fail without leaving anything open.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, open, readdir, readFile, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestFile, digestWhileWriting } from "../../src/executions/digest-while-writing.js";
import { reportFileExtension } from "../../src/reports/formats.js";
import { makeEngine, sql, type TestEngine } from "../storage/duckdb/helpers.js";

// Small chunks and flushes, so that a few hundred KB exercise the following and flushing loops.
const SMALL = { chunkBytes: 64 << 10, flushEvery: 256 << 10, pollMs: 1 };

let dir: string;
let counter = 0;
const fresh = (extension = ".csv") => path.join(dir, `f${++counter}${extension}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-digest-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Appends `chunks` to a new file, pausing between them so that the reader catches up. */
async function appendSlowly(file: string, chunks: readonly Buffer[], pauseMs = 2): Promise<void> {
  const handle = await open(file, "wx");
  try {
    for (const chunk of chunks) {
      await handle.write(chunk);
      await delay(pauseMs);
    }
  } finally {
    await handle.close();
  }
}

function randomChunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, `${i}:${"x".repeat(i % 7)}\n`));
}

/** Open file descriptors of this process (Linux), to see that nothing is left open. */
async function openFiles(): Promise<number | undefined> {
  return existsSync("/proc/self/fd") ? (await readdir("/proc/self/fd")).length : undefined;
}

describe("digestWhileWriting", () => {
  it("equals the SHA-256 of the finished file when following a writer that appends over time", async () => {
    const file = fresh();
    // Odd sizes, so that reads end in the middle of writes.
    const chunks = randomChunks(40, 37_119);
    const digest = await digestWhileWriting(file, appendSlowly(file, chunks), SMALL);
    const written = await readFile(file);
    expect(digest).toEqual({ sha256: sha256(written), bytes: written.length });
    expect(written.length).toBe(40 * 37_119);
  });

  it("waits for a file the writer creates late, and digests an empty file", async () => {
    const late = fresh();
    const digest = await digestWhileWriting(
      late,
      delay(30).then(() => appendSlowly(late, [Buffer.from("late\n")])),
      SMALL,
    );
    expect(digest).toEqual({ sha256: sha256(Buffer.from("late\n")), bytes: 5 });

    const empty = fresh();
    expect(await digestWhileWriting(empty, appendSlowly(empty, []), SMALL)).toEqual({
      sha256: sha256(Buffer.alloc(0)),
      bytes: 0,
    });
  });

  it("fails with the writer's error when the writer fails half way, after the writer settled, closing its file", async () => {
    const file = fresh();
    const before = await openFiles();
    let writerSettled = false;
    const writing = (async () => {
      try {
        await appendSlowly(file, randomChunks(10, 50_000));
        throw new Error("the export broke");
      } finally {
        writerSettled = true;
      }
    })();
    const digesting = digestWhileWriting(file, writing, SMALL);
    await expect(writing).rejects.toThrow("the export broke");
    await expect(digesting).rejects.toThrow("the export broke");
    expect(writerSettled).toBe(true);
    expect(await openFiles()).toBe(before);
  });

  it("fails when the writer never creates the file, or fails before creating it", async () => {
    await expect(digestWhileWriting(fresh(), delay(10), SMALL)).rejects.toThrow(
      /finished without creating the file/,
    );
    await expect(
      digestWhileWriting(fresh(), Promise.reject(new Error("no such table")), SMALL),
    ).rejects.toThrow("no such table");
  });

  it("hashes the file again when the writer wrote elsewhere and renamed it into place", async () => {
    const file = fresh();
    const writing = (async () => {
      await appendSlowly(file, [Buffer.from("draft, soon replaced\n")]);
      await appendSlowly(`${file}.tmp`, randomChunks(5, 10_000));
      await rename(`${file}.tmp`, file);
    })();
    const digest = await digestWhileWriting(file, writing, SMALL);
    expect(digest).toEqual(await digestFile(file));
    expect(digest.bytes).toBe(50_000);
  });
});

describe("digestWhileWriting on DuckDB's exportTo", () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await makeEngine();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const ROWS = "SELECT a.range AS n, md5(a.range::VARCHAR) AS h, 'x, \"y\"' AS q FROM range(200000) a";
  const EMPTY = 'SELECT 1 AS "A", 2 AS "B" WHERE false';

  it.each([
    ["CSV", ROWS, "csv", "none"],
    ["gzip CSV", ROWS, "csv", "gzip"],
    ["zstd TSV", ROWS, "tsv", "zstd"],
    ["JSON", ROWS, "json", "none"],
    ["Parquet", ROWS, "parquet", "none"],
    ["a header-only CSV", EMPTY, "csv", "none"],
    ["a header-only gzip CSV", EMPTY, "csv", "gzip"],
    ["an empty Parquet file", EMPTY, "parquet", "none"],
  ] as const)("equals the SHA-256 of %s written by COPY", async (_, query, format, compression) => {
    const file = path.join(t.exportDir, `export-${++counter}${reportFileExtension(format, compression)}`);
    const exporting = t.engine.exportTo(sql(query), file, { format, compression });
    const digest = await digestWhileWriting(file, exporting, SMALL);
    const written = await readFile(file);
    expect(digest).toEqual({ sha256: sha256(written), bytes: written.length });
    expect((await exporting).bytes).toBe(written.length);
    // Many chunks and flushes: the digest followed the file while it grew.
    if (query === ROWS) expect(written.length).toBeGreaterThan(8 * SMALL.flushEvery);
  });

  it("fails with the engine's error when the export is aborted, and the partial file is gone", async () => {
    const file = path.join(t.exportDir, "aborted.csv");
    const controller = new AbortController();
    const exporting = t.engine.exportTo(
      sql("SELECT a.range, md5(a.range::VARCHAR) FROM range(10000000000) a"),
      file,
      { format: "csv", signal: controller.signal },
    );
    const digesting = digestWhileWriting(file, exporting, SMALL);
    setTimeout(() => controller.abort(), 100);
    await expect(digesting).rejects.toMatchObject({ name: "AbortError" });
    expect(existsSync(file)).toBe(false);
  });
});
