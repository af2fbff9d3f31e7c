/** Diagnostics: what every stage of the query pipeline reports instead of throwing. */

export const DIAGNOSTIC_CODES = [
  "INVALID_CHARACTER",
  "UNTERMINATED_STRING",
  "SYNTAX_ERROR",
  "UNSUPPORTED_SYNTAX",
  "CLAUSE_ORDER",
  "INVALID_TABLE_NAME",
  "INCORRECT_COLUMN_NAME",
  "DUPLICATE_COLUMN",
  "INVALID_OPERATOR",
  "INVALID_VALUE",
  "INVALID_LIMIT",
  "INVALID_TIMESPAN",
  "ORDER_BY_NOT_GROUPED",
  "EMPTY_QUERY",
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** A place in the query text. Lines and columns count from 1; `offset` from 0. */
export interface Span {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;
  /** The offending text, as written. */
  readonly token: string;
  /** What would have been valid here, when the set is small enough to list. */
  readonly expected?: readonly string[];
  /** The nearest valid name, for misspellings. */
  readonly suggestion?: string;
}

export function diagnostic(
  code: DiagnosticCode,
  message: string,
  span: Span,
  token: string,
  extra: { expected?: readonly string[]; suggestion?: string } = {},
): Diagnostic {
  return {
    code,
    message,
    line: span.line,
    column: span.column,
    offset: span.offset,
    length: span.length,
    token,
    ...(extra.expected ? { expected: extra.expected } : {}),
    ...(extra.suggestion ? { suggestion: extra.suggestion } : {}),
  };
}

/** "did you mean 'X'?" or the allowed list, for the end of a message. */
export function hint(suggestion: string | undefined, allowed: readonly string[], maxListed = 12): string {
  if (suggestion) return ` Did you mean '${suggestion}'?`;
  if (allowed.length === 0) return "";
  const listed = allowed.slice(0, maxListed).join(", ");
  return allowed.length > maxListed
    ? ` Allowed: ${listed}, … (${allowed.length} in all).`
    : ` Allowed: ${listed}.`;
}
