/**
 * Who a program request is for: its token's tenant and user, once the tenant's rate limit admits
 * it (then the audit trail knows who asked).
 */
import type { FastifyRequest } from "fastify";
import type { Program } from "../datasets/types.js";
import type { Scope } from "../storage/ports.js";
import type { ApiContext } from "./context.js";

export async function requestScope(
  context: ApiContext,
  request: FastifyRequest,
  program: Program,
): Promise<{ readonly scope: Scope; readonly user: string }> {
  const principal = await context.authenticate(request.headers, program);
  await context.rateLimits.admit(request, principal.tenant);
  context.auditTrail.noteActor(request, { tenant: principal.tenant, user: principal.user, program });
  return { scope: { tenant: principal.tenant, program }, user: principal.user };
}
