import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompiledSql, Row, SqlValue } from "../../../src/query/compiled.js";
import { type DuckDbEngine, type DuckDbOptions, openDuckDb } from "../../../src/storage/duckdb/engine.js";

export interface TestEngine {
  readonly engine: DuckDbEngine;
  /** Temp directory; the database lives in `dir/data`, which is not where exports go. */
  readonly dir: string;
  /** Allowed export directory inside `dir`. */
  readonly exportDir: string;
  cleanup(): Promise<void>;
}

export async function makeEngine(options: Partial<DuckDbOptions> = {}): Promise<TestEngine> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "oi-duckdb-"));
  const exportDir = path.join(dir, "exports");
  await fs.mkdir(exportDir);
  const engine = await openDuckDb({
    path: path.join(dir, "data", "analytics.duckdb"),
    ...options,
    allowedDirectories: [exportDir, ...(options.allowedDirectories ?? [])],
  });
  return {
    engine,
    dir,
    exportDir,
    async cleanup() {
      await engine.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export function sql(
  text: string,
  params: readonly SqlValue[] = [],
  columns: readonly string[] = [],
): CompiledSql {
  return { sql: text, params, columns };
}

export async function collect(iterable: AsyncIterable<Row[]>): Promise<Row[][]> {
  const batches: Row[][] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

export async function all(
  engine: DuckDbEngine,
  text: string,
  params: readonly SqlValue[] = [],
): Promise<Row[]> {
  return (await collect(engine.stream(sql(text, params)))).flat();
}
