/** Stage 1: text → tokens with positions. Never throws; bad input becomes diagnostics. */
import { type Diagnostic, diagnostic, type Span } from "./diagnostics.js";

export type TokenKind = "word" | "string" | "number" | "comma" | "lparen" | "rparen" | "operator" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (for strings: the quoted source). */
  readonly text: string;
  /** Words: upper-cased; strings: the unescaped content; numbers and operators: the text. */
  readonly value: string;
  readonly span: Span;
}

/** Straight quote, and the typographic quotes that official examples use. */
const QUOTES = new Set(["'", "\u2018", "\u2019"]);
const OPERATORS = ["<=", ">=", "!=", "<>", "=", "<", ">"];
/** Characters people often type, with what to do instead. */
const STRAY_CHARACTERS: Record<string, string> = {
  ";": "a query is a single statement, without ';'",
  "*": "SELECT * is not supported: list the columns (GET ScheduledDataset lists them)",
  "\\": "names need no escaping (write LAST_MONTH, not LAST\\_MONTH)",
  '"': "quote values with ' (names need no quotes)",
};

export function tokenize(text: string): { tokens: Token[]; diagnostics: Diagnostic[] } {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;

  const spanFrom = (start: number, startLine: number, startLineStart: number): Span => ({
    offset: start,
    length: offset - start,
    line: startLine,
    column: start - startLineStart + 1,
  });

  while (offset < text.length) {
    const ch = text[offset]!;
    if (ch === "\n") {
      offset++;
      line++;
      lineStart = offset;
      continue;
    }
    if (/\s/.test(ch)) {
      offset++;
      continue;
    }
    const start = offset;
    const startLine = line;
    const startLineStart = lineStart;

    if (/[A-Za-z]/.test(ch)) {
      while (offset < text.length && /[A-Za-z0-9_]/.test(text[offset]!)) offset++;
      const word = text.slice(start, offset);
      tokens.push({
        kind: "word",
        text: word,
        value: word.toUpperCase(),
        span: spanFrom(start, line, lineStart),
      });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === "-" && /[0-9]/.test(text[offset + 1] ?? ""))) {
      offset++;
      while (offset < text.length && /[0-9]/.test(text[offset]!)) offset++;
      if (text[offset] === "." && /[0-9]/.test(text[offset + 1] ?? "")) {
        offset++;
        while (offset < text.length && /[0-9]/.test(text[offset]!)) offset++;
      }
      const number = text.slice(start, offset);
      tokens.push({ kind: "number", text: number, value: number, span: spanFrom(start, line, lineStart) });
      continue;
    }
    if (QUOTES.has(ch)) {
      offset++;
      let content = "";
      let closed = false;
      while (offset < text.length) {
        const c = text[offset]!;
        if (c === "'" && text[offset + 1] === "'") {
          content += "'";
          offset += 2;
          continue;
        }
        if (QUOTES.has(c)) {
          offset++;
          closed = true;
          break;
        }
        if (c === "\n") {
          line++;
          lineStart = offset + 1;
        }
        content += c;
        offset++;
      }
      const span = spanFrom(start, startLine, startLineStart);
      const source = text.slice(start, offset);
      if (!closed) {
        diagnostics.push(
          diagnostic(
            "UNTERMINATED_STRING",
            "String literal is not closed: add the closing quote (')",
            span,
            source,
          ),
        );
      }
      tokens.push({ kind: "string", text: source, value: content, span });
      continue;
    }
    if (ch === ",") {
      offset++;
      tokens.push({ kind: "comma", text: ",", value: ",", span: spanFrom(start, line, lineStart) });
      continue;
    }
    if (ch === "(" || ch === ")") {
      offset++;
      const kind = ch === "(" ? "lparen" : "rparen";
      tokens.push({ kind, text: ch, value: ch, span: spanFrom(start, line, lineStart) });
      continue;
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, offset));
    if (operator) {
      offset += operator.length;
      const value = operator === "<>" ? "!=" : operator;
      tokens.push({ kind: "operator", text: operator, value, span: spanFrom(start, line, lineStart) });
      continue;
    }
    offset++;
    const why = STRAY_CHARACTERS[ch];
    diagnostics.push(
      diagnostic(
        "INVALID_CHARACTER",
        `Unexpected character '${ch}'${why ? `: ${why}` : ""}`,
        spanFrom(start, line, lineStart),
        ch,
      ),
    );
  }
  tokens.push({
    kind: "eof",
    text: "",
    value: "",
    span: { offset, length: 0, line, column: offset - lineStart + 1 },
  });
  return { tokens, diagnostics };
}
