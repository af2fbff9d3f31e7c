/**
 * The outbox dispatcher: claims due callback deliveries, sends each once (with a fresh download
 * link and the tenant's signature), records the attempt and schedules the next one or gives up.
 */
import type { StoredExecution } from "../executions/model.js";
import type { FaultService } from "../faults/fault-service.js";
import type { Metrics } from "../metrics/metrics.js";
import type { MetadataStore } from "../storage/ports.js";
import type { AllowList } from "./address-policy.js";
import { decideNext } from "./backoff.js";
import { attemptRecord, deliverOnce } from "./deliver.js";
import type { CallbackDelivery } from "./model.js";
import { callbackPayload } from "./payload.js";

export interface DispatcherDeps {
  readonly store: MetadataStore;
  readonly now: () => Date;
  readonly owner: string;
  readonly leaseMs: number;
  readonly allow: AllowList;
  readonly timeoutMs: number;
  /** The tenant's whsec_ secret. */
  readonly secretFor: (tenant: string) => string;
  /** A fresh download link for the execution, if it still has a file. */
  readonly linkFor: (execution: StoredExecution) => Promise<{ url: string; expiresAt: Date } | null>;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  readonly metrics?: Pick<Metrics, "deliveryAttempted">;
  /** Faults on demand (OPENINSIGHTS_FAULTS): whether an attempt is to fail without being sent. */
  readonly faults?: Pick<FaultService, "fails">;
}

/** What an attempt failed by a callback fault rule records (nothing is sent). */
const INJECTED_ATTEMPT = {
  statusCode: null,
  error:
    "Injected fault: a callback rule of /admin/v1/faults failed this attempt on purpose (nothing was sent)",
  durationMs: 0,
  ok: false,
} as const;

/** What the worker stores in the outbox; the link is added at each attempt so that it arrives fresh. */
export interface StoredPayload {
  readonly reportId: string;
  readonly executionId: string;
  readonly status: string;
  readonly reportGeneratedTime: string | null;
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  /** Absent in rows stored before CallbackOnFailure existed. */
  readonly failure?: { readonly code: string; readonly reason: string } | null;
}

const DELIVERY_OUTCOMES = { Delivered: "delivered", Pending: "retry", Failed: "failed" } as const;

export class CallbackDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Sends up to `limit` due deliveries; returns how many were attempted. */
  async runDue(limit = 4): Promise<number> {
    const { store, owner, leaseMs } = this.deps;
    const claimed = await store.claimDeliveries(owner, this.deps.now(), leaseMs, limit);
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  private async attempt(delivery: CallbackDelivery): Promise<void> {
    const now = this.deps.now();
    const stored = JSON.parse(delivery.payload) as StoredPayload;
    const execution = await this.deps.store.findExecution(delivery.tenant, delivery.executionId);
    const link = execution ? await this.deps.linkFor(execution) : null;
    const payload = callbackPayload({
      ...stored,
      reportAccessSecureLink: link?.url ?? null,
      reportExpiryTime: link?.expiresAt ?? null,
      reportGeneratedTime: stored.reportGeneratedTime ? new Date(stored.reportGeneratedTime) : null,
      failure: stored.failure ?? null,
    });
    const injected = await this.deps.faults?.fails("callback", {
      deliveryId: delivery.id,
      executionId: delivery.executionId,
    });
    const result = injected
      ? INJECTED_ATTEMPT
      : await deliverOnce(
          { ...delivery, payload },
          {
            secret: this.deps.secretFor(delivery.tenant),
            allow: this.deps.allow,
            timeoutMs: this.deps.timeoutMs,
            now,
          },
        );
    const attempt = delivery.attempts + 1;
    const next = decideNext(delivery, attempt, result, this.deps.now());
    const recorded = await this.deps.store.recordDeliveryAttempt(
      delivery.id,
      this.deps.owner,
      attemptRecord(delivery.id, attempt, now, result),
      next,
    );
    // Injected failures are counted as such (openinsights_injected_faults_total), never as real ones.
    if (recorded && !injected) this.deps.metrics?.deliveryAttempted(DELIVERY_OUTCOMES[next.status]);
    this.deps.log?.("callback attempt", {
      deliveryId: delivery.id,
      executionId: delivery.executionId,
      attempt,
      statusCode: result.statusCode,
      error: result.error,
      next: next.status,
    });
  }
}
