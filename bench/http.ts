/**
 * Benchmark 3: HTTP throughput and latency of two API routes beside a bare route on the same
 * server, in the same run, at 64 concurrent keep-alive connections over loopback. The server runs
 * in this process; the load generator (http-load.ts) in a child process.
 */

import { envelope } from "../src/api/envelope.js";
import { createApp } from "../src/app.js";
import { type Benchmark, fmtInt, fmtMs, progress, startChild } from "./common.js";
import { api, BENCH_TENANT, BIG_PROGRAM, bearer, benchConfig, createExecuteNowReport } from "./data.js";
import type { LoadJob, LoadResult } from "./http-load.js";

const TARGET_SHARE = 0.5;
/** User-defined queries the tenant has when ScheduledQueries is listed (system queries come too). */
const USER_QUERIES = 10;

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
      ];
      const results: { label: string; path: string; load: LoadResult; items: number }[] = [];
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
        const load = await startChild<LoadResult>("http-load.js", job).result;
        progress(`  ${fmtInt(load.requestsPerSecond)} req/s, p99 ${fmtMs(load.latencyMs.p99)} ms`);
        results.push({ label: route.label, path: route.path, load, items: body.value?.length ?? 0 });
      }
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
            ]),
          },
        ],
        targets: results.slice(1).map((r) => {
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
          "Every API request verifies an ES256 JWT; the bare route does no authentication.",
        ],
        data: { results },
      };
    } finally {
      await app.close();
    }
  },
};
