/** Reports (E6–E11): creation with its first execution, listing, update, delete, pause, resume. */

import type { Quotas } from "../config/config.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import { newExecution } from "../executions/lifecycle.js";
import type { StoredExecution } from "../executions/model.js";
import type { MetadataStore, Scope } from "../storage/ports.js";
import { shortestWallClockGapHours } from "./calendar.js";
import type { StoredReport } from "./model.js";
import type { QueryService } from "./query-service.js";
import {
  MAX_BACKFILL_SLOTS,
  parseBackfill,
  parseCreateReport,
  parseUpdateReport,
  type RuleContext,
  readTestClockId,
  type ScheduleFields,
} from "./rules.js";
import { nextRunTimes, reportSchedule, slotsInRange } from "./schedule.js";
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

/** What a backfill did: the slots of the range, and the executions it created for those that had none. */
export interface BackfillResult {
  readonly report: StoredReport;
  readonly from: Date;
  readonly to: Date;
  readonly slots: number;
  readonly created: readonly StoredExecution[];
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
    this.checkInterval(scope, queryText, input.schedule, "creation", now);

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
      schedule: input.schedule?.schedule ?? null,
      timeZone: input.schedule?.timeZone ?? null,
      format: input.format,
      compression: input.compression,
      spreadsheetSafe: input.spreadsheetSafe,
      maxFileSizeMB: input.maxFileSizeMB,
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
      clockTime === null ? [this.firstExecution(report, now)] : this.slotsOnClock(report, clockTime, now);
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
    const input = parseUpdateReport(
      body,
      { ...current, maxFileSizeMB: current.maxFileSizeMB ?? null },
      this.ruleContext(clockTime ?? now),
    );
    if (input.callbackUrl && input.callbackUrl !== current.callbackUrl)
      this.deps.checkCallbackUrl(input.callbackUrl);
    this.checkInterval(scope, current.queryText, input.schedule, "update", now);
    const rescheduled =
      input.schedule !== undefined &&
      (input.schedule.startTime.getTime() !== current.startTime.getTime() ||
        input.schedule.recurrenceInterval !== current.recurrenceInterval ||
        input.schedule.recurrenceCount !== current.recurrenceCount ||
        input.schedule.schedule !== current.schedule ||
        input.schedule.timeZone !== current.timeZone);
    const updated: StoredReport = {
      ...current,
      name: input.name,
      description: input.description,
      format: input.format,
      compression: input.compression,
      spreadsheetSafe: input.spreadsheetSafe,
      maxFileSizeMB: input.maxFileSizeMB,
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
        clockTime === null ? [this.firstExecution(updated, now)] : this.slotsOnClock(updated, clockTime, now),
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
    const plan = nextRunTimes(reportSchedule(report), now, {
      lastSlot: latest?.scheduledTime ?? null,
      catchUp: "future",
    });
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

  /**
   * One execution per slot of the report's schedule in [From, To] — also before StartTime, and
   * whatever RecurrenceCount says — except the slots that have one already (so a repeated request
   * creates nothing). Each runs for its own slot, with its TIMESPAN at that slot (docs/scheduling.md).
   */
  async backfill(scope: Scope, id: string, body: unknown): Promise<BackfillResult> {
    const now = this.deps.now();
    const range = parseBackfill(body, now);
    const report = await this.get(scope, id);
    if (report.executeNow) {
      throw invalid(
        `Invalid backfill parameters - report ${id} is an ExecuteNow report: it has no schedule to backfill`,
      );
    }
    const slots = slotsInRange(reportSchedule(report), range.from, range.to, MAX_BACKFILL_SLOTS);
    if (slots.length > MAX_BACKFILL_SLOTS) {
      throw invalid(
        `Invalid backfill parameters - From..To holds more than ${MAX_BACKFILL_SLOTS} slots of this report's schedule (slot ${MAX_BACKFILL_SLOTS + 1} is ${slots[MAX_BACKFILL_SLOTS]!.toISOString()}); backfill at most ${MAX_BACKFILL_SLOTS} at a time`,
      );
    }
    const created: StoredExecution[] = [];
    // One insert per slot, so that the answer can list what was created; the store skips a slot
    // that has an execution (the unique key), which makes the request idempotent.
    for (const slot of slots) {
      const execution = { ...newExecution(report, slot, now, this.deps.newId()), backfill: true };
      if ((await this.deps.store.createExecutions([execution])) > 0) created.push(execution);
    }
    if (created.length > 0) this.deps.onWork?.();
    return { report, ...range, slots: slots.length, created };
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
    const { slots, overLimit } = slotsPassed(reportSchedule(report), null, clockTime, max);
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

  /**
   * RecurrenceInterval, or the times of a calendar Schedule on its zone's clock, must also respect
   * the dataset's minimumRecurrenceInterval.
   */
  private checkInterval(
    scope: Scope,
    queryText: string,
    schedule: ScheduleFields | undefined,
    action: string,
    now: Date,
  ): void {
    if (schedule === undefined) return;
    const { dataset } = this.deps.queries.check(scope, queryText);
    const minimum = dataset.minimumRecurrenceInterval;
    if (schedule.schedule !== null) {
      const gap = shortestWallClockGapHours(schedule.schedule, now);
      if (gap < minimum) {
        throw invalid(
          `Invalid report parameters for ${action} - Schedule '${schedule.schedule}' runs ${Number(gap.toFixed(2))} hours apart at its closest; dataset ${dataset.name} needs at least ${minimum} hours between runs (its minimumRecurrenceInterval)`,
        );
      }
      return;
    }
    if (schedule.recurrenceInterval < minimum) {
      throw invalid(
        `Invalid report parameters for ${action} - RecurrenceInterval must be at least ${minimum} hours for dataset ${dataset.name} (its minimumRecurrenceInterval)`,
      );
    }
  }

  /**
   * The execution of a (re)scheduled report's first slot: StartTime for an interval schedule, the
   * calendar's first time at or after it for a calendar one (ExecuteNow: now).
   */
  private firstExecution(report: StoredReport, now: Date): StoredExecution {
    if (report.executeNow) return newExecution(report, now, now, this.deps.newId());
    const first = nextRunTimes(reportSchedule(report), report.startTime, {
      lastSlot: null,
      catchUp: "latest",
    });
    return newExecution(report, first?.slot ?? report.startTime, now, this.deps.newId());
  }
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
