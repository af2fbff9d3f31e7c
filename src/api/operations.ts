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
  "POST /ScheduledReport/:reportId/backfill": "backfillReport",
  "GET /ScheduledReport/execution/:reportId": "executions",
  "GET /ScheduledReport/execution/:reportId/deliveries": "listDeliveries",
  "POST /ScheduledReport/execution/:reportId/deliveries/:executionId/redeliver": "redeliver",
  "POST /TestClocks": "createTestClock",
  "GET /TestClocks": "listTestClocks",
  "GET /TestClocks/:testClockId": "getTestClock",
  "POST /TestClocks/:testClockId/advance": "advanceTestClock",
  "DELETE /TestClocks/:testClockId": "deleteTestClock",
};

export const OPERATION_NAMES: readonly string[] = Object.values(OPERATIONS_BY_ROUTE);

/**
 * The operation a request's route template is, or "other". The template starts with one of the
 * program bases, which catalogs decide (`/insights/v1/<program>` and any `alsoServedAt`), so the
 * lookup tries the template's endings, longest first, at each `/`.
 */
export function operationOf(method: string, routeUrl: string | undefined): string {
  const url = routeUrl ?? "";
  for (let at = url.indexOf("/", 1); at > 0; at = url.indexOf("/", at + 1)) {
    const operation = OPERATIONS_BY_ROUTE[`${method} ${url.slice(at)}`];
    if (operation !== undefined) return operation;
  }
  return "other";
}
