/**
 * PostgreSQL errors as the service's one error type. What the worker needs to know: a failure that
 * recurs on the same query and data (a value out of range, a mapped table or column gone) is
 * `invalid_argument` and never retried; a lost connection or a server going down is `unavailable`
 * and retried; a statement timeout is `timeout`.
 */
import { AppError, isAppError } from "../../core/errors.js";

interface PgError {
  readonly code?: string;
  readonly message?: string;
  readonly where?: string;
}

export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as PgError | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** SQLSTATE classes whose errors the same statement repeats: data (22), syntax/undefined object (42). */
const RECURRING_CLASSES = new Set(["22", "42"]);
/** Connection exceptions (08), operator intervention (57P01–03: shutdown), insufficient resources (53). */
const TRANSIENT_CLASSES = new Set(["08", "53"]);

export function toAppError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  const code = pgErrorCode(error) ?? "";
  const message = (error as PgError | null)?.message ?? String(error);
  const options = { cause: error };
  if (code === "57014") {
    return message.includes("statement timeout")
      ? new AppError("timeout", `${what}: the statement timeout was reached`, undefined, options)
      : new AppError("unavailable", `${what}: the query was cancelled`, undefined, options);
  }
  const where = (error as PgError).where ? ` (${(error as PgError).where?.split("\n")[0]})` : "";
  if (RECURRING_CLASSES.has(code.slice(0, 2))) {
    return new AppError("invalid_argument", `${what}: ${message}${where}`, undefined, options);
  }
  if (
    TRANSIENT_CLASSES.has(code.slice(0, 2)) ||
    code.startsWith("57P") ||
    code === "" ||
    code.startsWith("E")
  ) {
    return new AppError("unavailable", `${what}: ${message}`, undefined, options);
  }
  return new AppError("internal", `${what}: ${message}${where}`, undefined, options);
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}
