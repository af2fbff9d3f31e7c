/** The report query operations (reference §1.4): create, list, try and delete queries. */
import type { FastifyRequest } from "fastify";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { runTestQuery } from "../../reports/test-query.js";
import type { Scope } from "../../storage/ports.js";
import { envelope } from "../envelope.js";
import { QueryParams } from "../params.js";
import { programSchemas, SCHEMAS } from "../schemas.js";
import { listedUserQuery, wireSystemQuery, wireUserQuery } from "../wire.js";
import type { ProgramRoutes } from "./program.js";

export function registerQueryRoutes({
  app,
  context,
  base,
  catalog,
  program,
  tags,
  scopeOf,
  paging,
  sendKept,
  nextLink,
}: ProgramRoutes): void {
  const { services, config } = context;
  const examples = programSchemas(program);
  app.post(`${base}/ScheduledQueries`, { schema: { ...examples.createQuery, tags } }, async (request) => {
    const { scope, user } = await scopeOf(request);
    const query = await services.queries.create(scope, user, request.body);
    return envelope([wireUserQuery(query)], { message: "Query created successfully" });
  });

  app.get(
    `${base}/ScheduledQueries`,
    { schema: { ...SCHEMAS.listQueries, tags } },
    async (request, reply) => {
      const { scope } = await scopeOf(request);
      // A function of the stored queries and the request alone.
      return sendKept(request, reply, scope, () => listQueries(request, scope));
    },
  );

  const listQueries = async (request: FastifyRequest, scope: Scope) => {
    const params = new QueryParams(request.query);
    const queryId = params.string("queryId");
    const queryName = params.string("queryName");
    const page = await services.queries.list(
      scope,
      {
        ...(queryId ? { queryId } : {}),
        ...(queryName ? { queryName } : {}),
        includeSystemQueries: params.boolean("includeSystemQueries", true),
        includeOnlySystemQueries: params.boolean("includeOnlySystemQueries", false),
      },
      paging(params),
    );
    if (queryId && page.items.length === 0) {
      throw new AppError(
        ERROR_CODES.NOT_FOUND,
        `No item found with given filters. (no query with id ${queryId})`,
      );
    }
    const value = page.items.map((item) =>
      item.kind === "system" ? wireSystemQuery(item.query) : listedUserQuery(item.query),
    );
    return envelope(value, { nextLink: nextLink(request, page) });
  };

  app.get(
    `${base}/ScheduledQueries/testQueryResult`,
    { schema: { ...examples.testQuery, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const params = new QueryParams(request.query);
      const exportQuery = params.string("exportQuery");
      const queryId = params.string("queryId");
      if ((exportQuery === undefined) === (queryId === undefined)) {
        throw new AppError(
          ERROR_CODES.INVALID_ARGUMENT,
          "Give exactly one of exportQuery (the query text) or queryId",
        );
      }
      const start = params.time("startTime");
      const end = params.time("endTime");
      if (start && end && end.getTime() <= start.getTime()) {
        throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "endTime should be greater than startTime");
      }
      let text = exportQuery;
      if (queryId !== undefined) {
        const found = await services.queries.find(scope, queryId);
        if (!found)
          throw new AppError(ERROR_CODES.INVALID_ARGUMENT, `Invalid QueryId: no query has id ${queryId}`);
        text = found.query.query;
      }
      const rows = await runTestQuery(context.engine, catalog.datasets, text!, {
        program,
        tenant: scope.tenant,
        now: context.now(),
        ...(start || end ? { override: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
        maxRows: config.testQuery.maxRows,
        timeoutSeconds: config.testQuery.timeoutSeconds,
      });
      return envelope(rows);
    },
  );

  app.delete<{ Params: { queryId: string } }>(
    `${base}/ScheduledQueries/:queryId`,
    { schema: { ...SCHEMAS.deleteQuery, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const query = await services.queries.delete(scope, request.params.queryId);
      return envelope([wireUserQuery(query)], { message: "Query deleted successfully" });
    },
  );
}
