/**
 * The one error type of the service. Every failure a user can cause carries a stable
 * code; the HTTP edge maps codes to statuses in one table, the CLI maps them to exit codes.
 */

export const ERROR_CODES = {
  /** The report query has diagnostics (see `details`). */
  INVALID_QUERY: "invalid_query",
  INVALID_ARGUMENT: "invalid_argument",
  NOT_FOUND: "not_found",
  QUOTA_EXCEEDED: "quota_exceeded",
  /** Over the per-tenant request rate (token bucket). */
  RATE_LIMITED: "rate_limited",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  /** A body in a content type (or encoding) the operation does not take. */
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
  /** Data given to a load (CLI or API) does not match the catalog: names line or row, column and why. */
  INVALID_DATA: "invalid_data",
  TIMEOUT: "timeout",
  UNAVAILABLE: "unavailable",
  INTERNAL: "internal",
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
