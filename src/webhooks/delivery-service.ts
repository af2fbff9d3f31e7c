/** A report's callback deliveries: listed with their attempts, and sent again on request. */
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { MetadataStore, Scope } from "../storage/ports.js";
import type { CallbackDelivery, DeliveryAttempt } from "./model.js";

export type DeliveryWithAttempts = CallbackDelivery & { readonly attemptLog: readonly DeliveryAttempt[] };

export interface DeliveryServiceDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
  /** Called when a delivery is due again (wakes this process's callback loop). */
  readonly onWork?: () => void;
}

export class DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  async list(scope: Scope, reportId: string): Promise<DeliveryWithAttempts[]> {
    await this.requireReport(scope, reportId);
    return this.deps.store.listReportDeliveries(scope, reportId);
  }

  /** Makes the execution's callback due now; returns the delivery as it then is. */
  async redeliver(scope: Scope, reportId: string, executionId: string): Promise<DeliveryWithAttempts> {
    await this.requireReport(scope, reportId);
    const [delivery] = await this.deps.store.listDeliveries(scope, [executionId]);
    if (!delivery || delivery.reportId !== reportId) {
      throw new AppError(
        ERROR_CODES.NOT_FOUND,
        `No item found with given filters. (execution ${executionId} of report ${reportId} has no callback: ` +
          "it has not finished, or the report had no CallbackUrl, or it failed without CallbackOnFailure)",
      );
    }
    const outcome = await this.deps.store.redeliver(scope, executionId, this.deps.now());
    if (outcome === "busy") {
      throw new AppError(
        ERROR_CODES.INVALID_ARGUMENT,
        `The callback of execution ${executionId} is being sent right now; ask again once this attempt is recorded`,
      );
    }
    this.deps.onWork?.();
    const [queued] = await this.deps.store.listDeliveries(scope, [executionId]);
    return queued!;
  }

  private async requireReport(scope: Scope, reportId: string): Promise<void> {
    if (!(await this.deps.store.getReport(scope, reportId))) {
      throw new AppError(
        ERROR_CODES.NOT_FOUND,
        `No item found with given filters. (no report with id ${reportId})`,
      );
    }
  }
}
