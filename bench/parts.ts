/**
 * Benchmark: a huge result in parts (issue #14, MaxFileSizeMB). One ExecuteNow execution of the
 * export query over BENCH_PARTS_ROWS rows (default 50,000,000: its own data directory, generated
 * here) as one CSV file, and the same with MaxFileSizeMB BENCH_PARTS_MB (default 100), each side in
 * its own child process (export-child.ts, the worker side) so that its peak RSS is its own.
 * Throughput of both, and the target: the parts' peak RSS under the single file's.
 */
import {
  type Benchmark,
  exportSideRow,
  fmtInt,
  fmtMb,
  fmtMs,
  fmtRatio,
  median,
  progress,
  startChild,
} from "./common.js";
import { EXPORT_QUERY, prepareBigData } from "./data.js";
import type { ExportJob, ExportSideResult } from "./export-child.js";

const THREADS = 2;
const SIDES = ["one file", "parts"] as const;

function envNumber(name: string, fallback: number): number {
  const text = process.env[name]?.replaceAll("_", "");
  const value = text ? Number(text) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
}

export const partsBenchmark: Benchmark = {
  id: "parts",
  title: "A huge export in parts (MaxFileSizeMB) against one file",
  async run({ settings, tempDir }) {
    const rows = envNumber("BENCH_PARTS_ROWS", settings.quick ? 1_000_000 : 50_000_000);
    const partMb = envNumber("BENCH_PARTS_MB", settings.quick ? 10 : 100);
    const dataDir = await tempDir("parts");
    progress(`parts: generating ${rows.toLocaleString("en-US")} rows`);
    const { engine, ms: generatedMs } = await prepareBigData(dataDir, rows);
    await engine.close();
    progress(`parts: generated in ${(generatedMs / 1000).toFixed(1)} s`);
    const rounds = settings.quick ? 1 : 2;
    const runs = new Map<(typeof SIDES)[number], ExportSideResult[]>();
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        progress(`parts: round ${round + 1}/${rounds}, ${side}`);
        const job: ExportJob = {
          mode: "worker",
          format: "csv",
          dataDir,
          memoryLimit: settings.exportMemoryLimit,
          threads: THREADS,
          ...(side === "parts" ? { maxFileSizeMB: partMb } : {}),
        };
        const result = await startChild<ExportSideResult>("export-child.js", job).result;
        progress(
          `  ${fmtMs(result.ms)} ms, ${fmtInt(result.rows)} rows in ${result.files} file(s), peak RSS ${fmtMb(result.maxRssKb)}`,
        );
        runs.set(side, [...(runs.get(side) ?? []), result]);
      }
    }
    const summary = (side: (typeof SIDES)[number]) => {
      const sides = runs.get(side)!;
      return {
        ms: median(sides.map((r) => r.ms)),
        maxRssKb: Math.max(...sides.map((r) => r.maxRssKb)),
        rows: sides[0]!.rows,
        bytes: sides[0]!.bytes,
        files: sides[0]!.files ?? 1,
        runs: sides.map((r) => r.ms),
      };
    };
    const one = summary("one file");
    const parts = summary("parts");
    if (one.rows !== parts.rows) throw new Error(`${one.rows} rows in one file vs ${parts.rows} in parts`);
    return {
      method: `${rows.toLocaleString("en-US")} rows of the big dataset (generated for this benchmark); the worker side of benchmark 4 (claim, export, SHA-256, store, finish) in its own child process (fresh Node, DuckDB memory_limit ${settings.exportMemoryLimit}, ${THREADS} threads), CSV, ${rounds} round(s) in alternating order; median wall time, highest peak RSS.`,
      tables: [
        {
          columns: ["Side", "Rows", "Size", "Median ms", "Runs ms", "Rows/s", "Peak RSS"],
          rows: [
            exportSideRow("One file (no MaxFileSizeMB)", one),
            exportSideRow(`${parts.files} parts of ${partMb} MB (MaxFileSizeMB)`, parts),
          ],
        },
      ],
      targets: [
        {
          name: "Peak RSS of the export in parts vs one file",
          target: "< 1.00×",
          actual: fmtRatio(parts.maxRssKb / one.maxRssKb),
          pass: parts.maxRssKb < one.maxRssKb,
        },
      ],
      notes: [
        `Query: \`${EXPORT_QUERY}\`. BENCH_PARTS_ROWS and BENCH_PARTS_MB set the size (the issue's figure is 50,000,000 rows).`,
        `Wall time in parts vs one file: ${fmtRatio(parts.ms / one.ms)}.`,
      ],
      data: { rows, partMb, one, parts },
    };
  },
};
