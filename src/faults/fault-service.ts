/**
 * Faults on demand (docs/faults.md): the rules live in the metadata store, so that every process
 * sharing it (PostgreSQL: API, workers, schedulers) applies the same ones. Each process reads them
 * at most once per `refreshMs` (a request must not cost a database round trip); a change made
 * through this process applies here at once, elsewhere within `refreshMs`.
 */
import { type FaultRule, type FaultTarget, httpFault, parseFaultRules, targetFails } from "./rules.js";

/** Where the rules live: the metadata store (its `getFaultRules` and `setFaultRules`). */
export interface FaultRuleStore {
  /** The rules as JSON, or null when none are set. */
  getFaultRules(): Promise<string | null>;
  /** Replaces the rules (null clears them). */
  setFaultRules(rules: string | null, at: Date): Promise<void>;
}

export interface FaultServiceDeps {
  readonly store: FaultRuleStore;
  readonly now: () => Date;
  /** How long rules read from the store are applied before they are read again. */
  readonly refreshMs: number;
  /** [0, 1); Math.random unless a test fixes it. */
  readonly random?: () => number;
  /** Every injected fault is logged and counted under its own label. */
  readonly injected?: (target: FaultTarget, detail: Record<string, unknown>) => void;
}

export class FaultService {
  private rules: readonly FaultRule[] = [];
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<readonly FaultRule[]> | undefined;

  constructor(private readonly deps: FaultServiceDeps) {}

  /** Replaces the rules (an empty list clears them); returns them as stored. */
  async set(body: unknown): Promise<readonly FaultRule[]> {
    const rules = parseFaultRules(body);
    await this.deps.store.setFaultRules(rules.length === 0 ? null : JSON.stringify(rules), this.deps.now());
    this.remember(rules);
    return rules;
  }

  async clear(): Promise<void> {
    await this.deps.store.setFaultRules(null, this.deps.now());
    this.remember([]);
  }

  /** The rules as stored now (what every process applies within `refreshMs`). */
  async read(): Promise<readonly FaultRule[]> {
    const text = await this.deps.store.getFaultRules();
    this.remember(text === null ? [] : (JSON.parse(text) as FaultRule[]));
    return this.rules;
  }

  /** The rules in force (read again from the store once `refreshMs` has passed). */
  current(): Promise<readonly FaultRule[]> {
    if (Date.now() - this.readAt < this.deps.refreshMs) return Promise.resolve(this.rules);
    this.reading ??= this.deps.store
      .getFaultRules()
      .then((text) => {
        this.remember(text === null ? [] : (JSON.parse(text) as FaultRule[]));
        return this.rules;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /** The HTTP rule a request meets, if any (counted and logged as injected). */
  async forRequest(method: string, path: string): Promise<FaultRule | undefined> {
    const rules = await this.current();
    if (rules.length === 0) return undefined;
    const rule = httpFault(rules, method, path, this.random);
    if (rule) this.deps.injected?.("http", { method, path, status: rule.status, latencyMs: rule.latencyMs });
    return rule;
  }

  /** Whether this execution (or callback attempt) is to fail (counted and logged when it is). */
  async fails(target: "execution" | "callback", detail: Record<string, unknown>): Promise<boolean> {
    const rules = await this.current();
    if (!targetFails(rules, target, this.random)) return false;
    this.deps.injected?.(target, detail);
    return true;
  }

  private get random(): () => number {
    return this.deps.random ?? Math.random;
  }

  private remember(rules: readonly FaultRule[]): void {
    this.rules = rules;
    // Wall time on purpose: the refresh is about this process's reads, not the service's clock.
    this.readAt = Date.now();
  }
}
