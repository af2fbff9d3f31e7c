/**
 * Callback deliveries of a report (extension, docs/callbacks.md): the list with every attempt, and
 * a route that sends an execution's callback again.
 */
import { envelope } from "../envelope.js";
import { wireReportDelivery } from "../wire.js";
import type { ProgramRoutes, ReportParams } from "./program.js";

const reportIdParam = { type: "object", properties: { reportId: { type: "string" } } };

export function registerDeliveryRoutes({ app, context, base, tags, scopeOf }: ProgramRoutes): void {
  const { deliveries } = context.services;

  app.get<ReportParams>(
    `${base}/ScheduledReport/execution/:reportId/deliveries`,
    {
      schema: {
        tags,
        summary: "List a report's callback deliveries and their attempts (extension)",
        params: reportIdParam,
      },
    },
    async (request) => {
      const { scope } = await scopeOf(request);
      const list = await deliveries.list(scope, request.params.reportId);
      return envelope(list.map(wireReportDelivery));
    },
  );

  app.post<{ Params: { reportId: string; executionId: string } }>(
    `${base}/ScheduledReport/execution/:reportId/deliveries/:executionId/redeliver`,
    {
      schema: {
        tags,
        summary: "Send an execution's callback again (extension)",
        params: {
          type: "object",
          properties: { reportId: { type: "string" }, executionId: { type: "string" } },
        },
      },
    },
    async (request) => {
      const { scope } = await scopeOf(request);
      const { reportId, executionId } = request.params;
      const delivery = await deliveries.redeliver(scope, reportId, executionId);
      return envelope([wireReportDelivery(delivery)], { message: "Callback queued for redelivery" });
    },
  );
}
