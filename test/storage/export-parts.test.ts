/**
 * The part-rotating sink of text exports (storage/export-parts.ts) on real files: rows cut only
 * at line feeds outside quotes whatever the chunking, the header in every part, the limit, one row
 * larger than the limit, an empty result, and compression per part.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TextPartsOptions, TextPartWriter } from "../../src/storage/export-parts.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-parts-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const HEADER = "a,b\n";
const ROWS = ['1,"x\ny"\n', '2,"say ""hi"""\n', "3,plain\n", '4,"a,b\n\nc"\n', "5,z\n"];

/** Feeds `text` in chunks of `size` bytes, reusing one buffer as the DuckDB engine does. */
async function cut(text: string, size: number, options: Partial<TextPartsOptions> = {}) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  const writer = new TextPartWriter({
    path: file,
    maxBytes: 30,
    header: true,
    quoted: true,
    compression: "none",
    ...options,
  });
  const bytes = Buffer.from(text);
  const buffer = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(buffer, 0, at, at + size);
    await writer.takeChunk(buffer.subarray(0, n));
    buffer.fill(0x21);
  }
  await writer.finishParts();
  return Promise.all(writer.parts.map(async (part) => ({ ...part, raw: await readFile(part.path) })));
}

describe("TextPartWriter", () => {
  it.each([1, 2, 3, 5, 7, 64])("cuts on row ends only, whatever the chunk size (%i bytes)", async (size) => {
    const parts = await cut(HEADER + ROWS.join(""), size);
    expect(parts.map((p) => p.raw.toString())).toEqual([
      `${HEADER}${ROWS[0]}${ROWS[1]}`,
      `${HEADER}${ROWS[2]}${ROWS[3]}${ROWS[4]}`,
    ]);
    for (const part of parts) {
      expect(part.raw.length).toBeLessThanOrEqual(30);
      expect(part.bytes).toBe(part.raw.length);
      expect(part.sha256).toBe(createHash("sha256").update(part.raw).digest("hex"));
    }
    expect(parts.map((p) => p.rowCount)).toEqual([2, 3]);
  });

  it("gives a row larger than the limit a part of its own", async () => {
    const long = `6,"${"w".repeat(50)}"\n`;
    const parts = await cut(`${HEADER}${ROWS[2]}${long}${ROWS[4]}`, 4);
    expect(parts.map((p) => p.raw.toString())).toEqual([
      `${HEADER}${ROWS[2]}`,
      `${HEADER}${long}`,
      `${HEADER}${ROWS[4]}`,
    ]);
  });

  it("writes an empty result as one part holding the header, and a last row without its line feed", async () => {
    expect((await cut(HEADER, 3)).map((p) => [p.raw.toString(), p.rowCount])).toEqual([[HEADER, 0]]);
    expect((await cut(`${HEADER}9,end`, 3)).map((p) => [p.raw.toString(), p.rowCount])).toEqual([
      [`${HEADER}9,end`, 1],
    ]);
  });

  it("without a header or quoting (JSON), cuts at every line feed", async () => {
    const lines = ['{"a":"\\"x"}\n', '{"a":"y"}\n', '{"a":"z"}\n'];
    const parts = await cut(lines.join(""), 5, { header: false, quoted: false, maxBytes: 24 });
    expect(parts.map((p) => p.raw.toString())).toEqual([`${lines[0]}${lines[1]}`, lines[2]]);
  });

  it("compresses each part on its own, cut on the text", async () => {
    const parts = await cut(HEADER + ROWS.join(""), 4, { compression: "gzip" });
    expect(parts.map((p) => gunzipSync(p.raw).toString())).toEqual([
      `${HEADER}${ROWS[0]}${ROWS[1]}`,
      `${HEADER}${ROWS[2]}${ROWS[3]}${ROWS[4]}`,
    ]);
    for (const part of parts) {
      expect(part.sha256).toBe(createHash("sha256").update(part.raw).digest("hex"));
    }
  });
});
