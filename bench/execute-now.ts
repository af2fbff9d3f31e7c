/**
 * Benchmark 4: one ExecuteNow execution exporting the big dataset end to end through the worker,
 * beside DuckDB's own COPY of the same SQL; each side in its own child process (wall time and
 * peak RSS), with the same DuckDB memory limit and threads.
 */
import { type Benchmark, fmtInt, fmtMb, fmtMs, fmtRatio, median, progress, startChild } from "./common.js";
import { EXPORT_QUERY } from "./data.js";
import type { ExportJob, ExportSideResult } from "./export-child.js";

const TARGET_RATIO = 1.25;
const TARGET_RSS_MB = 300;
const THREADS = 2;

export const executeNowBenchmark: Benchmark = {
  id: "execute-now",
  title: "ExecuteNow export end to end",
  async run({ settings, bigDataDir }) {
    const rounds = settings.quick ? 1 : 3;
    const sides: Record<ExportJob["mode"], ExportSideResult[]> = {
      worker: [],
      copy: [],
      "copy-unordered": [],
    };
    for (let round = 0; round < rounds; round++) {
      const order: ExportJob["mode"][] = round % 2 === 0 ? ["worker", "copy"] : ["copy", "worker"];
      order.push("copy-unordered");
      for (const mode of order) {
        progress(`execute-now: round ${round + 1}/${rounds}, ${mode}`);
        const job: ExportJob = {
          mode,
          dataDir: bigDataDir,
          memoryLimit: settings.exportMemoryLimit,
          threads: THREADS,
        };
        const result = await startChild<ExportSideResult>("export-child.js", job).result;
        progress(
          `  ${mode}: ${fmtMs(result.ms)} ms, ${fmtInt(result.rows)} rows, peak RSS ${fmtMb(result.maxRssKb)}`,
        );
        sides[mode].push(result);
      }
    }
    const summary = (mode: ExportJob["mode"]) => {
      const runs = sides[mode];
      return {
        ms: median(runs.map((r) => r.ms)),
        maxRssKb: Math.max(...runs.map((r) => r.maxRssKb)),
        rows: runs[0]!.rows,
        bytes: runs[0]!.bytes,
        runs: runs.map((r) => r.ms),
      };
    };
    const worker = summary("worker");
    const copy = summary("copy");
    const unordered = summary("copy-unordered");
    if (worker.rows !== copy.rows) throw new Error(`row counts differ: ${worker.rows} vs ${copy.rows}`);
    if (worker.rows < settings.rows)
      throw new Error(`exported ${worker.rows} rows, fewer than ${settings.rows}`);
    const ratio = worker.ms / copy.ms;
    const exportMs = median(sides.worker.map((r) => r.exportMs ?? 0));
    const putFileMs = median(sides.worker.map((r) => r.putFileMs ?? 0));
    const restMs = median(sides.worker.map((r) => r.ms - (r.exportMs ?? 0) - (r.putFileMs ?? 0)));
    const row = (label: string, s: typeof worker) => [
      label,
      fmtInt(s.rows),
      `${(s.bytes / 1024 / 1024).toFixed(0)} MB`,
      fmtMs(s.ms),
      s.runs.map(fmtMs).join(" / "),
      fmtInt((s.rows * 1000) / s.ms),
      fmtMb(s.maxRssKb),
    ];
    return {
      method: `Each side in its own child process (fresh Node, DuckDB memory_limit ${settings.exportMemoryLimit}, ${THREADS} threads), ${rounds} round(s) in alternating order; median wall time, highest peak RSS (process.resourceUsage().maxRSS).`,
      tables: [
        {
          columns: ["Side", "Rows", "CSV size", "Median ms", "Runs ms", "Rows/s", "Peak RSS"],
          rows: [
            row("Worker: app.worker.runDue() (claim, export, SHA-256, store the file, finish)", worker),
            row("DuckDB: COPY (same SQL) TO 'file.csv' (HEADER)", copy),
            row("For reference: the same COPY with SET preserve_insertion_order = false", unordered),
          ],
        },
        {
          columns: ["Worker step (median ms)", "ms", "vs raw COPY"],
          rows: [
            [
              "engine.exportTo (DuckDB COPY with our CSV options)",
              fmtMs(exportMs),
              fmtRatio(exportMs / copy.ms),
            ],
            [
              "files.putFile (move into the file store, fsync)",
              fmtMs(putFileMs),
              fmtRatio(putFileMs / copy.ms),
            ],
            [
              "Everything else (claim, SHA-256 of the file, finish)",
              fmtMs(restMs),
              fmtRatio(restMs / copy.ms),
            ],
          ],
        },
      ],
      targets: [
        {
          name: "Worker wall time vs raw COPY",
          target: `≤ ${fmtRatio(TARGET_RATIO)}`,
          actual: fmtRatio(ratio),
          pass: ratio <= TARGET_RATIO,
        },
        {
          name: "Worker process peak RSS",
          target: `< ${TARGET_RSS_MB} MB`,
          actual: fmtMb(worker.maxRssKb),
          pass: worker.maxRssKb / 1024 < TARGET_RSS_MB,
        },
      ],
      notes: [
        `Query: \`${EXPORT_QUERY}\` (an ExecuteNow report over HTTP inject, then one \`runDue()\`).`,
        "The worker's peak RSS covers the whole process: app start (fastify, SQLite, DuckDB), report creation and the run.",
        "Targets compare the worker with the default COPY; the third row only shows what DuckDB's `preserve_insertion_order` costs in time and memory (it is not set by the service).",
      ],
      data: { worker, copy, unordered, ratio, breakdown: { exportMs, putFileMs, restMs }, sides },
    };
  },
};
