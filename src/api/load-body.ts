/**
 * A load's body, streamed to a file on local disk (never whole in memory), gunzipped on the way
 * when sent with `Content-Encoding: gzip`. The size limit holds for the bytes received and for the
 * bytes written, so a small gzip body that expands past it (a gzip bomb) is refused as it grows.
 */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError, ERROR_CODES } from "../core/errors.js";

export interface ReceivedBody {
  /** Bytes as received (compressed, when gzip). */
  readonly receivedBytes: number;
  /** Bytes written to the file (decompressed). */
  readonly bytes: number;
}

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

/** The staging file's buffer: chunks that arrive while a write is in flight go out in one writev. */
const WRITE_CHUNK = 1 << 20;

export async function receiveBody(
  body: NodeJS.ReadableStream,
  target: string,
  options: { readonly gzip: boolean; readonly maxBytes: number },
): Promise<ReceivedBody> {
  const received = new Limit(options.maxBytes, "is");
  // Without gzip the bytes written are the bytes received: one count holds both limits.
  const written = options.gzip ? new Limit(options.maxBytes, "expands to") : received;
  const file = createWriteStream(target, { highWaterMark: WRITE_CHUNK });
  try {
    if (options.gzip) await pipeline(body, received, createGunzip(), written, file);
    else await pipeline(body, received, file);
  } catch (error) {
    await rm(target, { force: true });
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("Z_")) {
      throw new AppError(
        ERROR_CODES.INVALID_DATA,
        `The body is not valid gzip (Content-Encoding: gzip): ${(error as Error).message}`,
      );
    }
    throw new AppError(
      ERROR_CODES.INVALID_ARGUMENT,
      `The load body could not be received: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  return { receivedBytes: received.bytes, bytes: written.bytes };
}
