/**
 * One worker process of the PostgreSQL analytics benchmark: `exports` full CSV exports, one after the
 * other, each hashed while it is written as the worker does (the claim and the file store left out).
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { exportHashed } from "../src/executions/hashed-export.js";
import { prepareQuery } from "../src/query/prepare.js";
import { openPostgresAnalytics } from "../src/storage/postgres-analytics/engine.js";
import { childMain } from "./common.js";
import { BENCH_TENANT, BIG_PROGRAM, EXPORT_QUERY } from "./data.js";
import type { PgExportJob, PgExportResult } from "./pg-analytics.js";

childMain<PgExportJob, PgExportResult>(async (job) => {
  const engine = await openPostgresAnalytics({ url: job.url, poolSize: 2 });
  try {
    const { datasets } = builtInCatalogs.get(BIG_PROGRAM);
    const sql = prepareQuery(EXPORT_QUERY, datasets, {
      program: BIG_PROGRAM,
      tenant: BENCH_TENANT,
      now: new Date(),
      dialect: "postgres",
    }).sql;
    let rows = 0;
    const t0 = performance.now();
    for (let i = 0; i < job.exports; i++) {
      const file = path.join(job.dir, `child-${process.pid}-${i}.csv`);
      const hashed = await exportHashed(engine, sql, file, { format: "csv" });
      if (!hashed.ok) throw hashed.error;
      rows += hashed.exported.rowCount;
      await rm(file, { force: true });
    }
    return { rows, ms: performance.now() - t0 };
  } finally {
    await engine.close();
  }
});
