/** The execution operation (reference §1.4): a report's executions, with download links. */
import type { FastifyRequest } from "fastify";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { isOverdue } from "../../executions/lifecycle.js";
import { EXECUTION_STATUSES, type ExecutionStatus } from "../../executions/model.js";
import type { Scope } from "../../storage/ports.js";
import { envelope } from "../envelope.js";
import { QueryParams } from "../params.js";
import { SCHEMAS } from "../schemas.js";
import { wireExecution } from "../wire.js";
import type { ProgramRoutes, ReportParams } from "./program.js";

export function registerExecutionRoutes({
  app,
  context,
  base,
  tags,
  scopeOf,
  paging,
  sendKept,
  nextLink,
}: ProgramRoutes): void {
  const { services } = context;
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
        // The documented default is Completed; the real service is seen to answer the latest
        // execution whatever its status (docs/compatibility.md).
        statuses: parseStatuses(
          params.list("executionStatus") ??
            (context.config.compat === "observed" ? EXECUTION_STATUSES : ["Completed"]),
        ),
        latestOnly,
        ...(executionIds ? { executionIds } : {}),
      },
      paging(params),
    );
    const value = await Promise.all(
      page.items.map(async (execution) => {
        const report = page.reports.get(execution.reportId)!;
        const link = await context.links(request, execution, report);
        const partLinks = execution.parts
          ? await Promise.all(execution.parts.map((_, i) => context.links(request, execution, report, i + 1)))
          : [];
        // A test clock's slot is on the clock's time, not the wall clock's: never overdue.
        const overdue =
          !report.testClockId && isOverdue(execution, context.now(), context.config.overdueMinutes * 60_000);
        return wireExecution(execution, report, link, page.deliveries.get(execution.id), overdue, partLinks);
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
