/**
 * Ports: what the core needs from storage engines. Adapters live in sibling folders
 * (`duckdb/`, later `sqlite/`, `postgres/`, `disk/`, `s3/`) and never import each other.
 */
import type { DatasetDef, Program } from "../datasets/types.js";

/** A value bound to a `$n` / `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null;

/** SQL produced by the query compiler: identifiers come from the catalog, every value is in `params`. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  /** Output column names, in SELECT order, spelled as the catalog spells them. */
  readonly columns: readonly string[];
}

export type Row = Record<string, unknown>;
export type ExportFormat = "csv" | "tsv";

export interface ExportResult {
  readonly rowCount: number;
  readonly bytes: number;
}

export interface LoadResult {
  readonly rowCount: number;
}

export interface AnalyticsEngine {
  /** Creates any missing dataset tables of a program (idempotent). */
  ensureTables(program: Program, datasets: readonly DatasetDef[]): Promise<void>;
  /** Streams result rows in batches; memory stays bounded by the batch size. */
  stream(query: CompiledSql, options?: { signal?: AbortSignal }): AsyncIterable<Row[]>;
  /** Writes the whole result to `path` (header row first) with the engine's own writer. */
  exportTo(
    query: CompiledSql,
    path: string,
    options: { format: ExportFormat; gzip?: boolean },
  ): Promise<ExportResult>;
  close(): Promise<void>;
}
