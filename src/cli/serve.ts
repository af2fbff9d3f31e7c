import path from "node:path";
import type { Role } from "../app.js";
import { DEFAULT_LOCAL_USER, issueLocalToken } from "../auth/local-key.js";
import { loadConfig } from "../config/config.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { BUILT_IN_DATASETS, builtInCatalogs } from "../datasets/catalog.js";
import { copyAnalytics } from "../demo/copy-analytics.js";
import { generateDemoData } from "../demo/generate.js";
import { DEMO_TENANTS } from "../demo/tenants.js";
import type { DuckDbEngine } from "../storage/duckdb/engine.js";
import { openAnalytics, openCatalogs, openServingAnalytics } from "../stores.js";
import { announceServing } from "./serving.js";
import {
  CATALOG_OPTION,
  type Command,
  DATA_DIR_OPTION,
  progressTo,
  stringOption,
  stringsOption,
  UsageError,
} from "./shared.js";

export const serveCommand: Command = {
  name: "serve",
  usage:
    "serve [--port N] [--host H] [--data-dir D] [--demo] [--role all|api|scheduler|worker] [--catalog FILE]…",
  summary:
    "Runs the service (env OPENINSIGHTS_PORT, default 8080). --role picks what this process runs: all (default: API, scheduler and workers), api, scheduler, or worker (executions and callbacks). --demo generates the demo data on first start, lets the console at /console sign in as a demo tenant (local key only) and turns test clocks on (OPENINSIGHTS_TEST_CLOCKS=false keeps them off). --catalog (repeatable; env OPENINSIGHTS_CATALOGS) serves the programs of catalog files too.",
  options: {
    ...DATA_DIR_OPTION,
    ...CATALOG_OPTION,
    port: { type: "string" },
    host: { type: "string" },
    demo: { type: "boolean" },
    role: { type: "string" },
  },
  async run(context) {
    const dataDir = stringOption(context, "data-dir");
    const port = stringOption(context, "port");
    const host = stringOption(context, "host");
    const catalogFiles = stringsOption(context, "catalog");
    const config = loadConfig(
      { ...context.env, ...(host ? { OPENINSIGHTS_HOST: host } : {}) },
      {
        ...(dataDir ? { dataDir } : {}),
        ...(port ? { port } : {}),
        ...(catalogFiles ? { catalogFiles } : {}),
        // The stand-in for client developers: test clocks come with the demo (faults never do).
        demo: context.values.demo === true,
      },
    );
    // The HTTP server's modules are loaded by this command only: the others start without them.
    const { createApp, ROLES } = await import("../app.js");
    const role = (stringOption(context, "role") ?? "all").toLowerCase() as Role;
    if (!ROLES.includes(role))
      throw new UsageError(`--role must be one of ${ROLES.join(", ")}, not '${role}'`);
    const progress = progressTo(context.io);
    if (context.values.demo) {
      const catalogs = await openCatalogs(config);
      const engine = await openAnalytics(config, catalogs);
      try {
        await ensureDemoData(engine, progress);
        if (config.analytics.url) {
          // The demo rows are generated into DuckDB, then (re)placed in PostgreSQL, tenant by tenant.
          const postgres = await openServingAnalytics(config, catalogs);
          try {
            const rows = await copyAnalytics(engine, postgres, catalogs, path.join(config.dataDir, ".copy"));
            progress(
              `Demo data: ${rows.toLocaleString("en-US")} rows copied to the PostgreSQL analytics database`,
            );
          } finally {
            await postgres.close();
          }
        }
      } finally {
        await engine.close();
      }
    }
    const app = await createApp(config, {
      role,
      logger: { level: config.logLevel },
      demo: context.values.demo === true,
    });

    let address: string;
    try {
      address = await app.listen(config.port, config.host);
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      throw new AppError(
        ERROR_CODES.UNAVAILABLE,
        `port ${config.port} on ${config.host} is in use by another process: stop it, or choose another port with --port N (or OPENINSIGHTS_PORT)`,
      );
    }
    progress(`OpenInsights (${role}) listening on ${address} (data in ${config.dataDir})`);
    // `openinsights load` on this data directory sends its file here instead of loading itself.
    const unannounce =
      role === "all" || role === "api"
        ? await announceServing(config.dataDir, { url: address, role })
        : async () => undefined;
    if (role === "all" || role === "api") {
      const tenant = DEMO_TENANTS[0]!;
      const token = await issueLocalToken({
        dataDir: config.dataDir,
        tenant: tenant.id,
        user: DEFAULT_LOCAL_USER,
        ttlSeconds: 3600,
        audience: config.auth.audiences[0]!,
      });
      progress(`Console: ${address}/console`);
      progress(`API reference: ${address}/docs`);
      progress(
        `Try it (token for demo tenant ${tenant.name}, valid 1 hour; more with 'openinsights token --tenant <tid>'):`,
      );
      progress(`  curl -H "Authorization: Bearer ${token}" ${address}/insights/v1/mpn/ScheduledQueries`);
    }

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        progress(`${signal} received: finishing requests in flight, then stopping`);
        resolve();
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    await unannounce();
    await app.close();
    return 0;
  },
};

/** Generates the demo data unless a demo tenant already has some (first start only). */
async function ensureDemoData(engine: DuckDbEngine, progress: (message: string) => void): Promise<void> {
  const demoIds = new Set(DEMO_TENANTS.map((t) => t.id));
  for (const { program, datasets } of builtInCatalogs.all) {
    const counts = await engine.tableCounts(program, datasets);
    if (counts.some((c) => c.tenants.some((t) => demoIds.has(t.tenantId) && t.rows > 0))) return;
  }
  progress("Generating demo data (first start with --demo)…");
  await generateDemoData(engine, {
    catalogs: BUILT_IN_DATASETS,
    now: new Date(),
    onProgress: progress,
  });
}
