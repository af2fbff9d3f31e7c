/**
 * Benchmark 5: the execution queue.
 * (a) Claims per second with 1, 2 and 4 worker processes over one store: N trivial Pending
 *     executions inserted through the store, then claimed and finished (Completed, fake file) by
 *     queue-child.ts processes started together.
 * (b) End to end: small ExecuteNow reports run by the real worker loops (one process, 2 workers),
 *     createApp's metadata store being the factory's (PostgreSQL through OPENINSIGHTS_DATABASE_URL).
 * Both run for every factory in stores.ts; one whose server is not reachable is skipped with a note.
 */
import { randomUUID } from "node:crypto";
import { createApp } from "../src/app.js";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { generateDemoData } from "../src/demo/generate.js";
import { newExecution } from "../src/executions/lifecycle.js";
import type { StoredReport } from "../src/reports/model.js";
import { openAnalytics } from "../src/stores.js";
import { type Benchmark, fmtInt, progress, startChild, timed } from "./common.js";
import { api, BENCH_TENANT, BIG_PROGRAM, bearer, benchConfig } from "./data.js";
import type { QueueChildResult, QueueJob } from "./queue-child.js";
import { openStore, type StoreFactory, type StoreSpec, storeFactories } from "./stores.js";

const PROCESS_COUNTS = [1, 2, 4];
const E2E_WORKERS = 2;
const E2E_QUERY =
  "SELECT CustomerName, CustomerMarket, Product, BilledRevenueUSD, Month FROM CustomersAndTenants TIMESPAN LAST_1_YEAR";

interface QueueRun {
  readonly store: string;
  readonly processes: number;
  readonly executions: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly perProcess: readonly number[];
  readonly errors: number;
  readonly firstError: string | null;
}

function dummyReport(now: Date): StoredReport {
  const system = builtInCatalogs.findSystemQuery(BIG_PROGRAM, "9a18bd70-8f90-4bd2-8266-5f6e453e3ee7");
  return {
    id: randomUUID(),
    tenant: BENCH_TENANT,
    program: BIG_PROGRAM,
    name: "Queue bench",
    description: "",
    queryId: system?.id ?? randomUUID(),
    queryText: system?.query ?? "SELECT CustomerName FROM CustomersAndTenants",
    startTime: now,
    recurrenceInterval: 24,
    recurrenceCount: null,
    executeNow: false,
    queryStartTime: null,
    queryEndTime: null,
    queryWindow: null,
    schedule: null,
    timeZone: null,
    format: "csv",
    compression: "none",
    spreadsheetSafe: false,
    callbackUrl: null,
    callbackMethod: null,
    callbackOnFailure: false,
    status: "Active",
    user: "bench@example.com",
    createdTime: now,
    modifiedTime: null,
  };
}

async function queueRun(
  factory: StoreFactory,
  processes: number,
  executions: number,
  tempDir: (label: string) => Promise<string>,
): Promise<QueueRun> {
  const spec = await factory.create(await tempDir("queue"));
  try {
    const store = await openStore(spec);
    try {
      const now = new Date();
      const report = dummyReport(now);
      const created = await store.createReport(report, [], {
        maxActiveReports: 1_000_000,
        maxExecuteNow: 1_000_000,
        executeNowWindowMs: 3_600_000,
        now,
      });
      if (!created.ok) throw new Error(`createReport refused: ${created.reason}`);
      const base = now.getTime() - executions - 60_000;
      for (let first = 0; first < executions; first += 1000) {
        const batch = Array.from({ length: Math.min(1000, executions - first) }, (_, i) =>
          newExecution(report, new Date(base + first + i), now, randomUUID()),
        );
        const inserted = await store.createExecutions(batch);
        if (inserted !== batch.length) throw new Error(`inserted ${inserted} of ${batch.length} executions`);
      }
    } finally {
      await store.close();
    }
    const children = Array.from({ length: processes }, (_, n) =>
      startChild<QueueChildResult>("queue-child.js", {
        spec,
        owner: `bench-queue-${n}`,
        leaseMs: 60_000,
        batch: 1,
      } satisfies QueueJob),
    );
    await Promise.all(children.map((c) => c.ready));
    for (const child of children) child.send({ type: "go" });
    const results = await Promise.all(children.map((c) => c.result));
    const claimed = results.reduce((sum, r) => sum + r.claimed, 0);
    const finished = results.reduce((sum, r) => sum + r.finished, 0);
    if (claimed !== executions || finished !== executions) {
      throw new Error(`${executions} executions, but ${claimed} claims and ${finished} finishes`);
    }
    const ms = Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt));
    return {
      store: factory.name,
      processes,
      executions,
      ms,
      perSecond: (executions * 1000) / ms,
      perProcess: results.map((r) => r.claimed),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      firstError: results.find((r) => r.firstError)?.firstError ?? null,
    };
  } finally {
    await factory.destroy?.(spec);
  }
}

interface EndToEndRun {
  readonly store: string;
  readonly reports: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly rowsPerFile: number;
}

async function endToEnd(
  factory: StoreFactory,
  reports: number,
  tempDir: (label: string) => Promise<string>,
): Promise<EndToEndRun> {
  const dataDir = await tempDir("e2e");
  const spec = await factory.create(dataDir);
  try {
    return await endToEndOn(factory, spec, dataDir, reports);
  } finally {
    await factory.destroy?.(spec);
  }
}

async function endToEndOn(
  factory: StoreFactory,
  spec: StoreSpec,
  dataDir: string,
  reports: number,
): Promise<EndToEndRun> {
  const dataset = builtInCatalogs.findDataset(BIG_PROGRAM, "CustomersAndTenants")!;
  const demoNow = new Date();
  const engine = await openAnalytics(benchConfig(dataDir), builtInCatalogs);
  try {
    await generateDemoData(engine, { catalogs: { [BIG_PROGRAM]: [dataset] }, rows: 30_000, now: demoNow });
  } finally {
    await engine.close();
  }
  const config = benchConfig(dataDir, {
    ...factory.appEnv(spec),
    OPENINSIGHTS_WORKERS: String(E2E_WORKERS),
    OPENINSIGHTS_POLL_INTERVAL_MS: "10",
    OPENINSIGHTS_QUOTA_EXECUTE_NOW: String(reports + 10),
    OPENINSIGHTS_QUOTA_ACTIVE_REPORTS: String(reports + 10),
  });
  const app = await createApp(config, { background: false });
  try {
    const authorization = await bearer(config, BENCH_TENANT);
    const program = `/insights/v1/${BIG_PROGRAM}`;
    const query = await api(app, authorization, "POST", `${program}/ScheduledQueries`, {
      Name: "Small export",
      Query: E2E_QUERY,
    });
    const queryId = String(query.value[0]!.queryId);
    const reportIds: string[] = [];
    for (let i = 0; i < reports; i++) {
      const report = await api(app, authorization, "POST", `${program}/ScheduledReport`, {
        ReportName: `Small ${i}`,
        QueryId: queryId,
        ExecuteNow: true,
      });
      reportIds.push(String(report.value[0]!.reportId));
    }
    const scope = { tenant: BENCH_TENANT, program: BIG_PROGRAM } as const;
    const { ms, value } = await timed(async () => {
      app.startBackground();
      for (;;) {
        const page = await app.store.listExecutions(
          scope,
          { reportIds, statuses: ["Completed", "Failed"] },
          { limit: reports + 1 },
        );
        if (page.items.length >= reports) return page.items;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const failed = value.filter((e) => e.status !== "Completed");
    if (failed.length > 0) throw new Error(`${failed.length} executions failed: ${failed[0]!.failureReason}`);
    const rows = value.reduce((sum, e) => sum + (e.rowCount ?? 0), 0) / value.length;
    return { store: factory.name, reports, ms, perSecond: (reports * 1000) / ms, rowsPerFile: rows };
  } finally {
    await app.close();
  }
}

export const queueBenchmark: Benchmark = {
  id: "queue",
  title: "Execution queue",
  async run({ settings, tempDir }) {
    const runs: QueueRun[] = [];
    const e2e: EndToEndRun[] = [];
    const engines: string[] = [];
    const skipped: string[] = [];
    const factories: StoreFactory[] = [];
    for (const factory of storeFactories) {
      const reason = await factory.unavailable?.();
      if (reason) {
        progress(`queue: skipping ${factory.name}: ${reason}`);
        skipped.push(`${factory.name} skipped: ${reason}.`);
        continue;
      }
      factories.push(factory);
      if (factory.describe) engines.push(await factory.describe());
    }
    for (const factory of factories) {
      for (const processes of PROCESS_COUNTS) {
        progress(
          `queue: ${factory.name}, ${processes} process(es), ${fmtInt(settings.queueExecutions)} executions`,
        );
        const run = await queueRun(factory, processes, settings.queueExecutions, tempDir);
        progress(
          `  ${fmtInt(run.perSecond)} claims/s (per process: ${run.perProcess.join(", ")}; ${run.errors} store errors)`,
        );
        runs.push(run);
      }
    }
    for (const factory of factories) {
      progress(
        `queue: end to end on ${factory.name}, ${settings.endToEndReports} small ExecuteNow reports, ${E2E_WORKERS} workers`,
      );
      const run = await endToEnd(factory, settings.endToEndReports, tempDir);
      progress(`  ${run.perSecond.toFixed(1)} executions/s`);
      e2e.push(run);
    }
    return {
      method: `(a) ${fmtInt(settings.queueExecutions)} Pending executions inserted through the store, then claimed one at a time and finished as Completed (fake file) by 1, 2 or 4 worker processes started together; claims per second over the wall time from the first claim to the last finish. (b) ${settings.endToEndReports} ExecuteNow reports created over HTTP inject, then the app's own background loops (one process, ${E2E_WORKERS} workers, 10 ms poll) run them all: real query, CSV, SHA-256, file store. Each store is fresh and empty: a SQLite file in a temp directory, or a throwaway PostgreSQL database created for the run and dropped after it.`,
      tables: [
        {
          columns: [
            "Store",
            "Worker processes",
            "Executions",
            "Wall ms",
            "Claims/s",
            "Claims per process",
            "Store errors (retried)",
          ],
          rows: runs.map((r) => [
            r.store,
            String(r.processes),
            fmtInt(r.executions),
            fmtInt(r.ms),
            fmtInt(r.perSecond),
            r.perProcess.map(fmtInt).join(" / "),
            fmtInt(r.errors),
          ]),
        },
        {
          columns: ["End to end", "Store", "Reports", "Rows per file", "Wall ms", "Executions/s"],
          rows: e2e.map((r) => [
            `Small ExecuteNow reports, 1 process, ${E2E_WORKERS} workers`,
            r.store,
            fmtInt(r.reports),
            fmtInt(r.rowsPerFile),
            fmtInt(r.ms),
            r.perSecond.toFixed(1),
          ]),
        },
      ],
      targets: [],
      notes: [
        "No target is set for the queue: the numbers are recorded for comparison between the stores.",
        "Each claim and each finish is its own transaction. SQLite runs with synchronous = FULL (a commit waits for fsync); PostgreSQL with the server's settings below (a commit waits for the WAL flush).",
        ...engines.map((e) => `${e}.`),
        'PostgreSQL claims with `FOR UPDATE SKIP LOCKED` (claimers never wait for each other); SQLite serialises writers on its database lock (busy_timeout, then "database is locked").',
        `End-to-end query: \`${E2E_QUERY}\` over 30,000 demo rows (three tenants).`,
        ...skipped,
        ...runs
          .filter((r) => r.errors > 0)
          .map(
            (r) =>
              `${r.store}, ${r.processes} processes: ${r.errors} store call(s) failed and were retried; first: "${r.firstError}".`,
          ),
      ],
      data: { runs, e2e, engines, skipped },
    };
  },
};
