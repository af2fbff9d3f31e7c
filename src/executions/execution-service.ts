/** Listing executions (E12) with the documented filters and defaults. */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import type { StoredReport } from "../reports/model.js";
import type { MetadataStore, Scope } from "../storage/ports.js";
import type { CallbackDelivery, DeliveryAttempt } from "../webhooks/model.js";
import type { ExecutionStatus, StoredExecution } from "./model.js";

/** How far back getLatestExecution=false looks (reference §6.4). */
export const HISTORY_DAYS = 90;

export interface ExecutionQuery {
  readonly reportIds: readonly string[];
  readonly executionIds?: readonly string[];
  readonly statuses: readonly ExecutionStatus[];
  readonly latestOnly: boolean;
}

export interface ExecutionServiceDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
}

export const NO_EXECUTIONS_MESSAGE =
  "There are no executions that have occurred for the given filter conditions. Please recheck the reportId or executionId and retry the API after the report's scheduled execution time";

export class ExecutionService {
  constructor(private readonly deps: ExecutionServiceDeps) {}

  async list(
    scope: Scope,
    query: ExecutionQuery,
    page: PageParams,
  ): Promise<
    PageResult<StoredExecution> & {
      reports: Map<string, StoredReport>;
      deliveries: Map<string, CallbackDelivery & { attemptLog: readonly DeliveryAttempt[] }>;
    }
  > {
    const reports = new Map<string, StoredReport>();
    for (const id of query.reportIds) {
      const report = await this.deps.store.getReport(scope, id);
      if (report) reports.set(report.id, report);
    }
    if (reports.size === 0) {
      throw new AppError(
        ERROR_CODES.NOT_FOUND,
        `No item found with given filters. (no report with id ${query.reportIds.join(";")})`,
      );
    }
    const after = page.token ? decodeCursor(decodeToken(page.token)) : undefined;
    const since = new Date((await this.historyEnd(scope, reports)).getTime() - HISTORY_DAYS * 86_400_000);
    const result = await this.deps.store.listExecutions(
      scope,
      {
        reportIds: [...reports.keys()],
        statuses: query.statuses,
        latestOnly: query.latestOnly,
        ...(query.executionIds ? { executionIds: query.executionIds } : {}),
        ...(query.latestOnly ? {} : { since }),
      },
      { limit: page.pageSize, ...(after ? { after } : {}) },
    );
    if (result.items.length === 0 && !page.token)
      throw new AppError(ERROR_CODES.NOT_FOUND, NO_EXECUTIONS_MESSAGE);
    // Only a finished execution enqueues a callback: the others have no delivery to look up.
    const finished = result.items
      .filter((e) => e.status === "Completed" || e.status === "Failed")
      .map((e) => e.id);
    const deliveries = new Map(
      (await this.deps.store.listDeliveries(scope, finished)).map((d) => [d.executionId, d]),
    );
    return {
      items: result.items,
      reports,
      deliveries,
      ...(result.next ? { nextToken: encodeCursor(result.next) } : {}),
    };
  }

  /**
   * The instant the 90-day history ends at: now, or the earliest time of the test clocks the
   * reports live on (their slots are on the clock's time), so that each report's history is in.
   */
  private async historyEnd(scope: Scope, reports: Map<string, StoredReport>): Promise<Date> {
    let end = this.deps.now();
    for (const clockId of new Set(
      [...reports.values()].flatMap((r) => (r.testClockId ? [r.testClockId] : [])),
    )) {
      const clock = await this.deps.store.getTestClock(scope, clockId);
      if (clock && clock.frozenTime.getTime() < end.getTime()) end = clock.frozenTime;
    }
    return end;
  }
}
