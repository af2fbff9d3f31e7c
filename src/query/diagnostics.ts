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

/** The candidate closest to `name` (case-insensitive edit distance), if close enough to be a likely typo. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(target.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
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
