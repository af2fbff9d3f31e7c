/**
 * Test clocks (docs/test-clocks.md): create, read, advance, delete. Advancing creates, in slot
 * order, one execution for every slot its reports pass, each for its own slot (so with its own
 * data window), due at once on the wall clock; workers then run them as usual.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { FieldReader, parseWireTime, wireTimeRangeProblem } from "../core/fields.js";
import { newExecution } from "../executions/lifecycle.js";
import type { StoredExecution } from "../executions/model.js";
import type { StoredReport } from "../reports/model.js";
import { dueInSlotOrder, type ReportClocks } from "../reports/report-service.js";
import { MAX_NAME_LENGTH } from "../reports/rules.js";
import { reportSchedule } from "../reports/schedule.js";
import { slotsPassed } from "../reports/slots-passed.js";
import type { StoredTestClock } from "./model.js";

/** Who owns a clock: a tenant in one program (the store's `Scope`). */
export interface ClockScope {
  readonly tenant: string;
  readonly program: string;
}

/** What clocks need of the metadata store (its methods of the same names). */
export interface ClockStore {
  createTestClock(clock: StoredTestClock): Promise<void>;
  getTestClock(scope: ClockScope, id: string): Promise<StoredTestClock | undefined>;
  listTestClocks(scope: ClockScope): Promise<StoredTestClock[]>;
  updateTestClock(clock: StoredTestClock): Promise<boolean>;
  deleteTestClock(scope: ClockScope, id: string): Promise<boolean>;
  listClockReports(scope: ClockScope, clockId: string): Promise<StoredReport[]>;
  /** Inserts executions, skipping any whose (report, slot) exists. */
  createExecutions(executions: readonly StoredExecution[]): Promise<number>;
}

export interface TestClockServiceDeps {
  readonly store: ClockStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Executions one advance may create, at most (OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS). */
  readonly maxExecutionsPerAdvance: number;
  /** Deletes a report with its executions and files (the report service's delete). */
  readonly deleteReport: (scope: ClockScope, reportId: string) => Promise<unknown>;
  /** Tells the workers there is new work. */
  readonly onWork?: () => void;
}

const CREATE = "Invalid test clock parameters - ";
const ADVANCE = "Invalid test clock advance - ";

export class TestClockService implements ReportClocks {
  constructor(private readonly deps: TestClockServiceDeps) {}

  get maxExecutions(): number {
    return this.deps.maxExecutionsPerAdvance;
  }

  async create(scope: ClockScope, body: unknown): Promise<StoredTestClock> {
    const fields = new FieldReader(body, CREATE);
    const name = fields.string("Name", { required: true }).trim();
    if (name.length > MAX_NAME_LENGTH) {
      throw invalid(`${CREATE}Name must be at most ${MAX_NAME_LENGTH} characters`);
    }
    const clock: StoredTestClock = {
      id: this.deps.newId(),
      tenant: scope.tenant,
      program: scope.program,
      name,
      frozenTime: readFrozenTime(fields, CREATE),
      status: "Ready",
      createdTime: this.deps.now(),
      modifiedTime: null,
    };
    await this.deps.store.createTestClock(clock);
    return clock;
  }

  async get(scope: ClockScope, id: string): Promise<StoredTestClock> {
    const clock = await this.deps.store.getTestClock(scope, id);
    if (!clock) {
      throw new AppError(
        ERROR_CODES.NOT_FOUND,
        `No item found with given filters. (no test clock with id ${id})`,
      );
    }
    return clock;
  }

  list(scope: ClockScope): Promise<StoredTestClock[]> {
    return this.deps.store.listTestClocks(scope);
  }

  /** For report creation: the clock's time, or a 400 naming the field. */
  async frozenTime(scope: ClockScope, clockId: string): Promise<Date> {
    const clock = await this.deps.store.getTestClock(scope, clockId);
    if (!clock) {
      throw invalid(`Invalid report parameters - Invalid TestClockId: no test clock has id ${clockId}`);
    }
    return clock.frozenTime;
  }

  /**
   * Moves the clock forward to `FrozenTime` (never back). Every Active scheduled report on it gets
   * one execution per slot in (old time, new time], all planned before anything is written so that
   * an advance past the bound changes nothing. The clock is `Advancing` meanwhile and `Ready` once
   * every due slot has its execution; an advance cut short (a crash) leaves it `Advancing` at its
   * old time, and advancing again creates what is missing (one execution per report and slot).
   */
  async advance(scope: ClockScope, id: string, body: unknown): Promise<StoredTestClock> {
    const clock = await this.get(scope, id);
    const to = readFrozenTime(new FieldReader(body, ADVANCE), ADVANCE);
    if (to.getTime() < clock.frozenTime.getTime()) {
      throw invalid(
        `${ADVANCE}FrozenTime must not move the clock back: it is at ${wire(clock.frozenTime)}, and ${wire(to)} is earlier`,
      );
    }
    const now = this.deps.now();
    const max = this.deps.maxExecutionsPerAdvance;
    const reports = (await this.deps.store.listClockReports(scope, id)).filter(
      (report) => report.status === "Active" && !report.executeNow,
    );
    const due: { slot: Date; make: () => StoredExecution }[] = [];
    for (const report of reports) {
      const passed = slotsPassed(reportSchedule(report), clock.frozenTime, to, max - due.length);
      if (passed.overLimit) {
        throw invalid(
          `${ADVANCE}advancing to ${wire(to)} would create more than ${max} executions (at most ${max} per advance, ` +
            "OPENINSIGHTS_TEST_CLOCK_MAX_EXECUTIONS); advance in smaller steps",
        );
      }
      for (const slot of passed.slots) {
        due.push({ slot, make: () => newExecution(report, slot, now, this.deps.newId()) });
      }
    }
    due.sort((a, b) => a.slot.getTime() - b.slot.getTime());

    const advancing: StoredTestClock = { ...clock, status: "Advancing", modifiedTime: now };
    if (!(await this.deps.store.updateTestClock(advancing))) throw this.gone(id);
    await this.deps.store.createExecutions(
      due.map(({ make }, index) => dueInSlotOrder(make(), now, index, due.length)),
    );
    const ready: StoredTestClock = { ...clock, frozenTime: to, status: "Ready", modifiedTime: now };
    if (!(await this.deps.store.updateTestClock(ready))) throw this.gone(id);
    if (due.length > 0) this.deps.onWork?.();
    return ready;
  }

  /** Deletes the clock and every report on it (with their executions and files). */
  async delete(scope: ClockScope, id: string): Promise<StoredTestClock> {
    const clock = await this.get(scope, id);
    for (const report of await this.deps.store.listClockReports(scope, id)) {
      try {
        await this.deps.deleteReport(scope, report.id);
      } catch (error) {
        // Deleted meanwhile by another request: what was asked for is done.
        if (!(error instanceof AppError && error.code === ERROR_CODES.NOT_FOUND)) throw error;
      }
    }
    if (!(await this.deps.store.deleteTestClock(scope, id))) throw this.gone(id);
    return clock;
  }

  private gone(id: string): AppError {
    return new AppError(
      ERROR_CODES.NOT_FOUND,
      `No item found with given filters. (test clock ${id} was deleted)`,
    );
  }
}

function readFrozenTime(fields: FieldReader, prefix: string): Date {
  const text = fields.string("FrozenTime", { required: true });
  const time = parseWireTime(text);
  if (!time) throw invalid(`${prefix}FrozenTime should follow format: yyyy-MM-ddTHH:mm:ssZ (was '${text}')`);
  const outOfRange = wireTimeRangeProblem("FrozenTime", time);
  if (outOfRange) throw invalid(`${prefix}${outOfRange}`);
  return time;
}

function wire(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
