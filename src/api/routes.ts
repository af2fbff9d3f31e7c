/** The twelve operations (reference §1.4), registered once per program base path. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { runTestQuery } from "../analytics/test-query.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { PageResult } from "../core/paging.js";
import { catalogs, findDataset } from "../datasets/catalog.js";
import type { Program } from "../datasets/types.js";
import { isOverdue } from "../executions/lifecycle.js";
import { EXECUTION_STATUSES, type ExecutionStatus } from "../executions/model.js";
import type { Scope } from "../storage/ports.js";
import type { ApiContext } from "./context.js";
import { type Envelope, envelope, serializeJson } from "./envelope.js";
import { QueryParams } from "./params.js";
import { SCHEMAS } from "./schemas.js";
import { requestScope } from "./scope.js";
import {
  listedUserQuery,
  wireDataset,
  wireExecution,
  wireReport,
  wireSystemQuery,
  wireUserQuery,
} from "./wire.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** Base paths: reference §1.1 (cmp also answers at the current Learn path v1.1). */
export const PROGRAM_BASES: readonly { readonly base: string; readonly program: Program }[] = [
  { base: "/insights/v1/mpn", program: "mpn" },
  { base: "/insights/v1/cmp", program: "cmp" },
  { base: "/insights/v1.1/cmp", program: "cmp" },
];

export function registerProgramRoutes(
  app: FastifyInstance,
  context: ApiContext,
  base: string,
  program: Program,
): void {
  const { services, config } = context;
  const tags = [program];
  const scopeOf = (request: FastifyRequest) => requestScope(context, request, program);
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

  app.get(`${base}/ScheduledDataset`, { schema: { ...SCHEMAS.datasets, tags } }, async (request) => {
    await scopeOf(request);
    const name = new QueryParams(request.query).string("datasetName");
    if (name === undefined) {
      return envelope(catalogs[program].datasets.map(wireDataset), {
        message: "Dataset fetched successfully",
      });
    }
    const dataset = findDataset(program, name);
    if (!dataset)
      throw new AppError(ERROR_CODES.INVALID_ARGUMENT, `Invalid table name: no dataset named '${name}'`);
    return envelope([wireDataset(dataset)], { message: "Dataset fetched successfully" });
  });

  app.get(`${base}/CallbackSecret`, { schema: { ...SCHEMAS.callbackSecret, tags } }, async (request) => {
    const { scope } = await scopeOf(request);
    return envelope([{ secret: context.callbackSecret(scope.tenant) }]);
  });

  app.post(`${base}/ScheduledQueries`, { schema: { ...SCHEMAS.createQuery, tags } }, async (request) => {
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
    { schema: { ...SCHEMAS.testQuery, tags } },
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
      const rows = await runTestQuery(context.engine, text!, {
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

  app.post(`${base}/ScheduledReport`, { schema: { ...SCHEMAS.createReport, tags } }, async (request) => {
    const { scope, user } = await scopeOf(request);
    const report = await services.reports.create(scope, user, request.body);
    return envelope([wireReport(report)], { message: "Report created successfully" });
  });

  app.get(`${base}/ScheduledReport`, { schema: { ...SCHEMAS.listReports, tags } }, async (request) => {
    const { scope } = await scopeOf(request);
    const params = new QueryParams(request.query);
    const ids = params.list("reportId");
    const name = params.string("reportName");
    const queryId = params.string("queryId");
    const page = await services.reports.list(
      scope,
      { ...(ids ? { ids } : {}), ...(name ? { name } : {}), ...(queryId ? { queryId } : {}) },
      paging(params),
    );
    return envelope(page.items.map(wireReport), { nextLink: nextLink(request, page) });
  });

  type ReportParams = { Params: { reportId: string } };
  app.put<ReportParams>(
    `${base}/ScheduledReport/:reportId`,
    { schema: { ...SCHEMAS.updateReport, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const report = await services.reports.update(scope, request.params.reportId, request.body);
      return envelope([wireReport(report)], { message: "Report updated successfully" });
    },
  );

  app.delete<ReportParams>(
    `${base}/ScheduledReport/:reportId`,
    { schema: { ...SCHEMAS.deleteReport, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const report = await services.reports.delete(scope, request.params.reportId);
      return envelope([wireReport(report)], { message: "Report deleted successfully" });
    },
  );

  app.put<ReportParams>(
    `${base}/ScheduledReport/pause/:reportId`,
    { schema: { ...SCHEMAS.pauseReport, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const report = await services.reports.pause(scope, request.params.reportId);
      return envelope([wireReport(report)], { message: "Report paused successfully" });
    },
  );

  app.put<ReportParams>(
    `${base}/ScheduledReport/resume/:reportId`,
    { schema: { ...SCHEMAS.resumeReport, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const report = await services.reports.resume(scope, request.params.reportId);
      return envelope([wireReport(report)], { message: "Report resumed successfully" });
    },
  );

  app.get<ReportParams>(
    `${base}/ScheduledReport/execution/:reportId`,
    { schema: { ...SCHEMAS.executions, tags } },
    async (request, reply) => {
      const { scope } = await scopeOf(request);
      const params = new QueryParams(request.query);
      const latestOnly = params.boolean("getLatestExecution", true);
      if (!latestOnly) return listExecutions(request, scope, params, latestOnly);
      // Clients poll the latest executions until one completes. Without download links (fresh on
      // every GET) and executions waiting to start (they become overdue as time passes), that
      // answer is a function of the stored data and the request alone. (The 90-day history moves
      // with the clock: never kept.)
      return sendKept(
        request,
        reply,
        scope,
        () => listExecutions(request, scope, params, latestOnly),
        (body) =>
          body.value.every(
            (execution) =>
              execution.reportAccessSecureLink === null &&
              !(execution.executionStatus === "Pending" && execution.attempts === 0),
          ),
      );
    },
  );

  const listExecutions = async (
    request: FastifyRequest<ReportParams>,
    scope: Scope,
    params: QueryParams,
    latestOnly: boolean,
  ) => {
    const reportIds = request.params.reportId
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
    if (reportIds.length === 0)
      throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "Null or missing value: reportId is required");
    const executionIds = params.list("executionId");
    const page = await services.executions.list(
      scope,
      {
        reportIds,
        statuses: parseStatuses(params.list("executionStatus") ?? ["Completed"]),
        latestOnly,
        ...(executionIds ? { executionIds } : {}),
      },
      paging(params),
    );
    const value = await Promise.all(
      page.items.map(async (execution) => {
        const report = page.reports.get(execution.reportId)!;
        const link = await context.links(request, execution, report);
        const overdue = isOverdue(execution, context.now(), config.overdueMinutes * 60_000);
        return wireExecution(execution, report, link, page.deliveries.get(execution.id), overdue);
      }),
    );
    return envelope(value, { nextLink: nextLink(request, page) });
  };
}

function parseStatuses(values: readonly string[]): ExecutionStatus[] {
  return values.map((value) => {
    const status = EXECUTION_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
    if (!status) {
      throw new AppError(
        ERROR_CODES.INVALID_ARGUMENT,
        `Requested value '${value}' not found: executionStatus must be one of ${EXECUTION_STATUSES.join(", ")}`,
      );
    }
    return status;
  });
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
