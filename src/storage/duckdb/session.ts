/**
 * DuckDB sessions: one connection with bound-parameter statements, appends through the Appender and
 * transactions. Shared by the engine and the file loader, which takes a session instead of the engine.
 */
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBPreparedStatement,
} from "@duckdb/node-api";
import { AppError, isAppError } from "../../core/errors.js";
import type { Row, SqlValue } from "../../query/compiled.js";
import { chunkToRows, readerFor, ValueError, type Writer, writerFor } from "./values.js";

const VECTOR_SIZE = 2048;

/** A column of values for `DuckDbSession.append`; typed arrays are the fast path for numbers. */
export type ColumnValues = ArrayLike<unknown>;

/** What `transaction()` hands its callback: one connection inside BEGIN … COMMIT. */
export interface DuckDbSession {
  /** Runs one statement with bound `$n` parameters; returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a query and returns all rows (small results only), converted like `stream()`. */
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /**
   * Appends `rowCount` rows to a table through the DuckDB Appender. `columns` holds one array per
   * table column, in table order. Values: see `values.ts` (DATE also takes epoch days).
   */
  append(
    target: { schema: string; table: string; catalog?: string },
    columns: readonly ColumnValues[],
    rowCount: number,
  ): Promise<void>;
  /** Progress of the statement running on this session's connection, 0–100, or -1 when unknown. */
  progress(): number;
  /** BEGIN … COMMIT around `fn` (ROLLBACK when it throws). Transactions do not nest. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** A session over one connection of the engine (the engine owns and releases the connection). */
export class ConnectionSession implements DuckDbSession {
  constructor(readonly con: DuckDBConnection) {}

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const prepared = await prepareStatement(this.con, sql, params);
    const result = await prepared.run();
    return result.rowsChanged;
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const prepared = await prepareStatement(this.con, sql, params);
    const result = await prepared.run();
    const names = result.deduplicatedColumnNames();
    const readers = result.columnTypes().map(readerFor);
    const rows: Row[] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      rows.push(...chunkToRows(chunk, names, readers));
    }
    return rows;
  }

  async append(
    target: { schema: string; table: string; catalog?: string },
    columns: readonly ColumnValues[],
    rowCount: number,
  ): Promise<void> {
    const appender = await this.con.createAppender(target.table, target.schema, target.catalog ?? null);
    try {
      appendColumns(appender, columns, rowCount, null, 0);
      appender.closeSync();
    } catch (error) {
      appender.clear();
      throw error;
    }
  }

  progress(): number {
    return this.con.progress.percentage;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.con.run("BEGIN TRANSACTION");
    try {
      const result = await fn();
      await this.con.run("COMMIT");
      return result;
    } catch (error) {
      await this.con.run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Appends column arrays through data chunks of 2048 rows. `names` (for error messages) and
 * `firstRow` (to number rows across batches) are optional context.
 */
export function appendColumns(
  appender: DuckDBAppender,
  columns: readonly ColumnValues[],
  rowCount: number,
  names: readonly string[] | null,
  firstRow: number,
): void {
  const count = appender.columnCount;
  if (columns.length !== count) {
    throw new AppError("internal", `The appender expects ${count} columns, got ${columns.length}`);
  }
  const types = Array.from({ length: count }, (_, i) => appender.columnType(i));
  const writers: Writer[] = types.map(writerFor);
  const chunk = DuckDBDataChunk.create(types);
  for (let offset = 0; offset < rowCount; offset += VECTOR_SIZE) {
    const n = Math.min(VECTOR_SIZE, rowCount - offset);
    chunk.reset();
    chunk.rowCount = n;
    for (let c = 0; c < count; c++) {
      const vector = chunk.getColumnVector(c);
      const source = columns[c]!;
      const write = writers[c]!;
      for (let r = 0; r < n; r++) {
        const value = source[offset + r];
        if (value === null || value === undefined) {
          vector.setItem(r, null);
          continue;
        }
        try {
          vector.setItem(r, write(value));
        } catch (error) {
          if (error instanceof ValueError) {
            const column = names?.[c] ?? `#${c + 1}`;
            throw new AppError(
              "invalid_data",
              `Invalid value for column ${column} in row ${firstRow + offset + r + 1}: ${error.message}`,
              { column, row: firstRow + offset + r + 1 },
            );
          }
          throw error;
        }
      }
      vector.flush();
    }
    appender.appendDataChunk(chunk);
  }
}

function bindParam(prepared: DuckDBPreparedStatement, index: number, value: SqlValue): void {
  if (value === null) {
    prepared.bindNull(index);
    return;
  }
  switch (typeof value) {
    case "string":
      prepared.bindVarchar(index, value);
      return;
    case "boolean":
      prepared.bindBoolean(index, value);
      return;
    case "bigint":
      if (value >= -(2n ** 63n) && value < 2n ** 63n) prepared.bindBigInt(index, value);
      else prepared.bindHugeInt(index, value);
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new AppError("invalid_argument", `Parameter $${index} must be a finite number`);
      }
      if (Number.isSafeInteger(value)) {
        if (Math.abs(value) <= 2_147_483_647) prepared.bindInteger(index, value);
        else prepared.bindBigInt(index, BigInt(value));
      } else {
        prepared.bindDouble(index, value);
      }
      return;
    default:
      throw new AppError("invalid_argument", `Parameter $${index} has unsupported type ${typeof value}`);
  }
}

/** Prepares `sql` on `con` and binds `params` to its `$n` placeholders (their count must match). */
export async function prepareStatement(
  con: DuckDBConnection,
  sql: string,
  params: readonly SqlValue[],
): Promise<DuckDBPreparedStatement> {
  const prepared = await con.prepare(sql);
  if (prepared.parameterCount !== params.length) {
    throw new AppError(
      "internal",
      `The statement has ${prepared.parameterCount} parameter(s) but ${params.length} value(s) were given`,
    );
  }
  params.forEach((value, i) => {
    bindParam(prepared, i + 1, value);
  });
  return prepared;
}

/** The first line of an error's message (DuckDB appends context lines). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

/** Wraps a driver error; AppErrors pass through. */
export function toAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  const message = firstLine(error);
  if (message.startsWith("INTERRUPT Error")) {
    return new AppError("unavailable", `${what}: the query was interrupted`, undefined, { cause: error });
  }
  if (message.startsWith("Out of Memory Error")) {
    return new AppError("unavailable", `${what}: ${message}`, undefined, { cause: error });
  }
  if (RECURRING_ERRORS.test(message)) {
    return new AppError("invalid_argument", `${what}: ${message}`, undefined, { cause: error });
  }
  return new AppError("internal", `${what}: ${message}`, undefined, { cause: error });
}

/**
 * DuckDB errors about the statement or its values rather than the engine's state: running the
 * same query on the same data fails the same way, so they are the caller's (4xx), never retried.
 */
const RECURRING_ERRORS =
  /^(Conversion|Binder|Catalog|Parser|Invalid Input|Out of Range|Not implemented) Error/;
