/**
 * The per-tenant rate limit at the HTTP edge: a token bucket per tenant (all operations), or per
 * tenant and operation for operations given their own rate. A request is admitted once its tenant
 * is known (after authentication); every answer to it then carries the RateLimit-* headers, and a
 * refusal is a 429 in the envelope with Retry-After.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { decision, type RateLimitDecision, type TokenTaken } from "../ratelimit/bucket.js";
import { operationOf } from "./operations.js";

export interface RateLimitRules {
  /** Requests per minute of a tenant, all operations together; 0 = no limit. */
  readonly perMinute: number;
  /** Operations with a rate of their own (a bucket of their own); 0 = no limit. */
  readonly operations: Readonly<Record<string, number>>;
}

export type TakeToken = (bucket: string, perMinute: number, now: Date) => TokenTaken | Promise<TokenTaken>;

export class RateLimits {
  private readonly decisions = new WeakMap<FastifyRequest, RateLimitDecision>();

  constructor(
    private readonly rules: RateLimitRules,
    private readonly take: TakeToken,
    private readonly now: () => Date,
    private readonly onLimited: (operation: string) => void = () => {},
  ) {}

  /** Takes the request's token; throws `rate_limited` when the bucket is empty. */
  async admit(request: FastifyRequest, tenant: string): Promise<void> {
    const operation = operationOf(request.method, request.routeOptions.url);
    const own = this.rules.operations[operation];
    const perMinute = own ?? this.rules.perMinute;
    if (perMinute === 0) return;
    const bucket = own === undefined ? tenant : `${tenant}/${operation}`;
    const taken = decision(await this.take(bucket, perMinute, this.now()), perMinute);
    this.decisions.set(request, taken);
    if (taken.allowed) return;
    this.onLimited(operation);
    throw new AppError(
      ERROR_CODES.RATE_LIMITED,
      `Too many requests: the limit is ${perMinute} per minute for ${own === undefined ? "all operations" : `the operation ${operation}`} of a tenant; ` +
        `the next request is allowed in ${taken.retryAfterSeconds} s. ` +
        `${own === undefined ? "OPENINSIGHTS_RATE_LIMIT_PER_MINUTE" : "OPENINSIGHTS_RATE_LIMIT_OPERATIONS"} raises the limit`,
    );
  }

  /** Adds the RateLimit-* (and, when refused, Retry-After) headers of an admitted request. */
  addHeaders(request: FastifyRequest, reply: FastifyReply): void {
    const taken = this.decisions.get(request);
    if (!taken) return;
    reply.header("ratelimit-limit", taken.limit);
    reply.header("ratelimit-remaining", taken.remaining);
    reply.header("ratelimit-reset", taken.resetSeconds);
    if (!taken.allowed) reply.header("retry-after", taken.retryAfterSeconds);
  }
}
