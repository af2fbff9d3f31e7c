/** Reports (E6–E11): creation with its first execution, listing, update, delete, pause, resume. */

import type { Quotas } from "../config/config.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import { newExecution } from "../executions/lifecycle.js";
import type { StoredExecution } from "../executions/model.js";
import type { MetadataStore, Scope } from "../storage/ports.js";
import type { StoredReport } from "./model.js";
import type { QueryService } from "./query-service.js";
import {
  type CreateReportInput,
  parseCreateReport,
  parseUpdateReport,
  type RuleContext,
  readTestClockId,
} from "./rules.js";
import { nextRunTimes, type Schedule } from "./schedule.js";
import { slotsPassed } from "./slots-passed.js";

export interface ReportServiceDeps {
  readonly store: MetadataStore;
  readonly queries: QueryService;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly quotas: Quotas;
  readonly startTimeLeadHours: number;
  /** SpreadsheetSafe of reports that do not say (OPENINSIGHTS_SPREADSHEET_SAFE). */
  readonly spreadsheetSafe: boolean;
  /** The address policy for callback URLs (throws AppError invalid_argument). */
  readonly checkCallbackUrl: (url: string) => void;
  /** Removes a deleted report's files. */
  readonly deleteFiles: (keys: readonly string[]) => Promise<void>;
  /** Tells the workers there is new work (an ExecuteNow report). */
  readonly onWork?: () => void;
  /** The `observed` profile's report times: a space may stand for the T (docs/compatibility.md). */
  readonly spaceForT?: boolean;
  /** Test clocks (docs/test-clocks.md); absent when they are off, and `TestClockId` is refused. */
  readonly testClocks?: ReportClocks;
}

/** What reports need of test clocks (`testclocks/`). */
export interface ReportClocks {
  /** The clock's frozen time; throws AppError invalid_argument when the scope has no such clock. */
  frozenTime(scope: Scope, clockId: string): Promise<Date>;
  /** Executions one advance (or a new report) may create, at most. */
  readonly maxExecutions: number;
}

export interface ReportListFilter {
  readonly ids?: readonly string[];
  readonly name?: string;
  readonly queryId?: string;
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  async create(scope: Scope, user: string, body: unknown): Promise<StoredReport> {
    const now = this.deps.now();
    const testClockId = readTestClockId(body);
    // A report on a test clock lives on its time: StartTime rules and slots are checked against it.
    const clockTime = testClockId === null ? null : await this.clockTime(scope, testClockId);
    const input = parseCreateReport(body, this.ruleContext(clockTime ?? now));
    if (testClockId !== null && input.executeNow) {
      throw invalid(
        "Invalid report parameters for creation - TestClockId applies only to scheduled reports: an ExecuteNow report runs at once",
      );
    }
    if (input.callbackUrl) this.deps.checkCallbackUrl(input.callbackUrl);
    const found = await this.deps.queries.find(scope, input.queryId);
    if (!found) throw invalid(`Invalid QueryId: no system or user-defined query has id ${input.queryId}`);
    const queryText = found.query.query;
    this.checkInterval(scope, queryText, input.schedule?.recurrenceInterval, "creation");

    const report: StoredReport = {
      id: this.deps.newId(),
      tenant: scope.tenant,
      program: scope.program,
      name: input.name,
      description: input.description,
      queryId: found.query.id,
      queryText,
      startTime: input.schedule?.startTime ?? now,
      recurrenceInterval: input.schedule?.recurrenceInterval ?? 0,
      recurrenceCount: input.schedule ? input.schedule.recurrenceCount : 1,
      executeNow: input.executeNow,
      queryStartTime: input.queryStartTime,
      queryEndTime: input.queryEndTime,
      queryWindow: input.schedule?.queryWindow ?? null,
      format: input.format,
      compression: input.compression,
      spreadsheetSafe: input.spreadsheetSafe,
      callbackUrl: input.callbackUrl,
      callbackMethod: input.callbackMethod,
      callbackOnFailure: input.callbackOnFailure,
      testClockId,
      status: "Active",
      user,
      createdTime: now,
      modifiedTime: null,
    };
    const first =
      clockTime === null
        ? [this.firstExecution(report, input, now)]
        : this.slotsOnClock(report, clockTime, now);
    const outcome = await this.deps.store.createReport(report, first, {
      maxActiveReports: this.deps.quotas.activeReports,
      maxExecuteNow: this.deps.quotas.executeNow,
      executeNowWindowMs: this.deps.quotas.executeNowWindowMinutes * 60_000,
      now,
    });
    if (!outcome.ok) {
      const { activeReports, executeNow, executeNowWindowMinutes } = this.deps.quotas;
      // The documented message first, then when the next one is allowed and what raises the limit.
      throw new AppError(
        ERROR_CODES.QUOTA_EXCEEDED,
        outcome.reason === "executeNow"
          ? `User has exceeded its ExecuteNow report creation quota of ${executeNow} reports/${executeNowWindowMinutes} mins: ` +
              `the next one is allowed at ${wholeSecondAfter(outcome.nextAllowedAt)}; ` +
              "OPENINSIGHTS_QUOTA_EXECUTE_NOW (or a shorter OPENINSIGHTS_QUOTA_EXECUTE_NOW_WINDOW_MINUTES) raises the limit"
          : `User has exceeded its report creation quota of ${activeReports} active reports: ` +
              "the next one is allowed once a report is deleted or has run its last execution (Inactive); " +
              "OPENINSIGHTS_QUOTA_ACTIVE_REPORTS raises the limit",
      );
    }
    if (report.executeNow || first.length > 0) this.deps.onWork?.();
    return report;
  }

  async get(scope: Scope, id: string): Promise<StoredReport> {
    const report = await this.deps.store.getReport(scope, id);
    if (!report) throw notFound(`no report with id ${id}`);
    return report;
  }

  async list(scope: Scope, filter: ReportListFilter, page: PageParams): Promise<PageResult<StoredReport>> {
    const after = page.token ? decodeCursor(decodeToken(page.token)) : undefined;
    const result = await this.deps.store.listReports(
      scope,
      {
        ...(filter.ids ? { ids: filter.ids } : {}),
        ...(filter.name ? { name: filter.name } : {}),
        ...(filter.queryId ? { queryId: filter.queryId } : {}),
      },
      { limit: page.pageSize, ...(after ? { after } : {}) },
    );
    if (result.items.length === 0 && !page.token && filter.ids)
      throw notFound(`no report with id ${filter.ids.join(";")}`);
    return result.next
      ? { items: result.items, nextToken: encodeCursor(result.next) }
      : { items: result.items };
  }

  async update(scope: Scope, id: string, body: unknown): Promise<StoredReport> {
    const now = this.deps.now();
    const current = await this.get(scope, id);
    const testClockId = readTestClockId(body);
    if (testClockId !== null && !this.deps.testClocks) throw refusedWhileOff();
    if (testClockId !== null && testClockId.toLowerCase() !== current.testClockId?.toLowerCase()) {
      throw invalid(
        "Invalid report parameters for update - TestClockId cannot be changed: create a new report on the other clock",
      );
    }
    const clockTime = current.testClockId ? await this.clockTime(scope, current.testClockId) : null;
    const input = parseUpdateReport(body, current, this.ruleContext(clockTime ?? now));
    if (input.callbackUrl && input.callbackUrl !== current.callbackUrl)
      this.deps.checkCallbackUrl(input.callbackUrl);
    this.checkInterval(scope, current.queryText, input.schedule?.recurrenceInterval, "update");
    const rescheduled =
      input.schedule !== undefined &&
      (input.schedule.startTime.getTime() !== current.startTime.getTime() ||
        input.schedule.recurrenceInterval !== current.recurrenceInterval ||
        input.schedule.recurrenceCount !== current.recurrenceCount);
    const updated: StoredReport = {
      ...current,
      name: input.name,
      description: input.description,
      format: input.format,
      compression: input.compression,
      spreadsheetSafe: input.spreadsheetSafe,
      callbackUrl: input.callbackUrl,
      callbackMethod: input.callbackMethod,
      callbackOnFailure: input.callbackOnFailure,
      ...(input.schedule ?? {}),
      // A new schedule brings a finished report back to life.
      status: rescheduled && current.status === "Inactive" ? "Active" : current.status,
      modifiedTime: now,
    };
    if (!(await this.deps.store.updateReport(updated))) throw notFound(`no report with id ${id}`);
    if (rescheduled) {
      await this.deps.store.deleteWaitingExecutions(scope, id);
      await this.deps.store.createExecutions(
        clockTime === null
          ? [newExecution(updated, updated.startTime, now, this.deps.newId())]
          : this.slotsOnClock(updated, clockTime, now),
      );
    }
    return updated;
  }

  async delete(scope: Scope, id: string): Promise<StoredReport> {
    const report = await this.get(scope, id);
    const { deleted, fileKeys } = await this.deps.store.deleteReport(scope, id);
    if (!deleted) throw notFound(`no report with id ${id}`);
    await this.deps.deleteFiles(fileKeys);
    return report;
  }

  async pause(scope: Scope, id: string): Promise<StoredReport> {
    const report = await this.get(scope, id);
    if (report.status === "Inactive")
      throw invalid(`Report ${id} is Inactive: it has no executions left to pause`);
    if (report.status === "Paused") return report;
    const now = this.deps.now();
    const paused: StoredReport = { ...report, status: "Paused", modifiedTime: now };
    await this.deps.store.updateReport(paused);
    await this.deps.store.setExecutionStatus(scope, id, ["Pending"], "Paused", now);
    return paused;
  }

  /** Resume continues from the first slot not yet past: slots that passed while paused are not run later. */
  async resume(scope: Scope, id: string): Promise<StoredReport> {
    const report = await this.get(scope, id);
    if (report.status === "Inactive")
      throw invalid(`Report ${id} is Inactive: it has no executions left to resume`);
    if (report.status === "Active") return report;
    const now = this.deps.now();
    const resumed: StoredReport = { ...report, status: "Active", modifiedTime: now };
    await this.deps.store.updateReport(resumed);
    if (!report.executeNow) await this.deps.store.deleteWaitingExecutions(scope, id);
    // What remains paused was already attempted (a retry, or the ExecuteNow run): it goes on.
    await this.deps.store.setExecutionStatus(scope, id, ["Paused"], "Pending", now);
    // On a test clock the next advance plans the slots after the clock's time; those passed while
    // paused stay unrun (advances pass over Paused reports).
    if (report.testClockId) return resumed;
    const latest = await this.deps.store.latestExecution(id);
    if (report.executeNow || latest?.status === "Pending") return resumed;
    const plan = nextRunTimes(
      {
        startTime: report.startTime,
        intervalHours: report.recurrenceInterval,
        count: report.recurrenceCount,
      },
      now,
      { lastSlot: latest?.scheduledTime ?? null, catchUp: "future" },
    );
    if (!plan) {
      // Every remaining slot passed while paused: the schedule is used up.
      await this.deps.store.setReportStatus(id, ["Active"], "Inactive", now);
      return { ...resumed, status: "Inactive" };
    }
    const execution = {
      ...newExecution(resumed, plan.slot, now, this.deps.newId()),
      skippedSlots: plan.skipped,
    };
    await this.deps.store.createExecutions([execution]);
    return resumed;
  }

  /** The frozen time of the scope's clock `clockId`; 400 when test clocks are off or it is unknown. */
  private async clockTime(scope: Scope, clockId: string): Promise<Date> {
    if (!this.deps.testClocks) throw refusedWhileOff();
    return this.deps.testClocks.frozenTime(scope, clockId);
  }

  /**
   * The executions of a report on a test clock for its slots up to the clock's time (a new or
   * rescheduled report: StartTime at the clock's time is due at once). They are due now, on the
   * wall clock, so that workers run them at once, in slot order.
   */
  private slotsOnClock(report: StoredReport, clockTime: Date, now: Date): StoredExecution[] {
    const max = this.deps.testClocks?.maxExecutions ?? 0;
    const { slots, overLimit } = slotsPassed(scheduleOf(report), null, clockTime, max);
    if (overLimit) {
      throw invalid(
        `Invalid report parameters - more than ${max} slots of this report lie at or before its test clock's time (OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS)`,
      );
    }
    return slots.map((slot, index) =>
      dueInSlotOrder(newExecution(report, slot, now, this.deps.newId()), now, index, slots.length),
    );
  }

  private ruleContext(now: Date): RuleContext {
    return {
      now,
      startTimeLeadHours: this.deps.startTimeLeadHours,
      spreadsheetSafeDefault: this.deps.spreadsheetSafe,
      spaceForT: this.deps.spaceForT ?? false,
    };
  }

  /** RecurrenceInterval must also respect the dataset's minimumRecurrenceInterval. */
  private checkInterval(scope: Scope, queryText: string, interval: number | undefined, action: string): void {
    if (interval === undefined) return;
    const { dataset } = this.deps.queries.check(scope, queryText);
    if (interval < dataset.minimumRecurrenceInterval) {
      throw invalid(
        `Invalid report parameters for ${action} - RecurrenceInterval must be at least ${dataset.minimumRecurrenceInterval} hours for dataset ${dataset.name} (its minimumRecurrenceInterval)`,
      );
    }
  }

  private firstExecution(report: StoredReport, input: CreateReportInput, now: Date): StoredExecution {
    return newExecution(report, input.schedule?.startTime ?? now, now, this.deps.newId());
  }
}

/** The slot rule's view of a scheduled report. */
export function scheduleOf(report: StoredReport): Schedule {
  return {
    startTime: report.startTime,
    intervalHours: report.recurrenceInterval,
    count: report.recurrenceCount,
  };
}

/**
 * An execution of a test clock's slot made due on the wall clock at once, the `index`-th of
 * `count`: one millisecond apart, so that workers (oldest due first) claim them in slot order.
 */
export function dueInSlotOrder(
  execution: StoredExecution,
  now: Date,
  index: number,
  count: number,
): StoredExecution {
  return { ...execution, nextAttemptAt: new Date(now.getTime() - (count - index)) };
}

function refusedWhileOff(): AppError {
  return invalid(
    "Invalid report parameters - TestClockId is refused: test clocks are off (OPENINSIGHTS_TEST_CLOCKS=true, or serve --demo, turns them on)",
  );
}

function notFound(detail: string): AppError {
  return new AppError(ERROR_CODES.NOT_FOUND, `No item found with given filters. (${detail})`);
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}

/** yyyy-MM-ddTHH:mm:ssZ, rounded up so that the instant named is never too early. */
function wholeSecondAfter(date: Date): string {
  return `${new Date(Math.ceil(date.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
