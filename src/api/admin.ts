/**
 * The operator API under `/admin/`: every route needs an operator's token (role
 * OpenInsights.Admin); a tenant's token gets 403 on any `/admin/` path, known or not.
 */
import type { FastifyInstance } from "fastify";
import { AUDIT_OUTCOMES, type AuditEntry, type AuditOutcome } from "../audit/model.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { FaultService } from "../faults/fault-service.js";
import { wireFaultRule } from "../faults/rules.js";
import { LOAD_STATUSES, type LoadStatus } from "../loads/model.js";
import type { LoadFilter } from "../storage/ports.js";
import { registerLoadRoute } from "./admin-loads.js";
import type { ApiContext } from "./context.js";
import { envelope } from "./envelope.js";
import { QueryParams } from "./params.js";
import { linkWithToken } from "./routes/program.js";
import { SCHEMAS } from "./schemas.js";
import { wireLoad, wireTime } from "./wire.js";

export const AUDIT_PATH = "/admin/v1/audit";
export const FAULTS_PATH = "/admin/v1/faults";

const tags = ["admin"];

export function registerAdminRoutes(app: FastifyInstance, context: ApiContext): void {
  const { config } = context;

  app.get(
    "/admin/v1/loads",
    {
      schema: {
        tags,
        summary: "List loads, newest first (operators)",
        querystring: {
          type: "object",
          properties: {
            program: { type: "string" },
            dataset: { type: "string" },
            tenantId: { type: "string" },
            status: { type: "string", description: LOAD_STATUSES.join(" | ") },
            pageSize: { type: "integer" },
            skipToken: { type: "string" },
          },
        },
      },
    },
    async (request) => {
      await context.authenticateAdmin(request.headers);
      const params = new QueryParams(request.query);
      const page = await context.services.loads.list(
        loadFilter(context, params),
        params.page(config.pagination.defaultPageSize, config.pagination.maxPageSize),
      );
      const nextLink = page.nextToken
        ? linkWithToken(context.publicBase(request), request.url, page.nextToken)
        : null;
      return envelope(page.items.map(wireLoad), { nextLink });
    },
  );

  app.get(
    AUDIT_PATH,
    {
      schema: {
        tags,
        summary: "The audit log: every change, made or refused (admin token)",
        querystring: {
          type: "object",
          properties: {
            tenant: { type: "string" },
            actor: { type: "string" },
            action: { type: "string" },
            outcome: { type: "string", enum: ["success", "failure"] },
            since: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ, inclusive" },
            until: { type: "string", description: "yyyy-MM-ddTHH:mm:ssZ, exclusive" },
            pageSize: { type: "integer" },
            skipToken: { type: "string" },
          },
        },
      },
    },
    async (request) => {
      await context.authenticateAdmin(request.headers);
      const params = new QueryParams(request.query);
      const tenant = params.string("tenant");
      const actor = params.string("actor");
      const action = params.string("action");
      const outcome = params.string("outcome");
      const since = params.time("since");
      const until = params.time("until");
      if (outcome !== undefined && !AUDIT_OUTCOMES.includes(outcome as AuditOutcome)) {
        throw new AppError(
          ERROR_CODES.INVALID_ARGUMENT,
          `outcome must be one of ${AUDIT_OUTCOMES.join(", ")}, not '${outcome}'`,
        );
      }
      const page = await context.services.audit.list(
        {
          ...(tenant ? { tenant } : {}),
          ...(actor ? { actor } : {}),
          ...(action ? { action } : {}),
          ...(outcome ? { outcome: outcome as AuditOutcome } : {}),
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
        },
        params.page(config.pagination.defaultPageSize, config.pagination.maxPageSize),
      );
      const nextLink = page.nextToken
        ? linkWithToken(context.publicBase(request), request.url, page.nextToken)
        : null;
      return envelope(page.items.map(wireAudit), { nextLink });
    },
  );

  if (context.faults) registerFaultRoutes(app, context.faults, context);
  registerLoadRoute(app, context);

  // Paths no admin route matches: the token is checked first, so a tenant learns nothing of them.
  app.all("/admin/*", { schema: { hide: true } }, async (request) => {
    await context.authenticateAdmin(request.headers);
    throw new AppError(ERROR_CODES.NOT_FOUND, `No route for ${request.method} ${request.url.split("?")[0]}`);
  });
}

/** Faults on demand (docs/faults.md), only with OPENINSIGHTS_FAULTS=true. */
function registerFaultRoutes(app: FastifyInstance, faults: FaultService, context: ApiContext): void {
  app.put(FAULTS_PATH, { schema: { ...SCHEMAS.putFaults, tags } }, async (request) => {
    const operator = await context.authenticateAdmin(request.headers);
    const rules = await faults.set(request.body);
    request.log.warn({ operator: operator.user, rules }, "fault rules set");
    return envelope(rules.map(wireFaultRule), { message: "Fault rules set successfully" });
  });
  app.get(FAULTS_PATH, { schema: { ...SCHEMAS.getFaults, tags } }, async (request) => {
    await context.authenticateAdmin(request.headers);
    return envelope((await faults.read()).map(wireFaultRule));
  });
  app.delete(FAULTS_PATH, { schema: { ...SCHEMAS.deleteFaults, tags } }, async (request) => {
    const operator = await context.authenticateAdmin(request.headers);
    await faults.clear();
    request.log.warn({ operator: operator.user }, "fault rules cleared");
    return envelope([], { message: "Fault rules cleared successfully" });
  });
}

/** The listing's filters, each checked against what exists and spelt as the catalog spells it. */
function loadFilter(context: ApiContext, params: QueryParams): LoadFilter {
  const programName = params.string("program");
  const datasetName = params.string("dataset");
  const tenant = params.string("tenantId");
  const statusName = params.string("status");
  const catalog = programName === undefined ? undefined : context.catalogs.find(programName);
  if (programName !== undefined && !catalog) {
    throw invalid(`program must be one of ${context.catalogs.programs.join(", ")}, not '${programName}'`);
  }
  if (datasetName !== undefined && !catalog)
    throw invalid("dataset needs program: dataset names are per program");
  const dataset =
    datasetName === undefined ? undefined : context.catalogs.findDataset(catalog!.program, datasetName);
  if (datasetName !== undefined && !dataset) {
    throw invalid(
      `dataset must be one of ${catalog!.program}'s datasets (${catalog!.datasets.map((d) => d.name).join(", ")}), not '${datasetName}'`,
    );
  }
  const status = LOAD_STATUSES.find((s) => s.toLowerCase() === statusName?.toLowerCase());
  if (statusName !== undefined && !status) {
    throw invalid(`status must be one of ${LOAD_STATUSES.join(", ")}, not '${statusName}'`);
  }
  return {
    ...(catalog ? { program: catalog.program } : {}),
    ...(dataset ? { dataset: dataset.name } : {}),
    ...(tenant !== undefined ? { tenant } : {}),
    ...(status ? { status: status as LoadStatus } : {}),
  };
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}

function wireAudit(entry: AuditEntry) {
  return {
    id: entry.id,
    time: wireTime(entry.createdTime),
    tenant: entry.tenant,
    actor: entry.actor,
    requestId: entry.requestId,
    action: entry.action,
    program: entry.program,
    target: entry.target,
    outcome: entry.outcome,
    statusCode: entry.statusCode,
    detail: entry.detail,
  };
}
