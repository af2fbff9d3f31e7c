/**
 * A CSV/TSV body that is still arriving, written to disk as segment files that DuckDB loads one by
 * one while the next is received: the upload and the load overlap, and each segment is a whole
 * file, which DuckDB's CSV reader reads with all its threads (a pipe it would read with one).
 *
 * Segments are cut only at a line end that is a record end: while no '"' has been seen, every
 * line end is one. After the first '"' the rest of the body stays in the segment being written
 * (quoted fields may hold line ends; telling them apart would cost a scan of every byte). The
 * segments, concatenated, are the body byte for byte: the first holds the header, the others none.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { stagingWriteError } from "../staging.js";

const QUOTE = 0x22;
const NEWLINE = 0x0a;
/** The write buffer of a segment file: 64 KiB network chunks go out in 1 MiB writes. */
const WRITE_BUFFER = 1 << 20;

export class BodySegments {
  /** The segment files in body order, the one being written included. */
  readonly files: string[] = [];
  private readonly done: string[] = [];
  private finished = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private stopping = false;
  /** Ends the read in flight (set while one is). */
  private interruptRead: (() => void) | undefined;
  private readonly receiving: Promise<void>;

  /**
   * Starts receiving `body` at once. `newPath` names each segment file; a segment is cut at the
   * first record end after `segmentBytes`.
   */
  constructor(
    private readonly body: AsyncIterator<Buffer>,
    private readonly newPath: () => Promise<string>,
    private readonly segmentBytes: number,
  ) {
    this.receiving = this.receive().then(
      () => {
        this.finished = true;
        this.wake?.();
      },
      (error: unknown) => {
        this.failure = { error };
        this.wake?.();
      },
    );
  }

  /** The complete segments, in order, as they complete; throws the body's error if it fails. */
  async *completed(): AsyncGenerator<{ readonly file: string; readonly index: number }> {
    for (let index = 0; ; index++) {
      while (this.done.length <= index && !this.finished && !this.failure) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
      if (this.failure) throw this.failure.error;
      if (index >= this.done.length) return;
      yield { file: this.done[index]!, index };
    }
  }

  /**
   * Stops receiving (the loader failed): the body is not read further. Does not wait for a chunk
   * being awaited (a stalled client): the body is closed once that read settles.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.interruptRead?.();
    void Promise.resolve(this.body.return?.(undefined)).catch(() => undefined);
    await this.receiving;
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    for (const file of this.files) await rm(file, { force: true });
  }

  private async receive(): Promise<void> {
    let quoted = false;
    let out: WriteStream | undefined;
    let outError: Error | undefined;
    let bytes = 0;
    const write = async (chunk: Buffer) => {
      if (chunk.length === 0) return;
      if (!out) {
        const file = await this.newPath();
        this.files.push(file);
        const stream = createWriteStream(file, { highWaterMark: WRITE_BUFFER });
        // Kept, not thrown from an event: the next write or the close reports it.
        stream.on("error", (error) => {
          outError ??= error;
        });
        out = stream;
        bytes = 0;
      }
      if (outError) throw stagingWriteError(outError);
      bytes += chunk.length;
      if (!out.write(chunk)) await drained(out);
      if (outError) throw stagingWriteError(outError);
    };
    const close = async () => {
      if (!out) return;
      const closing = out;
      out = undefined;
      await finished(closing.end()).catch((error: unknown) => {
        throw stagingWriteError(error);
      });
      if (outError) throw stagingWriteError(outError);
      this.done.push(this.files.at(-1)!);
      this.wake?.();
    };
    try {
      for (;;) {
        // A promise of its own per read, not a race with one that lives as long as the body: each
        // race would leave a reaction on it holding its chunk (the whole body, in memory).
        const next = await new Promise<IteratorResult<Buffer> | "stopped">((resolve, reject) => {
          this.interruptRead = () => resolve("stopped");
          this.body.next().then(resolve, reject);
        });
        this.interruptRead = undefined;
        if (next === "stopped" || this.stopping) return;
        if (next.done) break;
        const chunk = next.value;
        quoted ||= chunk.includes(QUOTE);
        const end = !quoted && bytes + chunk.length >= this.segmentBytes ? chunk.lastIndexOf(NEWLINE) : -1;
        if (end < 0) {
          await write(chunk);
          continue;
        }
        await write(chunk.subarray(0, end + 1));
        await close();
        await write(chunk.subarray(end + 1));
      }
      await close();
    } finally {
      if (out) await finished(out.destroy()).catch(() => undefined);
    }
  }
}

/** The segment files' bytes in order, as one stream. */
export async function* concatenated(files: readonly string[]): AsyncGenerator<Buffer> {
  for (const file of files) yield* createReadStream(file) as AsyncIterable<Buffer>;
}

/** Resolves once the stream drained or ended (an error is reported by the caller). */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off("drain", settle);
      stream.off("close", settle);
      resolve();
    };
    stream.once("drain", settle);
    stream.once("close", settle);
  });
}
