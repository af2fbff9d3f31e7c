/**
 * Shared bench plumbing: the knobs, progress output, timing and statistics, temp directories, the
 * result shape every benchmark returns, and the child-process protocol.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DuckDbEngine } from "../src/storage/duckdb/engine.js";

export interface BenchSettings {
  /** BENCH_QUICK=1: 1M rows and short durations, for a smoke run. */
  readonly quick: boolean;
  /** Rows of the big dataset (BENCH_ROWS, default 10,000,000; 1,000,000 when quick). */
  readonly rows: number;
  /** HTTP: warm-up and measured seconds per route. */
  readonly httpWarmupSeconds: number;
  readonly httpSeconds: number;
  readonly httpConnections: number;
  /** Query language: seconds of measuring per query. */
  readonly compileSeconds: number;
  /** Queue: trivial executions per worker-process configuration. */
  readonly queueExecutions: number;
  /** Queue: small ExecuteNow reports run end to end. */
  readonly endToEndReports: number;
  /** DuckDB memory_limit for the big export (both sides). */
  readonly exportMemoryLimit: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const rowsText = env.BENCH_ROWS?.replaceAll("_", "");
  const rows = rowsText ? Number(rowsText) : quick ? 1_000_000 : 10_000_000;
  if (!Number.isSafeInteger(rows) || rows < 1000) {
    throw new Error(`BENCH_ROWS must be a whole number ≥ 1000, not '${env.BENCH_ROWS}'`);
  }
  return {
    quick,
    rows,
    httpWarmupSeconds: quick ? 1 : 2,
    httpSeconds: quick ? 3 : 8,
    httpConnections: 64,
    compileSeconds: quick ? 1 : 3,
    queueExecutions: quick ? 1000 : 4000,
    endToEndReports: quick ? 40 : 200,
    exportMemoryLimit: "256MB",
  };
}

/** Progress goes to stderr; stdout carries only the result tables. */
export function progress(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${time}] ${message}\n`);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0–100) of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** One side of an export benchmark, summed over its runs. */
export interface ExportSideSummary {
  readonly rows: number;
  readonly bytes: number;
  /** Median wall time. */
  readonly ms: number;
  readonly runs: readonly number[];
  readonly maxRssKb: number;
}

/** A table row of an export side: label, rows, size, median ms, every run, rows/s, peak RSS. */
export function exportSideRow(label: string, side: ExportSideSummary): string[] {
  return [
    label,
    fmtInt(side.rows),
    `${(side.bytes / 1024 / 1024).toFixed(0)} MB`,
    fmtMs(side.ms),
    side.runs.map(fmtMs).join(" / "),
    fmtInt((side.rows * 1000) / side.ms),
    fmtMb(side.maxRssKb),
  ];
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtMs(ms: number): string {
  if (ms >= 100) return fmtInt(ms);
  if (ms >= 1) return ms.toFixed(1);
  return ms.toFixed(3);
}

export function fmtRatio(x: number): string {
  return `${x.toFixed(2)}×`;
}

export function fmtMb(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MB`;
}

/** A checked target: shown under the benchmark's table and counted in the summary. */
export interface Target {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  readonly pass: boolean;
}

export interface BenchTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface BenchResult {
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what is measured and how. */
  readonly method: string;
  readonly tables: readonly BenchTable[];
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
  /** Raw numbers for bench-results/latest.json. */
  readonly data: unknown;
  readonly elapsedMs: number;
}

export interface Benchmark {
  readonly id: string;
  readonly title: string;
  run(context: BenchContext): Promise<Omit<BenchResult, "id" | "title" | "elapsedMs">>;
}

/** What run.ts hands every benchmark. */
export interface BenchContext {
  readonly settings: BenchSettings;
  /** The data directory holding the big dataset (see data.ts); benchmarks must not write to its analytics file. */
  readonly bigDataDir: string;
  /** The big dataset's engine, open read-write, only while the engine benchmark runs. */
  readonly bigEngine?: DuckDbEngine;
  /** Makes a fresh temp directory that run.ts deletes at the end. */
  tempDir(label: string): Promise<string>;
}

export class TempDirs {
  private readonly dirs: string[] = [];

  async make(label: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `openinsights-bench-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes: the parent forks a compiled bench module, sends it one job message, and gets
// back messages of the form { type: "progress" | "ready" | "result" | "error", ... }.

export interface ChildMessage {
  readonly type: "progress" | "ready" | "result" | "error";
  readonly message?: string;
  readonly result?: unknown;
}

export interface Child<R> {
  readonly process: ChildProcess;
  /** Resolves when the child has sent "ready". */
  readonly ready: Promise<void>;
  /** Resolves with the child's "result" (rejects on "error" or an exit without one). */
  readonly result: Promise<R>;
  send(message: unknown): void;
}

/** Forks `module` (a sibling of this file in dist/bench, e.g. "http-load.js") with `job` as its first message. */
export function startChild<R>(
  module: string,
  job: unknown,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {},
): Child<R> {
  const file = new URL(`./${module}`, import.meta.url);
  const child = fork(file, [], {
    env: { ...process.env, ...options.env },
    execArgv: options.execArgv ?? [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const result = new Promise<R>((resolve, reject) => {
    let settled = false;
    child.on("message", (raw) => {
      const message = raw as ChildMessage;
      if (message.type === "progress" && message.message) progress(`  ${message.message}`);
      else if (message.type === "ready") markReady();
      else if (message.type === "result") {
        settled = true;
        resolve(message.result as R);
      } else if (message.type === "error") {
        settled = true;
        reject(new Error(`${module}: ${message.message}`));
      }
    });
    child.on("error", (error) => {
      if (!settled) reject(error);
    });
    child.on("exit", (code, signal) => {
      markReady();
      if (!settled) reject(new Error(`${module} exited (${signal ?? code}) without a result`));
    });
  });
  child.send(job as object);
  return {
    process: child,
    ready,
    result,
    send: (message) => child.send(message as object),
  };
}

/**
 * The child side: waits for the job, runs `handler`, sends the result (or the error) and exits.
 * `handler` gets helpers to report progress, signal readiness and wait for the parent's next message.
 */
export function childMain<J, R>(
  handler: (
    job: J,
    io: {
      progress(message: string): void;
      ready(): void;
      next(): Promise<unknown>;
    },
  ) => Promise<R>,
): void {
  const send = (message: ChildMessage) =>
    new Promise<void>((resolve) => {
      if (!process.send) {
        resolve();
        return;
      }
      process.send(message, () => resolve());
    });
  const waiting: ((message: unknown) => void)[] = [];
  const queued: unknown[] = [];
  let started = false;
  process.on("message", (message) => {
    if (!started) {
      started = true;
      const io = {
        progress: (text: string) => void send({ type: "progress", message: text }),
        ready: () => void send({ type: "ready" }),
        next: () =>
          new Promise<unknown>((resolve) => {
            const first = queued.shift();
            if (first !== undefined) resolve(first);
            else waiting.push(resolve);
          }),
      };
      handler(message as J, io).then(
        async (result) => {
          await send({ type: "result", result });
          process.exit(0);
        },
        async (error: unknown) => {
          const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
          await send({ type: "error", message: text });
          process.exit(1);
        },
      );
      return;
    }
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else queued.push(message);
  });
}
