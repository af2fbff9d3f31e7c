import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatasetDef } from "../../../src/datasets/types.js";
import type { CompiledSql, Row, SqlValue } from "../../../src/query/compiled.js";
import { type DuckDbEngine, type DuckDbOptions, openDuckDb } from "../../../src/storage/duckdb/engine.js";
import { inferFormat, loadFile } from "../../../src/storage/duckdb/load.js";
import type { LoadInputFormat } from "../../../src/storage/ports.js";

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
    dataDir: path.join(dir, "data"),
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

/** The loader's tests in the words they were written in: a file (format from its name) and replace or not. */
export async function loadInto(
  engine: DuckDbEngine,
  options: {
    program: string;
    dataset: DatasetDef;
    tenantId: string;
    file: string;
    format?: LoadInputFormat;
    replace?: boolean;
    onProgress?: (message: string) => void;
    progressIntervalMs?: number;
  },
): Promise<{ rowCount: number }> {
  const { rowCount } = await loadFile(engine, {
    program: options.program,
    dataset: options.dataset,
    tenant: options.tenantId,
    mode: options.replace ? "replace" : "append",
    file: { path: options.file, format: options.format ?? inferFormat(options.file) },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
  });
  return { rowCount };
}
