/**
 * Benchmark: the analytics engine on PostgreSQL beside DuckDB, on the same rows (the big dataset's
 * bench tenant, BENCH_PG_ROWS of them — default 2,000,000, 500,000 when quick — written once to a CSV
 * file by DuckDB):
 * (a) load: engine.load (staging table, validation, version, one transaction) vs raw
 *     `COPY table FROM STDIN` of the same file into a table of the same shape and index;
 * (b) export: the worker's export step — engine.exportTo CSV, the file hashed (SHA-256) as it is
 *     written, by src/executions/hashed-export.ts as the worker does — vs raw `COPY (same SELECT, parameters inlined) TO
 *     STDOUT` to a file; beside the wall times, the CPU time each side cost (this process plus the
 *     PostgreSQL backends of the database), which a loaded machine disturbs far less;
 * (c) aggregation: engine.stream vs the same SQL and parameters run directly;
 * (d) DuckDB's engine on the same file: load, export, aggregation;
 * (e) 1, 2 and 4 worker processes (bench/pg-analytics-child.ts) exporting from the one PostgreSQL at
 *     once, each export hashed as the worker does.
 * Each PostgreSQL pair runs 3 times (the export, after an untimed raw warm-up, 7 times) in alternating
 * order; medians are compared.
 */
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { TENANT_COLUMN } from "../src/datasets/types.js";
import { exportHashed } from "../src/executions/hashed-export.js";
import type { SqlDialect } from "../src/query/compiled.js";
import { prepareQuery } from "../src/query/prepare.js";
import { openDuckDb } from "../src/storage/duckdb/engine.js";
import { openPostgresAnalytics } from "../src/storage/postgres-analytics/engine.js";
import { datasetColumns, datasetTableIdent, ident } from "../src/storage/postgres-analytics/tables.js";
import { type Benchmark, fmtInt, fmtMs, fmtRatio, median, progress, startChild, timed } from "./common.js";
import {
  AGGREGATION_QUERY,
  BENCH_TENANT,
  BIG_PROGRAM,
  bigDataset,
  EXPORT_QUERY,
  inlineParams,
} from "./data.js";
import { postgresAdminUrl, postgresStoreFactory } from "./stores.js";

const REPEATS = 3;
const EXPORT_REPEATS = 7;

export interface PgExportJob {
  readonly url: string;
  readonly dir: string;
  readonly exports: number;
}

export interface PgExportResult {
  readonly rows: number;
  readonly ms: number;
}

function compiled(query: string, dialect: SqlDialect) {
  const { datasets } = builtInCatalogs.get(BIG_PROGRAM);
  return prepareQuery(query, datasets, {
    program: BIG_PROGRAM,
    tenant: BENCH_TENANT,
    now: new Date(),
    dialect,
  }).sql;
}

/** CPU milliseconds used so far by this process and by the PostgreSQL backends (local server) `pids` names. */
function cpuMs(pids: readonly number[]): number {
  const own = process.cpuUsage();
  let backends = 0;
  for (const pid of pids) {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 a second).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      backends += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // A backend that ended meanwhile, or a server on another machine: not counted.
    }
  }
  return (own.user + own.system) / 1000 + backends;
}

async function alternate(
  label: string,
  ours: () => Promise<unknown>,
  raw: () => Promise<unknown>,
  options: { repeats?: number; cpu?: () => Promise<number> } = {},
) {
  const pair = { ours: [] as number[], raw: [] as number[] };
  const cpu = { ours: [] as number[], raw: [] as number[] };
  for (let i = 0; i < (options.repeats ?? REPEATS); i++) {
    const order: ["ours" | "raw", () => Promise<unknown>][] = [
      ["ours", ours],
      ["raw", raw],
    ];
    if (i % 2 === 1) order.reverse();
    for (const [side, fn] of order) {
      const cpuBefore = await options.cpu?.();
      const { ms } = await timed(fn);
      pair[side].push(ms);
      const cpuMsUsed = cpuBefore === undefined ? undefined : (await options.cpu!()) - cpuBefore;
      if (cpuMsUsed !== undefined) cpu[side].push(cpuMsUsed);
      progress(
        `  ${label} #${i + 1} ${side}: ${fmtMs(ms)} ms${cpuMsUsed === undefined ? "" : ` (CPU ${fmtMs(cpuMsUsed)} ms)`}`,
      );
    }
  }
  return {
    ours: median(pair.ours),
    raw: median(pair.raw),
    all: pair,
    cpu: { ours: median(cpu.ours), raw: median(cpu.raw), all: cpu },
  };
}

export const pgAnalyticsBenchmark: Benchmark = {
  id: "pg-analytics",
  title: "Analytics on PostgreSQL beside DuckDB: loads, exports, aggregation, worker processes",
  async run(context) {
    const unavailable = await postgresStoreFactory.unavailable?.();
    if (unavailable) throw new Error(unavailable);
    const rows = Number(process.env.BENCH_PG_ROWS ?? (context.settings.quick ? 500_000 : 2_000_000));
    const dir = await context.tempDir("pg-analytics");
    const dataset = bigDataset();
    const columns = datasetColumns(dataset);
    // In the big engine's directory: its sandbox lets it write there.
    const csv = path.join(context.bigDataDir, "pg-analytics-rows.csv");

    // The rows: the bench tenant's first `rows` rows of the big dataset, as one CSV file.
    const source = context.bigEngine;
    if (!source) throw new Error("the big dataset's engine is not open");
    const list = columns.map((c) => ident(c.name)).join(", ");
    const con = await source.connect();
    try {
      // The dataset's view reads the tenant's file set once a connection is bound to it.
      await source.bindSnapshot(con, compiled(EXPORT_QUERY, "duckdb"));
      await con.run(
        `COPY (SELECT ${list} FROM "${BIG_PROGRAM}"."${dataset.table ?? dataset.name}" WHERE "${TENANT_COLUMN}" = $1 LIMIT ${rows}) TO '${csv}' (FORMAT csv, HEADER true, TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ')`,
        [BENCH_TENANT],
      );
    } finally {
      source.release(con);
    }
    const csvBytes = (await stat(csv)).size;
    progress(`  ${fmtInt(rows)} rows, ${(csvBytes / 1e6).toFixed(0)} MB of CSV`);

    const spec = await postgresStoreFactory.create(dir);
    if (spec.kind !== "postgres") throw new Error("not PostgreSQL");
    const engine = await openPostgresAnalytics({ url: spec.url, scratchDir: dir });
    const client = new pg.Client({ connectionString: spec.url });
    await client.connect();
    try {
      await engine.ensureTables(BIG_PROGRAM, [dataset]);
      const target = datasetTableIdent(BIG_PROGRAM, dataset);
      await client.query(`CREATE TABLE bench_raw (LIKE ${target} INCLUDING ALL)`);
      await client.query(
        `ALTER TABLE bench_raw ALTER COLUMN ${ident(TENANT_COLUMN)} SET DEFAULT '${BENCH_TENANT}'`,
      );
      const physical = columns.map((c) => ident(c.physical)).join(", ");

      // (a) loads
      const load = await alternate(
        "load",
        async () => {
          await client.query(`TRUNCATE ${target}`);
          await engine.load({
            program: BIG_PROGRAM,
            dataset,
            tenant: BENCH_TENANT,
            mode: "append",
            file: { path: csv, format: "csv" },
          });
        },
        async () => {
          await client.query("TRUNCATE bench_raw");
          await pipeline(
            createReadStream(csv),
            client.query(copyFrom(`COPY bench_raw (${physical}) FROM STDIN (FORMAT csv, HEADER true)`)),
          );
        },
      );
      await client.query("VACUUM ANALYZE");

      // (b) export: a fresh file each time, as the worker's scratch files are.
      const exportSql = compiled(EXPORT_QUERY, "postgres");
      const out = path.join(dir, "export.csv");
      const backends = async () =>
        (
          await client.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
          )
        ).rows.map((row) => row.pid);
      const rawExport = async () => {
        await rm(out, { force: true });
        await pipeline(
          client.query(
            copyTo(
              `COPY (${inlineParams(exportSql.sql, exportSql.params)}) TO STDOUT (FORMAT csv, HEADER true)`,
            ),
          ),
          createWriteStream(out),
        );
      };
      // Untimed: the first read of the table after the loads would otherwise count against one side.
      await rawExport();
      const exported = await alternate(
        "export",
        async () => {
          await rm(out, { force: true });
          const hashed = await exportHashed(engine, exportSql, out, { format: "csv" });
          if (!hashed.ok) throw hashed.error;
        },
        rawExport,
        { repeats: EXPORT_REPEATS, cpu: async () => cpuMs(await backends()) },
      );

      // (c) aggregation
      const aggregationSql = compiled(AGGREGATION_QUERY, "postgres");
      const aggregation = await alternate(
        "aggregation",
        async () => {
          for await (const _batch of engine.stream(aggregationSql)) {
            // drain
          }
        },
        () => client.query(aggregationSql.sql, [...aggregationSql.params]),
      );

      // (d) DuckDB on the same file
      const duckDir = path.join(dir, "duckdb");
      await mkdir(duckDir, { recursive: true });
      // In-process file sets: DuckDB's side measures its load and queries, not a metadata store.
      const duck = await openDuckDb({ dataDir: duckDir, memoryLimit: "512MB", allowedDirectories: [dir] });
      let duckLoad = 0;
      let duckExport = 0;
      let duckAggregation = 0;
      try {
        await duck.ensureTables(BIG_PROGRAM, [dataset]);
        duckLoad = (
          await timed(() =>
            duck.load({
              program: BIG_PROGRAM,
              dataset,
              tenant: BENCH_TENANT,
              mode: "append",
              file: { path: csv, format: "csv" },
            }),
          )
        ).ms;
        const duckExportSql = compiled(EXPORT_QUERY, "duckdb");
        const duckAggregationSql = compiled(AGGREGATION_QUERY, "duckdb");
        const exports: number[] = [];
        const aggregations: number[] = [];
        for (let i = 0; i < REPEATS; i++) {
          exports.push((await timed(() => duck.exportTo(duckExportSql, out, { format: "csv" }))).ms);
          aggregations.push(
            (
              await timed(async () => {
                for await (const _batch of duck.stream(duckAggregationSql)) {
                  // drain
                }
              })
            ).ms,
          );
        }
        duckExport = median(exports);
        duckAggregation = median(aggregations);
      } finally {
        await duck.close();
        await rm(duckDir, { recursive: true, force: true });
      }

      // (e) worker processes exporting at once
      const processes: { n: number; rowsPerSecond: number; ms: number }[] = [];
      for (const n of [1, 2, 4]) {
        const exportsEach = 2;
        const t0 = performance.now();
        const children = Array.from({ length: n }, () =>
          startChild<PgExportResult>("pg-analytics-child.js", {
            url: spec.url,
            dir,
            exports: exportsEach,
          } satisfies PgExportJob),
        );
        const results = await Promise.all(children.map((c) => c.result));
        const ms = performance.now() - t0;
        const total = results.reduce((sum, r) => sum + r.rows, 0);
        processes.push({ n, ms, rowsPerSecond: (total / ms) * 1000 });
        progress(`  ${n} process(es): ${fmtInt(total)} rows in ${fmtMs(ms)} ms`);
      }

      const ratio = (a: number, b: number) => a / b;
      return {
        method:
          `${fmtInt(rows)} rows (${(csvBytes / 1e6).toFixed(0)} MB of CSV) of one tenant, on the local PostgreSQL ` +
          `(${postgresAdminUrl().replace(/\/\/[^@]*@/, "//")}); medians of 3 alternating runs (the export: 7, after an untimed warm-up).`,
        tables: [
          {
            columns: ["Step", "Ours (ms)", "Raw PostgreSQL (ms)", "Ratio", "DuckDB engine (ms)"],
            rows: [
              [
                "Load (append, one transaction)",
                fmtMs(load.ours),
                fmtMs(load.raw),
                fmtRatio(ratio(load.ours, load.raw)),
                fmtMs(duckLoad),
              ],
              [
                "Export to CSV, hashed as the worker does",
                fmtMs(exported.ours),
                fmtMs(exported.raw),
                fmtRatio(ratio(exported.ours, exported.raw)),
                fmtMs(duckExport),
              ],
              [
                "The same export: CPU ms (this process + PostgreSQL backends)",
                fmtMs(exported.cpu.ours),
                fmtMs(exported.cpu.raw),
                fmtRatio(ratio(exported.cpu.ours, exported.cpu.raw)),
                "",
              ],
              [
                "Aggregation + ORDER BY/LIMIT",
                fmtMs(aggregation.ours),
                fmtMs(aggregation.raw),
                fmtRatio(ratio(aggregation.ours, aggregation.raw)),
                fmtMs(duckAggregation),
              ],
            ],
          },
          {
            columns: ["Worker processes exporting at once", "Rows/s", "Wall (ms)"],
            rows: processes.map((p) => [String(p.n), fmtInt(Math.round(p.rowsPerSecond)), fmtMs(p.ms)]),
          },
        ],
        targets: [
          {
            name: "Load vs raw COPY FROM",
            target: "≤ 1.3×",
            actual: fmtRatio(ratio(load.ours, load.raw)),
            pass: load.ours <= 1.3 * load.raw,
          },
          {
            name: "Export vs raw COPY TO STDOUT",
            target: "≤ 1.15×",
            actual: fmtRatio(ratio(exported.ours, exported.raw)),
            pass: exported.ours <= 1.15 * exported.raw,
          },
          {
            name: "Aggregation vs the same GROUP BY",
            target: "≤ 1.15×",
            actual: fmtRatio(ratio(aggregation.ours, aggregation.raw)),
            pass: aggregation.ours <= 1.15 * aggregation.raw,
          },
        ],
        notes: [
          "Raw export writes PostgreSQL's own CSV (doubles, timestamps and booleans in its text forms) and hashes nothing; ours formats them as DuckDB does and hashes the file as it is written (src/executions/hashed-export.ts, as the worker: on PostgreSQL the engine hashes the bytes on their way to the file).",
          "Raw load copies into a table of the same shape and index; ours adds the staging table, the version row and INSERT … SELECT.",
        ],
        data: {
          rows,
          csvBytes,
          load,
          exported,
          aggregation,
          duckLoad,
          duckExport,
          duckAggregation,
          processes,
        },
      };
    } finally {
      await client.end();
      await engine.close();
      await postgresStoreFactory.destroy?.(spec);
      await rm(csv, { force: true });
    }
  },
};
