/**
 * Benchmark 5: the extension formats (issue #14). One ExecuteNow execution exporting the big dataset
 * as Parquet and as newline-delimited JSON through the worker, beside DuckDB's own COPY of the same
 * SQL to the same format (preserve_insertion_order = false, as in the service); each side in its own
 * child process (export-child.ts), with the same DuckDB memory limit and threads as benchmark 4.
 */
import type { ReportFormat } from "../src/reports/formats.js";
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
import { EXPORT_QUERY } from "./data.js";
import type { ExportJob, ExportSideResult } from "./export-child.js";

const TARGET_RATIO = 1.25;
const THREADS = 2;
const FORMATS: readonly ReportFormat[] = ["parquet", "json"];
const SIDES = ["worker", "copy-unordered"] as const;

export const formatExportsBenchmark: Benchmark = {
  id: "format-exports",
  title: "Parquet and JSON exports end to end",
  async run({ settings, bigDataDir }) {
    const rounds = settings.quick ? 1 : 2;
    const runs = new Map<string, ExportSideResult[]>();
    for (const format of FORMATS) {
      for (let round = 0; round < rounds; round++) {
        for (const mode of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
          progress(`format-exports: ${format}, round ${round + 1}/${rounds}, ${mode}`);
          const job: ExportJob = {
            mode,
            format,
            dataDir: bigDataDir,
            memoryLimit: settings.exportMemoryLimit,
            threads: THREADS,
          };
          const result = await startChild<ExportSideResult>("export-child.js", job).result;
          progress(
            `  ${fmtMs(result.ms)} ms, ${fmtInt(result.rows)} rows, peak RSS ${fmtMb(result.maxRssKb)}`,
          );
          runs.set(`${format}/${mode}`, [...(runs.get(`${format}/${mode}`) ?? []), result]);
        }
      }
    }
    const summary = (format: ReportFormat, mode: (typeof SIDES)[number]) => {
      const sides = runs.get(`${format}/${mode}`)!;
      return {
        ms: median(sides.map((r) => r.ms)),
        maxRssKb: Math.max(...sides.map((r) => r.maxRssKb)),
        rows: sides[0]!.rows,
        bytes: sides[0]!.bytes,
        runs: sides.map((r) => r.ms),
      };
    };
    const results = FORMATS.map((format) => {
      const worker = summary(format, "worker");
      const copy = summary(format, "copy-unordered");
      if (worker.rows !== copy.rows) throw new Error(`${format}: ${worker.rows} rows vs ${copy.rows}`);
      return { format, worker, copy, ratio: worker.ms / copy.ms };
    });
    const row = exportSideRow;
    return {
      method: `Each side in its own child process (fresh Node, DuckDB memory_limit ${settings.exportMemoryLimit}, ${THREADS} threads), ${rounds} round(s) per format in alternating order; median wall time, highest peak RSS.`,
      tables: [
        {
          columns: ["Side", "Rows", "File size", "Median ms", "Runs ms", "Rows/s", "Peak RSS"],
          rows: results.flatMap(({ format, worker, copy }) => [
            row(`Worker, Format ${format} (claim, export, SHA-256, store the file, finish)`, worker),
            row(`DuckDB: COPY (same SQL) TO a ${format} file`, copy),
          ]),
        },
      ],
      targets: results.map(({ format, ratio }) => ({
        name: `Worker wall time vs raw COPY, ${format}`,
        target: `≤ ${fmtRatio(TARGET_RATIO)}`,
        actual: fmtRatio(ratio),
        pass: ratio <= TARGET_RATIO,
      })),
      notes: [
        `Query: \`${EXPORT_QUERY}\`, as in benchmark 4; Parquet with zstd inside (the service's setting, also given to COPY), JSON newline-delimited.`,
        "Rows are distinct in the selected columns (docs/query-language.md), so both sides group by them.",
      ],
      data: { results },
    };
  },
};
