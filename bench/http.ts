/**
 * Benchmark 3: HTTP throughput and latency of two API routes beside a bare route on the same
 * server, in the same run, at 64 concurrent keep-alive connections over loopback. The server runs
 * in this process; the load generator (http-load.ts) in a child process.
 * Then what a request costs: the server's CPU time per answer during each load, and the main
 * steps of an API request timed on their own in this process (token check, store calls, JSON).
 */

import { envelope } from "../src/api/envelope.js";
import { type App, createApp } from "../src/app.js";
import { issueLocalToken } from "../src/auth/local-key.js";
import { createAuthenticator } from "../src/auth/verifier.js";
import type { Config } from "../src/config/config.js";
import { builtInCatalogs } from "../src/datasets/catalog.js";
import { type Benchmark, fmtInt, fmtMs, progress, startChild } from "./common.js";
import { api, BENCH_TENANT, BIG_PROGRAM, bearer, benchConfig, createExecuteNowReport } from "./data.js";
import type { LoadJob, LoadResult } from "./http-load.js";

const TARGET_SHARE = 0.5;
/** User-defined queries the tenant has when ScheduledQueries is listed (system queries come too). */
const USER_QUERIES = 10;

/** Microseconds per call of `fn`, called back to back for `seconds` after a short warm-up. */
async function perCall(fn: () => unknown, seconds: number): Promise<number> {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) await fn();
  let calls = 0;
  const start = performance.now();
  const stop = start + seconds * 1000;
  while (performance.now() < stop) {
    for (let i = 0; i < 20; i++) await fn();
    calls += 20;
  }
  return ((performance.now() - start) * 1000) / calls;
}

interface StepCost {
  readonly step: string;
  readonly route: "both" | "queries" | "executions";
  readonly us: number;
}

/** The main steps of the two API routes, each timed alone (µs per call). */
async function stepCosts(
  app: App,
  config: Config,
  authorization: string,
  reportId: string,
  bodies: { queries: unknown; executions: unknown },
  seconds: number,
): Promise<StepCost[]> {
  const program = BIG_PROGRAM;
  const scope = { tenant: BENCH_TENANT, program } as const;
  const authenticator = await createAuthenticator(config.auth, { dataDir: config.dataDir });
  // Distinct tokens, so that none is in the verified-token cache: each costs a signature check.
  const fresh: string[] = [];
  for (let i = 0; i < 300; i++) {
    const token = await issueLocalToken({
      dataDir: config.dataDir,
      tenant: BENCH_TENANT,
      user: `bench-${i}@example.com`,
      ttlSeconds: 3600,
      audience: config.auth.audiences[0]!,
    });
    fresh.push(`Bearer ${token}`);
  }
  for (const header of fresh.slice(0, 50))
    await authenticator.authenticate({ authorization: header }, program);
  const uncachedStart = performance.now();
  for (const header of fresh.slice(50)) await authenticator.authenticate({ authorization: header }, program);
  const uncached = ((performance.now() - uncachedStart) * 1000) / (fresh.length - 50);
  const cached = await perCall(() => authenticator.authenticate({ authorization }, program), seconds);

  const pageSize = config.pagination.defaultPageSize;
  const userLimit = Math.max(1, pageSize - builtInCatalogs.get(program).systemQueries.length);
  const listQueries = await perCall(() => app.store.listQueries(scope, {}, { limit: userLimit }), seconds);
  // What the route asks of the store: no deliveries, since a Pending execution has none.
  const executionCalls = await perCall(async () => {
    await app.store.getReport(scope, reportId);
    await app.store.listExecutions(
      scope,
      { reportIds: [reportId], statuses: ["Pending"], latestOnly: true },
      { limit: pageSize },
    );
  }, seconds);
  const jsonQueries = await perCall(() => JSON.stringify(bodies.queries), seconds);
  const jsonExecutions = await perCall(() => JSON.stringify(bodies.executions), seconds);
  return [
    { step: "Token signature check (ES256, token not yet cached)", route: "both", us: uncached },
    { step: "Token check, verified token cached (what the load measures)", route: "both", us: cached },
    {
      step: "Store: listQueries (the user queries of the page; kept rows, database unchanged)",
      route: "queries",
      us: listQueries,
    },
    {
      step: "Store: getReport + latest execution (kept rows, database unchanged)",
      route: "executions",
      us: executionCalls,
    },
    { step: "JSON.stringify of the ScheduledQueries answer", route: "queries", us: jsonQueries },
    { step: "JSON.stringify of the execution answer", route: "executions", us: jsonExecutions },
  ];
}

/** Whether a route met the target and, if not, what its requests cost beyond the bare route's. */
function costNote(
  label: string,
  share: number,
  bare: { cpuUsPerAnswer: number; load: LoadResult },
  route: { cpuUsPerAnswer: number; load: LoadResult },
  steps: readonly StepCost[],
): string {
  const name = label.replace(/^GET \/insights\/v1\/mpn\//, "");
  const kind = name.startsWith("ScheduledQueries") ? "queries" : "executions";
  const own = steps.filter((s) => s.route === kind || s.route === "both");
  const us = (n: number) => `${n >= 10 ? fmtInt(n) : n.toFixed(1)} µs`;
  const [signature, cached, storeCalls, json] = [own[0]!, own[1]!, own[2]!, own[3]!];
  const shareText = `${(share * 100).toFixed(0)}%`;
  if (share >= TARGET_SHARE) {
    return `${name}: target met (${shareText} of the bare route's rate).`;
  }
  return (
    `${name}: target missed (${shareText} of the bare route's rate). The bare route costs the server ${us(bare.cpuUsPerAnswer)} of CPU per answer (HTTP parsing, routing, hooks, a ${fmtInt(bare.load.bytesPerResponse)}-byte answer); ` +
    `this route ${us(route.cpuUsPerAnswer)}. On top of the bare route's work each request does the token check (${us(cached.us)} with the token cached; ${us(signature.us)} for a token's first request), ` +
    `its store calls (${us(storeCalls.us)}, SQLite, synchronous on the event loop), building the answer and serialising it (JSON.stringify of the whole answer, for scale: ${us(json.us)}). ` +
    `Reaching ${(TARGET_SHARE * 100).toFixed(0)}% would need the whole request to cost at most ${us(bare.cpuUsPerAnswer / TARGET_SHARE)} of server CPU.`
  );
}

export const httpBenchmark: Benchmark = {
  id: "http",
  title: "HTTP: API routes beside a bare route",
  async run({ settings, tempDir }) {
    const dataDir = await tempDir("http");
    const config = benchConfig(dataDir, { OPENINSIGHTS_QUOTA_QUERIES: "1000" });
    const app = await createApp(config, { background: false });
    try {
      app.server.get("/bench/hello", async () => envelope([{ hello: "world" }]));
      const base = await app.listen(0, "127.0.0.1");
      const authorization = await bearer(config, BENCH_TENANT);
      const program = `/insights/v1/${BIG_PROGRAM}`;
      for (let i = 1; i < USER_QUERIES; i++) {
        await api(app, authorization, "POST", `${program}/ScheduledQueries`, {
          Name: `Bench query ${i}`,
          Query: `SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants WHERE AvailableSeats > ${i} TIMESPAN LAST_MONTH`,
        });
      }
      // Never run (no worker here): its execution stays Pending.
      const reportId = await createExecuteNowReport(
        app,
        authorization,
        "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_MONTH",
        "Bench report",
      );
      const routes = [
        { label: "GET /bench/hello (bare route, same server)", path: "/bench/hello", auth: false },
        { label: `GET ${program}/ScheduledQueries`, path: `${program}/ScheduledQueries`, auth: true },
        {
          label: `GET ${program}/ScheduledReport/execution/{id}?executionStatus=Pending`,
          path: `${program}/ScheduledReport/execution/${reportId}?executionStatus=Pending`,
          auth: true,
        },
        {
          // The 90-day history moves with the clock, so its answer is never kept: every request
          // runs the route (reads from the store's kept rows) and serialises the answer.
          label: `GET ${program}/ScheduledReport/execution/{id}?executionStatus=Pending&getLatestExecution=false (reference: answer never kept)`,
          path: `${program}/ScheduledReport/execution/${reportId}?executionStatus=Pending&getLatestExecution=false`,
          auth: true,
        },
      ];
      const results: {
        label: string;
        path: string;
        load: LoadResult;
        items: number;
        body: unknown;
        cpuUsPerAnswer: number;
      }[] = [];
      for (const route of routes) {
        const headers: Record<string, string> = route.auth ? { authorization } : {};
        const check = await fetch(`${base}${route.path}`, { headers });
        const body = (await check.json()) as { value?: unknown[] };
        if (check.status !== 200) throw new Error(`${route.path} answered ${check.status}`);
        progress(
          `http: ${route.label}, ${settings.httpConnections} connections, ${settings.httpWarmupSeconds} s warm-up + ${settings.httpSeconds} s`,
        );
        const job: LoadJob = {
          url: `${base}${route.path}`,
          headers,
          connections: settings.httpConnections,
          warmupSeconds: settings.httpWarmupSeconds,
          seconds: settings.httpSeconds,
        };
        // The server is this process: its CPU time over the run, per answer (warm-up included).
        const cpuBefore = process.cpuUsage();
        const load = await startChild<LoadResult>("http-load.js", job).result;
        const cpu = process.cpuUsage(cpuBefore);
        const cpuUsPerAnswer = (cpu.user + cpu.system) / Math.max(1, load.answered);
        progress(
          `  ${fmtInt(load.requestsPerSecond)} req/s, p99 ${fmtMs(load.latencyMs.p99)} ms, server CPU ${fmtInt(cpuUsPerAnswer)} µs/answer`,
        );
        results.push({
          label: route.label,
          path: route.path,
          load,
          items: body.value?.length ?? 0,
          body,
          cpuUsPerAnswer,
        });
      }
      progress("http: timing the steps of an API request in process");
      const steps = await stepCosts(
        app,
        config,
        authorization,
        reportId,
        { queries: results[1]!.body, executions: results[2]!.body },
        settings.quick ? 0.3 : 1,
      );
      const bare = results[0]!.load.requestsPerSecond;
      return {
        method: `Server: createApp (SQLite metadata, local-key JWT auth, logging off) in the bench process with one extra bare route returning a small envelope. Load: a child process with ${settings.httpConnections} keep-alive connections (node:http), closed loop, ${settings.httpWarmupSeconds} s warm-up then ${settings.httpSeconds} s measured per route, loopback only.`,
        tables: [
          {
            columns: [
              "Route",
              "Items",
              "Bytes/answer",
              "Req/s",
              "Share of bare",
              "p50 ms",
              "p99 ms",
              "max ms",
              "Non-2xx/errors",
              "Server CPU µs/answer",
            ],
            rows: results.map((r) => [
              r.label,
              String(r.items),
              fmtInt(r.load.bytesPerResponse),
              fmtInt(r.load.requestsPerSecond),
              `${((100 * r.load.requestsPerSecond) / bare).toFixed(0)}%`,
              fmtMs(r.load.latencyMs.p50),
              fmtMs(r.load.latencyMs.p99),
              fmtMs(r.load.latencyMs.max),
              `${r.load.non2xx}/${r.load.errors}`,
              fmtInt(r.cpuUsPerAnswer),
            ]),
          },
          {
            columns: ["Step of an API request, timed alone in process", "Route", "µs per call"],
            rows: steps.map((step) => [
              step.step,
              step.route === "both" ? "both" : step.route === "queries" ? "ScheduledQueries" : "execution",
              step.us >= 10 ? fmtInt(step.us) : step.us.toFixed(1),
            ]),
          },
        ],
        targets: results.slice(1, 3).map((r) => {
          const share = r.load.requestsPerSecond / bare;
          return {
            name: `${r.label.replace(/^GET \/insights\/v1\/mpn\//, "")} throughput`,
            target: `≥ ${(TARGET_SHARE * 100).toFixed(0)}% of bare`,
            actual: `${(share * 100).toFixed(0)}%`,
            pass: share >= TARGET_SHARE && r.load.non2xx === 0 && r.load.errors === 0,
          };
        }),
        notes: [
          `The tenant has ${USER_QUERIES} user-defined queries; ScheduledQueries lists them with the system queries (default page size).`,
          `Every API request checks its bearer token (ES256): the signature is verified once per token, then the verified token is cached for up to a minute; the load sends one token, so measured requests hit the cache (second table: both costs). The bare route does no authentication and no store call, and answers ${fmtInt(results[0]!.load.bytesPerResponse)} bytes.`,
          "Server CPU µs/answer: this process's CPU time (user + system) over the whole load run, warm-up included, divided by the answers sent. The load generator runs in another process on the same cores.",
          "Nothing writes to the database during a load, so the SQLite store serves the routes' reads from the rows it kept (each read still checks `PRAGMA data_version`, see docs/api.md); the system queries' JSON is made once and copied into each answer.",
          "ScheduledQueries and the latest executions (E12's default) are pure functions of the stored data and the request while no download link is in the answer, so the service keeps their answers while the store is unchanged (docs/api.md); the last route, the 90-day history, is never kept, and shows what a request costs when the route runs.",
          ...results
            .slice(1, 3)
            .map((r) => costNote(r.label, r.load.requestsPerSecond / bare, results[0]!, r, steps)),
        ],
        data: { results: results.map(({ body: _body, ...r }) => r), steps },
      };
    } finally {
      await app.close();
    }
  },
};
