/** The one place where error codes become HTTP statuses. */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type AppError, type ErrorCode, isAppError } from "../core/errors.js";
import { errorEnvelope } from "./envelope.js";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_query: 400,
  invalid_argument: 400,
  quota_exceeded: 400,
  rate_limited: 429,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  payload_too_large: 413,
  invalid_data: 400,
  timeout: 408,
  unavailable: 503,
  internal: 500,
};

/**
 * What a 503 asks clients to wait (RFC 9110 §10.2.3): an outage of the database or the identity
 * provider is usually over within seconds (a failover, a restart), and retrying clients should not
 * all come back at once on the next tick.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Fastify's own errors for malformed requests, as our codes. */
const FASTIFY_CODES: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: "The request body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: "The request body is empty; send a JSON object" },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: "The request body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: "Send the request body as application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: "Content-Length does not match the body" },
};

export function handleError(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (isAppError(error)) {
    const status = HTTP_STATUS[error.code];
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else if (error.details && error.code !== "invalid_query")
      request.log.info({ details: error.details }, error.message);
    if (error.code === "unauthorized") reply.header("www-authenticate", bearerChallenge(error));
    if (status === 503) reply.header("retry-after", UNAVAILABLE_RETRY_AFTER_SECONDS);
    const diagnostics = error.code === "invalid_query" ? error.details : undefined;
    return reply.status(status).send(errorEnvelope(status, error.message, diagnostics));
  }
  const known = FASTIFY_CODES[(error as FastifyError).code ?? ""];
  if (known) return reply.status(known.status).send(errorEnvelope(known.status, known.message));
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.status(status).send(errorEnvelope(status, error.message));
  }
  request.log.error({ err: error }, "unexpected error");
  return reply.status(500).send(errorEnvelope(500, "Service unavailable"));
}

/** RFC 6750's challenge for a refused token, naming the class of problem (never its details). */
function bearerChallenge(error: AppError): string {
  const description = (error.details as { description?: unknown } | undefined)?.description;
  const text = typeof description === "string" ? description : "The access token is not accepted";
  return `Bearer realm="OpenInsights", error="invalid_token", error_description="${text.replace(/["\\]/g, "")}"`;
}
