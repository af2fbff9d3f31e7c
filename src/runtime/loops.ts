/**
 * Background loops: each repeatedly runs one step, waits when there was nothing to do, and can be
 * woken early (a report was just created) or stopped (shutdown waits for the step in progress).
 */

export interface LoopStep {
  readonly name: string;
  /** Does one unit of work; returns true when there may be more to do right away. */
  run(): Promise<boolean>;
  /** Wait between idle steps. */
  readonly idleMs: number;
}

export class Loops {
  private running = false;
  private readonly wakers = new Set<() => void>();
  private readonly finished: Promise<void>[] = [];

  constructor(
    private readonly steps: readonly LoopStep[],
    private readonly onError: (step: string, error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const step of this.steps) this.finished.push(this.loop(step));
  }

  /** Ends every idle wait now. */
  wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Stops after the steps in progress finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.finished);
    this.finished.length = 0;
  }

  private async loop(step: LoopStep): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await step.run();
      } catch (error) {
        this.onError(step.name, error);
      }
      if (!more && this.running) await this.idle(step.idleMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}
