/** The audit log: one entry per change a client asked for, whether it was made or refused. */
import type { Program } from "../datasets/types.js";

export type AuditOutcome = "success" | "failure";
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ["success", "failure"];

export interface AuditEntry {
  readonly id: string;
  /** When the change was answered. */
  readonly createdTime: Date;
  readonly tenant: string;
  /** The token's subject (user), or `cli:<os user>` for command-line changes. */
  readonly actor: string;
  /** The request's x-request-id; null outside HTTP. */
  readonly requestId: string | null;
  /** The operation: createQuery, deleteReport, pauseReport, load, … */
  readonly action: string;
  readonly program: Program | null;
  /** The id the change was about (query, report, execution; dataset for loads), when known. */
  readonly target: string | null;
  readonly outcome: AuditOutcome;
  /** The HTTP status answered; null outside HTTP. */
  readonly statusCode: number | null;
  /** Why it failed (the answer's message), or what was done (a load's row count). */
  readonly detail: string | null;
}

export interface AuditFilter {
  readonly tenant?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly outcome?: AuditOutcome;
  /** Entries at or after this instant. */
  readonly since?: Date;
  /** Entries before this instant. */
  readonly until?: Date;
}
