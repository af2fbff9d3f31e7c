/**
 * Stage 2: tokens → AST. Recursive descent over the documented grammar:
 *   SELECT [DISTINCT] name (, name)* FROM name [WHERE cond (AND cond)*]
 *   [ORDER BY name [ASC|DESC] (, …)*] [LIMIT n] [TIMESPAN name]
 * On an error the parser reports it and resumes at the next clause keyword,
 * so one pass reports every problem of the query.
 */
import type { Condition, Literal, Name, Operator, OrderItem, QueryAst } from "./ast.js";
import { type Diagnostic, type DiagnosticCode, diagnostic } from "./diagnostics.js";
import { type Token, tokenize } from "./lexer.js";

const CLAUSES = ["WHERE", "ORDER", "LIMIT", "TIMESPAN"] as const;
type Clause = (typeof CLAUSES)[number];
const RESERVED = new Set(["SELECT", "DISTINCT", "FROM", "WHERE", "AND", "ORDER", "LIMIT", "TIMESPAN"]);
/** Words no dataset, column or metric may be named: a query could not name it unambiguously. */
export const RESERVED_WORDS: readonly string[] = [...RESERVED, "BY", "IN", "NOT", "LIKE", "ASC", "DESC"];
const CLAUSE_TITLES: Record<Clause, string> = {
  WHERE: "WHERE",
  ORDER: "ORDER BY",
  LIMIT: "LIMIT",
  TIMESPAN: "TIMESPAN",
};
/** SQL words people reach for that the language does not have, with what to say instead. */
const UNSUPPORTED: Record<string, string> = {
  OR: "OR is not supported: conditions combine with AND only",
  GROUP: "GROUP BY is not supported: selected columns are grouped automatically when a metric is selected",
  HAVING: "HAVING is not supported: put conditions on metrics in WHERE",
  JOIN: "JOIN is not supported: a query reads exactly one dataset",
  BETWEEN: "BETWEEN is not supported: use two conditions joined by AND (x >= a AND x <= b)",
  IS: "IS [NOT] NULL is not supported",
  OFFSET: "OFFSET is not supported",
  UNION: "UNION is not supported: a query is a single SELECT",
};

class SyntaxError_ extends Error {}

export function parse(text: string): { ast: QueryAst; diagnostics: Diagnostic[] } {
  const lexed = tokenize(text);
  const parser = new Parser(lexed.tokens);
  const ast = parser.parseQuery();
  const diagnostics = [...lexed.diagnostics, ...parser.diagnostics].sort((a, b) => a.offset - b.offset);
  return { ast, diagnostics };
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseQuery(): QueryAst {
    let distinct = false;
    let select: Name[] = [];
    let from: Name | undefined;
    const where: Condition[] = [];
    const orderBy: OrderItem[] = [];
    let limit: QueryAst["limit"];
    let timespan: Name | undefined;

    if (this.peek().kind === "eof") {
      this.report("EMPTY_QUERY", "The query is empty: write SELECT <columns> FROM <dataset>", this.peek());
      return { distinct, select, where, orderBy };
    }

    this.attempt(() => {
      this.expectKeyword("SELECT");
      if (this.isKeyword("DISTINCT")) {
        this.next();
        distinct = true;
      }
      select = this.nameList("a column or metric name");
    }, ["FROM", ...CLAUSES]);

    this.attempt(() => {
      this.expectKeyword("FROM");
      from = this.name("a dataset name");
    }, CLAUSES);

    const seen = new Set<Clause>();
    let lastRank = -1;
    while (this.peek().kind !== "eof") {
      const token = this.peek();
      const clause = CLAUSES.find((c) => token.kind === "word" && token.value === c);
      if (!clause) {
        this.attempt(
          () => this.unexpected(token, "end of query or a clause: WHERE, ORDER BY, LIMIT, TIMESPAN"),
          CLAUSES,
        );
        continue;
      }
      const rank = CLAUSES.indexOf(clause);
      if (seen.has(clause)) {
        this.report("SYNTAX_ERROR", `${CLAUSE_TITLES[clause]} may appear only once`, token);
      } else if (rank < lastRank) {
        this.report(
          "CLAUSE_ORDER",
          `${CLAUSE_TITLES[clause]} is out of place: clauses go in the order SELECT, FROM, WHERE, ORDER BY, LIMIT, TIMESPAN`,
          token,
        );
      }
      seen.add(clause);
      lastRank = Math.max(lastRank, rank);
      this.next();
      this.attempt(() => {
        switch (clause) {
          case "WHERE":
            where.push(...this.conditions());
            break;
          case "ORDER":
            this.expectKeyword("BY");
            orderBy.push(...this.orderItems());
            break;
          case "LIMIT": {
            const value = this.next();
            if (value.kind !== "number") this.unexpected(value, "a positive whole number");
            limit = { value: value.value, span: value.span };
            break;
          }
          case "TIMESPAN":
            timespan = this.name("a date range such as LAST_6_MONTHS");
            break;
        }
      }, CLAUSES);
    }
    return {
      distinct,
      select,
      where,
      orderBy,
      ...(from ? { from } : {}),
      ...(limit ? { limit } : {}),
      ...(timespan ? { timespan } : {}),
    };
  }

  private nameList(what: string): Name[] {
    const names = [this.name(what)];
    while (this.peek().kind === "comma") {
      this.next();
      names.push(this.name(what));
    }
    return names;
  }

  private conditions(): Condition[] {
    const conditions = [this.condition()];
    for (;;) {
      const token = this.peek();
      if (this.isKeyword("AND")) {
        this.next();
        conditions.push(this.condition());
      } else if (token.kind === "word" && token.value === "OR") {
        this.report("UNSUPPORTED_SYNTAX", UNSUPPORTED.OR!, token);
        this.next();
        conditions.push(this.condition());
      } else {
        return conditions;
      }
    }
  }

  private condition(): Condition {
    if (this.peek().kind === "lparen") {
      this.fail("UNSUPPORTED_SYNTAX", "Parentheses around conditions are not supported", this.peek());
    }
    const column = this.name("a column or metric name");
    const { operator, span: operatorSpan } = this.operator();
    if (operator === "IN" || operator === "NOT IN") {
      const open = this.peek();
      if (open.kind !== "lparen") this.unexpected(open, `a parenthesised list of values after ${operator}`);
      this.next();
      const list = [this.literal()];
      while (this.peek().kind === "comma") {
        this.next();
        list.push(this.literal());
      }
      const close = this.next();
      if (close.kind !== "rparen") this.unexpected(close, "',' or ')' in the value list");
      const span = { ...open.span, length: close.span.offset + close.span.length - open.span.offset };
      return { column, operator, operatorSpan, value: { list, span } };
    }
    if (this.peek().kind === "lparen") {
      this.fail("INVALID_OPERATOR", `A list of values needs IN or NOT IN, not ${operator}`, this.peek());
    }
    return { column, operator, operatorSpan, value: this.literal() };
  }

  private operator(): { operator: Operator; span: Token["span"] } {
    const token = this.next();
    if (token.kind === "operator") return { operator: token.value as Operator, span: token.span };
    if (token.kind === "word") {
      if (token.value === "LIKE" || token.value === "IN") return { operator: token.value, span: token.span };
      if (token.value === "NOT") {
        const following = this.next();
        if (following.kind === "word" && (following.value === "LIKE" || following.value === "IN")) {
          const span = {
            ...token.span,
            length: following.span.offset + following.span.length - token.span.offset,
          };
          return { operator: `NOT ${following.value}` as Operator, span };
        }
        this.unexpected(following, "LIKE or IN after NOT");
      }
      if (UNSUPPORTED[token.value]) this.fail("UNSUPPORTED_SYNTAX", UNSUPPORTED[token.value]!, token);
    }
    return this.unexpected(token, "an operator: =, !=, >, <, >=, <=, LIKE, NOT LIKE, IN, NOT IN");
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === "string" || token.kind === "number") {
      return { kind: token.kind, value: token.value, text: token.text, span: token.span };
    }
    if (token.kind === "word" && !RESERVED.has(token.value)) {
      this.fail("SYNTAX_ERROR", `Value ${token.text} must be quoted: '${token.text}'`, token);
    }
    return this.unexpected(token, "a value: a number or a quoted string");
  }

  private orderItems(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      if (items.length > 0) this.next();
      const column = this.name("a column or metric name");
      const token = this.peek();
      if (token.kind === "word" && (token.value === "ASC" || token.value === "DESC")) {
        this.next();
        items.push({ column, direction: token.value });
      } else {
        items.push({ column });
      }
    } while (this.peek().kind === "comma");
    return items;
  }

  private name(what: string): Name {
    const token = this.next();
    if (token.kind === "word" && !RESERVED.has(token.value)) return { text: token.text, span: token.span };
    return this.unexpected(token, what);
  }

  private expectKeyword(keyword: string): void {
    const token = this.next();
    if (!(token.kind === "word" && token.value === keyword)) this.unexpected(token, keyword);
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === "word" && token.value === keyword;
  }

  /** Runs one clause's parse; on a syntax error, skips to the next token that starts one of `resume`. */
  private attempt(parseClause: () => void, resume: readonly string[]): void {
    try {
      parseClause();
    } catch (error) {
      if (!(error instanceof SyntaxError_)) throw error;
      while (
        this.peek().kind !== "eof" &&
        !(this.peek().kind === "word" && resume.includes(this.peek().value))
      ) {
        this.next();
      }
    }
  }

  private unexpected(token: Token, expected: string): never {
    const found = token.kind === "eof" ? "end of query" : `'${token.text}'`;
    if (token.kind === "word" && UNSUPPORTED[token.value])
      this.fail("UNSUPPORTED_SYNTAX", UNSUPPORTED[token.value]!, token);
    this.fail("SYNTAX_ERROR", `Expected ${expected} but found ${found}`, token);
  }

  private fail(code: DiagnosticCode, message: string, token: Token): never {
    this.report(code, message, token);
    throw new SyntaxError_(message);
  }

  private report(code: DiagnosticCode, message: string, token: Token): void {
    this.diagnostics.push(diagnostic(code, message, token.span, token.text));
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== "eof") this.position++;
    return token;
  }
}
