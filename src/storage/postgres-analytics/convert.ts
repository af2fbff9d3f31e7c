/**
 * What PostgreSQL cannot write itself, done on the way by other well-kept writers:
 * - Parquet: DuckDB in memory reads the CSV that COPY wrote (types given, nothing sniffed) and
 *   writes Parquet with zstd column chunks, as the DuckDB engine's files are;
 * - zstd: Node's own compressor where it has one (22.15+), else the zstd reference library
 *   compiled to WebAssembly (@bokuweb/zstd-wasm), one frame per 4 MiB — concatenated frames are
 *   one valid zstd file, and memory stays bounded by a frame.
 */
import { Transform } from "node:stream";
import zlib from "node:zlib";
import { compress as zstdCompress, init as zstdInit } from "@bokuweb/zstd-wasm";
import { DuckDBInstance } from "@duckdb/node-api";
import type { DescribedColumn } from "./export.js";
import { TYPE_OIDS } from "./values.js";

const DUCKDB_TYPES: Readonly<Record<number, string>> = {
  [TYPE_OIDS.bool]: "BOOLEAN",
  [TYPE_OIDS.int2]: "BIGINT",
  [TYPE_OIDS.int4]: "BIGINT",
  [TYPE_OIDS.int8]: "BIGINT",
  // A NUMERIC result is a sum of integers (DuckDB's HUGEINT, which its Parquet writer stores as DOUBLE).
  [TYPE_OIDS.numeric]: "DOUBLE",
  [TYPE_OIDS.float4]: "DOUBLE",
  [TYPE_OIDS.float8]: "DOUBLE",
  [TYPE_OIDS.date]: "DATE",
  [TYPE_OIDS.timestamp]: "TIMESTAMP",
  [TYPE_OIDS.timestamptz]: "TIMESTAMP",
};

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Converts `csvPath` (header row, the export's CSV conventions) to Parquet at `parquetPath`. */
export async function csvToParquet(
  csvPath: string,
  parquetPath: string,
  columns: readonly DescribedColumn[],
): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1", memory_limit: "256MB" });
  const con = await instance.connect();
  try {
    const types = columns.map((c) => `${quote(c.name)}: ${quote(DUCKDB_TYPES[c.typeOid] ?? "VARCHAR")}`);
    await con.run(
      `COPY (SELECT * FROM read_csv(${quote(csvPath)}, header = true, delim = ',', quote = '"', escape = '"', ` +
        `nullstr = '', allow_quoted_nulls = false, auto_detect = false, columns = {${types.join(", ")}}, ` +
        `timestampformat = '%Y-%m-%dT%H:%M:%SZ', dateformat = '%Y-%m-%d')) ` +
        `TO ${quote(parquetPath)} (FORMAT parquet, COMPRESSION 'zstd')`,
    );
  } finally {
    con.closeSync();
    instance.closeSync();
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
