/**
 * A load's body as it arrives (never whole in memory), gunzipped on the way when sent with
 * `Content-Encoding: gzip`. The size limit holds for the bytes received and for the bytes
 * decompressed, so a small gzip body that expands past it (a gzip bomb) is refused as it grows.
 * The engine writes it to disk: as it arrives, in segments it loads while the rest is uploading
 * (DuckDB, CSV/TSV), or whole into a staging file first (`LoadService`).
 */
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError, ERROR_CODES } from "../core/errors.js";

/** Counts the bytes going through; fails with 413 once they pass `limit`. */
class Limit extends Transform {
  bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(
        new AppError(
          ERROR_CODES.PAYLOAD_TOO_LARGE,
          `The load body ${this.what} more than ${this.limit.toLocaleString("en-US")} bytes (OPENINSIGHTS_LOAD_MAX_BYTES)`,
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

/**
 * The body's bytes, decompressed and within the size limit, read once: an async iterable whose
 * iteration ends with the body and throws (413, bad gzip, a dropped upload) when it fails.
 */
export class LoadBody implements AsyncIterable<Buffer> {
  private readonly received: Limit;
  private readonly written: Limit;
  private started = false;

  constructor(
    private readonly body: NodeJS.ReadableStream,
    private readonly options: { readonly gzip: boolean; readonly maxBytes: number },
  ) {
    this.received = new Limit(options.maxBytes, "is");
    // Without gzip the bytes written are the bytes received: one count holds both limits.
    this.written = options.gzip ? new Limit(options.maxBytes, "expands to") : this.received;
  }

  /** Bytes received so far (compressed, when gzip): the load record's `bytes` once the body ended. */
  get receivedBytes(): number {
    return this.received.bytes;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.started) throw new Error("A load body is read once");
    this.started = true;
    const last = this.written;
    const flowing = this.options.gzip
      ? pipeline(this.body, this.received, createGunzip(), this.written)
      : pipeline(this.body, this.received);
    // The pipeline's own error (413, bad gzip, a dropped upload) is the one to report. The last
    // stage is destroyed with it here: the pipeline leaves a stage whose writing side had finished.
    flowing.catch((error: unknown) => last.destroy(error as Error));
    let total = 0;
    try {
      for await (const chunk of last as AsyncIterable<Buffer>) {
        total += chunk.length;
        yield chunk;
      }
      await flowing;
    } catch (error) {
      await flowing.catch((cause: unknown) => {
        throw bodyError(cause);
      });
      throw bodyError(error);
    } finally {
      // A reader that stopped early (the engine refused the rows) stops the upload too.
      if (!last.readableEnded) last.destroy();
    }
    if (total === 0) throw new AppError(ERROR_CODES.INVALID_DATA, "The body is empty: send the file to load");
  }
}

function bodyError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (code.startsWith("Z_")) {
    return new AppError(
      ERROR_CODES.INVALID_DATA,
      `The body is not valid gzip (Content-Encoding: gzip): ${(error as Error).message}`,
    );
  }
  return new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    `The load body could not be received: ${(error as Error).message}`,
    undefined,
    { cause: error },
  );
}
