/**
 * Stage 4: plan → parameterised SQL for the analytics engine (DuckDB dialect). Identifiers come
 * only from the catalog and are quoted; every literal, the tenant and the time window are bound
 * parameters. The tenant filter is always the first condition.
 */
import { type DatasetDef, type Program, TENANT_COLUMN } from "../datasets/types.js";
import type { CompiledSql, SqlValue } from "./compiled.js";
import type { TimeWindow } from "./timespan.js";
import type { Field, PlanCondition, PlanValue, QueryPlan } from "./validator.js";

export interface CompileContext {
  readonly program: Program;
  readonly tenant: string;
  /** The rows' time window (from TIMESPAN or an explicit override); ignored for datasets without a time column. */
  readonly window: TimeWindow;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function tableReference(program: Program, dataset: DatasetDef): string {
  return `${quoteIdentifier(program)}.${quoteIdentifier(dataset.table ?? dataset.name)}`;
}

export function compile(plan: QueryPlan, context: CompileContext): CompiledSql {
  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return `$${params.length}`;
  };

  const rowFilters = [`${quoteIdentifier(TENANT_COLUMN)} = ${bind(context.tenant)}`];
  const timeColumn = plan.dataset.timeColumn;
  if (timeColumn) {
    const column = plan.dataset.columns.find((c) => c.name === timeColumn);
    const sqlType = column?.type === "datetime" ? "TIMESTAMP" : "DATE";
    const bound = (instant: Date) => (sqlType === "DATE" ? dateBound(instant) : timestampText(instant));
    if (context.window.start) {
      rowFilters.push(
        `${quoteIdentifier(timeColumn)} >= CAST(${bind(bound(context.window.start))} AS ${sqlType})`,
      );
    }
    if (context.window.end) {
      rowFilters.push(
        `${quoteIdentifier(timeColumn)} < CAST(${bind(bound(context.window.end))} AS ${sqlType})`,
      );
    }
  }
  const groupFilters: string[] = [];
  for (const condition of plan.where) {
    const sql = conditionSql(condition, bind);
    (condition.field.kind === "metric" ? groupFilters : rowFilters).push(sql);
  }

  const selectList = plan.select.map((field) => `${fieldSql(field)} AS ${quoteIdentifier(field.name)}`);
  // Rows are distinct in the selected columns, metric or not (documented): the selected columns
  // group, unless they include the dataset's row key, which makes every row distinct already.
  const rowsRepeat = selectedRowsRepeat(plan);
  const grouping = rowsRepeat ? plan.select.filter((f) => f.kind === "column") : [];
  const grouped = new Set(grouping.map((f) => f.name));
  let sql = `SELECT ${selectList.join(", ")}`;
  sql += ` FROM ${tableReference(context.program, plan.dataset)}`;
  sql += ` WHERE ${rowFilters.join(" AND ")}`;
  if (grouping.length > 0) sql += ` GROUP BY ${grouping.map(fieldSql).join(", ")}`;
  if (groupFilters.length > 0) sql += ` HAVING ${groupFilters.join(" AND ")}`;
  if (plan.orderBy.length > 0) {
    // Ordering by the expression, not the output name: a metric may share its name with the measure it sums.
    sql += ` ORDER BY ${plan.orderBy.map((o) => `${rowsRepeat ? orderSql(o.field, o.direction, grouped) : fieldSql(o.field)} ${o.direction}`).join(", ")}`;
  }
  if (plan.limit !== undefined) sql += ` LIMIT ${plan.limit}`;
  return {
    sql,
    params,
    columns: plan.select.map((f) => f.name),
    source: {
      program: context.program,
      table: plan.dataset.table ?? plan.dataset.name,
      tenant: context.tenant,
    },
  };
}

/**
 * Whether rows of the selected columns can repeat, so that grouping is needed to make them
 * distinct: always with a metric selected or filtered on (the grouping computes it), otherwise unless every column of the
 * dataset's row key is selected.
 */
export function selectedRowsRepeat(plan: QueryPlan): boolean {
  if (plan.select.some((f) => f.kind === "metric")) return true;
  if (plan.where.some((condition) => condition.field.kind === "metric")) return true;
  const key = plan.dataset.rowKey;
  if (!key || key.length === 0) return true;
  const selected = new Set(plan.select.map((f) => f.name.toLowerCase()));
  return !key.every((column) => selected.has(column.toLowerCase()));
}

/**
 * An ORDER BY key. A column that is not selected (only without metrics: the validator refuses it
 * with them) orders each distinct row by the first of its rows' values in that direction: the
 * smallest ascending, the largest descending.
 */
function orderSql(field: Field, direction: "ASC" | "DESC", grouped: ReadonlySet<string>): string {
  if (field.kind === "metric" || grouped.has(field.name)) return fieldSql(field);
  return `${direction === "ASC" ? "min" : "max"}(${fieldSql(field)})`;
}

function fieldSql(field: Field): string {
  if (field.kind === "column") return quoteIdentifier(field.name);
  const { aggregation, source } = field.metric;
  const sourceSql = source ? quoteIdentifier(source) : "*";
  switch (aggregation) {
    case "count":
      return "count(*)";
    case "countDistinct":
      return `count(DISTINCT ${sourceSql})`;
    case "sum":
    case "avg":
      // Rounded so that sums of cents print as cents, not as binary-float noise.
      return field.type === "decimal"
        ? `round(${aggregation}(${sourceSql}), 6)`
        : `${aggregation}(${sourceSql})`;
    case "min":
    case "max":
      return `${aggregation}(${sourceSql})`;
  }
}

/**
 * String comparisons are case-insensitive (the language is). Negative conditions (!=, NOT IN,
 * NOT LIKE) keep rows whose value is empty, as a user reading "not X" expects. A value that does
 * not convert to the column's type (validated as text) is compared with the column's text form;
 * in a list, each element on its own.
 */
function conditionSql(condition: PlanCondition, bind: (value: SqlValue) => string): string {
  const { field, operator, values } = condition;
  const column = fieldSql(field);
  const textual = (value: PlanValue) => value.kind === "text" || field.type === "string";
  const textForm = `lower(CAST(${column} AS VARCHAR))`;
  const subject = values.some(textual) ? textForm : column;
  const operand = (value: PlanValue): string => {
    if (textual(value)) return bind(String(value.value).toLowerCase());
    if (field.type === "date") return `CAST(${bind(value.value)} AS DATE)`;
    if (field.type === "datetime") return `CAST(${bind(value.value)} AS TIMESTAMP)`;
    return bind(value.value);
  };
  const inList = () => {
    const texts = values.filter(textual);
    const typed = values.filter((value) => !textual(value));
    const parts = [
      ...(texts.length > 0 ? [`${textForm} IN (${texts.map(operand).join(", ")})`] : []),
      ...(typed.length > 0 ? [`${column} IN (${typed.map(operand).join(", ")})`] : []),
    ];
    return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
  };
  const first = values[0]!;
  switch (operator) {
    case "=":
    case ">":
    case "<":
    case ">=":
    case "<=":
      return `${subject} ${operator} ${operand(first)}`;
    case "!=":
      return `${subject} IS DISTINCT FROM ${operand(first)}`;
    case "LIKE":
      return `CAST(${column} AS VARCHAR) ILIKE ${bind(String(first.value))}`;
    case "NOT LIKE":
      return `(${column} IS NULL OR CAST(${column} AS VARCHAR) NOT ILIKE ${bind(String(first.value))})`;
    case "IN":
      return inList();
    case "NOT IN":
      return `(${column} IS NULL OR NOT ${inList()})`;
  }
}

/** The first whole day at or after an instant: a day belongs to a window when its midnight does. */
function dateBound(instant: Date): string {
  const midnight = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate());
  const day = instant.getTime() === midnight ? midnight : midnight + 86_400_000;
  return new Date(day).toISOString().slice(0, 10);
}

function timestampText(instant: Date): string {
  return instant.toISOString().replace("T", " ").slice(0, 19);
}
