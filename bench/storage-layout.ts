/**
 * A measurement for issue #11's storage design, run on its own: `npm run build && node
 * dist/bench/storage-layout.js [rows]` (default 10,000,000). It compares today's layout (one DuckDB
 * table per dataset in analytics.duckdb) with Parquet files per (program, dataset, tenant) read by
 * an in-memory DuckDB, on the benchmarks' big dataset and queries:
 *   - the metric aggregation with ORDER BY/LIMIT, and the full CSV export (`COPY … TO`), each side
 *     5 times in alternating order, medians;
 *   - writing the tenant's rows as Parquet (what a load would do) against DuckDB's own
 *     `CREATE TABLE … AS SELECT * FROM read_parquet(…)` of the same file (the baseline).
 * Results are written down in docs/loading.md.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { prepareQuery } from "../src/query/prepare.js";
import { quoteString } from "../src/storage/duckdb/sql.js";
import { fmtMs, fmtRatio, median, progress, timed } from "./common.js";
import {
  AGGREGATION_QUERY,
  BENCH_TENANT,
  BIG_DATASET,
  BIG_PROGRAM,
  EXPORT_QUERY,
  inlineParams,
  prepareBigData,
} from "./data.js";

const REPEATS = 5;
const SETTINGS = { threads: "2", memory_limit: "1GB" };

async function alternate(label: string, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  const times = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < REPEATS; i++) {
    const order: ["a" | "b", () => Promise<unknown>][] =
      i % 2 === 0
        ? [
            ["a", a],
            ["b", b],
          ]
        : [
            ["b", b],
            ["a", a],
          ];
    for (const [side, fn] of order) {
      const { ms } = await timed(fn);
      times[side].push(ms);
      progress(`  ${label} #${i + 1} ${side === "a" ? "table" : "parquet"}: ${fmtMs(ms)} ms`);
    }
  }
  return { table: median(times.a), parquet: median(times.b) };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 10_000_000);
  const dir = await mkdtemp(path.join(os.tmpdir(), "oi-layout-"));
  try {
    progress(`filling ${rows.toLocaleString("en-US")} rows`);
    const { engine } = await prepareBigData(dir, rows);
    await engine.close();

    const tableDb = await DuckDBInstance.create(path.join(dir, "analytics.duckdb"), {
      ...SETTINGS,
      access_mode: "READ_ONLY",
    });
    const memoryDb = await DuckDBInstance.create(":memory:", SETTINGS);
    const table = await tableDb.connect();
    const memory = await memoryDb.connect();
    const parquet = path.join(dir, "tenant.parquet");
    const tableRef = `"${BIG_PROGRAM}"."${BIG_DATASET}"`;
    const sqlOf = (text: string) => {
      const { sql } = prepareQuery(text, builtInCatalogs.get(BIG_PROGRAM).datasets, {
        program: BIG_PROGRAM,
        tenant: BENCH_TENANT,
        now: new Date(),
      });
      return inlineParams(sql.sql, sql.params);
    };
    const onParquet = (sql: string) => sql.replaceAll(tableRef, `read_parquet(${quoteString(parquet)})`);

    // The tenant's rows as one Parquet file, as a load in the Parquet design would leave them.
    const exportParquet = await timed(() =>
      run(
        table,
        `COPY (SELECT * FROM ${tableRef} WHERE _tenant_id = ${quoteString(BENCH_TENANT)}) TO ${quoteString(parquet)} (FORMAT parquet)`,
      ),
    );
    const parquetBytes = (await stat(parquet)).size;
    const ctas = await timed(() =>
      run(memory, `CREATE TABLE baseline AS SELECT * FROM read_parquet(${quoteString(parquet)})`),
    );
    const parquetToParquet = await timed(() =>
      run(
        memory,
        `COPY (SELECT * FROM read_parquet(${quoteString(parquet)})) TO ${quoteString(path.join(dir, "copy.parquet"))} (FORMAT parquet)`,
      ),
    );
    await run(memory, "DROP TABLE baseline");

    const aggregation = sqlOf(AGGREGATION_QUERY);
    const agg = await alternate(
      "aggregation",
      () => run(table, aggregation),
      () => run(memory, onParquet(aggregation)),
    );
    const exportSql = sqlOf(EXPORT_QUERY);
    const csv = path.join(dir, "out.csv");
    const copy = (sql: string) => `COPY (${sql}) TO ${quoteString(csv)} (HEADER)`;
    const exp = await alternate(
      "export",
      () => run(table, copy(exportSql)),
      () => run(memory, copy(onParquet(exportSql))),
    );

    const lines = [
      `rows: ${rows.toLocaleString("en-US")} (tenant file ${(parquetBytes / 1e6).toFixed(0)} MB Parquet)`,
      `aggregation + ORDER BY/LIMIT: table ${fmtMs(agg.table)} ms, parquet ${fmtMs(agg.parquet)} ms (${fmtRatio(agg.parquet / agg.table)})`,
      `full CSV export (COPY): table ${fmtMs(exp.table)} ms, parquet ${fmtMs(exp.parquet)} ms (${fmtRatio(exp.parquet / exp.table)})`,
      `write the tenant's rows as Parquet from the table: ${fmtMs(exportParquet.ms)} ms`,
      `Parquet → Parquet (a load in the Parquet design): ${fmtMs(parquetToParquet.ms)} ms; CREATE TABLE AS read_parquet (the issue's baseline): ${fmtMs(ctas.ms)} ms (${fmtRatio(parquetToParquet.ms / ctas.ms)})`,
    ];
    for (const line of lines) console.log(line);
    table.closeSync();
    memory.closeSync();
    tableDb.closeSync();
    memoryDb.closeSync();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(con: DuckDBConnection, sql: string): Promise<void> {
  await con.run(sql);
}

await main();
