/**
 * Operation names of the program routes (route template → name): what per-operation rate limits
 * (OPENINSIGHTS_RATE_LIMIT_OPERATIONS) are keyed by. One table, so that it stays whole when routes move.
 */

const OPERATIONS_BY_ROUTE: Readonly<Record<string, string>> = {
  "GET /ScheduledDataset": "datasets",
  "GET /CallbackSecret": "callbackSecret",
  "POST /ScheduledQueries": "createQuery",
  "GET /ScheduledQueries": "listQueries",
  "GET /ScheduledQueries/testQueryResult": "testQuery",
  "DELETE /ScheduledQueries/:queryId": "deleteQuery",
  "POST /ScheduledReport": "createReport",
  "GET /ScheduledReport": "listReports",
  "PUT /ScheduledReport/:reportId": "updateReport",
  "DELETE /ScheduledReport/:reportId": "deleteReport",
  "PUT /ScheduledReport/pause/:reportId": "pauseReport",
  "PUT /ScheduledReport/resume/:reportId": "resumeReport",
  "GET /ScheduledReport/execution/:reportId": "executions",
  "GET /ScheduledReport/execution/:reportId/deliveries": "listDeliveries",
  "POST /ScheduledReport/execution/:reportId/deliveries/:executionId/redeliver": "redeliver",
};

export const OPERATION_NAMES: readonly string[] = Object.values(OPERATIONS_BY_ROUTE);

/** `/insights/v1/mpn`, `/insights/v1/cmp`, `/insights/v1.1/cmp`. */
const PROGRAM_BASE = /^\/insights\/v1(?:\.1)?\/(?:mpn|cmp)(?=\/)/i;

/** The operation a request's route template is, or "other". */
export function operationOf(method: string, routeUrl: string | undefined): string {
  const path = (routeUrl ?? "").replace(PROGRAM_BASE, "");
  return OPERATIONS_BY_ROUTE[`${method} ${path}`] ?? "other";
}
