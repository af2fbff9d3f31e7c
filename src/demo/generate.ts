/**
 * Deterministic demo data for any catalog: same seed, rows and `now` → the same rows.
 *
 * How it stays fast and bounded for millions of rows: per block of rows the generator draws only
 * numbers in JS (entity member indexes, domain codes, integers, amounts, epoch days/seconds) into
 * typed arrays, appends them to a TEMP staging table through the DuckDB Appender, and lets one
 * INSERT … SELECT turn codes into strings (joins on small per-tenant entity tables, CASE for short
 * value lists). Strings never cross the JS/native boundary row by row, and memory holds one block.
 *
 * Each physical table's rows are generated into a TEMP table, then every demo tenant's rows are
 * written through the load path (`writeTenantRows`, mode replace): a new run replaces the previous
 * demo data tenant by tenant and table by table (each commit all or nothing), other tenants' rows
 * are untouched. A failure part-way leaves some tables with the new demo data and the others with the old.
 */
import { AppError } from "../core/errors.js";
import { type DatasetDef, type Program, TENANT_COLUMN } from "../datasets/types.js";
import type { DuckDbEngine } from "../storage/duckdb/engine.js";
import type { DuckDbSession } from "../storage/duckdb/session.js";
import { physicalTables, quoteIdent, quoteString, tableName } from "../storage/duckdb/sql.js";
import { type ColumnPlan, planDataset } from "./columns.js";
import {
  buildEntityPools,
  ENTITY_KINDS,
  type EntityKind,
  type EntityPools,
  SUBSCRIPTIONS_PER_CUSTOMER,
} from "./entities.js";
import { Random } from "./random.js";
import { DEMO_TENANTS, type DemoTenant } from "./tenants.js";

export interface DemoOptions {
  /** The datasets to fill, by program. */
  readonly catalogs: Partial<Record<Program, readonly DatasetDef[]>>;
  /** Total rows across every dataset and tenant (default 1,000,000). */
  readonly rows?: number;
  /** PRNG seed (default 42). */
  readonly seed?: number;
  /** Dates are spread over the 36 months (UTC) ending at `now`. */
  readonly now: Date;
  readonly tenants?: readonly DemoTenant[];
  readonly onProgress?: (message: string) => void;
  /** Rows per staging block (default 131,072); memory use is proportional to it. */
  readonly blockRows?: number;
}

export interface DemoDatasetRows {
  readonly program: Program;
  readonly dataset: string;
  readonly tenantId: string;
  readonly rows: number;
}

export interface DemoResult {
  readonly rowCount: number;
  readonly elapsedMs: number;
  readonly datasets: readonly DemoDatasetRows[];
}

export const DEFAULT_DEMO_ROWS = 1_000_000;
export const DEFAULT_DEMO_SEED = 42;
/** Months of history generated, ending with the month of `now`. */
export const DEMO_MONTHS = 36;

const MS_PER_DAY = 86_400_000;
const STAGE = "temp.main._demo_stage";
/** Where one physical table's generated rows wait before each tenant's are written as its file. */
const OUT_TABLE = "temp.main._demo_out";

interface WorkItem {
  readonly program: Program;
  readonly dataset: DatasetDef;
  readonly tenant: DemoTenant;
  readonly weight: number;
  rows: number;
}

export async function generateDemoData(engine: DuckDbEngine, options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const rows = options.rows ?? DEFAULT_DEMO_ROWS;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const tenants = options.tenants ?? DEMO_TENANTS;
  const progress = options.onProgress ?? (() => undefined);
  const blockRows = options.blockRows ?? 131_072;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new AppError("invalid_argument", `rows must be a positive integer, got ${rows}`);
  }
  if (!Number.isSafeInteger(seed))
    throw new AppError("invalid_argument", `seed must be an integer, got ${seed}`);
  if (Number.isNaN(options.now.getTime())) throw new AppError("invalid_argument", "now must be a valid date");
  if (tenants.length === 0 || tenants.length > 1000) {
    throw new AppError("invalid_argument", "Between 1 and 1000 demo tenants are required");
  }
  if (!Number.isSafeInteger(blockRows) || blockRows < 1) {
    throw new AppError("invalid_argument", `blockRows must be a positive integer, got ${blockRows}`);
  }

  const programs = Object.keys(options.catalogs).filter((p) => (options.catalogs[p]?.length ?? 0) > 0);
  const work = allocate(rows, programs, options.catalogs, tenants);
  const time = timeFrame(options.now);
  const total = work.reduce((sum, w) => sum + w.rows, 0);
  progress(
    `Generating ${total.toLocaleString("en-US")} demo rows for ${work.length / tenants.length} datasets × ${tenants.length} tenants (seed ${seed}, ${time.firstDayText} to ${time.lastDayText})`,
  );

  for (const program of programs) await engine.ensureTables(program, options.catalogs[program]!);

  await engine.withSession(async (session) => {
    const pools = tenants.map((tenant) =>
      buildEntityPools(
        seed,
        tenant,
        work.filter((w) => w.tenant === tenant).reduce((sum, w) => sum + w.rows, 0),
      ),
    );
    try {
      await createEntityTables(session, pools);
      // Table by table: the rows are generated into a TEMP table, then each tenant's are written as
      // its new file set (replacing what it had) through the load path (`writeTenantRows`).
      for (const batch of transactionBatches(programs, options.catalogs, work)) {
        for (const { program, datasets } of batch) {
          const columns = physicalTables(program, datasets)[0]!.columns;
          await session.run(
            `CREATE OR REPLACE TEMP TABLE ${OUT_TABLE} (${[...columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`), `${quoteIdent(TENANT_COLUMN)} VARCHAR`].join(", ")})`,
          );
          for (const dataset of datasets) {
            const items = work.filter((w) => w.program === program && w.dataset === dataset);
            await generateDataset(session, program, dataset, items, pools, time, seed, blockRows);
            if (dataset.rowKey && dataset.rowKey.length > 0) {
              await dropRepeatedKeys(session, OUT_TABLE, dataset.rowKey, items);
            }
            const count = items.reduce((sum, w) => sum + w.rows, 0);
            progress(`${program}.${dataset.name}: ${count.toLocaleString("en-US")} rows`);
          }
          for (const tenant of tenants) {
            await engine.writeTenantRows(
              { program, dataset: datasets[0]!, tenant: tenant.id },
              `SELECT * EXCLUDE (${quoteIdent(TENANT_COLUMN)}) FROM ${OUT_TABLE} WHERE ${quoteIdent(TENANT_COLUMN)} = ${quoteString(tenant.id)}`,
              { mode: "replace" },
              { session },
            );
          }
        }
      }
    } finally {
      // Best effort: a failure here must not hide the error that got us here.
      const drop = (table: string) => session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => 0);
      for (const kind of ENTITY_KINDS) await drop(`temp.main._demo_entity_${kind}`);
      await drop(STAGE);
      await drop(OUT_TABLE);
    }
  });

  // A dataset with a row key may have lost a few rows (dropRepeatedKeys): count what was kept.
  const kept = work.reduce((sum, w) => sum + w.rows, 0);
  const elapsedMs = Math.round(performance.now() - started);
  progress(`Generated ${kept.toLocaleString("en-US")} demo rows in ${(elapsedMs / 1000).toFixed(1)} s`);
  return {
    rowCount: kept,
    elapsedMs,
    datasets: work.map((w) => ({
      program: w.program,
      dataset: w.dataset.name,
      tenantId: w.tenant.id,
      rows: w.rows,
    })),
  };
}

/**
 * Keeps the data true to the dataset's row key (DatasetDef.rowKey: the compiler relies on it to
 * skip the distinct-rows grouping): of the generated rows that repeat a key, the first is kept and
 * the others deleted, and each work item's count becomes the rows kept. Entities and months are
 * drawn at random, so some keys repeat (in a 300,000-row demo, 4% of SeatsSubscriptionsAndRevenue's rows).
 */
async function dropRepeatedKeys(
  session: DuckDbSession,
  table: string,
  rowKey: readonly string[],
  items: WorkItem[],
): Promise<void> {
  const key = [quoteIdent(TENANT_COLUMN), ...rowKey.map(quoteIdent)].join(", ");
  const tenants = items.map((w) => w.tenant.id);
  const placeholders = tenants.map((_, i) => `$${i + 1}`).join(", ");
  await session.run(
    `DELETE FROM ${table} WHERE ${quoteIdent(TENANT_COLUMN)} IN (${placeholders}) AND rowid NOT IN ` +
      `(SELECT min(rowid) FROM ${table} WHERE ${quoteIdent(TENANT_COLUMN)} IN (${placeholders}) GROUP BY ${key})`,
    tenants,
  );
  const counts = await session.query(
    `SELECT ${quoteIdent(TENANT_COLUMN)} AS tenant, count(*) AS n FROM ${table} WHERE ${quoteIdent(TENANT_COLUMN)} IN (${placeholders}) GROUP BY 1`,
    tenants,
  );
  const byTenant = new Map(counts.map((row) => [String(row.tenant), Number(row.n)]));
  for (const item of items) item.rows = byTenant.get(item.tenant.id) ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Row allocation

/** Bigger shares for usage/revenue-like datasets, small ones for snapshots. */
function datasetWeight(dataset: DatasetDef): number {
  if (dataset.timeColumn === null) return 0.3;
  if (/usage|revenue|order|subscription|seat|consum/i.test(dataset.name)) return 3;
  return 1;
}

/** The first tenant is the biggest: shares n, n-1, …, 1. */
function tenantWeight(index: number, count: number): number {
  return count - index;
}

/**
 * Splits `rows` over every (dataset, tenant) pair by weight with the largest-remainder method, so
 * the parts add up to `rows` exactly; every pair gets at least one row.
 */
function allocate(
  rows: number,
  programs: readonly Program[],
  catalogs: DemoOptions["catalogs"],
  tenants: readonly DemoTenant[],
): WorkItem[] {
  const items: WorkItem[] = [];
  for (const program of programs) {
    for (const dataset of catalogs[program] ?? []) {
      tenants.forEach((tenant, i) => {
        items.push({
          program,
          dataset,
          tenant,
          weight: datasetWeight(dataset) * tenantWeight(i, tenants.length),
          rows: 1,
        });
      });
    }
  }
  const spare = rows - items.length;
  if (spare > 0) {
    const totalWeight = items.reduce((sum, item) => sum + item.weight, 0);
    const exact = items.map((item) => (spare * item.weight) / totalWeight);
    items.forEach((item, i) => {
      item.rows += Math.floor(exact[i]!);
    });
    let left = spare - items.reduce((sum, item) => sum + item.rows - 1, 0);
    const order = exact
      .map((x, i) => ({ i, frac: x - Math.floor(x) }))
      .sort((a, b) => b.frac - a.frac || a.i - b.i);
    for (const { i } of order) {
      if (left <= 0) break;
      items[i]!.rows += 1;
      left--;
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Time

interface TimeFrame {
  /** Epoch day of the first day of the oldest month. */
  readonly firstDay: number;
  /** Epoch day of `now` (UTC). */
  readonly lastDay: number;
  readonly nowSeconds: number;
  /** Epoch day of the first day of each month, index 0 = oldest. */
  readonly monthStarts: readonly number[];
  /** Per day offset from `firstDay`: epoch day of its month's first day, its year and month. */
  readonly monthStartOf: Int32Array;
  readonly yearOf: Int32Array;
  readonly monthOf: Int32Array;
  readonly firstDayText: string;
  readonly lastDayText: string;
}

function timeFrame(now: Date): TimeFrame {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const monthStarts: number[] = [];
  for (let i = DEMO_MONTHS - 1; i >= 0; i--) monthStarts.push(Date.UTC(y, m - i, 1) / MS_PER_DAY);
  const firstDay = monthStarts[0]!;
  const lastDay = Math.floor(now.getTime() / MS_PER_DAY);
  const span = lastDay - firstDay + 1;
  const monthStartOf = new Int32Array(span);
  const yearOf = new Int32Array(span);
  const monthOf = new Int32Array(span);
  for (let i = 0; i < span; i++) {
    const date = new Date((firstDay + i) * MS_PER_DAY);
    monthStartOf[i] = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / MS_PER_DAY;
    yearOf[i] = date.getUTCFullYear();
    monthOf[i] = date.getUTCMonth() + 1;
  }
  const text = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  return {
    firstDay,
    lastDay,
    nowSeconds: Math.floor(now.getTime() / 1000),
    monthStarts,
    monthStartOf,
    yearOf,
    monthOf,
    firstDayText: text(firstDay),
    lastDayText: text(lastDay),
  };
}

// ---------------------------------------------------------------------------------------------
// SQL side

/**
 * Rows per transaction, roughly. One transaction for everything would make a run atomic, but
 * DuckDB's transaction-local storage then grows with the whole data set: 10M rows of the real
 * catalogs took 312 s that way against 180 s with this batching. A transaction per table pays a
 * commit (WAL fsync, checkpoint) per table instead, which made 1M rows about twice as slow here.
 */
const TRANSACTION_ROWS = 2_000_000;

interface TableWork {
  readonly program: Program;
  readonly table: string;
  readonly datasets: DatasetDef[];
  rows: number;
}

/** Physical tables (datasets may share one) in catalog order, grouped into transactions. */
function transactionBatches(
  programs: readonly Program[],
  catalogs: DemoOptions["catalogs"],
  work: readonly WorkItem[],
): TableWork[][] {
  const tables: TableWork[] = [];
  for (const program of programs) {
    for (const dataset of catalogs[program] ?? []) {
      const name = tableName(dataset);
      let entry = tables.find((t) => t.program === program && t.table.toLowerCase() === name.toLowerCase());
      if (!entry) {
        entry = { program, table: name, datasets: [], rows: 0 };
        tables.push(entry);
      }
      entry.datasets.push(dataset);
      entry.rows += work.filter((w) => w.dataset === dataset).reduce((sum, w) => sum + w.rows, 0);
    }
  }
  const batches: TableWork[][] = [];
  let current: TableWork[] = [];
  let rows = 0;
  for (const table of tables) {
    current.push(table);
    rows += table.rows;
    if (rows >= TRANSACTION_ROWS) {
      batches.push(current);
      current = [];
      rows = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Entity member `m` of tenant `t` has key t × ENTITY_STRIDE + m in the entity tables. */
const ENTITY_STRIDE = 1 << 20;

async function createEntityTables(session: DuckDbSession, pools: readonly EntityPools[]): Promise<void> {
  for (const kind of ENTITY_KINDS) {
    const attrs = Object.keys(pools[0]![kind].attrs);
    const table = `_demo_entity_${kind}`;
    await session.run(
      `CREATE OR REPLACE TEMP TABLE ${table} (idx INTEGER, ${attrs.map((a) => `${quoteIdent(a)} VARCHAR`).join(", ")})`,
    );
    for (const [t, tenantPools] of pools.entries()) {
      const pool = tenantPools[kind];
      if (pool.size >= ENTITY_STRIDE) throw new AppError("internal", `Too many ${kind} entities`);
      const idx = Int32Array.from({ length: pool.size }, (_, i) => t * ENTITY_STRIDE + i);
      await session.append(
        { catalog: "temp", schema: "main", table },
        [idx, ...attrs.map((a) => pool.attrs[a]!)],
        pool.size,
      );
    }
  }
}

/** A staged (numeric) column of the TEMP staging table. */
interface Staged {
  readonly name: string;
  readonly sqlType: "INTEGER" | "DOUBLE";
}

interface Compiled {
  readonly staged: Staged[];
  readonly entityKinds: EntityKind[];
  /** Per catalog column: SQL expression over the stage `s` and the entity aliases. */
  readonly expressions: string[];
  readonly joins: string[];
  /** Per non-entity column: its plan and its staged column index. */
  readonly fills: { plan: ColumnPlan; index: number }[];
}

/** 8-4-4-4-12 hex text (version 4, variant 8) of md5(salt || code): deterministic, no pool needed. */
function guidSql(salt: string, code: string): string {
  const h = `md5(${quoteString(salt)} || CAST(${code} AS VARCHAR))`;
  return (
    `CASE WHEN ${code} IS NULL THEN NULL ELSE ` +
    `substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-4' || substr(${h}, 14, 3) || '-8' || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12) END`
  );
}

function compile(
  program: Program,
  dataset: DatasetDef,
  plans: readonly { name: string; plan: ColumnPlan }[],
  seed: number,
): Compiled {
  const staged: Staged[] = [];
  const entityKinds: EntityKind[] = [];
  const expressions: string[] = [];
  const joins: string[] = [];
  const fills: { plan: ColumnPlan; index: number }[] = [];
  const stage = (plan: ColumnPlan, sqlType: Staged["sqlType"]) => {
    staged.push({ name: `c${staged.length}`, sqlType });
    fills.push({ plan, index: staged.length - 1 });
    return `s.c${staged.length - 1}`;
  };
  for (const { name, plan } of plans) {
    switch (plan.kind) {
      case "entity":
        if (!entityKinds.includes(plan.entity)) entityKinds.push(plan.entity);
        expressions.push(`e_${plan.entity}.${quoteIdent(plan.attr)}`);
        break;
      case "domain": {
        const ref = stage(plan, "INTEGER");
        const whens = plan.values.map((v, i) => `WHEN ${i} THEN ${quoteString(v)}`).join(" ");
        expressions.push(`CASE ${ref} ${whens} END`);
        break;
      }
      case "guid": {
        const ref = stage(plan, "INTEGER");
        expressions.push(guidSql(`${seed}/${program}/${dataset.name}/${name}/`, `NULLIF(${ref}, -1)`));
        break;
      }
      case "int":
      case "intDomain":
        expressions.push(`CAST(${stage(plan, "INTEGER")} AS BIGINT)`);
        break;
      case "decimal":
        expressions.push(stage(plan, "DOUBLE"));
        break;
      case "date":
        expressions.push(`CAST(DATE '1970-01-01' + ${stage(plan, "INTEGER")} AS DATE)`);
        break;
      case "datetime":
        expressions.push(`make_timestamp(CAST(${stage(plan, "DOUBLE")} AS BIGINT) * 1000000)`);
        break;
      case "boolean":
        expressions.push(`(${stage(plan, "INTEGER")} = 1)`);
        break;
    }
  }
  // Then the tenant index and the entity member keys.
  staged.push({ name: "t", sqlType: "INTEGER" });
  for (const kind of entityKinds) {
    staged.push({ name: `k_${kind}`, sqlType: "INTEGER" });
    joins.push(`LEFT JOIN temp.main._demo_entity_${kind} e_${kind} ON e_${kind}.idx = s.k_${kind}`);
  }
  return { staged, entityKinds, expressions, joins, fills };
}

/** Fills one staged value from the row's anchor day (and the tenant's PRNG). */
type Fill = (rng: Random, anchor: number) => number;

/**
 * Generates one dataset's rows for every tenant, in blocks. While DuckDB inserts block N (on a
 * libuv thread) JS already draws block N+1 into the other set of buffers.
 */
async function generateDataset(
  session: DuckDbSession,
  program: Program,
  dataset: DatasetDef,
  items: readonly WorkItem[],
  pools: readonly EntityPools[],
  time: TimeFrame,
  seed: number,
  blockRows: number,
): Promise<void> {
  const plans = planDataset(program, dataset);
  const compiled = compile(program, dataset, plans, seed);
  const total = items.reduce((sum, w) => sum + w.rows, 0);
  const block = Math.max(1, Math.min(blockRows, total));

  await session.run(
    `CREATE OR REPLACE TEMP TABLE _demo_stage (${compiled.staged.map((c) => `${c.name} ${c.sqlType}`).join(", ")})`,
  );
  const tenantIds = items.map((w) => w.tenant.id);
  const tenantCase = `CASE s.t ${tenantIds.map((_, i) => `WHEN ${i} THEN $${i + 1}`).join(" ")} END`;
  const targets = [...plans.map((p) => quoteIdent(p.name)), quoteIdent(TENANT_COLUMN)];
  const insert =
    `INSERT INTO ${OUT_TABLE} (${targets.join(", ")}) ` +
    `SELECT ${[...compiled.expressions, tenantCase].join(", ")} FROM ${STAGE} s ${compiled.joins.join(" ")}`;

  const makeBuffers = () =>
    compiled.staged.map((c) => (c.sqlType === "INTEGER" ? new Int32Array(block) : new Float64Array(block)));
  const buffers = [makeBuffers(), total > block ? makeBuffers() : null];
  const fills = compiled.fills.map(({ plan }) => fillFor(plan, time));
  const fillIndexes = compiled.fills.map(({ index }) => index);
  const kindCount = compiled.entityKinds.length;
  const tenantIndex = compiled.staged.length - kindCount - 1;

  let current = 0;
  let columns = buffers[0]!;
  let filled = 0;
  let pending: Promise<void> | null = null;
  const flush = async () => {
    if (filled === 0) return;
    if (pending) await pending;
    const rows = filled;
    await session.append(
      { catalog: "temp", schema: "main", table: "_demo_stage" },
      rows === block ? columns : columns.map((c) => c.subarray(0, rows)),
      rows,
    );
    pending = (async () => {
      await session.run(insert, tenantIds);
      await session.run(`DELETE FROM ${STAGE}`);
    })();
    // Surfaced by the next `await pending`; this only keeps it from being reported as unhandled.
    pending.catch(() => undefined);
    current = 1 - current;
    columns = buffers[current] ?? buffers[0]!;
    filled = 0;
  };

  const member = new Int32Array(ENTITY_KINDS.length);
  const kindSlots = compiled.entityKinds.map((k) => ENTITY_KINDS.indexOf(k));
  const months = time.monthStarts.length;
  const [C, P, R, V, D, S, U] = [
    "customer",
    "partner",
    "reseller",
    "provider",
    "product",
    "subscription",
    "person",
  ].map((k) => ENTITY_KINDS.indexOf(k as EntityKind)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (const [t, item] of items.entries()) {
    // `items` holds one entry per tenant, in the order of `pools`.
    const p = pools[t]!;
    const base = t * ENTITY_STRIDE;
    const customers = p.customer.size;
    const partners = p.partner.size - 1;
    const resellers = p.reseller.size - 1;
    const providers = p.provider.size - 1;
    const products = p.product.size;
    const people = p.person.size;
    const rng = new Random(seed, program, dataset.name, item.tenant.id);
    for (let row = 0; row < item.rows; row++) {
      // The row's things and its anchor day; every column of the row derives from these.
      const customer = rng.skewed(customers, 2);
      member[C] = customer;
      member[S] = customer * SUBSCRIPTIONS_PER_CUSTOMER + rng.int(SUBSCRIPTIONS_PER_CUSTOMER);
      member[P] = rng.chance(0.5) ? 0 : 1 + rng.int(partners);
      const reseller = rng.chance(0.35) ? 0 : 1 + rng.skewed(resellers, 1.5);
      member[R] = reseller;
      member[V] = reseller === 0 ? 0 : 1 + rng.int(providers);
      member[D] = rng.skewed(products, 1.5);
      member[U] = rng.skewed(people, 1.5);
      const monthIndex = months - 1 - rng.skewed(months, 1.5);
      const monthStart = time.monthStarts[monthIndex]!;
      const nextMonth = monthIndex + 1 < months ? time.monthStarts[monthIndex + 1]! : time.lastDay + 1;
      const anchor = monthStart + rng.int(nextMonth - monthStart);

      (columns[tenantIndex] as Int32Array)[filled] = t;
      for (let k = 0; k < kindCount; k++)
        columns[tenantIndex + 1 + k]![filled] = base + member[kindSlots[k]!]!;
      for (let f = 0; f < fills.length; f++) columns[fillIndexes[f]!]![filled] = fills[f]!(rng, anchor);
      filled++;
      if (filled === block) await flush();
    }
  }
  await flush();
  if (pending) await pending;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The filler of one non-entity column, chosen once per dataset. */
function fillFor(plan: ColumnPlan, time: TimeFrame): Fill {
  const { firstDay, lastDay, nowSeconds, yearOf, monthOf, monthStartOf } = time;
  switch (plan.kind) {
    case "domain": {
      const n = plan.values.length;
      const nullRate = plan.nullRate;
      return nullRate > 0
        ? (rng) => (rng.chance(nullRate) ? -1 : rng.skewed(n, 1.5))
        : (rng) => rng.skewed(n, 1.5);
    }
    case "guid": {
      const nullRate = plan.nullRate;
      return (rng) => (nullRate > 0 && rng.chance(nullRate) ? -1 : rng.next32() & 0x7fffffff);
    }
    case "intDomain": {
      const values = plan.values;
      return (rng) => values[rng.int(values.length)]!;
    }
    case "int":
      switch (plan.gen) {
        case "flag":
          return (rng) => (rng.chance(0.3) ? 1 : 0);
        case "rareFlag":
          return (rng) => (rng.chance(0.08) ? 1 : 0);
        case "year":
          return (_, anchor) => yearOf[anchor - firstDay]!;
        case "monthNumber":
          return (_, anchor) => monthOf[anchor - firstDay]!;
        case "percent":
          return (rng) => rng.int(101);
        case "count":
          return (rng) => Math.min(50_000, Math.max(1, Math.round(rng.logNormal(12, 1.1))));
        case "duration":
          return (rng) => Math.min(100_000, Math.max(1, Math.round(rng.logNormal(45, 0.9))));
        case "small":
          return (rng) => 1 + rng.skewed(100, 2);
      }
      break;
    case "decimal":
      switch (plan.gen) {
        case "revenue":
          return (rng) => round(Math.min(rng.logNormal(180, 1.5), 2_000_000), 2);
        case "usage":
          return (rng) => round(Math.min(rng.logNormal(25, 1.3), 1_000_000), 2);
        case "percent":
          return (rng) => round(rng.next() * 100, 2);
        case "ratio":
          return (rng) => round(rng.next(), 4);
      }
      break;
    case "date":
    case "datetime": {
      const role = plan.role;
      const day: Fill =
        role === "before"
          ? (rng, anchor) => Math.max(firstDay, anchor - rng.int(400))
          : role === "after"
            ? (rng, anchor) => Math.min(lastDay, anchor + rng.int(400))
            : (_, anchor) => anchor;
      if (plan.kind === "datetime")
        return (rng, anchor) => Math.min(nowSeconds, day(rng, anchor) * 86_400 + rng.int(86_400));
      return plan.monthStart ? (rng, anchor) => monthStartOf[day(rng, anchor) - firstDay]! : day;
    }
    case "boolean":
      return (rng) => rng.int(2);
    case "entity":
      break;
  }
  throw new AppError("internal", `No generator for ${plan.kind}`);
}
