/**
 * The load test (issue #13): `openinsights serve` in a child process, on demo data, under 60 s of a
 * mixed workload at modest concurrency over loopback — reads (lists, executions, downloads),
 * creations (queries), try-queries, and exports (ExecuteNow reports, polled and downloaded) —
 * spread over several tenants with the default rate limit. It counts answers by status (any error
 * but a 429 fails the run), the latency percentiles, and the server's memory as its /metrics
 * reports it every 5 s.
 *
 *   npm run build && node dist/bench/load-test.js   (LOAD_SECONDS, LOAD_CONNECTIONS, LOAD_TENANTS)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { issueLocalToken } from "../src/auth/local-key.js";
import { loadConfig } from "../src/config/config.js";
import { BUILT_IN_DATASETS, builtInCatalogs } from "../src/datasets/catalog.js";
import { generateDemoData } from "../src/demo/generate.js";
import { Random } from "../src/demo/random.js";
import { DEMO_TENANTS } from "../src/demo/tenants.js";
import { openAnalytics } from "../src/stores.js";
import { fmtInt, percentile, progress } from "./common.js";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 8);
const TENANTS = Number(process.env.LOAD_TENANTS ?? 6);
const DEMO_ROWS = 20_000;
const MPN = "/insights/v1/mpn";
const QUERY =
  "SELECT CustomerName, CustomerMarket, Product, BilledRevenueUSD, Month FROM CustomersAndTenants TIMESPAN LAST_6_MONTHS";
const TRY_QUERY =
  "SELECT CustomerMarket, BilledRevenueUSD FROM CustomersAndTenants ORDER BY BilledRevenueUSD DESC LIMIT 10 TIMESPAN LAST_1_YEAR";

type Kind = "read" | "create" | "tryQuery" | "export" | "download";

/** The workload's mix: a request's kind by weight. */
const MIX: readonly (readonly [Kind, number])[] = [
  ["read", 55],
  ["create", 15],
  ["tryQuery", 15],
  ["export", 10],
  ["download", 5],
];

interface TenantState {
  readonly id: string;
  readonly authorization: string;
  readonly queryId: string;
  /** ExecuteNow reports made so far, and download links seen. */
  readonly reports: string[];
  readonly links: string[];
}

interface Tally {
  readonly latencies: Record<Kind, number[]>;
  readonly statuses: Map<string, number>;
  /** Answers that are neither 2xx nor the documented 429: each one fails the run. */
  readonly errors: string[];
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-load-"));
  const config = loadConfig({ OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB" }, { dataDir });
  progress(`Demo data (${fmtInt(DEMO_ROWS)} rows per dataset) in ${dataDir}`);
  const engine = await openAnalytics(config, builtInCatalogs);
  try {
    await generateDemoData(engine, {
      catalogs: BUILT_IN_DATASETS,
      rows: DEMO_ROWS,
      now: new Date(),
    });
  } finally {
    await engine.close();
  }
  const server = await startServer(dataDir);
  try {
    const tenants = await prepareTenants(server.url, dataDir, config.auth.audiences[0]!);
    const memory: { at: number; rssMb: number; heapMb: number }[] = [];
    const tally: Tally = {
      latencies: { read: [], create: [], tryQuery: [], export: [], download: [] },
      statuses: new Map(),
      errors: [],
    };
    progress(`Load: ${CONNECTIONS} connections, ${tenants.length} tenants, ${SECONDS} s`);
    const start = performance.now();
    const stopAt = start + SECONDS * 1000;
    const sampler = setInterval(() => {
      sampleMemory(server.url).then((m) => memory.push({ at: (performance.now() - start) / 1000, ...m }));
    }, 5000);
    memory.push({ at: 0, ...(await sampleMemory(server.url)) });
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, n) => {
        const generator = new Random(1, "load", String(n));
        const random = () => generator.next();
        while (performance.now() < stopAt) {
          const tenant = tenants[(n + Math.floor(random() * tenants.length)) % tenants.length]!;
          await step(server.url, tenant, pick(random), tally);
        }
      }),
    );
    clearInterval(sampler);
    memory.push({ at: (performance.now() - start) / 1000, ...(await sampleMemory(server.url)) });
    report(tally, memory, (performance.now() - start) / 1000);
    if (tally.errors.length > 0) process.exitCode = 1;
  } finally {
    server.process.kill("SIGTERM");
    await new Promise((resolve) => server.process.once("exit", resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `openinsights serve` on a free port, with this data directory and quotas that do not bind. */
async function startServer(dataDir: string): Promise<{ url: string; process: ChildProcess }> {
  const bin = fileURLToPath(new URL("../../bin/openinsights.js", import.meta.url));
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--data-dir", dataDir], {
    env: {
      ...process.env,
      OPENINSIGHTS_LOG_LEVEL: "warn",
      OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB",
      OPENINSIGHTS_QUOTA_QUERIES: "1000000",
      OPENINSIGHTS_QUOTA_ACTIVE_REPORTS: "1000000",
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: "1000000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume();
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    // `serve` says where it listens on stderr.
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`openinsights serve exited (${code}): ${seen}`)));
  });
  return { url, process: child };
}

async function prepareTenants(url: string, dataDir: string, audience: string): Promise<TenantState[]> {
  const ids = Array.from({ length: TENANTS }, (_, i) =>
    i < DEMO_TENANTS.length ? DEMO_TENANTS[i]!.id : `0e000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  return Promise.all(
    ids.map(async (id) => {
      const token = await issueLocalToken({
        dataDir,
        tenant: id,
        user: "load@example.com",
        ttlSeconds: 3600,
        audience,
      });
      const authorization = `Bearer ${token}`;
      const created = await call(url, authorization, "POST", `${MPN}/ScheduledQueries`, {
        Name: "load",
        Query: QUERY,
      });
      if (created.status !== 200) throw new Error(`Setting up tenant ${id}: ${created.status}`);
      return { id, authorization, queryId: created.body.value[0].queryId, reports: [], links: [] };
    }),
  );
}

async function step(url: string, tenant: TenantState, kind: Kind, tally: Tally): Promise<void> {
  const { authorization } = tenant;
  const sent = performance.now();
  let answer: { status: number; body: Envelope };
  let what: string;
  switch (kind) {
    case "read": {
      const reportId = tenant.reports.at(-1);
      what = reportId
        ? `${MPN}/ScheduledReport/execution/${reportId}?executionStatus=Pending;Running;Completed`
        : `${MPN}/ScheduledQueries`;
      answer = await call(url, authorization, "GET", what);
      for (const execution of answer.body?.value ?? []) {
        if (execution.reportAccessSecureLink) tenant.links.push(execution.reportAccessSecureLink);
      }
      break;
    }
    case "create":
      what = `POST ${MPN}/ScheduledQueries`;
      answer = await call(url, authorization, "POST", `${MPN}/ScheduledQueries`, {
        Name: `load ${sent.toFixed(0)}`,
        Query: QUERY,
      });
      break;
    case "tryQuery":
      what = `${MPN}/ScheduledQueries/testQueryResult`;
      answer = await call(url, authorization, "GET", `${what}?exportQuery=${encodeURIComponent(TRY_QUERY)}`);
      break;
    case "export":
      what = `POST ${MPN}/ScheduledReport`;
      answer = await call(url, authorization, "POST", `${MPN}/ScheduledReport`, {
        ReportName: "load export",
        QueryId: tenant.queryId,
        ExecuteNow: true,
      });
      if (answer.status === 200) tenant.reports.push(answer.body.value[0].reportId);
      break;
    case "download": {
      const link = tenant.links.pop();
      what = "download";
      if (!link) return;
      const response = await fetch(link);
      await response.arrayBuffer();
      answer = { status: response.status, body: { value: [] } };
      break;
    }
  }
  tally.latencies[kind].push(performance.now() - sent);
  const key = `${kind} ${answer.status}`;
  tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
  if (answer.status !== 200 && answer.status !== 429) tally.errors.push(`${what} → ${answer.status}`);
}

interface Envelope {
  // biome-ignore lint/suspicious/noExplicitAny: the load test reads a few fields of each answer
  readonly value: any[];
}

async function call(
  url: string,
  authorization: string,
  method: string,
  pathAndQuery: string,
  body?: unknown,
): Promise<{ status: number; body: Envelope }> {
  try {
    const response = await fetch(`${url}${pathAndQuery}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Envelope };
  } catch {
    return { status: 0, body: { value: [] } };
  }
}

async function sampleMemory(url: string): Promise<{ rssMb: number; heapMb: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    rssMb: value("openinsights_process_resident_memory_bytes") / 2 ** 20,
    heapMb: value("openinsights_nodejs_heap_size_used_bytes") / 2 ** 20,
  };
}

function report(
  tally: Tally,
  memory: { at: number; rssMb: number; heapMb: number }[],
  seconds: number,
): void {
  const all = Object.values(tally.latencies)
    .flat()
    .sort((a, b) => a - b);
  const line = (label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `| ${label} | ${fmtInt(sorted.length)} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${(sorted.at(-1) ?? 0).toFixed(1)} |`;
  };
  console.log(
    `\n${fmtInt(all.length)} answers in ${seconds.toFixed(1)} s (${(all.length / seconds).toFixed(0)}/s)`,
  );
  console.log("\n| Requests | Answers | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|");
  for (const [kind, values] of Object.entries(tally.latencies)) console.log(line(kind, values));
  console.log(line("all", all));
  console.log("\nAnswers by status:", Object.fromEntries([...tally.statuses].sort()));
  console.log(`Errors (not 2xx, not 429): ${tally.errors.length}`, tally.errors.slice(0, 10));
  console.log("\n| t (s) | RSS MB | heap used MB |\n|---|---|---|");
  for (const m of memory)
    console.log(`| ${m.at.toFixed(0)} | ${m.rssMb.toFixed(0)} | ${m.heapMb.toFixed(0)} |`);
}

function pick(random: () => number): Kind {
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [kind, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return MIX[0]![0];
}

await main();
