/** Operator routes under /admin/ (admin tokens only: `roles` contains OpenInsights.Admin). */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AUDIT_OUTCOMES, type AuditEntry, type AuditOutcome } from "../audit/model.js";
import { isAdmin } from "../auth/roles.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { ApiContext } from "./context.js";
import { envelope } from "./envelope.js";
import { QueryParams } from "./params.js";
import { linkWithToken } from "./routes/program.js";
import { wireTime } from "./wire.js";

export const AUDIT_PATH = "/admin/v1/audit";

export function registerAdminRoutes(app: FastifyInstance, context: ApiContext): void {
  const { config } = context;
  app.get(
    AUDIT_PATH,
    {
      schema: {
        tags: ["admin"],
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
      await requireAdmin(context, request);
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
}

async function requireAdmin(context: ApiContext, request: FastifyRequest): Promise<void> {
  const principal = await context.authenticate(request.headers, null);
  if (!isAdmin(principal)) {
    throw new AppError(
      ERROR_CODES.FORBIDDEN,
      "The /admin/ routes need an admin token: its roles claim must contain OpenInsights.Admin",
    );
  }
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
