/**
 * The composition root: the only module that picks concrete adapters (from configuration) and
 * wires them into the services, the background loops and the HTTP edge.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { AnswerCache } from "./api/answers.js";
import { AuditTrail } from "./api/audit-trail.js";
import type { ApiContext } from "./api/context.js";
import { type DownloadDeps, downloadLink, registerDownloadRoutes } from "./api/downloads.js";
import { RateLimits } from "./api/rate-limit.js";
import { buildServer } from "./api/server.js";
import { AuditService } from "./audit/audit-service.js";
import { createAuthenticator } from "./auth/verifier.js";
import type { Config } from "./config/config.js";
import { defaultConsoleDir, loadConsoleAssets } from "./console/assets.js";
import { consoleOidcSource } from "./console/oidc.js";
import { CONSOLE_PATH, registerConsoleRoutes } from "./console/routes.js";
import type { CatalogSet } from "./datasets/catalog.js";
import { ExecutionService } from "./executions/execution-service.js";
import { prepareScratchDir } from "./executions/scratch.js";
import { ExecutionWorker } from "./executions/worker.js";
import { FaultService } from "./faults/fault-service.js";
import { deriveKey, loadMasterSecret } from "./keys/secrets.js";
import { DOWNLOAD_TOKEN_PURPOSE } from "./links/tokens.js";
import { LoadService } from "./loads/load-service.js";
import { LOAD_HEARTBEAT_MS, sweepStaleLoads } from "./loads/record.js";
import { Metrics } from "./metrics/metrics.js";
import { type MetricsListener, serveMetrics } from "./metrics/serve.js";
import { MemoryBuckets } from "./ratelimit/memory-buckets.js";
import { QueryService } from "./reports/query-service.js";
import { ReportService } from "./reports/report-service.js";
import { type LoopStep, Loops } from "./runtime/loops.js";
import { Scheduler } from "./scheduler/scheduler.js";
import { DuckDbEngine } from "./storage/duckdb/engine.js";
import type { AnalyticsEngine, FileStore, MetadataStore } from "./storage/ports.js";
import { STAGING_SWEEP_INTERVAL_MS, sweepStaging } from "./storage/staging.js";
import { openCatalogs, openFiles, openMetadata, openServingAnalytics } from "./stores.js";
import { TestClockService } from "./testclocks/clock-service.js";
import { checkCallbackUrl, parseAllowList } from "./webhooks/address-policy.js";
import { DeliveryService } from "./webhooks/delivery-service.js";
import { CallbackDispatcher } from "./webhooks/dispatcher.js";
import { tenantCallbackSecret } from "./webhooks/signing.js";

const CALLBACK_SECRET_PURPOSE = "openinsights/callback-secrets/v1";
const RETENTION_INTERVAL_MS = 3_600_000;
const PURGE_BATCH = 500;
const OVERDUE_CHECK_INTERVAL_MS = 60_000;
/** How stale the fault rules a process applies may be: another process's change applies within this. */
const FAULT_RULES_REFRESH_MS = 1000;
const DATASET_FILES_INTERVAL_MS = 600_000;

export interface App {
  readonly server: FastifyInstance;
  readonly catalogs: CatalogSet;
  readonly engine: AnalyticsEngine;
  readonly store: MetadataStore;
  readonly files: FileStore;
  readonly scheduler: Scheduler;
  /** A worker that tests (and the loops) run: `runDue()` claims and runs due executions. */
  readonly worker: ExecutionWorker;
  readonly dispatcher: CallbackDispatcher;
  readonly metrics: Metrics;
  /** The tenant's callback signing secret (whsec_…). */
  callbackSecret(tenant: string): string;
  /**
   * One retention pass (the loop runs it hourly): deletes a batch of expired executions (and their
   * files) and of expired audit entries; says how many files and entries went.
   */
  purgeExpired(): Promise<{ readonly files: number; readonly auditEntries: number }>;
  /**
   * Starts listening (and serving /metrics on OPENINSIGHTS_METRICS_PORT when set); absolute links
   * outside requests (callbacks) use this address unless OPENINSIGHTS_PUBLIC_URL is set.
   */
  listen(port: number, host: string): Promise<string>;
  /** The address of the separate metrics listener, once listening; null without OPENINSIGHTS_METRICS_PORT. */
  metricsAddress(): string | null;
  /** Starts the scheduler, worker, callback and retention loops (done by `listen` unless `background: false`). */
  startBackground(): void;
  close(): Promise<void>;
}

/** What a process runs: everything (default), or one part, so each can be scaled on its own. */
export type Role = "all" | "api" | "scheduler" | "worker";
export const ROLES: readonly Role[] = ["all", "api", "scheduler", "worker"];

export interface AppOptions {
  /** all: API + scheduler + workers; api: the HTTP API; scheduler: slots and retention; worker: executions and callbacks. Every role answers /healthz and /readyz. */
  readonly role?: Role;
  /** The clock; tests inject a fake one. */
  readonly now?: () => Date;
  readonly logger?: FastifyServerOptions["logger"];
  /** Run the background loops once listening (default true); tests with a fake clock drive them by hand. */
  readonly background?: boolean;
  /**
   * `serve --demo`: the console offers one-click sign-in as a demo tenant, with tokens signed by
   * the local key — only while no identity provider is configured.
   */
  readonly demo?: boolean;
}

/** Demo tokens last as long as the token `serve` prints. */
const DEMO_TOKEN_TTL_SECONDS = 3600;

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const now = options.now ?? (() => new Date());
  const newId = () => randomUUID();
  const owner = `${os.hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  const catalogs = await openCatalogs(config);
  const store = await openMetadata(config);
  const engine = await openServingAnalytics(config, catalogs, store);
  const files = await openFiles(config);
  const authenticator = await createAuthenticator(config.auth, { dataDir: config.dataDir });
  const master = await loadMasterSecret({ dataDir: config.dataDir, fromEnv: config.secretKey ?? undefined });
  const callbackKey = deriveKey(master, CALLBACK_SECRET_PURPOSE);
  const allow = parseAllowList(config.callbacks.allow ?? undefined);
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;

  const loops: { current?: Loops } = {};
  const queries = new QueryService({ store, catalogs, now, newId, maxQueries: config.quotas.queries });
  // Test clocks exist only when configured: off, their routes are not served and TestClockId is refused.
  const testClocks = config.testClocks.enabled
    ? new TestClockService({
        store,
        now,
        newId,
        maxExecutionsPerAdvance: config.testClocks.maxExecutionsPerAdvance,
        deleteReport: (scope, id) => reports.delete(scope, id),
        onWork: () => loops.current?.wake(),
      })
    : undefined;
  const reports: ReportService = new ReportService({
    store,
    queries,
    now,
    newId,
    quotas: config.quotas,
    startTimeLeadHours: config.startTimeLeadHours,
    spreadsheetSafe: config.spreadsheetSafe,
    spaceForT: config.compat === "observed",
    checkCallbackUrl: (url) => checkCallbackUrl(url, allow),
    deleteFiles: (keys) => files.delete(keys),
    onWork: () => loops.current?.wake(),
    ...(testClocks ? { testClocks } : {}),
  });
  const executions = new ExecutionService({ store, now });
  const loads = new LoadService({
    store,
    engine,
    now,
    newId,
    onFinished: (program, status, load) => metrics.loadFinished(program, status, load),
  });
  const downloads: DownloadDeps = {
    store,
    files,
    linkKey: deriveKey(master, DOWNLOAD_TOKEN_PURPOSE),
    ttlHours: config.links.ttlHours,
    presigned: config.downloadLinks === "presigned",
    now,
  };
  const callbackSecret = (tenant: string) => tenantCallbackSecret(callbackKey, tenant);

  const overdueMs = config.overdueMinutes * 60_000;
  const metrics = new Metrics({
    queue: () => store.queueStats(now(), new Date(now().getTime() - overdueMs)),
    ...(store.poolStats ? { pool: () => store.poolStats!() } : {}),
    now,
  });
  const audit = new AuditService({ store });
  // Faults on demand exist only when configured (never implied by --demo).
  const faults = config.faults.enabled
    ? new FaultService({
        store,
        now,
        refreshMs: FAULT_RULES_REFRESH_MS,
        injected: (target, detail) => {
          metrics.faultInjected(target);
          server.log.warn({ injectedFault: target, ...detail }, "injected fault");
        },
      })
    : undefined;
  const memoryBuckets = new MemoryBuckets();
  const rateLimits = new RateLimits(
    config.rateLimit,
    // One bucket per tenant in the database when it has them (every process shares it), else here.
    store.takeRateToken
      ? (bucket, perMinute, at) => store.takeRateToken!(bucket, perMinute, at)
      : (bucket, perMinute, at) => memoryBuckets.take(bucket, perMinute, at),
    now,
    (operation) => metrics.requestLimited(operation),
  );
  const context: ApiContext = {
    config,
    catalogs,
    rateLimits,
    services: {
      queries,
      reports,
      executions,
      deliveries: new DeliveryService({ store, now, onWork: () => loops.current?.wake() }),
      audit,
      loads,
      ...(testClocks ? { testClocks } : {}),
    },
    auditTrail: new AuditTrail(audit, now),
    ...(faults ? { faults } : {}),
    engine,
    now,
    answers: new AnswerCache(store.changeVersion),
    authenticate: (headers, program) => authenticator.authenticate(headers, program),
    authenticateAdmin: (headers) => authenticator.authenticateAdmin(headers),
    publicBase: (request) => config.publicUrl ?? `${request.protocol}://${request.host}`,
    links: (request, execution, report, part) =>
      downloadLink(downloads, context.publicBase(request), execution, report, part),
    callbackSecret,
  };
  const role = options.role ?? "all";
  const serveApi = role === "all" || role === "api";
  const server = await buildServer(context, {
    api: serveApi,
    // The API role serves the console (below); the landing page links to it.
    ...(serveApi ? { consolePath: CONSOLE_PATH } : {}),
    logger: options.logger ?? false,
    readiness: [() => store.ping()],
    metrics,
    metricsPath: config.metricsPort === null,
  });
  if (serveApi) {
    registerDownloadRoutes(server, downloads);
    const demoSignIn = options.demo === true && config.auth.localKey && config.auth.issuers.length === 0;
    registerConsoleRoutes(server, {
      assets: await loadConsoleAssets(defaultConsoleDir()),
      demo: demoSignIn
        ? { dataDir: config.dataDir, audience: config.auth.audiences[0]!, ttlSeconds: DEMO_TOKEN_TTL_SECONDS }
        : null,
      oidc: config.consoleOidc ? consoleOidcSource(config.consoleOidc) : null,
    });
  }

  const log = (message: string, fields?: Record<string, unknown>) => server.log.info(fields ?? {}, message);
  const leaseMs = config.executions.leaseSeconds * 1000;
  // Partial exports of processes that crashed are removed here, once, before any worker runs.
  const scratchDir = await prepareScratchDir(path.join(config.dataDir, "tmp"));
  const scheduler = new Scheduler({ store, now, newId, log });
  const newWorker = (n: number) =>
    new ExecutionWorker({
      store,
      catalogs,
      engine,
      files,
      now,
      newId,
      owner: `${owner}:w${n}`,
      leaseMs,
      maxAttempts: config.executions.maxAttempts,
      scratchDir,
      log,
      metrics,
      ...(faults ? { faults } : {}),
      ...(config.maxFileSizeMB === null ? {} : { maxFileSizeMB: config.maxFileSizeMB }),
    });
  const worker = newWorker(0);
  const dispatcher = new CallbackDispatcher({
    store,
    now,
    owner: `${owner}:callbacks`,
    leaseMs: config.callbacks.timeoutMs * 3,
    allow,
    timeoutMs: config.callbacks.timeoutMs,
    secretFor: callbackSecret,
    linkFor: (execution) => downloadLink(downloads, publicUrl, execution),
    log,
    metrics,
    ...(faults ? { faults } : {}),
  });

  /**
   * Deletes the dataset files no snapshot can still read: those a commit superseded more than the
   * grace period ago, and leftovers of loads killed before their commit (named by no file set and
   * older than the grace period, so a load still writing its file is never touched). DuckDB's only:
   * PostgreSQL keeps its rows in its own tables.
   */
  const collectDatasetFiles = async (engine: DuckDbEngine) => {
    const before = new Date(Date.now() - config.datasetFilesGraceMinutes * 60_000);
    const retired = await store.takeRetiredFiles(before, PURGE_BATCH);
    await engine.deleteDatasetFiles(retired);
    const known = await store.knownDatasetFiles();
    const leftovers = (await engine.listDatasetFiles()).filter(
      (f) => !known.has(f.name) && f.modifiedMs < before.getTime(),
    );
    await engine.deleteDatasetFiles(leftovers.map((f) => f.name));
    return retired.length === PURGE_BATCH;
  };

  /** Deletes executions (and their files) and audit entries older than the retention period. */
  const purgeExpired = async () => {
    const before = new Date(now().getTime() - config.executions.retentionDays * 86_400_000);
    const keys = await store.purgeExecutions(before, PURGE_BATCH);
    await files.delete(keys);
    return { files: keys.length, auditEntries: await store.purgeAudit(before, PURGE_BATCH) };
  };

  let metricsListener: MetricsListener | undefined;

  const startBackground = () => {
    if (loops.current) return;
    const { pollIntervalMs, schedulerIntervalMs, workers } = config.executions;
    const scheduling: LoopStep[] = [
      {
        name: "scheduler",
        idleMs: schedulerIntervalMs,
        run: async () => (await scheduler.tick()).created > 0,
      },
      {
        name: "overdue",
        idleMs: OVERDUE_CHECK_INTERVAL_MS,
        run: async () => {
          const { overdue } = await store.queueStats(now(), new Date(now().getTime() - overdueMs));
          if (overdue > 0) {
            server.log.warn(
              { overdue, overdueMinutes: config.overdueMinutes },
              "executions overdue: not started the overdue threshold after their slot (add workers?)",
            );
          }
          return false;
        },
      },
      {
        name: "retention",
        idleMs: RETENTION_INTERVAL_MS,
        run: async () => {
          const { files: purgedFiles, auditEntries } = await purgeExpired();
          return purgedFiles === PURGE_BATCH || auditEntries === PURGE_BATCH;
        },
      },
    ];
    const working: LoopStep[] = [
      { name: "callbacks", idleMs: pollIntervalMs, run: async () => (await dispatcher.runDue()) > 0 },
      ...Array.from({ length: workers }, (_, n) => {
        const loopWorker = n === 0 ? worker : newWorker(n);
        return {
          name: `worker-${n}`,
          idleMs: pollIntervalMs,
          run: async () => (await loopWorker.runDue()) > 0,
        };
      }),
    ];
    // Every role: a killed load is failed wherever it ran; superseded dataset files go.
    const upkeep: LoopStep[] = [
      {
        name: "stale-loads",
        idleMs: LOAD_HEARTBEAT_MS * 2,
        run: async () => (await sweepStaleLoads(store)) > 0,
      },
      {
        name: "staging",
        idleMs: STAGING_SWEEP_INTERVAL_MS,
        run: async () => {
          await sweepStaging(config.dataDir);
          return false;
        },
      },
    ];
    if (engine instanceof DuckDbEngine) {
      const duckdb = engine;
      upkeep.push({
        name: "dataset-files",
        idleMs: DATASET_FILES_INTERVAL_MS,
        run: () => collectDatasetFiles(duckdb),
      });
    }
    const steps = [
      ...upkeep,
      ...(role === "all" || role === "scheduler" ? scheduling : []),
      ...(role === "all" || role === "worker" ? working : []),
    ];
    loops.current = new Loops(steps, (step, error) =>
      server.log.error({ err: error, step }, "background step failed"),
    );
    loops.current.start();
    store.onWork?.(() => loops.current?.wake());
  };

  return {
    server,
    catalogs,
    engine,
    store,
    files,
    scheduler,
    worker,
    dispatcher,
    metrics,
    callbackSecret,
    purgeExpired,
    async listen(port, host) {
      const address = await server.listen({ port, host });
      publicUrl = config.publicUrl ?? address;
      if (config.metricsPort !== null)
        metricsListener = await serveMetrics(metrics, config.metricsPort, host);
      if (options.background ?? true) startBackground();
      return address;
    },
    metricsAddress: () => metricsListener?.address ?? null,
    startBackground,
    async close() {
      await loops.current?.stop();
      await metricsListener?.close();
      await server.close();
      await store.close();
      await files.close?.();
      await engine.close();
      await rm(scratchDir, { recursive: true, force: true });
    },
  };
}
