/**
 * A worker runs claimed executions: the query at the execution's scheduled time, written by the
 * engine to a scratch file (hashed, and flushed to disk, while the engine writes it), moved whole
 * into the file store, and only then marked Completed (with its callback enqueued in the same
 * transaction). The lease is renewed while it works; a worker that dies leaves a lease that
 * expires, and the execution is claimed again.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { AppError, ERROR_CODES, isAppError } from "../core/errors.js";
import type { CatalogSet } from "../datasets/catalog.js";
import type { FaultService } from "../faults/fault-service.js";
import type { Metrics } from "../metrics/metrics.js";
import type { CompiledSql } from "../query/compiled.js";
import { prepareQuery } from "../query/prepare.js";
import { reportContentType, reportFileExtension } from "../reports/formats.js";
import { BYTES_PER_MB, type StoredReport } from "../reports/model.js";
import { nextRunTimes, reportSchedule } from "../reports/schedule.js";
import type { AnalyticsEngine, ExportResult, FileStore, MetadataStore } from "../storage/ports.js";
import type { StoredPayload } from "../webhooks/dispatcher.js";
import type { CallbackDelivery } from "../webhooks/model.js";
import { callbackTarget } from "../webhooks/url.js";
import { digestFile, type FileDigest } from "./digest-while-writing.js";
import { exportHashed } from "./hashed-export.js";
import { type ExecutionOutcome, type ExecutionPart, partNumber, type StoredExecution } from "./model.js";
import { nextRetryAt } from "./retry.js";

export interface WorkerDeps {
  readonly store: MetadataStore;
  readonly catalogs: CatalogSet;
  readonly engine: AnalyticsEngine;
  readonly files: FileStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Identifies this worker in leases (host, process, worker number). */
  readonly owner: string;
  readonly leaseMs: number;
  /** Attempts before a transient failure becomes final. */
  readonly maxAttempts: number;
  /** Where files are written before they are handed to the file store. */
  readonly scratchDir: string;
  /** The jitter of retry waits, [0, 1) (Math.random unless a test fixes it). */
  readonly random?: () => number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  readonly metrics?: Pick<Metrics, "executionFinished">;
  /** Faults on demand (OPENINSIGHTS_FAULTS): whether an execution is to fail with InjectedFault. */
  readonly faults?: Pick<FaultService, "fails">;
  /** MaxFileSizeMB of reports that do not say (OPENINSIGHTS_MAX_FILE_SIZE_MB); absent: one file. */
  readonly maxFileSizeMB?: number;
}

/** Failure codes shown on executions (failureCode). */
export const FAILURE_CODES = {
  INVALID_QUERY: "invalid_query",
  REPORT_MISSING: "report_missing",
  ENGINE_ERROR: "engine_error",
  STORAGE_ERROR: "storage_error",
  /** A fault rule failed it on purpose (docs/faults.md); the issue names it in PascalCase. */
  INJECTED_FAULT: "InjectedFault",
} as const;
type FailureCode = (typeof FAILURE_CODES)[keyof typeof FAILURE_CODES];

/** The scratch file written by the engine, with its digest, or why it could not be. */
type ExportedFile =
  | {
      readonly ok: true;
      readonly rowCount: number;
      readonly digest: FileDigest;
      /** The data version the export read (absent when the engine cannot tell). */
      readonly dataVersion?: string;
      /** A result in two or more parts (MaxFileSizeMB), the first being the scratch file. */
      readonly parts?: readonly ScratchPart[];
    }
  | { readonly ok: false; readonly code: FailureCode; readonly error: unknown };

/** A part of a result on scratch space, hashed. */
interface ScratchPart {
  readonly path: string;
  readonly rowCount: number;
  readonly digest: FileDigest;
}

/**
 * How often the scratch file is flushed to disk while it is written, when the file store keeps it as
 * is. Measured on a 916 MB export on 2 cores: every 128 MB cost about what every 256 MB did and a
 * little less than every 16–64 MB (each flush briefly holds up DuckDB's writes); one fsync at the
 * end instead, which nothing overlaps, cost about 150 ms more.
 */
export const SCRATCH_FLUSH_BYTES = 128 << 20;

/** Bytes read at once when a part is hashed after the export (the engine did not hash it). */
const DIGEST_CHUNK_BYTES = 4 << 20;

export class ExecutionWorker {
  constructor(private readonly deps: WorkerDeps) {}

  /** Claims and runs up to `limit` due executions; returns how many it ran. */
  async runDue(limit = 1): Promise<number> {
    const claimed = await this.deps.store.claimExecutions(
      this.deps.owner,
      this.deps.now(),
      this.deps.leaseMs,
      limit,
    );
    for (const execution of claimed) await this.run(execution);
    return claimed.length;
  }

  /**
   * After downtime a queued slot may be stale: when later slots are already due, the execution runs
   * for the most recent of them instead, and records how many it skipped (docs/scheduling.md).
   */
  private async catchUp(execution: StoredExecution, report: StoredReport): Promise<StoredExecution> {
    const plan = nextRunTimes(reportSchedule(report), this.deps.now(), {
      lastSlot: execution.scheduledTime,
      catchUp: "latest",
    });
    if (!plan || plan.slot.getTime() > this.deps.now().getTime()) return execution;
    const skippedSlots = execution.skippedSlots + plan.skipped + 1;
    const moved = await this.deps.store.moveExecutionToSlot(
      execution.id,
      this.deps.owner,
      plan.slot,
      skippedSlots,
    );
    if (!moved) return execution;
    this.deps.log?.("stale slot moved to the most recent due slot", {
      executionId: execution.id,
      slot: plan.slot,
      skippedSlots,
    });
    return { ...execution, scheduledTime: plan.slot, skippedSlots };
  }

  private async run(claimed: StoredExecution): Promise<void> {
    const { store, owner } = this.deps;
    const scope = { tenant: claimed.tenant, program: claimed.program };
    const report = await store.getReport(scope, claimed.reportId);
    if (!report) {
      await this.finish(
        claimed,
        this.failure(FAILURE_CODES.REPORT_MISSING, "The report was deleted", false, claimed),
      );
      return;
    }
    // A backfill's execution runs for its own past slot: that is what it was created for. A test
    // clock's slots run as created, every one: its advance is the catch-up the client asked for.
    const execution =
      report.executeNow || claimed.backfill || report.testClockId
        ? claimed
        : await this.catchUp(claimed, report);
    const renewal = setInterval(
      () => {
        const until = new Date(this.deps.now().getTime() + this.deps.leaseMs);
        store.renewExecutionLease(execution.id, owner, until).catch((error: unknown) => {
          this.deps.log?.("lease renewal failed", { executionId: execution.id, error: String(error) });
        });
      },
      Math.max(1000, Math.floor(this.deps.leaseMs / 3)),
    );
    const scratch = path.join(
      this.deps.scratchDir,
      `${execution.id}.${this.deps.newId()}${fileExtension(report)}`,
    );
    // The parts of a result written in parts lie beside the scratch file; all go with it.
    const scratchParts: string[] = [];
    try {
      const started = performance.now();
      const injected = await this.deps.faults?.fails("execution", {
        executionId: execution.id,
        reportId: report.id,
      });
      const outcome = injected
        ? this.failure(
            FAILURE_CODES.INJECTED_FAULT,
            "Injected fault: an execution rule of /admin/v1/faults failed this execution on purpose",
            false,
            execution,
          )
        : await this.produce(execution, report, scratch, scratchParts);
      const seconds = (performance.now() - started) / 1000;
      await this.finish(execution, outcome, this.delivery(execution, report, outcome), seconds);
    } finally {
      clearInterval(renewal);
      for (const file of [scratch, ...scratchParts]) await rm(file, { force: true });
    }
  }

  private async produce(
    execution: StoredExecution,
    report: StoredReport,
    scratch: string,
    scratchParts: string[],
  ): Promise<ExecutionOutcome> {
    const override = await this.explicitWindow(execution, report);
    let prepared: ReturnType<typeof prepareQuery>;
    try {
      // The catalog may have changed since the query was saved (a restart with other catalog files).
      const catalog = this.deps.catalogs.find(report.program);
      if (!catalog) {
        throw new AppError(
          ERROR_CODES.INVALID_QUERY,
          `No catalog defines the program ${report.program} any more`,
        );
      }
      prepared = prepareQuery(report.queryText, catalog.datasets, {
        program: report.program,
        tenant: report.tenant,
        // TIMESPAN is evaluated at the slot's time, not when a worker happens to pick it up.
        now: execution.scheduledTime,
        ...(override ? { override } : {}),
        dialect: this.deps.engine.dialect,
      });
    } catch (error) {
      const reason = isAppError(error) ? error.message : String(error);
      return this.failure(FAILURE_CODES.INVALID_QUERY, reason, false, execution);
    }

    const maxFileSizeMB = report.maxFileSizeMB ?? this.deps.maxFileSizeMB;
    const written =
      maxFileSizeMB === undefined
        ? await this.exportWithDigest(prepared.sql, scratch, report)
        : await this.exportInParts(prepared.sql, scratch, report, maxFileSizeMB * BYTES_PER_MB, scratchParts);
    if (!written.ok) {
      return this.failure(written.code, describe(written.error), !willRecur(written.error), execution);
    }

    const stored: string[] = [];
    try {
      const done = {
        status: "Completed",
        at: this.deps.now(),
        rowCount: written.rowCount,
        windowStart: prepared.window.start,
        windowEnd: prepared.window.end,
        ...(written.dataVersion ? { dataVersion: written.dataVersion } : {}),
      } as const;
      if (!written.parts) {
        const key = fileKey(execution, report);
        await this.store(key, scratch, written.digest, report);
        await this.removeLeftoverParts(execution, report, 1);
        return { ...done, fileKey: key, bytes: written.digest.bytes, sha256: written.digest.sha256 };
      }
      const parts: ExecutionPart[] = [];
      for (const [index, part] of written.parts.entries()) {
        const key = fileKey(execution, report, index + 1);
        stored.push(key);
        await this.store(key, part.path, part.digest, report);
        parts.push({
          fileKey: key,
          rowCount: part.rowCount,
          bytes: part.digest.bytes,
          sha256: part.digest.sha256,
        });
      }
      // A dead attempt that wrote the result as one file left it under the execution's own key.
      await this.removeLeftoverParts(execution, report, parts.length + 1, { oneFile: true });
      // The execution's own file is the first part: old clients' links still get data.
      const first = parts[0]!;
      return { ...done, fileKey: first.fileKey, bytes: first.bytes, sha256: first.sha256, parts };
    } catch (error) {
      // Parts stored before the failure would be nobody's once a retry cuts the result differently;
      // so would a dead attempt's parts past them (a retry that looks for leftovers stops at the
      // first part missing, and this deletes the first ones).
      await this.deps.files.delete(stored).catch(() => undefined);
      await this.removeLeftoverParts(execution, report, stored.length + 1);
      return this.failure(FAILURE_CODES.STORAGE_ERROR, describe(error), true, execution);
    }
  }

  /**
   * Deletes the parts numbered `from` on that an earlier attempt of this execution stored and this
   * one did not write: a process killed while storing its parts leaves them, and a retry that cuts
   * the result into fewer parts (or none) would leave them nobody's. Only a retry looks (one `stat`),
   * and a failure here only leaves them, logged: the result is stored. `oneFile`: also the result a
   * dead attempt stored as one file (under the execution's own key), now that this one is in parts.
   */
  private async removeLeftoverParts(
    execution: StoredExecution,
    report: StoredReport,
    from: number,
    options: { readonly oneFile?: boolean } = {},
  ): Promise<void> {
    if (execution.attempts <= 1) return;
    try {
      if (options.oneFile) await this.deps.files.delete([fileKey(execution, report)]);
      for (let n = from; ; n++) {
        const key = fileKey(execution, report, n);
        if (!(await this.deps.files.stat(key))) return;
        await this.deps.files.delete([key]);
      }
    } catch (error) {
      this.deps.log?.("leftover parts not removed", { executionId: execution.id, error: String(error) });
    }
  }

  /** Moves a hashed scratch file into the file store under `key`, checking the bytes stored. */
  private async store(key: string, file: string, digest: FileDigest, report: StoredReport): Promise<void> {
    const stored = await this.deps.files.putFile(key, file, {
      contentType: reportContentType(report.format, report.compression),
    });
    if (stored.bytes !== digest.bytes) {
      throw new Error(`stored ${stored.bytes} bytes but hashed ${digest.bytes}`);
    }
  }

  /**
   * Exports in parts of at most `maxPartBytes` (docs/api.md, MaxFileSizeMB), then hashes each part
   * the engine did not hash while writing it (Parquet parts: DuckDB writes them). One part is the
   * result as one file, at `scratch`. `scratchParts` learns every part's path, for the caller to remove.
   */
  private async exportInParts(
    sql: CompiledSql,
    scratch: string,
    report: StoredReport,
    maxPartBytes: number,
    scratchParts: string[],
  ): Promise<ExportedFile> {
    let exported: ExportResult;
    try {
      await mkdir(this.deps.scratchDir, { recursive: true });
      exported = await this.deps.engine.exportTo(sql, scratch, {
        format: report.format,
        compression: report.compression,
        spreadsheetSafe: report.spreadsheetSafe,
        maxPartBytes,
      });
    } catch (error) {
      return { ok: false, code: FAILURE_CODES.ENGINE_ERROR, error };
    }
    const written = exported.parts ?? [{ path: scratch, rowCount: exported.rowCount, bytes: exported.bytes }];
    scratchParts.push(...written.map((part) => part.path));
    const parts: ScratchPart[] = [];
    try {
      const buffer = written.some((part) => !part.sha256)
        ? Buffer.allocUnsafeSlow(DIGEST_CHUNK_BYTES)
        : undefined;
      for (const part of written) {
        const digest = part.sha256
          ? { sha256: part.sha256, bytes: part.bytes }
          : await digestFile(part.path, buffer);
        parts.push({ path: part.path, rowCount: part.rowCount, digest });
      }
    } catch (error) {
      return { ok: false, code: FAILURE_CODES.STORAGE_ERROR, error };
    }
    const { dataVersion } = exported;
    return {
      ok: true,
      rowCount: exported.rowCount,
      digest: parts[0]!.digest,
      ...(dataVersion ? { dataVersion } : {}),
      ...(parts.length > 1 ? { parts } : {}),
    };
  }

  /**
   * The run's explicit data window, if any (else TIMESPAN at the slot): an ExecuteNow report's
   * QueryStartTime/QueryEndTime; with `QueryWindow: SinceLastSuccess`, from the end of the window
   * of the report's latest Completed execution to this slot, so consecutive successful runs cover
   * adjacent windows whatever failed or was skipped between them. (An override's end is inclusive
   * to the second, hence the slot minus one second: the window ends at the slot.)
   */
  private async explicitWindow(
    execution: StoredExecution,
    report: StoredReport,
  ): Promise<{ start?: Date; end?: Date } | undefined> {
    if (report.executeNow) {
      if (!report.queryStartTime && !report.queryEndTime) return undefined;
      return {
        ...(report.queryStartTime ? { start: report.queryStartTime } : {}),
        ...(report.queryEndTime ? { end: report.queryEndTime } : {}),
      };
    }
    // A backfilled slot takes its TIMESPAN at that slot: the incremental chain is the live runs'.
    if (report.queryWindow !== "SinceLastSuccess" || execution.backfill) return undefined;
    const previous = await this.deps.store.listExecutions(
      { tenant: report.tenant, program: report.program },
      { reportIds: [report.id], statuses: ["Completed"], latestOnly: true },
      { limit: 1 },
    );
    const since = previous.items[0]?.windowEnd;
    if (!since) return undefined;
    return { start: since, end: new Date(execution.scheduledTime.getTime() - 1000) };
  }

  /**
   * Exports to `scratch` and hashes the file as it is written (hashed-export.ts), so that no second
   * read is left once it is done. When the file store keeps this very file (a rename), its bytes are
   * also flushed to disk as they come, so that the store's fsync has only the tail left.
   */
  private async exportWithDigest(
    sql: CompiledSql,
    scratch: string,
    report: StoredReport,
  ): Promise<ExportedFile> {
    try {
      await mkdir(this.deps.scratchDir, { recursive: true });
    } catch (error) {
      return { ok: false, code: FAILURE_CODES.ENGINE_ERROR, error };
    }
    const hashed = await exportHashed(this.deps.engine, sql, scratch, {
      format: report.format,
      compression: report.compression,
      spreadsheetSafe: report.spreadsheetSafe,
      flushEvery: this.deps.files.capabilities.renamesLocalFiles ? SCRATCH_FLUSH_BYTES : 0,
    });
    if (!hashed.ok) {
      const code = hashed.failed === "engine" ? FAILURE_CODES.ENGINE_ERROR : FAILURE_CODES.STORAGE_ERROR;
      return { ok: false, code, error: hashed.error };
    }
    const { rowCount, dataVersion } = hashed.exported;
    return { ok: true, rowCount, digest: hashed.digest, ...(dataVersion ? { dataVersion } : {}) };
  }

  private failure(
    code: string,
    reason: string,
    transient: boolean,
    execution: StoredExecution,
  ): ExecutionOutcome {
    const at = this.deps.now();
    const retryAt = transient
      ? nextRetryAt(execution.attempts, this.deps.maxAttempts, at, this.deps.random ?? Math.random)
      : null;
    if (retryAt) return { status: "Retry", at, code, reason, retryAt };
    return { status: "Failed", at, code, reason };
  }

  /** The callback of a Completed execution, or of a Failed one when the report asks (CallbackOnFailure). */
  private delivery(
    execution: StoredExecution,
    report: StoredReport,
    outcome: ExecutionOutcome,
  ): CallbackDelivery | null {
    if (!report.callbackUrl || outcome.status === "Retry") return null;
    if (outcome.status === "Failed" && !report.callbackOnFailure) return null;
    const completed = outcome.status === "Completed";
    const method = report.callbackMethod ?? "POST";
    return {
      id: this.deps.newId(),
      executionId: execution.id,
      reportId: report.id,
      tenant: report.tenant,
      program: report.program,
      url: callbackTarget(report.callbackUrl, method, report.id),
      method,
      // The download link is added at each attempt, so that it is fresh when it arrives.
      payload: JSON.stringify({
        reportId: report.id,
        executionId: execution.id,
        status: outcome.status,
        reportGeneratedTime: completed ? outcome.at.toISOString() : null,
        rowCount: completed ? outcome.rowCount : null,
        bytes: completed ? outcome.bytes : null,
        sha256: completed ? outcome.sha256 : null,
        failure: completed ? null : { code: outcome.code, reason: outcome.reason },
      } satisfies StoredPayload),
      status: "Pending",
      attempts: 0,
      nextAttemptAt: outcome.at,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastStatusCode: null,
      lastError: null,
      deliveredAt: null,
      createdTime: outcome.at,
    };
  }

  private async finish(
    execution: StoredExecution,
    outcome: ExecutionOutcome,
    delivery: CallbackDelivery | null = null,
    seconds = 0,
  ) {
    const recorded = await this.deps.store.finishExecution(execution.id, this.deps.owner, outcome, delivery);
    if (recorded && outcome.status === "Completed") {
      this.deps.metrics?.executionFinished(execution.program, "Completed", {
        rows: outcome.rowCount,
        bytes: outcome.parts?.reduce((sum, part) => sum + part.bytes, 0) ?? outcome.bytes,
        seconds,
      });
    } else if (recorded && outcome.status === "Failed" && outcome.code !== FAILURE_CODES.INJECTED_FAULT) {
      // Injected failures are counted as such (openinsights_injected_faults_total), never as real ones.
      this.deps.metrics?.executionFinished(execution.program, "Failed");
    }
    this.deps.log?.(recorded ? "execution finished" : "execution lease lost; outcome dropped", {
      executionId: execution.id,
      reportId: execution.reportId,
      status: outcome.status,
      ...(outcome.status !== "Completed"
        ? { code: outcome.code, reason: outcome.reason }
        : { rows: outcome.rowCount }),
    });
  }
}

/** Files are keyed per execution, so a re-run after a crash overwrites the same file. */
export function fileKey(execution: StoredExecution, report: StoredReport, part?: number): string {
  // Part `n` (from 1) of a result written in parts: `<execution>.part-0001<extension>`, …
  const name = part === undefined ? execution.id : `${execution.id}.part-${partNumber(part)}`;
  return `${report.program}/${report.tenant}/${report.id}/${name}${fileExtension(report)}`;
}

function fileExtension(report: StoredReport): string {
  return reportFileExtension(report.format, report.compression);
}

/** An engine error about the query or its values (invalid_argument) fails the same way on every attempt. */
function willRecur(error: unknown): boolean {
  return isAppError(error) && error.code === ERROR_CODES.INVALID_ARGUMENT;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 500);
}
