/**
 * The big dataset the engine and export benchmarks read: BENCH_ROWS rows of
 * mpn.SeatsSubscriptionsAndRevenue for one tenant (plus 5% for a second tenant, so the tenant
 * filter has something to skip), written with `INSERT … SELECT … FROM range(n)` in DuckDB. The
 * columns the benchmarks read have realistic shapes (GUID-like ids, names with a few thousand
 * distinct values, documented value domains, 36 months, amounts with cents); the values themselves
 * are not meant to be, and the other columns stay NULL (see FILLED).
 */
import type { App } from "../src/app.js";
import { issueLocalToken } from "../src/auth/local-key.js";
import { type Config, loadConfig } from "../src/config/config.js";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import type { DatasetDef } from "../src/datasets/types.js";
import { DEMO_TENANTS } from "../src/demo/tenants.js";
import type { ReportFormat } from "../src/reports/formats.js";
import type { DuckDbEngine } from "../src/storage/duckdb/engine.js";
import { physicalColumns, quoteIdent, quoteString } from "../src/storage/duckdb/sql.js";
import { openAnalytics } from "../src/stores.js";
import { progress, timed } from "./common.js";

export const BIG_PROGRAM = "mpn" as const;
export const BIG_DATASET = "SeatsSubscriptionsAndRevenue";
export const BENCH_TENANT = DEMO_TENANTS[0]!.id;
const OTHER_TENANT = DEMO_TENANTS[1]!.id;
const INSERT_ROWS = 2_000_000;

/** The export query: six columns of the big dataset, every row of the tenant. */
export const EXPORT_QUERY = `SELECT SubscriptionId, CustomerName, CustomerMarket, Product, Month, BilledRevenueUSD FROM ${BIG_DATASET} TIMESPAN LIFETIME`;

/** A metric aggregation with ORDER BY/LIMIT over the whole big dataset. */
export const AGGREGATION_QUERY = `SELECT CustomerMarket, Product, TotalSoldSeats, SubscriptionCount FROM ${BIG_DATASET} ORDER BY TotalSoldSeats DESC LIMIT 100 TIMESPAN LIFETIME`;

const MARKETS = [
  "United States",
  "France",
  "Germany",
  "United Kingdom",
  "Japan",
  "Canada",
  "Australia",
  "India",
  "Brazil",
  "Netherlands",
  "Spain",
  "Italy",
  "Sweden",
  "Mexico",
  "Singapore",
  "Switzerland",
];

export function bigDataset(): DatasetDef {
  const dataset = builtInCatalogs.findDataset(BIG_PROGRAM, BIG_DATASET);
  if (!dataset) throw new Error(`No dataset ${BIG_DATASET}`);
  return dataset;
}

/**
 * The benchmarks measure one tenant at full speed: its rate limit is set far above what they send
 * (the limiter still runs, so its cost is in the numbers).
 */
export function benchConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig(
    { OPENINSIGHTS_LOG_LEVEL: "warn", OPENINSIGHTS_RATE_LIMIT_PER_MINUTE: "10000000", ...env },
    { dataDir, port: "0" },
  );
}

/** SQL list literal of strings. */
function list(values: readonly string[]): string {
  return `[${values.map(quoteString).join(", ")}]`;
}

/**
 * One expression per physical column over `i` (the row number). `k` salts each column's hash so
 * columns are independent; `i // 36` keys entity-like values so that a subscription recurs monthly.
 */
function columnExpression(
  name: string,
  type: string,
  values: readonly string[] | undefined,
  k: number,
): string {
  const h = (key: string) => `hash(${key}, ${k})`;
  const lower = name.toLowerCase();
  if (type === "string") {
    if (values && values.length > 0)
      return `${list(values)}[1 + CAST(${h("i")} % ${values.length} AS INTEGER)]`;
    if (lower.includes("market") || lower.includes("country") || lower.includes("location")) {
      return `${list(MARKETS)}[1 + CAST(${h("i // 36")} % ${MARKETS.length} AS INTEGER)]`;
    }
    if (lower.endsWith("id") || lower.endsWith("number") || lower.endsWith("tpid")) {
      // 8-4-4-4-12 hex, one value per (entity, column).
      const a = h("i // 36");
      const b = `hash(i // 36, ${k + 1000})`;
      return `printf('%08x-%04x-4%03x-8%03x-%012x', ${a} % 4294967296, (${a} // 4294967296) % 65536, (${b} % 4096), (${b} // 4096) % 4096, (${b} // 16777216) % 281474976710656)`;
    }
    return `${quoteString(`${name} `)} || CAST(${h("i // 36")} % 5000 AS VARCHAR)`;
  }
  if (type === "integer") {
    if (values && values.length > 0)
      return `CAST(${list(values)}[1 + CAST(${h("i")} % ${values.length} AS INTEGER)] AS BIGINT)`;
    return `CAST(${h("i")} % 500 AS BIGINT)`;
  }
  if (type === "decimal") return `round(CAST(${h("i")} % 10000000 AS DOUBLE) / 100, 2)`;
  if (type === "date") {
    if (lower === "month" || lower.endsWith("month")) {
      return `CAST(DATE '2023-01-01' + to_months(CAST(i % 36 AS INTEGER)) AS DATE)`;
    }
    return `DATE '2022-01-01' + CAST(${h("i // 36")} % 1400 AS INTEGER)`;
  }
  if (type === "datetime")
    return `TIMESTAMP '2022-01-01' + to_seconds(CAST(${h("i")} % 120000000 AS BIGINT))`;
  throw new Error(`No generator for ${name} (${type})`);
}

/**
 * Columns the benchmarks read, plus a few cheap ones for shape. The others stay NULL: DuckDB stores
 * columns separately, so columns a query does not name cost it nothing, and computing all 46 took
 * ~7 s per million rows here (most of the run's budget at 10M rows).
 */
const FILLED = new Set(
  [
    "SubscriptionId",
    "CustomerName",
    "CustomerMarket",
    "Product",
    "Month",
    "BilledRevenueUSD",
    "AvailableSeatsEOP",
    "AssignedSeats",
    "SubscriptionState",
    "CustomerSegment",
    "IsDuplicateRowForPGA",
  ].map((c) => c.toLowerCase()),
);

/** The SELECT of rows [from, to) of the big dataset (numbers inlined: a load's SELECT takes no parameters). */
export function rowsSql(dataset: DatasetDef, from: number, to: number): string {
  const declared = new Map(dataset.columns.map((c) => [c.name.toLowerCase(), c.values]));
  const columns = physicalColumns(dataset).filter((c) => FILLED.has(c.name.toLowerCase()));
  const expressions = columns.map(
    (c, k) =>
      `${columnExpression(c.name, c.type, declared.get(c.name.toLowerCase()), k + 1)} AS ${quoteIdent(c.name)}`,
  );
  return `SELECT ${expressions.join(", ")} FROM range(${from}, ${to}) t(i)`;
}

/** Writes the tenant's rows through the load path, one file per INSERT_ROWS rows. */
async function fill(engine: DuckDbEngine, rows: number, tenant: string, first: number): Promise<void> {
  const dataset = bigDataset();
  for (let start = 0; start < rows; start += INSERT_ROWS) {
    const end = Math.min(rows, start + INSERT_ROWS);
    await engine.writeTenantRows(
      { program: BIG_PROGRAM, dataset, tenant },
      rowsSql(dataset, first + start, first + end),
      { mode: start === 0 ? "replace" : "append" },
    );
    progress(
      `  ${tenant.slice(0, 8)}…: ${end.toLocaleString("en-US")} / ${rows.toLocaleString("en-US")} rows`,
    );
  }
}

/**
 * Creates the analytics database of `dataDir` with the big dataset filled, and returns the open
 * (read-write) engine: the engine benchmark uses it, then closes it before anything else opens the file.
 */
export async function prepareBigData(
  dataDir: string,
  rows: number,
): Promise<{ engine: DuckDbEngine; ms: number }> {
  const engine = await openAnalytics(benchConfig(dataDir), builtInCatalogs);
  try {
    const { ms } = await timed(async () => {
      await fill(engine, rows, BENCH_TENANT, 0);
      await fill(engine, Math.ceil(rows / 20), OTHER_TENANT, rows);
    });
    return { engine, ms };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/** Replaces `$n` placeholders with SQL literals (for the raw DuckDB baselines). */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (value === undefined) throw new Error(`No value for $${n}`);
    if (value === null) return "NULL";
    if (typeof value === "string") return quoteString(value);
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    throw new Error(`Cannot inline ${typeof value}`);
  });
}

/** An Authorization header for `tenant`, signed with the data directory's local key. */
export async function bearer(config: Config, tenant: string): Promise<string> {
  const token = await issueLocalToken({
    dataDir: config.dataDir,
    tenant,
    user: "bench@example.com",
    ttlSeconds: 3600,
    audience: config.auth.audiences[0]!,
  });
  return `Bearer ${token}`;
}

/** One API call through fastify's inject (no socket); throws unless it answers 200. */
export async function api(
  app: App,
  authorization: string,
  method: "GET" | "POST",
  url: string,
  body?: unknown,
): Promise<{ value: Record<string, unknown>[] }> {
  const response = await app.server.inject({
    method,
    url,
    headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (response.statusCode !== 200) {
    throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
  }
  return response.json() as { value: Record<string, unknown>[] };
}

/** Creates a query and an ExecuteNow report on it (CSV unless `format` says otherwise); returns the report id. */
export async function createExecuteNowReport(
  app: App,
  authorization: string,
  query: string,
  name: string,
  format: ReportFormat = "csv",
  /** Extension fields of the report (e.g. MaxFileSizeMB). */
  extra: Record<string, unknown> = {},
): Promise<string> {
  const created = await api(app, authorization, "POST", `/insights/v1/${BIG_PROGRAM}/ScheduledQueries`, {
    Name: name,
    Query: query,
  });
  const queryId = String(created.value[0]!.queryId);
  const report = await api(app, authorization, "POST", `/insights/v1/${BIG_PROGRAM}/ScheduledReport`, {
    ReportName: name,
    QueryId: queryId,
    ExecuteNow: true,
    Format: format,
    ...extra,
  });
  return String(report.value[0]!.reportId);
}
