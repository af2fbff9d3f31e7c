/** Query-string parameters: case-insensitive names, precise 400s for bad values. */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { parseWireTime, wireTimeRangeProblem } from "../core/fields.js";
import type { PageParams } from "../core/paging.js";

export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(query: unknown) {
    if (query && typeof query === "object") {
      for (const [key, value] of Object.entries(query)) {
        const text = Array.isArray(value) ? value[value.length - 1] : value;
        if (typeof text === "string") this.values.set(key.toLowerCase(), text);
      }
    }
  }

  string(name: string): string | undefined {
    const value = this.values.get(name.toLowerCase())?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
    throw invalid(`${name} must be true or false, not '${value}'`);
  }

  /** A `;`-separated list (reportId, executionId, executionStatus), empty entries dropped. */
  list(name: string): string[] | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const items = [
      ...new Set(
        value
          .split(";")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      ),
    ];
    return items.length > 0 ? items : undefined;
  }

  time(name: string): Date | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const time = parseWireTime(value);
    if (!time) throw invalid(`${name} should follow format: yyyy-MM-ddTHH:mm:ssZ, not '${value}'`);
    const outOfRange = wireTimeRangeProblem(name, time);
    if (outOfRange) throw invalid(outOfRange);
    return time;
  }

  page(defaultSize: number, maxSize: number): PageParams {
    const raw = this.string("pageSize");
    let pageSize = defaultSize;
    if (raw !== undefined) {
      pageSize = Number(raw);
      if (!/^\d+$/.test(raw) || pageSize < 1 || pageSize > maxSize) {
        throw invalid(`pageSize must be a whole number from 1 to ${maxSize}, not '${raw}'`);
      }
    }
    const token = this.string("skipToken");
    return token ? { pageSize, token } : { pageSize };
  }
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
