/**
 * The scheduler tick: for every Active report with nothing queued, create the execution of its next
 * slot (or make it Inactive when its schedule is used up). Safe to run in several processes at once:
 * the store creates at most one execution per (report, slot).
 */
import { newExecution } from "../executions/lifecycle.js";
import type { StoredReport } from "../reports/model.js";
import { nextRunTimes, reportSchedule } from "../reports/schedule.js";
import type { MetadataStore } from "../storage/ports.js";

export interface SchedulerDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface TickResult {
  readonly created: number;
  readonly finished: number;
}

const PAGE = 200;

export class Scheduler {
  constructor(private readonly deps: SchedulerDeps) {}

  async tick(): Promise<TickResult> {
    const now = this.deps.now();
    let created = 0;
    let finished = 0;
    let afterId: string | undefined;
    for (;;) {
      const reports = await this.deps.store.listReportsToPlan(PAGE, afterId);
      for (const report of reports) {
        const outcome = await this.plan(report, now);
        if (outcome === "created") created++;
        if (outcome === "finished") finished++;
      }
      if (reports.length < PAGE) return { created, finished };
      afterId = reports[reports.length - 1]!.id;
    }
  }

  private async plan(report: StoredReport, now: Date): Promise<"created" | "finished" | "none"> {
    const latest = await this.deps.store.latestExecution(report.id);
    const plan = report.executeNow
      ? null
      : nextRunTimes(reportSchedule(report), now, {
          lastSlot: latest?.scheduledTime ?? null,
          catchUp: "latest",
        });
    // A test clock's advances create its reports' executions; here it only finishes them.
    if (plan && report.testClockId) return "none";
    if (!plan) {
      const changed = await this.deps.store.setReportStatus(report.id, ["Active"], "Inactive", now);
      if (changed) this.deps.log?.("report finished", { reportId: report.id });
      return changed ? "finished" : "none";
    }
    const execution = {
      ...newExecution(report, plan.slot, now, this.deps.newId()),
      skippedSlots: plan.skipped,
    };
    const inserted = await this.deps.store.createExecutions([execution]);
    if (inserted > 0 && plan.skipped > 0) {
      this.deps.log?.("slots skipped after downtime", {
        reportId: report.id,
        skipped: plan.skipped,
        slot: plan.slot,
      });
    }
    return inserted > 0 ? "created" : "none";
  }
}
