/**
 * Benchmark: the PostgreSQL analytics table layout (issue #12, "choose partitioning or indexes by
 * measurement"). The same rows in two layouts, side by side in one database:
 * - index: one table with a b-tree index (tenant, time column), the engine's layout today
 *   (src/storage/postgres-analytics/tables.ts);
 * - partitions: the table LIST-partitioned by tenant, one partition per tenant, each with an index on
 *   the time column.
 * Measured on each, alternating, median of REPEATS: a tenant's 6-month export (`COPY (SELECT …) TO
 * STDOUT`), a metric aggregation over the same window, a replace of one tenant's rows the way the
 * engine's loads do it (DELETE + INSERT in one transaction, readers keep their snapshot), and the
 * first load of a tenant never seen before (which, partitioned, needs a CREATE TABLE … PARTITION OF).
 *
 *   npm run build && node dist/bench/pg-layout.js [rowsPerTenant] [tenants]   (also in `npm run bench`)
 */
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import {
  type Benchmark,
  type BenchResult,
  fmtInt,
  fmtMs,
  fmtRatio,
  median,
  progress,
  timed,
} from "./common.js";
import { postgresStoreFactory } from "./stores.js";

const REPEATS = 3;
const LAYOUTS = ["index", "partitions"] as const;
type Layout = (typeof LAYOUTS)[number];

const COLUMNS = `tenant text NOT NULL, month date NOT NULL, subscription text, product text, seats integer, revenue numeric(18,2)`;
/** Rows of one tenant spread over 36 months, so that 6 months is about a sixth of them. */
const ROWS_SQL = (table: string, tenant: string, rows: number) => `
  INSERT INTO ${table} (tenant, month, subscription, product, seats, revenue)
  SELECT '${tenant}', date '2023-01-01' + ((i % 36) * interval '1 month'),
         'sub-' || (i % 50000), 'product-' || (i % 40), (i % 500) + 1, ((i * 7919) % 1000000) / 100.0
  FROM generate_series(1, ${rows}) AS i`;
const WINDOW = `month >= date '2025-07-01' AND month < date '2026-01-01'`;

async function createLayout(client: pg.Client, layout: Layout, tenants: readonly string[]): Promise<void> {
  if (layout === "index") {
    await client.query(`CREATE TABLE t_index (${COLUMNS})`);
    await client.query(`CREATE INDEX ON t_index (tenant, month)`);
    return;
  }
  await client.query(`CREATE TABLE t_partitions (${COLUMNS}) PARTITION BY LIST (tenant)`);
  for (const tenant of tenants) await addPartition(client, tenant);
}

async function addPartition(client: pg.Client, tenant: string): Promise<void> {
  const name = `t_partitions_${tenant.replaceAll("-", "_")}`;
  await client.query(`CREATE TABLE ${name} PARTITION OF t_partitions FOR VALUES IN ('${tenant}')`);
  await client.query(`CREATE INDEX ON ${name} (month)`);
}

async function copyOut(client: pg.Client, sql: string): Promise<number> {
  let bytes = 0;
  await pipeline(
    client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER)`)),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  return bytes;
}

interface LayoutCase {
  readonly step: string;
  readonly ms: Record<Layout, number>;
}

export async function measureLayouts(rowsPerTenant: number, tenantCount: number) {
  const spec = await postgresStoreFactory.create("");
  if (spec.kind !== "postgres") throw new Error("not a PostgreSQL store");
  const client = new pg.Client({ connectionString: spec.url });
  await client.connect();
  try {
    const tenants = Array.from({ length: tenantCount }, (_, n) => `tenant-${n}`);
    const table = (layout: Layout) => `t_${layout}`;
    const loadMs: Record<Layout, number> = { index: 0, partitions: 0 };
    for (const layout of LAYOUTS) {
      progress(
        `pg-layout: ${layout}: ${fmtInt(rowsPerTenant * tenantCount)} rows over ${tenantCount} tenants`,
      );
      await createLayout(client, layout, tenants);
      const { ms } = await timed(async () => {
        for (const tenant of tenants) await client.query(ROWS_SQL(table(layout), tenant, rowsPerTenant));
      });
      loadMs[layout] = ms;
      await client.query(`VACUUM ANALYZE ${table(layout)}`);
    }
    const sizes = await client.query<{ layout: Layout; mb: string }>(
      `SELECT 'index' AS layout, pg_total_relation_size('t_index') / 1048576.0 AS mb
       UNION ALL SELECT 'partitions', sum(pg_total_relation_size(inhrelid)) / 1048576.0
       FROM pg_inherits WHERE inhparent = 't_partitions'::regclass`,
    );

    const probe = tenants[Math.floor(tenantCount / 2)] ?? "tenant-0";
    const steps: { step: string; run: (layout: Layout) => Promise<unknown> }[] = [
      {
        step: "export one tenant's 6 months (COPY TO STDOUT)",
        run: (layout) =>
          copyOut(
            client,
            `SELECT * FROM ${table(layout)} WHERE tenant = '${probe}' AND ${WINDOW} ORDER BY month`,
          ),
      },
      {
        step: "aggregate one tenant's 6 months (GROUP BY product)",
        run: (layout) =>
          client.query(
            `SELECT product, sum(revenue), count(DISTINCT subscription) FROM ${table(layout)} WHERE tenant = $1 AND ${WINDOW} GROUP BY product`,
            [probe],
          ),
      },
      {
        step: "replace one tenant's rows (DELETE + INSERT, one transaction)",
        run: async (layout) => {
          await client.query("BEGIN");
          await client.query(`DELETE FROM ${table(layout)} WHERE tenant = $1`, [probe]);
          await client.query(ROWS_SQL(table(layout), probe, rowsPerTenant));
          await client.query("COMMIT");
        },
      },
    ];
    const cases: LayoutCase[] = [];
    for (const { step, run } of steps) {
      const samples: Record<Layout, number[]> = { index: [], partitions: [] };
      for (let r = 0; r < REPEATS; r++) {
        const order = r % 2 === 0 ? LAYOUTS : [...LAYOUTS].reverse();
        for (const layout of order) samples[layout].push((await timed(() => run(layout))).ms);
      }
      cases.push({ step, ms: { index: median(samples.index), partitions: median(samples.partitions) } });
      progress(
        `pg-layout: ${step}: index ${fmtMs(median(samples.index))} ms, partitions ${fmtMs(median(samples.partitions))} ms`,
      );
    }
    // A tenant never seen: partitioned, its first load must create the partition (DDL on the parent).
    const fresh: Record<Layout, number> = { index: 0, partitions: 0 };
    for (const layout of LAYOUTS) {
      fresh[layout] = (
        await timed(async () => {
          await client.query("BEGIN");
          if (layout === "partitions") await addPartition(client, "tenant-new");
          await client.query(ROWS_SQL(table(layout), "tenant-new", Math.min(rowsPerTenant, 10_000)));
          await client.query("COMMIT");
        })
      ).ms;
    }
    cases.push({
      step: `first load of a new tenant (${fmtInt(Math.min(rowsPerTenant, 10_000))} rows)`,
      ms: fresh,
    });
    const sizeMb = Object.fromEntries(sizes.rows.map((r) => [r.layout, Number(r.mb)])) as Record<
      Layout,
      number
    >;
    return { cases, loadMs, sizeMb };
  } finally {
    await client.end().catch(() => {});
    await postgresStoreFactory.destroy?.(spec);
  }
}

export const pgLayoutBenchmark: Benchmark = {
  id: "pg-layout",
  title: "PostgreSQL analytics layout: one indexed table vs a partition per tenant",
  async run(context): Promise<Omit<BenchResult, "id" | "title" | "elapsedMs">> {
    const unavailable = await postgresStoreFactory.unavailable?.();
    if (unavailable) throw new Error(unavailable);
    const rowsPerTenant = context.settings.quick ? 50_000 : 250_000;
    const tenants = 20;
    const { cases, loadMs, sizeMb } = await measureLayouts(rowsPerTenant, tenants);
    return {
      method: `${fmtInt(rowsPerTenant * tenants)} rows (${tenants} tenants × ${fmtInt(rowsPerTenant)}, 36 months each) in each layout of one database; each step alternates the layouts, median of ${REPEATS}.`,
      tables: [
        {
          columns: ["step", "index (tenant, month)", "partition per tenant", "partitions / index"],
          rows: [
            ...cases.map((c) => [
              c.step,
              `${fmtMs(c.ms.index)} ms`,
              `${fmtMs(c.ms.partitions)} ms`,
              fmtRatio(c.ms.partitions / c.ms.index),
            ]),
            [
              "initial load (INSERT … SELECT)",
              `${fmtInt(loadMs.index)} ms`,
              `${fmtInt(loadMs.partitions)} ms`,
              fmtRatio(loadMs.partitions / loadMs.index),
            ],
            [
              "size on disk (table + indexes)",
              `${sizeMb.index.toFixed(0)} MB`,
              `${sizeMb.partitions.toFixed(0)} MB`,
              fmtRatio(sizeMb.partitions / sizeMb.index),
            ],
          ],
        },
      ],
      targets: [],
      notes: [],
      data: { rowsPerTenant, tenants, cases, loadMs, sizeMb },
    };
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rowsPerTenant = Number(process.argv[2] ?? 250_000);
  const tenants = Number(process.argv[3] ?? 20);
  const { cases, loadMs, sizeMb } = await measureLayouts(rowsPerTenant, tenants);
  for (const c of cases) {
    console.log(
      `${c.step}: index ${fmtMs(c.ms.index)} ms, partitions ${fmtMs(c.ms.partitions)} ms (${fmtRatio(c.ms.partitions / c.ms.index)})`,
    );
  }
  console.log(`initial load: index ${fmtInt(loadMs.index)} ms, partitions ${fmtInt(loadMs.partitions)} ms`);
  console.log(`size: index ${sizeMb.index.toFixed(0)} MB, partitions ${sizeMb.partitions.toFixed(0)} MB`);
}
