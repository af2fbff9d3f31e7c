/**
 * The service's Prometheus metrics (prom-client), one registry per app so that several apps in a
 * process (tests) keep their own counts. Labels are bounded on purpose: route templates (never
 * raw URLs), programs, statuses and outcomes; never tenant, report or execution ids.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Program } from "../datasets/types.js";

/** What the queue looks like now; read from the metadata store at each scrape. */
export interface QueueSnapshot {
  /** Pending executions whose next attempt is due. */
  readonly due: number;
  /** When the oldest of them became due, null when none is. */
  readonly oldestDueAt: Date | null;
  /** Executions still not started the overdue threshold after their slot. */
  readonly overdue: number;
}

/** Connections of the metadata database's pool (PostgreSQL). */
export interface PoolSnapshot {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface MetricsSources {
  readonly queue: () => Promise<QueueSnapshot>;
  readonly pool?: () => PoolSnapshot;
  readonly now: () => Date;
}

/** Seconds, from 5 ms to 2 min: API answers at the low end, exports at the high end. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const EXPORT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export type DeliveryOutcome = "delivered" | "retry" | "failed";

export class Metrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route" | "status">;
  private readonly executions: Counter<"program" | "status">;
  private readonly exportRows: Counter<"program">;
  private readonly exportBytes: Counter<"program">;
  private readonly exportDuration: Histogram<"program">;
  private readonly deliveries: Counter<"outcome">;
  private readonly rateLimited: Counter<"operation">;
  private readonly injectedFaults: Counter<"target">;
  private readonly loads: Counter<"program" | "status">;
  private readonly loadRows: Counter<"program">;
  private readonly loadBytes: Counter<"program">;
  private readonly loadDuration: Histogram<"program">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "openinsights_" });
    this.httpRequests = new Counter({
      name: "openinsights_http_requests_total",
      help: "HTTP requests answered, by method, route template and status code",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "openinsights_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route template and status code",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.executions = new Counter({
      name: "openinsights_executions_finished_total",
      help: "Executions finished for good, by program and final status (Completed or Failed)",
      labelNames: ["program", "status"],
      registers,
    });
    this.exportRows = new Counter({
      name: "openinsights_export_rows_total",
      help: "Rows written to report files",
      labelNames: ["program"],
      registers,
    });
    this.exportBytes = new Counter({
      name: "openinsights_export_bytes_total",
      help: "Bytes of report files written",
      labelNames: ["program"],
      registers,
    });
    this.exportDuration = new Histogram({
      name: "openinsights_export_duration_seconds",
      help: "Time to produce a report file (query, write, hash, store)",
      labelNames: ["program"],
      buckets: EXPORT_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({
      name: "openinsights_callback_deliveries_total",
      help: "Callback delivery attempts, by outcome: delivered, retry (failed, tried again later), failed (given up)",
      labelNames: ["outcome"],
      registers,
    });
    this.rateLimited = new Counter({
      name: "openinsights_rate_limited_total",
      help: "Requests refused with 429 by the per-tenant rate limit, by operation",
      labelNames: ["operation"],
      registers,
    });
    this.injectedFaults = new Counter({
      name: "openinsights_injected_faults_total",
      help: "Faults injected on demand (OPENINSIGHTS_FAULTS, /admin/v1/faults), by target: http, execution, callback. Never counted as real failures",
      labelNames: ["target"],
      registers,
    });

    // Loads: by program (a catalog's, so bounded) and status; never by tenant.
    this.loads = new Counter({
      name: "openinsights_loads_total",
      help: "Loads finished, by program and status (Completed or Failed)",
      labelNames: ["program", "status"],
      registers,
    });
    this.loadRows = new Counter({
      name: "openinsights_load_rows_total",
      help: "Rows committed by loads",
      labelNames: ["program"],
      registers,
    });
    this.loadBytes = new Counter({
      name: "openinsights_load_bytes_total",
      help: "Bytes of load bodies received (as sent, before gunzip)",
      labelNames: ["program"],
      registers,
    });
    this.loadDuration = new Histogram({
      name: "openinsights_load_duration_seconds",
      help: "Time a load took, from the first byte received to its commit (or failure)",
      labelNames: ["program"],
      buckets: EXPORT_BUCKETS,
      registers,
    });

    // Read before the queue gauges take connections for their own reads.
    const pool = sources.pool;
    if (pool) {
      new Gauge({
        name: "openinsights_db_pool_connections",
        help: "Connections of the metadata database pool, by state (total, idle, waiting: requests waiting for one)",
        labelNames: ["state"],
        registers,
        collect() {
          const { total, idle, waiting } = pool();
          this.set({ state: "total" }, total);
          this.set({ state: "idle" }, idle);
          this.set({ state: "waiting" }, waiting);
        },
      });
    }

    // One store read per scrape feeds the three queue gauges.
    let pending: Promise<QueueSnapshot> | undefined;
    const queue = () => {
      pending ??= sources.queue().finally(() => {
        pending = undefined;
      });
      return pending;
    };
    new Gauge({
      name: "openinsights_queue_due_executions",
      help: "Pending executions whose next attempt is due now",
      registers,
      async collect() {
        this.set((await queue()).due);
      },
    });
    new Gauge({
      name: "openinsights_queue_oldest_due_age_seconds",
      help: "How long the oldest due execution has waited (0 when none is due)",
      registers,
      async collect() {
        const { oldestDueAt } = await queue();
        const age = oldestDueAt ? (sources.now().getTime() - oldestDueAt.getTime()) / 1000 : 0;
        this.set(Math.max(0, age));
      },
    });
    new Gauge({
      name: "openinsights_executions_overdue",
      help: "Executions still not started the overdue threshold (OPENINSIGHTS_OVERDUE_MINUTES) after their slot",
      registers,
      async collect() {
        this.set((await queue()).overdue);
      },
    });
  }

  /** `route` is the route template (or "unmatched"), never the raw URL. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  executionFinished(
    program: Program,
    status: "Completed" | "Failed",
    exported?: { rows: number; bytes: number; seconds: number },
  ): void {
    this.executions.inc({ program, status });
    if (!exported) return;
    this.exportRows.inc({ program }, exported.rows);
    this.exportBytes.inc({ program }, exported.bytes);
    this.exportDuration.observe({ program }, exported.seconds);
  }

  loadFinished(
    program: Program,
    status: "Completed" | "Failed",
    load: { rows: number; bytes: number; seconds: number },
  ): void {
    this.loads.inc({ program, status });
    this.loadRows.inc({ program }, load.rows);
    this.loadBytes.inc({ program }, load.bytes);
    this.loadDuration.observe({ program }, load.seconds);
  }

  deliveryAttempted(outcome: DeliveryOutcome): void {
    this.deliveries.inc({ outcome });
  }

  requestLimited(operation: string): void {
    this.rateLimited.inc({ operation });
  }

  faultInjected(target: "http" | "execution" | "callback"): void {
    this.injectedFaults.inc({ target });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
