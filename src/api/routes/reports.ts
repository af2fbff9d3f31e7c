/** The report operations (reference §1.4): create, list, update, delete, pause and resume reports. */
import { envelope } from "../envelope.js";
import { QueryParams } from "../params.js";
import { programSchemas, SCHEMAS } from "../schemas.js";
import { wireBackfill, wireReport } from "../wire.js";
import type { ProgramRoutes, ReportParams } from "./program.js";

export function registerReportRoutes({
  app,
  context,
  base,
  program,
  tags,
  scopeOf,
  paging,
  nextLink,
}: ProgramRoutes): void {
  const { services } = context;
  const examples = programSchemas(program);
  app.post(`${base}/ScheduledReport`, { schema: { ...examples.createReport, tags } }, async (request) => {
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

  app.post<ReportParams>(
    `${base}/ScheduledReport/:reportId/backfill`,
    { schema: { ...SCHEMAS.backfillReport, tags } },
    async (request) => {
      const { scope } = await scopeOf(request);
      const result = await services.reports.backfill(scope, request.params.reportId, request.body);
      const existing = result.slots - result.created.length;
      return envelope([wireBackfill(result)], {
        message: `Backfill created ${result.created.length} execution(s); ${existing} slot(s) had one already`,
      });
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
}
