/** The response envelope every endpoint answers with, errors included (reference §1.3). */

/**
 * A value already serialised to JSON. Catalog data (system queries, datasets) never changes, so
 * its JSON is made once; `serializeJson` splices it into the answer instead of serialising the
 * same 20 KB again on every request.
 */
export class JsonText {
  constructor(readonly json: string) {}
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

/** JSON text of an answer; envelope values may hold `JsonText` items, spliced in as they are. */
export function serializeJson(payload: unknown): string {
  if (!hasJsonText(payload)) return JSON.stringify(payload);
  const { value, ...rest } = payload;
  const items = value.map((item) => (item instanceof JsonText ? item.json : JSON.stringify(item)));
  const tail = JSON.stringify(rest);
  return `{"value":[${items.join(",")}]${tail === "{}" ? "}" : `,${tail.slice(1)}`}`;
}

function hasJsonText(payload: unknown): payload is Envelope<unknown> {
  const value = (payload as Partial<Envelope<unknown>> | null)?.value;
  return Array.isArray(value) && value.some((item) => item instanceof JsonText);
}
