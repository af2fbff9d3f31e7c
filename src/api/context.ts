/** What the HTTP edge needs from the rest of the service; `app.ts` builds it. */
import type { FastifyRequest } from "fastify";
import type { AuditService } from "../audit/audit-service.js";
import type { Config } from "../config/config.js";
import type { CatalogSet } from "../datasets/catalog.js";
import type { Program } from "../datasets/types.js";
import type { ExecutionService } from "../executions/execution-service.js";
import type { StoredExecution } from "../executions/model.js";
import type { FaultService } from "../faults/fault-service.js";
import type { LoadService } from "../loads/load-service.js";
import type { StoredReport } from "../reports/model.js";
import type { QueryService } from "../reports/query-service.js";
import type { ReportService } from "../reports/report-service.js";
import type { AnalyticsEngine } from "../storage/ports.js";
import type { TestClockService } from "../testclocks/clock-service.js";
import type { DeliveryService } from "../webhooks/delivery-service.js";
import type { AnswerCache } from "./answers.js";
import type { AuditTrail } from "./audit-trail.js";
import type { RateLimits } from "./rate-limit.js";

export interface Principal {
  readonly tenant: string;
  readonly user: string;
  /** The `roles` and `scp` claims. */
  readonly roles: readonly string[];
}

export interface DownloadLink {
  readonly url: string;
  readonly expiresAt: Date;
}

export interface ApiContext {
  readonly config: Config;
  /** The programs served, each at `/insights/v1/{program}`. */
  readonly catalogs: CatalogSet;
  readonly services: {
    readonly queries: QueryService;
    readonly reports: ReportService;
    readonly executions: ExecutionService;
    readonly deliveries: DeliveryService;
    readonly audit: AuditService;
    readonly loads: LoadService;
    /** Test clocks, when OPENINSIGHTS_TEST_CLOCKS is on (absent: their routes are not served). */
    readonly testClocks?: TestClockService;
  };
  readonly engine: AnalyticsEngine;
  readonly now: () => Date;
  /** Answers that depend only on stored data and the request, kept while the store is unchanged. */
  readonly answers: AnswerCache;
  /** The per-tenant request rate limit: `admit` once the tenant is known. */
  readonly rateLimits: RateLimits;
  /** Records each change a request asks for (`noteActor` once the request is admitted). */
  readonly auditTrail: AuditTrail;
  /** Faults on demand, when OPENINSIGHTS_FAULTS is on (absent: /admin/v1/faults is not served). */
  readonly faults?: FaultService;
  /** Verifies the request's token; throws AppError unauthorized/forbidden. */
  authenticate(headers: FastifyRequest["headers"], program: Program): Promise<Principal>;
  /** Verifies an operator's token (role OpenInsights.Admin); throws AppError unauthorized/forbidden. */
  authenticateAdmin(headers: FastifyRequest["headers"]): Promise<Principal>;
  /** Scheme, host and port that absolute links start with. */
  publicBase(request: FastifyRequest): string;
  /** A fresh download link for a completed execution (or its part `part`, from 1), or null. */
  links(
    request: FastifyRequest,
    execution: StoredExecution,
    report: StoredReport,
    part?: number,
  ): Promise<DownloadLink | null>;
  /** The tenant's callback signing secret (whsec_…). */
  callbackSecret(tenant: string): string;
}
