/**
 * `npm run bench`: every benchmark in sequence, a table per benchmark on stdout (progress on
 * stderr), the results as markdown in docs/benchmarks.md ("Latest run") and as JSON in
 * bench-results/latest.json. Knobs: BENCH_ROWS, BENCH_QUICK=1 (see common.ts).
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { version as duckdbVersion } from "@duckdb/node-api";
import {
  type BenchContext,
  type Benchmark,
  type BenchResult,
  progress,
  readSettings,
  TempDirs,
} from "./common.js";
import { consoleBenchmark } from "./console.js";
import { prepareBigData } from "./data.js";
import { engineOverheadBenchmark } from "./engine-overhead.js";
import { executeNowBenchmark } from "./execute-now.js";
import { formatExportsBenchmark } from "./format-exports.js";
import { httpBenchmark } from "./http.js";
import { loadsBenchmark } from "./loads.js";
import { partsBenchmark } from "./parts.js";
import { pgAnalyticsBenchmark } from "./pg-analytics.js";
import { pgLayoutBenchmark } from "./pg-layout.js";
import { queryLanguageBenchmark } from "./query-language.js";
import { queueBenchmark } from "./queue.js";
import { rateLimitBenchmark } from "./rate-limit.js";
import { type RunSummary, textResult, writeJson, writeMarkdown } from "./report.js";

/** The repository root (this file runs as dist/bench/run.js). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    duckdb: duckdbVersion(),
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" / "),
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const settings = readSettings();
  const dirs = new TempDirs();
  const results: BenchResult[] = [];
  const failures: { id: string; title: string; error: string }[] = [];
  const info = machine();
  progress(
    `rows ${settings.rows.toLocaleString("en-US")}${settings.quick ? " (quick)" : ""}; ${info.cores} cores; load ${info.loadAverage}`,
  );

  // BENCH_ONLY=id[,id…]: run just those (the big dataset is still generated when one needs it); the
  // results are printed and written to bench-results/only.json, docs/benchmarks.md is left alone.
  const only =
    process.env.BENCH_ONLY?.split(",")
      .map((id) => id.trim())
      .filter(Boolean) ?? [];
  const runOne = async (benchmark: Benchmark, context: BenchContext) => {
    if (only.length > 0 && !only.includes(benchmark.id)) return;
    progress(`--- ${benchmark.title}`);
    const t0 = performance.now();
    try {
      const body = await benchmark.run(context);
      const result: BenchResult = {
        id: benchmark.id,
        title: benchmark.title,
        ...body,
        elapsedMs: performance.now() - t0,
      };
      results.push(result);
      process.stdout.write(`\n${textResult(result)}`);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`${benchmark.title} FAILED: ${text}`);
      failures.push({ id: benchmark.id, title: benchmark.title, error: text });
    }
  };

  let dataGeneration: RunSummary["dataGeneration"] = null;
  try {
    const bigDataDir = await dirs.make("big");
    const base: BenchContext = { settings, bigDataDir, tempDir: (label) => dirs.make(label) };

    await runOne(queryLanguageBenchmark, base);
    await runOne(consoleBenchmark, base);

    // The big dataset only when a benchmark that reads it runs (BENCH_ONLY may name none of them).
    const readers = [
      engineOverheadBenchmark,
      pgAnalyticsBenchmark,
      executeNowBenchmark,
      formatExportsBenchmark,
    ];
    const bigDataWanted = only.length === 0 || readers.some((b) => only.includes(b.id));
    let dataReady = false;
    if (bigDataWanted) {
      progress(`--- Generating ${settings.rows.toLocaleString("en-US")} rows of the big dataset`);
      try {
        const { engine, ms } = await prepareBigData(bigDataDir, settings.rows);
        dataGeneration = { rows: settings.rows, ms };
        dataReady = true;
        progress(`generated in ${(ms / 1000).toFixed(1)} s`);
        try {
          await runOne(engineOverheadBenchmark, { ...base, bigEngine: engine });
          await runOne(pgAnalyticsBenchmark, { ...base, bigEngine: engine });
        } finally {
          await engine.close();
        }
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        progress(`data generation FAILED: ${text}`);
        failures.push({ id: "data", title: "Big dataset generation", error: text });
      }
    }
    if (dataReady) await runOne(executeNowBenchmark, base);
    if (dataReady) await runOne(formatExportsBenchmark, base);
    await runOne(partsBenchmark, base);
    await runOne(httpBenchmark, base);
    await runOne(queueBenchmark, base);
    await runOne(rateLimitBenchmark, base);
    await runOne(pgLayoutBenchmark, base);
    await runOne(loadsBenchmark, base);
  } finally {
    progress("removing temporary data directories");
    await dirs.removeAll();
  }

  const summary: RunSummary = {
    generatedAt: new Date().toISOString(),
    settings: { ...settings },
    machine: info,
    dataGeneration,
    totalMs: performance.now() - started,
    results,
    failures,
  };
  const markdown = path.join(ROOT, "docs", "benchmarks.md");
  const json = path.join(ROOT, "bench-results", only.length > 0 ? "only.json" : "latest.json");
  if (only.length === 0) await writeMarkdown(markdown, summary);
  await writeJson(json, summary);
  const targets = results.flatMap((r) => r.targets);
  const met = targets.filter((t) => t.pass).length;
  process.stdout.write(
    `\nTargets met: ${met} of ${targets.length}. ${failures.length} benchmark(s) failed. ` +
      `Total ${((performance.now() - started) / 1000).toFixed(0)} s.\nWrote ${only.length > 0 ? "" : `${path.relative(ROOT, markdown)} and `}${path.relative(ROOT, json)}.\n`,
  );
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
