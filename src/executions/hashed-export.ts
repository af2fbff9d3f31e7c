/**
 * An export with the SHA-256 of its file, computed without a second pass over it: by the engine on
 * the file's way out when it can (`AnalyticsEngine.hashesExports`), else by following the file while
 * the engine writes it (digest-while-writing.ts). The worker's export step; the benchmarks time it.
 */
import type { CompiledSql } from "../query/compiled.js";
import type { AnalyticsEngine, ExportOptions, ExportResult } from "../storage/ports.js";
import { digestFile, digestWhileWriting, type FileDigest } from "./digest-while-writing.js";

export type HashedExport =
  | { readonly ok: true; readonly exported: ExportResult; readonly digest: FileDigest }
  /** `engine`: the export failed; `file`: reading or flushing its file did. */
  | { readonly ok: false; readonly failed: "engine" | "file"; readonly error: unknown };

/**
 * Exports one file to `file` and hashes it. `flushEvery` (bytes; 0 = never) flushes the file to disk
 * while it is written when this process follows it; an engine that hashes on its own is not
 * followed, and its file is left for the store's final fsync (reading it back just to flush it would
 * cost what the engine's hash saved).
 */
export async function exportHashed(
  engine: AnalyticsEngine,
  sql: CompiledSql,
  file: string,
  options: ExportOptions & { readonly flushEvery?: number },
): Promise<HashedExport> {
  const { flushEvery = 0, ...exportOptions } = options;
  const exporting = engine.exportTo(sql, file, exportOptions);
  if (engine.hashesExports?.(options.format)) {
    let exported: ExportResult;
    try {
      exported = await exporting;
    } catch (error) {
      return { ok: false, failed: "engine", error };
    }
    try {
      const { sha256, bytes } = exported;
      return { ok: true, exported, digest: sha256 ? { sha256, bytes } : await digestFile(file) };
    } catch (error) {
      return { ok: false, failed: "file", error };
    }
  }
  const digesting = digestWhileWriting(file, exporting, { flushEvery });
  // Both settle before either is looked at: no rejection goes unhandled, no read outlives the export.
  const [exported, digest] = await Promise.allSettled([exporting, digesting]);
  if (exported.status === "rejected") return { ok: false, failed: "engine", error: exported.reason };
  if (digest.status === "rejected") return { ok: false, failed: "file", error: digest.reason };
  return { ok: true, exported: exported.value, digest: digest.value };
}
