/**
 * Where the DuckDB engine's rows live (docs/loading.md): each (program, table, tenant) has a file
 * set — Parquet files under `<dataDir>/datasets/` — whose current version is a row of the metadata
 * store (`MetadataStore.getFileSet`/`commitFileSet`). A load writes a new file, then commits the new
 * set in one metadata transaction: that commit is the load's commit point. A query or export reads
 * the set it resolved when it started, so it reads one snapshot whatever commits meanwhile.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { DatasetFile, FileSet, FileSetKey, MetadataStore } from "../ports.js";

/** The part of the metadata store the engine reads and commits file sets through. */
export type FileSetSource = Pick<MetadataStore, "getFileSet" | "listFileSets" | "commitFileSet">;

/** What a write does with the tenant's current rows (`DuckDbEngine.writeTenantRows`). */
export interface WriteMode {
  readonly mode: "append" | "replace";
  /** With `replace`: only the rows whose time column falls in [from, to) are replaced. */
  readonly window?: { readonly from: Date; readonly to: Date };
}

/** The data directory's folder of dataset files (file names are relative to it). */
export const DATASETS_FOLDER = "datasets";

/** `<program>/<table>/<tenant>/<uuid>.parquet`, each part made safe for a file name. */
export function newDatasetFileName(key: FileSetKey): string {
  return [key.program, key.table, key.tenant, `${randomUUID()}.parquet`].map(safeSegment).join("/");
}

function safeSegment(part: string): string {
  const safe = encodeURIComponent(part).replaceAll("*", "%2A");
  // "." and ".." are the only segments encodeURIComponent leaves that a path would take for a directory.
  return safe === "." || safe === ".." ? safe.replaceAll(".", "%2E") : safe;
}

export function datasetFilePath(datasetsDir: string, name: string): string {
  return path.join(datasetsDir, ...name.split("/"));
}

/**
 * File sets kept in this process only: for an engine without a metadata store (engine tests,
 * benchmarks). Same contract as the store's: compare-and-set on the version.
 */
export class MemoryFileSets implements FileSetSource {
  private readonly sets = new Map<string, FileSet>();

  async getFileSet(key: FileSetKey): Promise<FileSet | undefined> {
    return this.sets.get(mapKey(key));
  }

  async listFileSets(program: string, table?: string): Promise<FileSet[]> {
    return [...this.sets.values()]
      .filter((s) => s.program === program && (table === undefined || s.table === table))
      .sort((a, b) => (a.table === b.table ? cmp(a.tenant, b.tenant) : cmp(a.table, b.table)));
  }

  async commitFileSet(
    key: FileSetKey,
    expectedVersion: number,
    files: readonly DatasetFile[],
    at: Date,
  ): Promise<FileSet | undefined> {
    const current = this.sets.get(mapKey(key));
    if ((current?.version ?? 0) !== expectedVersion) return undefined;
    const next: FileSet = {
      program: key.program,
      table: key.table,
      tenant: key.tenant,
      version: expectedVersion + 1,
      files: [...files],
      rowCount: files.reduce((sum, f) => sum + f.rows, 0),
      committedAt: at,
    };
    this.sets.set(mapKey(key), next);
    return next;
  }
}

function mapKey(key: FileSetKey): string {
  return JSON.stringify([key.program, key.table, key.tenant]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
