/**
 * Finding a line of an NDJSON file again once a reader refused it without saying where (DuckDB's
 * reader names no line for a line that is JSON but no object; a value's check runs after reading):
 * a scan on the refusal path only, so it never slows a good load. Shared by both engines' loaders.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** The first non-blank line (1-based) of an NDJSON file whose value `pick` picks (a symbol: not JSON). */
export async function firstJsonLine(
  file: string,
  pick: (record: unknown) => boolean,
): Promise<number | undefined> {
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        record = Symbol("not JSON");
      }
      if (pick(record)) return line;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return undefined;
}

/** Whether an NDJSON line's value is a record (a JSON object), as every line of a load must be. */
export function isJsonObject(record: unknown): boolean {
  return typeof record === "object" && record !== null && !Array.isArray(record);
}
