/** The response envelope every endpoint answers with, errors included (reference §1.3). */

/**
 * A value already serialised to JSON (UTF-8 bytes). Catalog data (system queries, datasets) never
 * changes, so its JSON is made once; `serializeJson` copies these bytes into the answer instead of
 * serialising the same 20 KB again on every request.
 */
export class JsonText {
  readonly bytes: Buffer;
  constructor(json: string) {
    this.bytes = Buffer.from(json, "utf8");
  }
}

export interface Envelope<T> {
  value: T[];
  nextLink: string | null;
  totalCount: number;
  message: string | null;
  statusCode: number;
  dataRedacted: boolean;
}

export function envelope<T>(
  value: T[],
  options: {
    message?: string | null;
    statusCode?: number;
    nextLink?: string | null;
    totalCount?: number;
  } = {},
): Envelope<T> {
  return {
    value,
    nextLink: options.nextLink ?? null,
    totalCount: options.totalCount ?? value.length,
    message: options.message ?? null,
    statusCode: options.statusCode ?? 200,
    dataRedacted: false,
  };
}

/** An error answer: no values, the message, and (for query problems) the diagnostics as an extension. */
export function errorEnvelope(
  statusCode: number,
  message: string,
  diagnostics?: unknown,
): Envelope<never> & { diagnostics?: unknown } {
  const body: Envelope<never> & { diagnostics?: unknown } = envelope<never>([], { message, statusCode });
  if (diagnostics !== undefined) body.diagnostics = diagnostics;
  return body;
}

const VALUE_OPEN = Buffer.from('{"value":[');
const COMMA = Buffer.from(",");

/**
 * The JSON of an answer. Envelope values may hold `JsonText` items: such an answer is assembled
 * as bytes, the stored items copied in as they are (one buffer, outside the JavaScript heap).
 */
export function serializeJson(payload: unknown): string | Buffer {
  if (!hasJsonText(payload)) return JSON.stringify(payload);
  const { value, ...rest } = payload;
  const parts: Buffer[] = [VALUE_OPEN];
  value.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(item instanceof JsonText ? item.bytes : Buffer.from(JSON.stringify(item), "utf8"));
  });
  const tail = JSON.stringify(rest);
  parts.push(Buffer.from(tail === "{}" ? "]}" : `],${tail.slice(1)}`, "utf8"));
  return Buffer.concat(parts);
}

function hasJsonText(payload: unknown): payload is Envelope<unknown> {
  const value = (payload as Partial<Envelope<unknown>> | null)?.value;
  return Array.isArray(value) && value.some((item) => item instanceof JsonText);
}
