/**
 * What every resource's routes share under one program base path (reference §1.1): the base, the
 * caller's scope, paging, kept answers and next links. `index.ts` registers each resource module
 * once per base.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { PageResult } from "../../core/paging.js";
import type { ProgramCatalog } from "../../datasets/types.js";
import type { Scope } from "../../storage/ports.js";
import type { ApiContext } from "../context.js";
import { type Envelope, serializeJson } from "../envelope.js";
import type { QueryParams } from "../params.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** Where a program's operations are served: `/insights/v1/{program}` (reference §1.1), and any other base its catalog names. */
export function programBases(catalog: ProgramCatalog): readonly string[] {
  return [`/insights/v1/${catalog.program}`, ...(catalog.alsoServedAt ?? [])];
}

/** Route parameters of the operations on one report (or, for executions, a `;`-separated list). */
export type ReportParams = { Params: { reportId: string } };

/** What a resource module gets to register its routes under one program base. */
export type ProgramRoutes = ReturnType<typeof programRoutes>;

export function programRoutes(
  app: FastifyInstance,
  context: ApiContext,
  base: string,
  catalog: ProgramCatalog,
) {
  const { config } = context;
  const { program } = catalog;
  /** The caller's tenant and user, once the tenant's rate limit admits the request (then the audit trail knows who asked). */
  const scopeOf = async (request: FastifyRequest) => {
    const principal = await context.authenticate(request.headers, program);
    await context.rateLimits.admit(request, principal.tenant);
    context.auditTrail.noteActor(request, { tenant: principal.tenant, user: principal.user, program });
    return { scope: { tenant: principal.tenant, program } satisfies Scope, user: principal.user };
  };
  const paging = (params: QueryParams) =>
    params.page(config.pagination.defaultPageSize, config.pagination.maxPageSize);
  /**
   * Sends the answer kept for this request (tenant, program, public base and URL) while the store
   * is unchanged, or the one `make` makes, kept when `keep` approves its envelope.
   */
  const sendKept = async <T>(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: Scope,
    make: () => Promise<Envelope<T>>,
    keep: (body: Envelope<T>) => boolean = () => true,
  ) => {
    const key = `${scope.tenant}\u0001${program}\u0001${context.publicBase(request)}${request.url}`;
    let keepIt = true;
    const answer = await context.answers.remember(
      key,
      async () => {
        const body = await make();
        keepIt = keep(body);
        return serializeJson(body);
      },
      () => keepIt,
    );
    return reply.type(JSON_TYPE).send(answer);
  };
  const nextLink = (request: FastifyRequest, page: PageResult<unknown>) =>
    page.nextToken ? linkWithToken(context.publicBase(request), request.url, page.nextToken) : null;
  return { app, context, base, catalog, program, tags: [program], scopeOf, paging, sendKept, nextLink };
}

/** The same request URL with skipToken replaced, absolute. */
export function linkWithToken(publicBase: string, requestUrl: string, token: string): string {
  const url = new URL(requestUrl, publicBase);
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase() === "skiptoken") url.searchParams.delete(key);
  }
  url.searchParams.set("skipToken", token);
  return url.toString();
}
