/**
 * `load()` on PostgreSQL, inside the engine's transaction (all or nothing; readers keep seeing the
 * old rows until it commits — MVCC — and then see all the new ones):
 *
 * 1. Parquet and NDJSON files are first converted to CSV by DuckDB in memory (a scratch file beside
 *    the input), so PostgreSQL's CSV reader is the only one that parses values.
 * 2. The header names the columns: matched case-insensitively against the dataset's columns and
 *    measures; an unknown or repeated one is refused, a missing one is stored as NULL (as on DuckDB).
 * 3. `COPY … FROM STDIN` into a temporary staging table with the target's types (datetimes as
 *    TIMESTAMPTZ, so an offset is converted to UTC and a time without one is UTC): PostgreSQL names
 *    the line and column of a value that does not convert.
 * 4. replace: the tenant's rows are deleted — all of them, or only those whose time column is in
 *    [from, to) with a window, whose staged rows must then all fall inside it — and the staged rows
 *    inserted.
 */
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { AppError } from "../../core/errors.js";
import { TENANT_COLUMN } from "../../datasets/types.js";
import type { LoadRequest } from "../ports.js";
import { pgErrorCode } from "./errors.js";
import { catalogIdent, datasetColumns, datasetTableIdent, ident, type PgColumn } from "./tables.js";

const STAGE = "openinsights_stage";
const HEADER_LIMIT = 1 << 20;

/** Loads `request.file` through `client` (in a transaction the caller commits); returns the rows loaded. */
export async function loadIntoTable(
  client: pg.PoolClient,
  request: LoadRequest,
  scratchDir: string | undefined,
): Promise<number> {
  const { dataset, tenant } = request;
  if (typeof tenant !== "string" || tenant.trim() === "") {
    throw new AppError("invalid_argument", "A tenant id is required to load data");
  }
  if (request.window && request.mode !== "replace") {
    throw new AppError("invalid_argument", "A window applies to replace loads only");
  }
  if (request.window && !dataset.timeColumn) {
    throw new AppError(
      "invalid_argument",
      `Dataset ${dataset.name} has no time column: it is replaced whole`,
    );
  }
  const converted = await asDelimitedText(request, scratchDir);
  try {
    const delimiter = converted.format === "tsv" ? "\t" : ",";
    const header = parseHeader(await firstLine(converted.path), delimiter);
    const columns = mapColumns(header, datasetColumns(dataset), dataset.name);
    const stageTypes = columns.map(
      (c) => `${ident(c.physical)} ${c.type === "datetime" ? "timestamptz" : c.sqlType}`,
    );
    await client.query(`CREATE TEMPORARY TABLE ${STAGE} (${stageTypes.join(", ")}) ON COMMIT DROP`);
    const copy = copyFrom(
      `COPY ${STAGE} (${columns.map((c) => ident(c.physical)).join(", ")}) FROM STDIN ` +
        `(FORMAT csv, HEADER true, DELIMITER ${delimiter === "\t" ? "E'\\t'" : "','"}, QUOTE '"', ESCAPE '"', NULL '')`,
    );
    try {
      await pipeline(createReadStream(converted.path), client.query(copy));
    } catch (error) {
      if (pgErrorCode(error)?.startsWith("22")) {
        const where = (error as { where?: string }).where?.split("\n")[0];
        throw new AppError(
          "invalid_data",
          `${(error as Error).message}${where ? ` (${where.replace(STAGE, "the file")})` : ""}`,
          undefined,
          { cause: error },
        );
      }
      throw error;
    }
    const target = datasetTableIdent(request.program, dataset);
    const timeColumn = dataset.timeColumn ? catalogIdent(dataset.timeColumn) : null;
    if (request.window && timeColumn) {
      const outside = await client.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${STAGE} WHERE ${timeColumn} IS NULL OR ${timeColumn} < $1 OR ${timeColumn} >= $2`,
        [request.window.from, request.window.to],
      );
      const n = outside.rows[0]?.n ?? 0;
      if (n > 0) {
        throw new AppError(
          "invalid_data",
          `${n} row(s) of the file have a ${dataset.timeColumn} outside the replaced window [${request.window.from.toISOString()}, ${request.window.to.toISOString()})`,
        );
      }
    }
    if (request.mode === "replace") {
      const windowFilter =
        request.window && timeColumn ? ` AND ${timeColumn} >= $2 AND ${timeColumn} < $3` : "";
      await client.query(`DELETE FROM ${target} WHERE ${ident(TENANT_COLUMN)} = $1${windowFilter}`, [
        tenant,
        ...(request.window && timeColumn ? [request.window.from, request.window.to] : []),
      ]);
    }
    const names = columns.map((c) => ident(c.physical));
    const inserted = await client.query(
      `INSERT INTO ${target} (${ident(TENANT_COLUMN)}, ${names.join(", ")}) SELECT $1, ${names.join(", ")} FROM ${STAGE}`,
      [tenant],
    );
    return inserted.rowCount ?? 0;
  } finally {
    if (converted.path !== request.file.path) await fs.rm(converted.path, { force: true });
  }
}

/** The file as CSV/TSV: itself, or a CSV copy DuckDB (in memory) writes from Parquet/NDJSON. */
async function asDelimitedText(
  request: LoadRequest,
  scratchDir: string | undefined,
): Promise<{ path: string; format: "csv" | "tsv" }> {
  const { format, path: input } = request.file;
  if (format === "csv" || format === "tsv") return { path: input, format };
  const output = path.join(scratchDir ?? path.dirname(input), `${path.basename(input)}.${process.pid}.csv`);
  const reader = format === "parquet" ? "read_parquet" : "read_json";
  const options = format === "ndjson" ? ", format = 'newline_delimited'" : "";
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const con = await instance.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    await con.run(
      `COPY (SELECT * FROM ${reader}(${quote(input)}${options})) TO ${quote(output)} ` +
        `(FORMAT csv, HEADER true, NULLSTR '', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S.%fZ')`,
    );
  } catch (error) {
    await fs.rm(output, { force: true });
    throw new AppError(
      "invalid_data",
      `Cannot read the ${format} file: ${(error as Error).message.split("\n")[0]}`,
      undefined,
      {
        cause: error,
      },
    );
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return { path: output, format: "csv" };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function firstLine(file: string): Promise<string> {
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_LIMIT);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_LIMIT, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString("utf8")
      .replace(/^\uFEFF/, "");
    const end = text.search(/\r?\n/);
    if (end < 0 && bytesRead === HEADER_LIMIT) {
      throw new AppError("invalid_data", "The file's header line is longer than 1 MiB");
    }
    return end < 0 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}

/** The header's fields (quoted with '"', quotes doubled). */
export function parseHeader(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i = line.indexOf(delimiter, i) < 0 ? line.length + 1 : line.indexOf(delimiter, i) + 1;
    } else {
      const next = line.indexOf(delimiter, i);
      fields.push(line.slice(i, next < 0 ? line.length : next).trim());
      i = next < 0 ? line.length + 1 : next + 1;
    }
  }
  return fields;
}

function mapColumns(
  header: readonly string[],
  columns: readonly PgColumn[],
  datasetName: string,
): PgColumn[] {
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const seen = new Set<string>();
  return header.map((name) => {
    const column = byName.get(name.toLowerCase());
    if (!column) {
      throw new AppError(
        "invalid_data",
        `Unknown column ${JSON.stringify(name)} for dataset ${datasetName}; allowed: ${columns.map((c) => c.name).join(", ")}`,
      );
    }
    if (seen.has(column.name)) {
      throw new AppError("invalid_data", `Column ${column.name} appears twice in the file's header`);
    }
    seen.add(column.name);
    return column;
  });
}
