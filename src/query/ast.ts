/** Stage 2's output: the query as written, with the position of every part. */
import type { Span } from "./diagnostics.js";

export interface Name {
  readonly text: string;
  readonly span: Span;
}

export type Operator = "=" | "!=" | ">" | "<" | ">=" | "<=" | "LIKE" | "NOT LIKE" | "IN" | "NOT IN";

export interface Literal {
  readonly kind: "string" | "number";
  /** Unescaped content for strings, source text for numbers. */
  readonly value: string;
  readonly text: string;
  readonly span: Span;
}

export interface Condition {
  readonly column: Name;
  readonly operator: Operator;
  readonly operatorSpan: Span;
  /** One literal, or a parenthesised list (only valid with IN / NOT IN). */
  readonly value: Literal | { readonly list: readonly Literal[]; readonly span: Span };
}

export interface OrderItem {
  readonly column: Name;
  /** Explicit direction, or undefined for the default (DESC). */
  readonly direction?: "ASC" | "DESC";
}

export interface QueryAst {
  readonly distinct: boolean;
  readonly select: readonly Name[];
  readonly from?: Name;
  readonly where: readonly Condition[];
  readonly orderBy: readonly OrderItem[];
  readonly limit?: { readonly value: string; readonly span: Span };
  readonly timespan?: Name;
}
