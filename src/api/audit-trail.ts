/**
 * Records every change a tenant asks for over HTTP in the audit log, made or refused, before the
 * answer leaves (so an answered change is always recorded): who (the token's subject), tenant, time,
 * request id, operation, target id, HTTP status and, when refused, the answer's message. Requests
 * without a valid token or refused by the rate limit change nothing and are not recorded.
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditService } from "../audit/audit-service.js";
import type { Program } from "../datasets/types.js";
import { operationOf } from "./operations.js";

/** The operations that change something. */
const CHANGES = new Set([
  "createQuery",
  "deleteQuery",
  "createReport",
  "updateReport",
  "deleteReport",
  "pauseReport",
  "resumeReport",
  "backfillReport",
  "redeliver",
  "createTestClock",
  "advanceTestClock",
  "deleteTestClock",
]);

interface Actor {
  readonly tenant: string;
  readonly user: string;
  readonly program: Program;
}

export class AuditTrail {
  private readonly actors = new WeakMap<FastifyRequest, Actor>();

  constructor(
    private readonly audit: AuditService,
    private readonly now: () => Date,
  ) {}

  /** Remembers who asked (called once the request is authenticated and admitted). */
  noteActor(request: FastifyRequest, actor: Actor): void {
    if (request.method !== "GET" && request.method !== "HEAD") this.actors.set(request, actor);
  }

  /** Records the request's change, if it asked for one; `payload` is the answer's body. */
  async record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
    const actor = this.actors.get(request);
    if (!actor) return;
    const action = operationOf(request.method, request.routeOptions.url);
    if (!CHANGES.has(action)) return;
    const answer = parseEnvelope(payload);
    const ok = reply.statusCode < 400;
    const params = request.params as Record<string, string | undefined>;
    const created = answer?.value?.[0];
    await this.audit.record({
      id: randomUUID(),
      createdTime: this.now(),
      tenant: actor.tenant,
      actor: actor.user,
      requestId: request.id,
      action,
      program: actor.program,
      target:
        params.executionId ??
        params.reportId ??
        params.queryId ??
        params.testClockId ??
        created?.reportId ??
        created?.queryId ??
        created?.testClockId ??
        null,
      outcome: ok ? "success" : "failure",
      statusCode: reply.statusCode,
      detail: ok ? null : (answer?.message ?? null),
    });
  }
}

interface EnvelopeFields {
  readonly value?: readonly {
    readonly reportId?: string;
    readonly queryId?: string;
    readonly testClockId?: string;
  }[];
  readonly message?: string;
}

function parseEnvelope(payload: unknown): EnvelopeFields | undefined {
  try {
    const text =
      typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : "";
    return text ? (JSON.parse(text) as EnvelopeFields) : undefined;
  } catch {
    return undefined;
  }
}
