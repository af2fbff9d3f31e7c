/**
 * One side of the ExecuteNow benchmark, alone in its process so that its peak RSS is its own:
 * - "worker": createApp on the big data directory, an ExecuteNow report, `app.worker.runDue()` timed;
 * - "copy": DuckDB opened directly (read-only, same memory limit and threads), `COPY (same SQL) TO file`;
 * - "copy-unordered": the same with `preserve_insertion_order = false` (for reference: what that
 *   setting does to time and memory).
 */
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { prepareQuery } from "../src/analytics/prepare.js";
import { createApp } from "../src/app.js";
import { quoteString } from "../src/storage/duckdb/sql.js";
import { childMain } from "./common.js";
import {
  BENCH_TENANT,
  BIG_PROGRAM,
  bearer,
  benchConfig,
  createExecuteNowReport,
  EXPORT_QUERY,
  inlineParams,
} from "./data.js";

export interface ExportJob {
  readonly mode: "worker" | "copy" | "copy-unordered";
  readonly dataDir: string;
  readonly memoryLimit: string;
  readonly threads: number;
}

export interface ExportSideResult {
  readonly mode: ExportJob["mode"];
  readonly ms: number;
  readonly rows: number;
  readonly bytes: number;
  /** process.resourceUsage().maxRSS, in KB. */
  readonly maxRssKb: number;
  /** RSS just before the timed part started, in KB. */
  readonly rssBeforeKb: number;
  /** Worker only: time inside engine.exportTo and inside files.putFile (its fsync included). */
  readonly exportMs?: number;
  readonly putFileMs?: number;
}

async function worker(job: ExportJob, log: (m: string) => void): Promise<ExportSideResult> {
  const config = benchConfig(job.dataDir, {
    OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: job.memoryLimit,
    OPENINSIGHTS_DUCKDB_THREADS: String(job.threads),
    OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000",
  });
  const app = await createApp(config, { background: false });
  try {
    const authorization = await bearer(config, BENCH_TENANT);
    const reportId = await createExecuteNowReport(app, authorization, EXPORT_QUERY, `Export ${Date.now()}`);
    // Time the worker's two big steps by wrapping the very objects it calls.
    let exportMs = 0;
    let putFileMs = 0;
    const exportTo = app.engine.exportTo.bind(app.engine);
    app.engine.exportTo = async (...args) => {
      const t0 = performance.now();
      try {
        return await exportTo(...args);
      } finally {
        exportMs += performance.now() - t0;
      }
    };
    const putFile = app.files.putFile.bind(app.files);
    (app.files as { putFile: typeof putFile }).putFile = async (...args) => {
      const t0 = performance.now();
      try {
        return await putFile(...args);
      } finally {
        putFileMs += performance.now() - t0;
      }
    };
    log("worker: report created, running it");
    const rssBeforeKb = process.memoryUsage.rss() / 1024;
    const started = performance.now();
    const ran = await app.worker.runDue();
    const ms = performance.now() - started;
    if (ran !== 1) throw new Error(`runDue ran ${ran} executions`);
    const page = await app.store.listExecutions(
      { tenant: BENCH_TENANT, program: BIG_PROGRAM },
      { reportIds: [reportId] },
      { limit: 10 },
    );
    const execution = page.items[0];
    if (execution?.status !== "Completed") {
      throw new Error(`the execution is ${execution?.status}: ${execution?.failureReason}`);
    }
    if (execution.fileKey) await app.files.delete([execution.fileKey]);
    return {
      mode: "worker",
      ms,
      rows: execution.rowCount ?? 0,
      bytes: execution.bytes ?? 0,
      maxRssKb: process.resourceUsage().maxRSS,
      rssBeforeKb,
      exportMs,
      putFileMs,
    };
  } finally {
    await app.close();
  }
}

async function copy(job: ExportJob, log: (m: string) => void): Promise<ExportSideResult> {
  const sql = prepareQuery(EXPORT_QUERY, { program: BIG_PROGRAM, tenant: BENCH_TENANT, now: new Date() }).sql;
  const target = path.join(job.dataDir, `raw-copy-${process.pid}.csv`);
  const instance = await DuckDBInstance.create(path.join(job.dataDir, "analytics.duckdb"), {
    access_mode: "READ_ONLY",
    memory_limit: job.memoryLimit,
    threads: String(job.threads),
  });
  const con = await instance.connect();
  try {
    if (job.mode === "copy-unordered") await con.run("SET preserve_insertion_order = false");
    log(`${job.mode}: running COPY`);
    const rssBeforeKb = process.memoryUsage.rss() / 1024;
    const started = performance.now();
    const reader = await con.runAndReadAll(
      `COPY (${inlineParams(sql.sql, sql.params)}) TO ${quoteString(target)} (HEADER)`,
    );
    const ms = performance.now() - started;
    const rows = Number(reader.getRows()[0]?.[0] ?? 0);
    const { size } = await stat(target);
    return {
      mode: job.mode,
      ms,
      rows,
      bytes: size,
      maxRssKb: process.resourceUsage().maxRSS,
      rssBeforeKb,
    };
  } finally {
    con.closeSync();
    instance.closeSync();
    await rm(target, { force: true });
  }
}

childMain<ExportJob, ExportSideResult>((job, io) =>
  job.mode === "worker" ? worker(job, io.progress) : copy(job, io.progress),
);
