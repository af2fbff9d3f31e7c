/**
 * Whole-file compressors of report files, shared by the engines that compress in Node (the
 * PostgreSQL engine's exports, and both engines' parts):
 * - gzip: Node's zlib;
 * - zstd: Node's own compressor where it has one (22.15+), else the zstd reference library
 *   compiled to WebAssembly (@bokuweb/zstd-wasm), one frame per 4 MiB — concatenated frames are
 *   one valid zstd file, and memory stays bounded by a frame.
 */
import { Transform } from "node:stream";
import zlib from "node:zlib";
import { compress as zstdCompress, init as zstdInit } from "@bokuweb/zstd-wasm";
import type { Compression } from "../reports/formats.js";

/** A compressor stream for `compression`, or null for none. */
export async function compressorFor(compression: Compression): Promise<Transform | null> {
  switch (compression) {
    case "none":
      return null;
    case "gzip":
      return zlib.createGzip();
    case "zstd":
      return zstdStream();
  }
}

const FRAME_BYTES = 4 << 20;
let wasmReady: Promise<void> | undefined;

/** A zstd compressor stream. */
export async function zstdStream(): Promise<Transform> {
  const native = (zlib as unknown as { createZstdCompress?: () => Transform }).createZstdCompress;
  if (native) return native();
  wasmReady ??= zstdInit();
  await wasmReady;
  let pending: Buffer[] = [];
  let size = 0;
  const frame = (stream: Transform) => {
    if (size === 0) return;
    stream.push(Buffer.from(zstdCompress(Buffer.concat(pending, size), 3)));
    pending = [];
    size = 0;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= FRAME_BYTES) frame(this);
      done();
    },
    flush(done) {
      frame(this);
      done();
    },
  });
}
