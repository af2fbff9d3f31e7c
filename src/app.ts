/**
 * The composition root: the only module that picks concrete adapters (from configuration) and
 * wires them into the services and the HTTP edge.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { ApiContext } from "./api/context.js";
import { buildServer } from "./api/server.js";
import { createAuthenticator } from "./auth/verifier.js";
import type { Config } from "./config/config.js";
import { catalogs } from "./datasets/catalog.js";
import { PROGRAMS } from "./datasets/types.js";
import { ExecutionService } from "./executions/execution-service.js";
import { QueryService } from "./reports/query-service.js";
import { ReportService } from "./reports/report-service.js";
import { type DuckDbEngine, openDuckDb } from "./storage/duckdb/engine.js";
import type { MetadataStore } from "./storage/ports.js";
import { openSqliteMetadataStore } from "./storage/sqlite/metadata-store.js";

/** The analytics database of a data directory, with every dataset table present. */
export async function openAnalytics(config: Config): Promise<DuckDbEngine> {
  await mkdir(config.dataDir, { recursive: true });
  const engine = await openDuckDb({
    path: path.join(config.dataDir, "analytics.duckdb"),
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
    allowedDirectories: [config.dataDir],
  });
  try {
    for (const program of PROGRAMS) await engine.ensureTables(program, catalogs[program].datasets);
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}

export async function openMetadata(config: Config): Promise<MetadataStore> {
  await mkdir(config.dataDir, { recursive: true });
  return openSqliteMetadataStore({ path: path.join(config.dataDir, "metadata.sqlite") });
}

export interface App {
  readonly server: FastifyInstance;
  readonly engine: DuckDbEngine;
  readonly store: MetadataStore;
  close(): Promise<void>;
}

export interface AppOptions {
  /** The clock; tests inject a fake one. */
  readonly now?: () => Date;
  readonly logger?: FastifyServerOptions["logger"];
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? (() => new Date());
  const engine = await openAnalytics(config);
  const store = await openMetadata(config);
  const authenticator = await createAuthenticator(config.auth, { dataDir: config.dataDir });
  const newId = () => randomUUID();
  const queries = new QueryService({ store, now, newId, maxQueries: config.quotas.queries });
  const reports = new ReportService({
    store,
    queries,
    now,
    newId,
    quotas: config.quotas,
    startTimeLeadHours: config.startTimeLeadHours,
    deleteFiles: async () => {},
  });
  const executions = new ExecutionService({ store, now });

  const context: ApiContext = {
    config,
    services: { queries, reports, executions },
    engine,
    now,
    authenticate: (headers, program) => authenticator.authenticate(headers, program),
    publicBase: (request) => config.publicUrl ?? `${request.protocol}://${request.host}`,
    links: () => null,
  };
  const server = await buildServer(context, {
    logger: options.logger ?? false,
    readiness: [async () => void (await store.listQueries({ tenant: "_", program: "mpn" }, {}, { limit: 1 }))],
  });
  return {
    server,
    engine,
    store,
    async close() {
      await server.close();
      await store.close();
      await engine.close();
    },
  };
}
