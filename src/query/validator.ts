/**
 * Stage 3: AST → plan, checked against one program's dataset catalog. Resolves every name to
 * the catalog's spelling, converts literals to the column's type, and decides whether rows are
 * aggregated. Reports every problem it finds, never just the first.
 */

import { nearestName } from "../core/nearest-name.js";
import { findDatasetIn, metricType } from "../datasets/lookup.js";
import type { ColumnDef, ColumnType, DatasetDef, MetricDef, Timespan } from "../datasets/types.js";
import { TIMESPANS } from "../datasets/types.js";
import type { Condition, Literal, Name, Operator, QueryAst } from "./ast.js";
import { type Diagnostic, diagnostic, hint, type Span } from "./diagnostics.js";
import { DEFAULT_TIMESPAN } from "./timespan.js";

export type Field =
  | { readonly kind: "column"; readonly name: string; readonly type: ColumnType; readonly column: ColumnDef }
  | { readonly kind: "metric"; readonly name: string; readonly type: ColumnType; readonly metric: MetricDef };

/**
 * A literal after conversion. `typed` values have the field's type (numbers as numbers, dates as
 * ISO text); `text` values could not be converted and are compared with the field's text form,
 * so `IsDuplicateRowForPGA = 'False'` on a 0/1 column matches nothing, as the real service does.
 */
export type PlanValue =
  | { readonly kind: "typed"; readonly value: string | number | boolean }
  | { readonly kind: "text"; readonly value: string };

export interface PlanCondition {
  readonly field: Field;
  readonly operator: Operator;
  readonly values: readonly PlanValue[];
}

export interface QueryPlan {
  readonly dataset: DatasetDef;
  readonly select: readonly Field[];
  readonly where: readonly PlanCondition[];
  readonly orderBy: readonly { readonly field: Field; readonly direction: "ASC" | "DESC" }[];
  readonly limit?: number;
  /** The effective TIMESPAN; null when the dataset has no time column. */
  readonly timespan: Timespan | null;
  /**
   * True when any metric is referenced: selected columns then form the groups. Either way the rows
   * are distinct in the selected columns (`DISTINCT` changes nothing; docs/query-language.md).
   */
  readonly aggregated: boolean;
}

const ORDERING: ReadonlySet<Operator> = new Set([">", "<", ">=", "<="]);
const MAX_LIMIT = 1_000_000_000;

export function validate(
  ast: QueryAst,
  datasets: readonly DatasetDef[],
): { plan?: QueryPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!ast.from) return { diagnostics };

  const dataset = findDatasetIn(datasets, ast.from.text);
  if (!dataset) {
    const names = datasets.map((d) => d.name);
    const suggestion = nearestName(ast.from.text, names);
    diagnostics.push(
      diagnostic(
        "INVALID_TABLE_NAME",
        `Invalid table name: '${ast.from.text}' is not a dataset.${hint(suggestion, names, 40)}`,
        ast.from.span,
        ast.from.text,
        { expected: names, ...(suggestion ? { suggestion } : {}) },
      ),
    );
    return { diagnostics };
  }

  const resolver = new FieldResolver(dataset, diagnostics);
  const select: Field[] = [];
  const selectedNames = new Set<string>();
  for (const name of ast.select) {
    const field = resolver.resolve(name);
    if (!field) continue;
    if (selectedNames.has(field.name)) {
      diagnostics.push(
        diagnostic("DUPLICATE_COLUMN", `${field.name} is selected more than once`, name.span, name.text),
      );
      continue;
    }
    selectedNames.add(field.name);
    select.push(field);
  }

  const where = ast.where.flatMap((condition) => {
    const checked = checkCondition(condition, resolver, diagnostics);
    return checked ? [checked] : [];
  });

  const orderFields = ast.orderBy.flatMap((item) => {
    const field = resolver.resolve(item.column);
    return field ? [{ field, direction: item.direction ?? ("DESC" as const), name: item.column }] : [];
  });

  const aggregated = [...select, ...where.map((c) => c.field), ...orderFields.map((o) => o.field)].some(
    (f) => f.kind === "metric",
  );
  if (aggregated) {
    for (const { field, name } of orderFields) {
      if (field.kind === "column" && !selectedNames.has(field.name)) {
        diagnostics.push(
          diagnostic(
            "ORDER_BY_NOT_GROUPED",
            `ORDER BY ${field.name} needs ${field.name} in the SELECT list, because rows are grouped by the selected columns`,
            name.span,
            name.text,
          ),
        );
      }
    }
  }

  const limit = checkLimit(ast, diagnostics);
  const timespan = checkTimespan(ast, dataset, diagnostics);

  if (diagnostics.length > 0) return { diagnostics };
  return {
    plan: {
      dataset,
      select,
      where,
      orderBy: orderFields.map(({ field, direction }) => ({ field, direction })),
      ...(limit !== undefined ? { limit } : {}),
      timespan,
      aggregated,
    },
    diagnostics,
  };
}

class FieldResolver {
  private readonly fields = new Map<string, Field>();

  constructor(
    private readonly dataset: DatasetDef,
    private readonly diagnostics: Diagnostic[],
  ) {
    for (const column of dataset.columns) {
      this.fields.set(column.name.toLowerCase(), {
        kind: "column",
        name: column.name,
        type: column.type,
        column,
      });
    }
    for (const metric of dataset.metrics) {
      this.fields.set(metric.name.toLowerCase(), {
        kind: "metric",
        name: metric.name,
        type: metricType(dataset, metric),
        metric,
      });
    }
  }

  resolve(name: Name): Field | undefined {
    const field = this.fields.get(name.text.toLowerCase());
    if (field) return field;
    const names = [...this.fields.values()].map((f) => f.name);
    const suggestion = nearestName(name.text, names);
    this.diagnostics.push(
      diagnostic(
        "INCORRECT_COLUMN_NAME",
        `Incorrect column name: '${name.text}' is not a column or metric of ${this.dataset.name}.${hint(suggestion, names)}`,
        name.span,
        name.text,
        { expected: names, ...(suggestion ? { suggestion } : {}) },
      ),
    );
    return undefined;
  }
}

function checkCondition(
  condition: Condition,
  resolver: FieldResolver,
  diagnostics: Diagnostic[],
): PlanCondition | undefined {
  const field = resolver.resolve(condition.column);
  if (!field) return undefined;
  const { operator } = condition;
  const literals = "list" in condition.value ? condition.value.list : [condition.value];
  const isLike = operator === "LIKE" || operator === "NOT LIKE";
  if (isLike && field.kind === "metric") {
    diagnostics.push(
      diagnostic(
        "INVALID_OPERATOR",
        `${operator} compares text and cannot be used on metric ${field.name}: use =, !=, >, <, >= or <=`,
        condition.operatorSpan,
        operator,
      ),
    );
    return undefined;
  }
  const values: PlanValue[] = [];
  for (const literal of literals) {
    const value = isLike ? ({ kind: "text", value: literal.value } as const) : convert(literal, field.type);
    if (value.kind === "text" && !isLike && (ORDERING.has(operator) || field.kind === "metric")) {
      diagnostics.push(invalidValue(literal, field, literal.span));
      continue;
    }
    values.push(value);
  }
  return values.length === literals.length ? { field, operator, values } : undefined;
}

function invalidValue(literal: Literal, field: Field, span: Span): Diagnostic {
  const expected: Record<ColumnType, string> = {
    string: "text",
    integer: "a whole number",
    decimal: "a number",
    date: "a date (yyyy-MM-dd)",
    datetime: "a date and time (yyyy-MM-ddTHH:mm:ssZ)",
    boolean: "true or false",
  };
  return diagnostic(
    "INVALID_VALUE",
    `Value ${literal.text} is not ${expected[field.type]}, as ${field.name} needs for this comparison`,
    span,
    literal.text,
  );
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Converts a literal to a field type; literals are always allowed as strings ('100' = 100). */
function convert(literal: Literal, type: ColumnType): PlanValue {
  const raw = literal.value.trim();
  switch (type) {
    case "string":
      return { kind: "typed", value: literal.value };
    case "integer":
    case "decimal": {
      if (/^-?\d+(\.\d+)?$/.test(raw)) return { kind: "typed", value: Number(raw) };
      return { kind: "text", value: literal.value };
    }
    case "boolean": {
      const word = raw.toLowerCase();
      if (word === "true" || word === "1") return { kind: "typed", value: true };
      if (word === "false" || word === "0") return { kind: "typed", value: false };
      return { kind: "text", value: literal.value };
    }
    case "date":
    case "datetime": {
      const date = DATE.exec(raw);
      if (date && isCalendarDate(date))
        return { kind: "typed", value: type === "date" ? raw : `${raw} 00:00:00` };
      const datetime = DATETIME.exec(raw);
      if (datetime && isCalendarDate(datetime)) {
        const instant = new Date(raw.endsWith("Z") || /[+-]\d{2}:?\d{2}$/.test(raw) ? raw : `${raw}Z`);
        if (!Number.isNaN(instant.getTime())) {
          const iso = instant.toISOString();
          return {
            kind: "typed",
            value: type === "date" ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`,
          };
        }
      }
      return { kind: "text", value: literal.value };
    }
  }
}

function isCalendarDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkLimit(ast: QueryAst, diagnostics: Diagnostic[]): number | undefined {
  if (!ast.limit) return undefined;
  const value = Number(ast.limit.value);
  if (!/^\d+$/.test(ast.limit.value) || value < 1 || value > MAX_LIMIT) {
    diagnostics.push(
      diagnostic(
        "INVALID_LIMIT",
        `LIMIT needs to be a positive nonzero integer (at most ${MAX_LIMIT}), not ${ast.limit.value}`,
        ast.limit.span,
        ast.limit.value,
      ),
    );
    return undefined;
  }
  return value;
}

function checkTimespan(ast: QueryAst, dataset: DatasetDef, diagnostics: Diagnostic[]): Timespan | null {
  const ranges = dataset.availableDateRanges;
  if (!ast.timespan) {
    if (!dataset.timeColumn) return null;
    return ranges.includes(DEFAULT_TIMESPAN) ? DEFAULT_TIMESPAN : "LIFETIME";
  }
  const { text, span } = ast.timespan;
  if (!dataset.timeColumn || ranges.length === 0) {
    diagnostics.push(
      diagnostic(
        "INVALID_TIMESPAN",
        `Dataset ${dataset.name} has no date ranges: remove TIMESPAN ${text}`,
        span,
        text,
      ),
    );
    return null;
  }
  const value = text.toUpperCase() as Timespan;
  if (TIMESPANS.includes(value) && ranges.includes(value)) return value;
  const suggestion = nearestName(text, ranges);
  diagnostics.push(
    diagnostic(
      "INVALID_TIMESPAN",
      `Invalid TIMESPAN '${text}' for ${dataset.name}.${hint(suggestion, ranges, 20)}`,
      span,
      text,
      { expected: ranges, ...(suggestion ? { suggestion } : {}) },
    ),
  );
  return null;
}
