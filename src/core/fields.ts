/**
 * Reads fields of a JSON object case-insensitively (`reportName` = `ReportName`), with a precise
 * error for every missing or wrong-typed value.
 */
import { AppError, ERROR_CODES } from "./errors.js";

export class FieldReader {
  private readonly fields = new Map<string, { key: string; value: unknown }>();

  constructor(
    body: unknown,
    /** Prefix of every message, e.g. "Invalid report parameters for creation - ". */
    private readonly prefix = "",
  ) {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "The request body must be a JSON object");
    }
    for (const [key, value] of Object.entries(body)) {
      this.fields.set(key.trim().toLowerCase(), { key, value });
    }
  }

  /** True when the field is present and not null. */
  has(name: string): boolean {
    const field = this.fields.get(name.toLowerCase());
    return field !== undefined && field.value !== null;
  }

  /** True when the field is present with the value null (an explicit reset). */
  isNull(name: string): boolean {
    const field = this.fields.get(name.toLowerCase());
    return field !== undefined && field.value === null;
  }

  string(name: string, options: { required: true; maxLength?: number }): string;
  string(name: string, options?: { required?: false; maxLength?: number }): string | undefined;
  string(name: string, options: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const value = this.value(name, options.required ?? false);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw this.invalid(`${name} must be a string`);
    if (value.includes("\u0000")) throw this.invalid(`${name} must not contain NUL characters`);
    if (options.required && value.trim() === "") throw missing(name);
    return value;
  }

  integer(name: string, options: { required?: boolean } = {}): number | undefined {
    const value = this.value(name, options.required ?? false);
    if (value === undefined) return undefined;
    const number = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isSafeInteger(number)) {
      throw this.invalid(`${name} must be a whole number`);
    }
    return number;
  }

  /** A finite number (or a numeric string). */
  number(name: string): number | undefined {
    const value = this.value(name, false);
    if (value === undefined) return undefined;
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof number !== "number" || !Number.isFinite(number))
      throw this.invalid(`${name} must be a number`);
    return number;
  }

  /** A JSON array, its items unread. */
  array(name: string, options: { required?: boolean } = {}): readonly unknown[] | undefined {
    const value = this.value(name, options.required ?? false);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw this.invalid(`${name} must be a list`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.value(name, false);
    if (value === undefined) return undefined;
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim()))
      return value.trim().toLowerCase() === "true";
    throw this.invalid(`${name} must be true or false`);
  }

  private value(name: string, required: boolean): unknown {
    const field = this.fields.get(name.toLowerCase());
    if (field === undefined || field.value === null) {
      if (required) throw missing(name);
      return undefined;
    }
    return field.value;
  }

  private invalid(message: string): AppError {
    return new AppError(ERROR_CODES.INVALID_ARGUMENT, `${this.prefix}${message}`);
  }
}

function missing(name: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, `Null or missing value: ${name} is required`);
}

/**
 * The instants the API accepts (both included). Later ones would overflow the engine's dates: an
 * end time's bound is one second, and a date column's one day, past it. Users wanting no end
 * leave the end time out.
 */
export const WIRE_TIME_RANGE = {
  first: new Date("1900-01-01T00:00:00Z"),
  last: new Date("9998-12-31T23:59:59Z"),
} as const;

/** Why `time`, the value of `name`, is refused, or undefined when it is in `WIRE_TIME_RANGE`. */
export function wireTimeRangeProblem(name: string, time: Date): string | undefined {
  const { first, last } = WIRE_TIME_RANGE;
  if (time.getTime() >= first.getTime() && time.getTime() <= last.getTime()) return undefined;
  const text = (date: Date) => date.toISOString().replace(".000Z", "Z");
  return `${name} must be from ${text(first)} to ${text(last)}, not ${text(time)} (leave an end time out for no end)`;
}

/** UTC times as the API writes them: yyyy-MM-ddTHH:mm:ssZ (fractions and a space for T are tolerated). */
const WIRE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

export interface WireTimeOptions {
  /**
   * Whether a space may stand for the T (default true). Report times refuse it under the
   * documented profile and take it under `observed` (the official C# sample sends
   * `yyyy-MM-dd HH:mm:ssZ`; docs/compatibility.md).
   */
  readonly spaceForT?: boolean;
}

export function parseWireTime(text: string, options: WireTimeOptions = {}): Date | undefined {
  const match = WIRE_TIME.exec(text.trim());
  if (!match) return undefined;
  if (options.spaceForT === false && text.trim()[10] === " ") return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return roundTrips ? date : undefined;
}
