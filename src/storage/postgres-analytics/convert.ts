/**
 * What PostgreSQL cannot write itself, done on the way by another well-kept writer — Parquet:
 * DuckDB in memory reads the CSV that COPY wrote (types given, nothing sniffed) and writes Parquet
 * with zstd column chunks, as the DuckDB engine's files are (zstd and gzip: `../compressors.ts`).
 */
import { promises as fs } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeParquetParts } from "../export-parts.js";
import type { ExportedPart } from "../ports.js";
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

/**
 * Converts `csvPath` (header row, the export's CSV conventions) to Parquet at `parquetPath`; with
 * `parts`, to parts of at most `maxBytes` (`storage/export-parts.ts`), which it returns.
 */
export async function csvToParquet(
  csvPath: string,
  parquetPath: string,
  columns: readonly DescribedColumn[],
  parts?: { readonly maxBytes: number; readonly rowCount: number },
): Promise<ExportedPart[] | undefined> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1", memory_limit: "256MB" });
  const con = await instance.connect();
  try {
    const types = columns.map((c) => `${quote(c.name)}: ${quote(DUCKDB_TYPES[c.typeOid] ?? "VARCHAR")}`);
    const copy = async (target: string, parts: string) =>
      (
        await con.runAndReadAll(
          `COPY (SELECT * FROM read_csv(${quote(csvPath)}, header = true, delim = ',', quote = '"', escape = '"', ` +
            `nullstr = '', allow_quoted_nulls = false, auto_detect = false, columns = {${types.join(", ")}}, ` +
            `timestampformat = '%Y-%m-%dT%H:%M:%SZ', dateformat = '%Y-%m-%d')) ` +
            `TO ${quote(target)} (FORMAT parquet, COMPRESSION 'zstd'${parts})`,
        )
      ).getRowObjectsJS();
    if (parts) {
      // The CSV's bytes a row: an upper bound of a row's in a column chunk (zstd-compressed).
      const rowBytes = (await fs.stat(csvPath)).size / Math.max(1, parts.rowCount);
      return await writeParquetParts(parquetPath, parts.maxBytes, copy, rowBytes);
    }
    await copy(parquetPath, "");
    return undefined;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
