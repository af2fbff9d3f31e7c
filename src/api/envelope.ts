/** The response envelope every endpoint answers with, errors included (reference §1.3). */

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
