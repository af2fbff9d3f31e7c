/**
 * Colouring for the query language (docs/query-language.md): keywords, strings, numbers,
 * operators and names, with the API's diagnostics marked over their text. Display only: the API
 * is what checks a query.
 */
import type { Diagnostic } from "../api";

export type TokenKind =
  | "keyword"
  | "string"
  | "number"
  | "operator"
  | "name"
  | "timespan"
  | "space"
  | "other";

export interface Span {
  readonly text: string;
  readonly kind: TokenKind;
  /** True where a diagnostic's range covers this span. */
  readonly marked: boolean;
}

const KEYWORDS = new Set(
  "SELECT DISTINCT FROM WHERE AND ORDER BY ASC DESC LIMIT TIMESPAN LIKE NOT IN OR".split(" "),
);
const TOKEN =
  /(\s+)|('(?:[^']|'')*'?|[‘’][^‘’']*[‘’']?)|(-?\d+(?:\.\d+)?)|(!=|<>|>=|<=|[=<>,()])|([A-Za-z][A-Za-z0-9_]*)|(.)/gsy;

function kindOf(match: RegExpExecArray): TokenKind {
  if (match[1] !== undefined) return "space";
  if (match[2] !== undefined) return "string";
  if (match[3] !== undefined) return "number";
  if (match[4] !== undefined) return "operator";
  if (match[5] !== undefined) {
    const upper = match[5].toUpperCase();
    if (KEYWORDS.has(upper)) return "keyword";
    if (/^(LAST_|TODAY|YESTERDAY|THIS_|MONTH_|CUSTOM)/.test(upper)) return "timespan";
    return "name";
  }
  return "other";
}

/** The text cut into coloured spans; spans are also cut where a diagnostic starts or ends. */
export function highlight(text: string, diagnostics: readonly Diagnostic[]): Span[] {
  const marks = new Uint8Array(text.length);
  for (const d of diagnostics) {
    // A diagnostic at the end of the text (e.g. "expected FROM") marks its last character.
    const start = Math.min(d.offset, Math.max(text.length - 1, 0));
    const end = Math.min(text.length, start + Math.max(d.length, 1));
    marks.fill(1, start, end);
  }
  const spans: Span[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    const kind = kindOf(match);
    let from = match.index;
    const to = match.index + match[0].length;
    for (let i = from + 1; i <= to; i++) {
      if (i === to || marks[i] !== marks[from]) {
        spans.push({ text: text.slice(from, i), kind, marked: marks[from] === 1 });
        from = i;
      }
    }
  }
  return spans;
}
