/**
 * Exports in parts (ExportOptions.maxPartBytes), shared by the analytics engines:
 *
 * - CSV, TSV, JSON: the engine's own writer writes the whole result, uncompressed, into a
 *   `TextPartWriter`, which cuts it on row boundaries into part files: each starts with the header
 *   row (CSV/TSV) and holds at most `maxBytes` of text (header included; one row longer than that
 *   gets a part of its own), then is compressed on its own. The cut is made on the text, so a
 *   report's parts hold the same rows whatever its compression, and a compressed part is smaller
 *   than the limit. Memory: one write buffer and, at most, one row that spans buffers.
 * - Parquet: DuckDB's writer cuts the files itself (`FILE_SIZE_BYTES`), after a row group; row
 *   groups of at most a quarter of the limit, cut at three quarters of it, keep each file within
 *   the limit unless a row group compresses worse than DuckDB's estimate of its size.
 */
import { createHash, type Hash } from "node:crypto";
import { createWriteStream, promises as fs, type WriteStream } from "node:fs";
import path from "node:path";
import { Transform, Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import type { Compression } from "../reports/formats.js";
import { compressorFor } from "./compressors.js";
import type { ExportedPart } from "./ports.js";

/** The local path of part `n` (from 1) of an export to `file`: part 1 is `file` itself. */
export function exportPartPath(file: string, n: number): string {
  return n === 1 ? file : `${file}.part${n}`;
}

export interface TextPartsOptions {
  /** The export's path: where part 1 goes (`exportPartPath` names the others). */
  readonly path: string;
  readonly maxBytes: number;
  /** The stream's first line is the header row: it starts every part and is not a row. */
  readonly header: boolean;
  /** Fields quoted with '"' (CSV, TSV): a line feed inside quotes does not end the row. */
  readonly quoted: boolean;
  readonly compression: Compression;
}

const LF = 0x0a;
const QUOTE = 0x22;

interface OpenPart {
  readonly path: string;
  /** Where the part's text goes: the compressor, or the file. */
  readonly input: Writable;
  /** Whether `input` is a compressor (which is given copies: it may keep what it is given). */
  readonly compressed: boolean;
  readonly file: WriteStream;
  /** Hashes the file's bytes as they go to it. */
  readonly hash: Hash;
  /** Settles once the file is written whole (or failed). */
  readonly done: Promise<void>;
  readonly destroy: () => void;
}

/**
 * Cuts the text an engine writes into part files (see the file comment); `parts` once finished.
 * A stream to pipe into, or driven directly (`takeChunk`, `finishParts`) by a reader that reuses
 * one buffer: a chunk may be reused once `takeChunk` resolved.
 */
export class TextPartWriter extends Writable {
  readonly parts: ExportedPart[] = [];
  private current: OpenPart | undefined;
  private header: Buffer | undefined;
  /** The start of a row that began in an earlier buffer. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private inQuotes = false;
  private partBytes = 0;
  private partRows = 0;

  constructor(private readonly options: TextPartsOptions) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.takeChunk(chunk).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.finishParts().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.current?.destroy();
    done(error);
  }

  async takeChunk(chunk: Buffer): Promise<void> {
    const ends = this.rowEnds(chunk);
    /** Where the row being read starts in `chunk`, and the first byte not yet written. */
    let rowStart = 0;
    let unwritten = 0;
    for (let end = ends.next(); end >= 0; end = ends.next()) {
      const next = end + 1;
      if (this.options.header && this.header === undefined) {
        this.header = Buffer.concat([...this.carry, chunk.subarray(rowStart, next)]);
        this.dropCarry();
        rowStart = unwritten = next;
        continue;
      }
      const rowBytes = this.carryBytes + next - rowStart;
      if (this.current && this.partRows > 0 && this.partBytes + rowBytes > this.options.maxBytes) {
        await this.writeBytes(chunk.subarray(unwritten, rowStart));
        await this.closePart();
        unwritten = rowStart;
      }
      if (!this.current) await this.openPart();
      for (const piece of this.carry) await this.writeBytes(piece);
      this.dropCarry();
      this.partBytes += rowBytes;
      this.partRows += 1;
      rowStart = next;
    }
    await this.writeBytes(chunk.subarray(unwritten, rowStart));
    if (rowStart < chunk.length) {
      // A copy: the caller may reuse the chunk.
      this.carry.push(Buffer.from(chunk.subarray(rowStart)));
      this.carryBytes += chunk.length - rowStart;
    }
  }

  /** The row ends (line feeds outside quotes) of `chunk`, in order; -1 once there are no more. */
  private rowEnds(chunk: Buffer): { next(): number } {
    let from = 0;
    let quoteAt = this.options.quoted ? chunk.indexOf(QUOTE) : -1;
    return {
      next: () => {
        for (;;) {
          const lf = chunk.indexOf(LF, from);
          const stop = lf < 0 ? chunk.length : lf;
          // Each quote before the line feed toggles (a doubled quote toggles twice).
          while (quoteAt >= 0 && quoteAt < stop) {
            this.inQuotes = !this.inQuotes;
            quoteAt = chunk.indexOf(QUOTE, quoteAt + 1);
          }
          if (lf < 0) return -1;
          from = lf + 1;
          if (!this.inQuotes) return lf;
        }
      },
    };
  }

  async finishParts(): Promise<void> {
    if (this.carryBytes > 0) {
      // A last row without its line feed.
      const rest = Buffer.concat(this.carry);
      this.dropCarry();
      if (this.options.header && this.header === undefined) this.header = rest;
      else {
        if (this.current && this.partRows > 0 && this.partBytes + rest.length > this.options.maxBytes) {
          await this.closePart();
        }
        if (!this.current) await this.openPart();
        await this.writeBytes(rest);
        this.partRows += 1;
      }
    }
    // An empty result is one part: the header row alone, as a single-file export would be.
    if (!this.current && this.parts.length === 0) await this.openPart();
    if (this.current) await this.closePart();
  }

  private dropCarry(): void {
    this.carry = [];
    this.carryBytes = 0;
  }

  private async openPart(): Promise<void> {
    const file = exportPartPath(this.options.path, this.parts.length + 1);
    const stream = createWriteStream(file);
    const compressor = await compressorFor(this.options.compression);
    // Hashed on the way to the file, so that no part is read again (text as written; a
    // compressor's output on its way out).
    const hash = createHash("sha256");
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const done = compressor ? pipeline(compressor, hashing, stream) : finished(stream);
    // Awaited in closePart; a failure meanwhile surfaces at the next write's drain or there.
    done.catch(() => undefined);
    this.current = {
      path: file,
      input: compressor ?? stream,
      compressed: compressor !== null,
      file: stream,
      hash,
      done,
      destroy: () => {
        compressor?.destroy();
        hashing.destroy();
        stream.destroy();
      },
    };
    this.partRows = 0;
    this.partBytes = this.header?.length ?? 0;
    if (this.header) await this.writeBytes(this.header);
  }

  private async closePart(): Promise<void> {
    const part = this.current!;
    this.current = undefined;
    part.input.end();
    await part.done;
    this.parts.push({
      path: part.path,
      rowCount: this.partRows,
      bytes: part.file.bytesWritten,
      sha256: part.hash.digest("hex"),
    });
  }

  /** Writes to the part; resolves once the stream has handled the bytes, so that they may be reused. */
  private async writeBytes(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    const { input, compressed, hash } = this.current!;
    if (!compressed) hash.update(bytes);
    await new Promise<void>((resolve, reject) => {
      input.write(compressed ? Buffer.from(bytes) : bytes, (error) => (error ? reject(error) : resolve()));
    });
  }
}

/**
 * A Parquet export in parts through DuckDB: `copy` runs the COPY to `target` with `extraOptions`
 * appended to its options and returns the rows it answers (RETURN_STATS). DuckDB writes no file
 * for an empty result, so that one is copied again as the one empty file a single-file export is.
 */
export async function writeParquetParts(
  file: string,
  maxBytes: number,
  copy: (target: string, extraOptions: string) => Promise<readonly Record<string, unknown>[]>,
  /**
   * Row groups by rows, where DuckDB keeps the insertion order (it sizes row groups in bytes only
   * when it does not): about a quarter of the limit at this many bytes a row.
   */
  rowBytes?: number,
): Promise<ExportedPart[]> {
  const stats = await copy(parquetPartsFolder(file), `, ${parquetPartOptions(maxBytes, rowBytes)}`);
  const parts = await collectParquetParts(file, stats);
  if (parts) return parts;
  await copy(file, "");
  return [{ path: file, rowCount: 0, bytes: (await fs.stat(file)).size }];
}

/** The COPY options that make DuckDB write a Parquet export as files of about `maxBytes`. */
function parquetPartOptions(maxBytes: number, rowBytes: number | undefined): string {
  const cutAt = Math.max(1, Math.floor((maxBytes * 3) / 4));
  const rowGroupBytes = Math.max(1, Math.floor(maxBytes / 4));
  const rowGroups =
    rowBytes === undefined
      ? `ROW_GROUP_SIZE_BYTES ${rowGroupBytes}`
      : `ROW_GROUP_SIZE ${Math.max(1, Math.floor(rowGroupBytes / Math.max(1, rowBytes)))}`;
  return `FILE_SIZE_BYTES ${cutAt}, ${rowGroups}, FILENAME_PATTERN 'part_{i}', RETURN_STATS true`;
}

/** The folder a Parquet export in parts is written into (beside `file`), before `collectParquetParts`. */
function parquetPartsFolder(file: string): string {
  return `${file}.parts`;
}

/**
 * Moves the files DuckDB wrote into `parquetPartsFolder(file)` (the rows of RETURN_STATS) to the
 * part paths of `file`, in DuckDB's order (`part_0`, `part_1`, …), and removes the folder.
 * None (an empty result makes no file) is undefined: the caller writes the one empty file.
 */
async function collectParquetParts(
  file: string,
  stats: readonly Record<string, unknown>[],
): Promise<ExportedPart[] | undefined> {
  const written = stats
    .map((row) => ({
      from: String(row.filename),
      index: Number(/part_(\d+)\.parquet$/.exec(String(row.filename))?.[1]),
      rowCount: Number(row.count),
    }))
    .sort((a, b) => a.index - b.index);
  const parts: ExportedPart[] = [];
  for (const [i, part] of written.entries()) {
    const to = exportPartPath(file, i + 1);
    await fs.rename(part.from, to);
    parts.push({ path: to, rowCount: part.rowCount, bytes: (await fs.stat(to)).size });
  }
  await fs.rm(parquetPartsFolder(file), { recursive: true, force: true });
  return parts.length > 0 ? parts : undefined;
}

/** The bytes of all parts. */
export function sumBytes(parts: readonly ExportedPart[]): number {
  return parts.reduce((sum, part) => sum + part.bytes, 0);
}

/** Removes whatever an export in parts to `file` left (after a failure). */
export async function removeExportParts(file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name === base || name.startsWith(`${base}.part`))
      .map((name) => fs.rm(path.join(dir, name), { recursive: true, force: true })),
  );
}
