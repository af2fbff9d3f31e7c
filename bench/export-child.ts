/**
 * One side of the ExecuteNow benchmark, alone in its process so that its peak RSS is its own:
 * - "worker": createApp on the big data directory, an ExecuteNow report, `app.worker.runDue()` timed;
 *   then, untimed, the stored file is read back and its SHA-256 checked against the manifest (with
 *   `maxFileSizeMB`, the report's MaxFileSizeMB: every part, each checked against its own);
 * - "copy": DuckDB opened directly (read-only, same memory limit and threads), `COPY (same SQL) TO file`;
 * - "copy-unordered": the same with `preserve_insertion_order = false` (the service's setting);
 * - "copy-sha256": copy-unordered while the file is hashed as DuckDB writes it (the worker's hashing
 *   alone, no fsync);
 * - "copy-sha256-fsync": the same, also flushing the file while it is written and fsyncing it at the
 *   end, as the worker does to make it durable: what the worker must do, without the app.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { open, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type App, createApp } from "../src/app.js";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { digestWhileWriting } from "../src/executions/digest-while-writing.js";
import { SCRATCH_FLUSH_BYTES } from "../src/executions/worker.js";
import { prepareQuery } from "../src/query/prepare.js";
import { type ReportFormat, reportFileExtension } from "../src/reports/formats.js";
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
  readonly mode: "worker" | "copy" | "copy-unordered" | "copy-sha256" | "copy-sha256-fsync";
  /** The report format; the COPY sides write the same format with DuckDB's defaults (COPY_OPTIONS). */
  readonly format: ReportFormat;
  readonly dataDir: string;
  readonly memoryLimit: string;
  readonly threads: number;
  /** Worker only: the report's MaxFileSizeMB (results in parts). */
  readonly maxFileSizeMB?: number;
}

export interface ExportSideResult {
  readonly mode: ExportJob["mode"];
  readonly ms: number;
  readonly rows: number;
  readonly bytes: number;
  /** Worker only: the files the result was stored as (1 unless in parts). */
  readonly files?: number;
  /** process.resourceUsage().maxRSS, in KB. */
  readonly maxRssKb: number;
  /** RSS just before the timed part started, in KB. */
  readonly rssBeforeKb: number;
  /** Worker only: time inside engine.exportTo and inside files.putFile (its fsync included). */
  readonly exportMs?: number;
  readonly putFileMs?: number;
  /**
   * CPU time other processes used during the timed part (Linux: /proc/stat minus this process), in
   * ms; null where it cannot be read. On 2 cores, anything sizeable skews the wall time.
   */
  readonly othersCpuMs: number | null;
}

/** Starts measuring the CPU time the rest of the machine uses; `stop()` returns it in ms (null off Linux). */
function othersCpu(): { stop(): number | null } {
  const busyMs = (): number | null => {
    try {
      // cpu  user nice system idle iowait irq softirq steal …, in 1/100 s
      const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8")
        .split("\n", 1)[0]!
        .trim()
        .split(/\s+/)
        .slice(1)
        .map(Number);
      return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10;
    } catch {
      return null;
    }
  };
  const busyBefore = busyMs();
  const ownBefore = process.cpuUsage();
  return {
    stop() {
      const busyAfter = busyMs();
      if (busyBefore === null || busyAfter === null) return null;
      const own = process.cpuUsage(ownBefore);
      return Math.max(0, busyAfter - busyBefore - (own.user + own.system) / 1000);
    },
  };
}

/** DuckDB's own COPY to each report format, with its defaults (Parquet: the service's zstd). */
const COPY_OPTIONS: Record<ReportFormat, string> = {
  csv: "HEADER",
  tsv: "HEADER, DELIMITER '\t'",
  parquet: "FORMAT parquet, COMPRESSION 'zstd'",
  json: "FORMAT json",
};

async function worker(job: ExportJob, log: (m: string) => void): Promise<ExportSideResult> {
  const config = benchConfig(job.dataDir, {
    OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: job.memoryLimit,
    OPENINSIGHTS_DUCKDB_THREADS: String(job.threads),
    OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000",
  });
  const app = await createApp(config, { background: false });
  try {
    const authorization = await bearer(config, BENCH_TENANT);
    const reportId = await createExecuteNowReport(
      app,
      authorization,
      EXPORT_QUERY,
      `Export ${Date.now()}`,
      job.format,
      job.maxFileSizeMB === undefined ? {} : { MaxFileSizeMB: job.maxFileSizeMB },
    );
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
    const others = othersCpu();
    const started = performance.now();
    const ran = await app.worker.runDue();
    const ms = performance.now() - started;
    const othersCpuMs = others.stop();
    // Read now: the check below reads the whole file back and would raise the peak.
    const maxRssKb = process.resourceUsage().maxRSS;
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
    if (!execution.fileKey) throw new Error("the completed execution has no file");
    const files = execution.parts ?? [
      { fileKey: execution.fileKey, sha256: execution.sha256, bytes: execution.bytes ?? 0 },
    ];
    for (const file of files) await checkStoredDigest(app, file.fileKey, file.sha256, file.bytes);
    await app.files.delete(files.map((file) => file.fileKey));
    return {
      mode: "worker",
      ms,
      rows: execution.rowCount ?? 0,
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      files: files.length,
      maxRssKb,
      rssBeforeKb,
      exportMs,
      putFileMs,
      othersCpuMs,
    };
  } finally {
    await app.close();
  }
}

/** The stored file, read back whole, must have the manifest's SHA-256 and size (hashed while it was written). */
async function checkStoredDigest(
  app: App,
  key: string,
  sha256: string | null,
  bytes: number | null,
): Promise<void> {
  const hash = createHash("sha256");
  let read = 0;
  for await (const chunk of await app.files.read(key)) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
  }
  const actual = hash.digest("hex");
  if (actual !== sha256 || read !== bytes) {
    throw new Error(
      `the manifest says ${sha256} (${bytes} bytes) but the stored file is ${actual} (${read} bytes)`,
    );
  }
}

/** COPY, plus what the "copy-sha256*" modes add: the SHA-256 while DuckDB writes, flushes and fsync. */
async function copyTo(con: DuckDBConnection, copySql: string, target: string, mode: ExportJob["mode"]) {
  const copying = con.runAndReadAll(copySql);
  if (mode !== "copy-sha256" && mode !== "copy-sha256-fsync") return copying;
  const durable = mode === "copy-sha256-fsync";
  const [reader] = await Promise.all([
    copying,
    digestWhileWriting(target, copying, { flushEvery: durable ? SCRATCH_FLUSH_BYTES : 0 }),
  ]);
  if (durable) {
    const handle = await open(target, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  return reader;
}

async function copy(job: ExportJob, log: (m: string) => void): Promise<ExportSideResult> {
  const sql = prepareQuery(EXPORT_QUERY, builtInCatalogs.get(BIG_PROGRAM).datasets, {
    program: BIG_PROGRAM,
    tenant: BENCH_TENANT,
    now: new Date(),
  }).sql;
  const target = path.join(job.dataDir, `raw-copy-${process.pid}${reportFileExtension(job.format, "none")}`);
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: job.memoryLimit,
    threads: String(job.threads),
  });
  const con = await instance.connect();
  try {
    // Raw DuckDB over the same Parquet files (the bench data has no superseded file, so the tenant's
    // folder is its current file set).
    const table = builtInCatalogs
      .get(BIG_PROGRAM)
      .datasets.find((d) => sql.sql.includes(`"${d.table ?? d.name}"`))!;
    const files = path.join(
      job.dataDir,
      "datasets",
      BIG_PROGRAM,
      table.table ?? table.name,
      BENCH_TENANT,
      "*.parquet",
    );
    await con.run(`CREATE SCHEMA ${BIG_PROGRAM}`);
    await con.run(
      `CREATE VIEW ${BIG_PROGRAM}."${table.table ?? table.name}" AS SELECT * FROM read_parquet(${quoteString(files)}, union_by_name = true)`,
    );
    if (job.mode !== "copy") await con.run("SET preserve_insertion_order = false");
    log(`${job.mode}: running COPY`);
    const rssBeforeKb = process.memoryUsage.rss() / 1024;
    const others = othersCpu();
    const started = performance.now();
    const reader = await copyTo(
      con,
      `COPY (${inlineParams(sql.sql, sql.params)}) TO ${quoteString(target)} (${COPY_OPTIONS[job.format]})`,
      target,
      job.mode,
    );
    const ms = performance.now() - started;
    const othersCpuMs = others.stop();
    const rows = Number(reader.getRows()[0]?.[0] ?? 0);
    const { size } = await stat(target);
    return {
      mode: job.mode,
      ms,
      rows,
      bytes: size,
      maxRssKb: process.resourceUsage().maxRSS,
      rssBeforeKb,
      othersCpuMs,
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
