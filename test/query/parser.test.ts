import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/query/lexer.js";
import { parse } from "../../src/query/parser.js";

describe("lexer", () => {
  it.each([
    ["SELECT a FROM b", ["word", "word", "word", "word", "eof"]],
    ["x IN ('a','b')", ["word", "word", "lparen", "string", "comma", "string", "rparen", "eof"]],
    ["x>=-1.5", ["word", "operator", "number", "eof"]],
    ["x <> 3", ["word", "operator", "number", "eof"]],
  ])("tokenizes %s", (text, kinds) => {
    const { tokens, diagnostics } = tokenize(text);
    expect(diagnostics).toEqual([]);
    expect(tokens.map((t) => t.kind)).toEqual(kinds);
  });

  it.each([
    ["'it''s'", "it's"],
    ["\u2018United States\u2019", "United States"],
    ["\u2019False\u2019", "False"],
    ["'a;b -- c /* d */'", "a;b -- c /* d */"],
    ["'日本 ✓'", "日本 ✓"],
  ])("reads string literal %s", (text, value) => {
    const { tokens, diagnostics } = tokenize(text);
    expect(diagnostics).toEqual([]);
    expect(tokens[0]).toMatchObject({ kind: "string", value });
  });

  it("tracks lines and columns across newlines", () => {
    const { tokens } = tokenize("SELECT a\n  FROM b");
    expect(tokens[2]!.span).toMatchObject({ line: 2, column: 3, offset: 11 });
  });

  it("reports unterminated strings and stray characters with positions", () => {
    expect(tokenize("x = 'abc").diagnostics).toMatchObject([
      { code: "UNTERMINATED_STRING", line: 1, column: 5 },
    ]);
    expect(tokenize("SELECT a; DROP").diagnostics).toMatchObject([
      { code: "INVALID_CHARACTER", token: ";", column: 9 },
    ]);
  });
});

describe("parser", () => {
  it("parses every clause", () => {
    const { ast, diagnostics } = parse(
      "select distinct A, b from Sales where A = 'x' and B in (1, 2) and C not like '%y%' order by A asc, B limit 10 timespan last_month",
    );
    expect(diagnostics).toEqual([]);
    expect(ast.distinct).toBe(true);
    expect(ast.select.map((n) => n.text)).toEqual(["A", "b"]);
    expect(ast.from?.text).toBe("Sales");
    expect(ast.where.map((c) => c.operator)).toEqual(["=", "IN", "NOT LIKE"]);
    expect(ast.orderBy).toEqual([
      expect.objectContaining({ direction: "ASC" }),
      expect.not.objectContaining({ direction: expect.anything() }),
    ]);
    expect(ast.limit?.value).toBe("10");
    expect(ast.timespan?.text).toBe("last_month");
  });

  it("parses queries spread over lines", () => {
    const { diagnostics } = parse("SELECT a,\n b\nFROM c\nTIMESPAN LAST_6_MONTHS\n");
    expect(diagnostics).toEqual([]);
  });

  it.each([
    ["", "EMPTY_QUERY", 1, 1],
    ["SELECT FROM x", "SYNTAX_ERROR", 1, 8],
    ["SELECT a b FROM x", "SYNTAX_ERROR", 1, 10],
    ["SELECT a FROM", "SYNTAX_ERROR", 1, 14],
    ["SELECT a FROM x WHERE a = 1 OR b = 2", "UNSUPPORTED_SYNTAX", 1, 29],
    ["SELECT a FROM x WHERE a = Contoso", "SYNTAX_ERROR", 1, 27],
    ["SELECT a FROM x WHERE a = (1, 2)", "INVALID_OPERATOR", 1, 27],
    ["SELECT a FROM x WHERE a IN 1", "SYNTAX_ERROR", 1, 28],
    ["SELECT a FROM x WHERE (a = 1)", "UNSUPPORTED_SYNTAX", 1, 23],
    ["SELECT a FROM x WHERE a BETWEEN 1 AND 2", "UNSUPPORTED_SYNTAX", 1, 25],
    ["SELECT a FROM x GROUP BY a", "UNSUPPORTED_SYNTAX", 1, 17],
    ["SELECT a FROM x ORDER BY a WHERE a = 1", "CLAUSE_ORDER", 1, 28],
    ["SELECT a FROM x LIMIT 1 LIMIT 2", "SYNTAX_ERROR", 1, 25],
    ["SELECT a FROM x LIMIT ten", "SYNTAX_ERROR", 1, 23],
    ["SELECT a FROM x WHERE a NOT = 1", "SYNTAX_ERROR", 1, 29],
  ])("reports %j as %s at %i:%i", (text, code, line, column) => {
    const { diagnostics } = parse(text);
    expect(diagnostics[0]).toMatchObject({ code, line, column });
  });

  it("keeps parsing after an error so later clauses are still checked", () => {
    const { ast, diagnostics } = parse("SELECT a FROM x WHERE a = Contoso ORDER BY a TIMESPAN LAST_MONTH");
    expect(diagnostics.map((d) => d.code)).toContain("SYNTAX_ERROR");
    expect(ast.orderBy).toHaveLength(1);
    expect(ast.timespan?.text).toBe("LAST_MONTH");
  });

  it("reports several problems in one pass", () => {
    const { diagnostics } = parse("SELECT a b FROM x WHERE a = 1 OR b = 2 LIMIT x");
    expect(diagnostics.map((d) => d.code)).toEqual(["SYNTAX_ERROR", "UNSUPPORTED_SYNTAX", "SYNTAX_ERROR"]);
  });
});
