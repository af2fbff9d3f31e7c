/**
 * Stage 4: plan → parameterised SQL for the analytics engine, in its dialect (DuckDB by default, or
 * PostgreSQL). Identifiers come only from the catalog and are quoted; every literal, the tenant and
 * the time window are bound parameters. The tenant filter is always the first condition.
 *
 * The dialects differ only where the engines' defaults differ, so that one query gives the same
 * rows on both (docs/analytics-postgres.md, "Same rows on both engines"):
 * - ordering: DuckDB sorts text by code point and puts NULLs last in both directions; PostgreSQL
 *   sorts by the database's collation and puts NULLs first when descending, so PostgreSQL gets
 *   `COLLATE "C"` on text order keys, text min/max and text range comparisons, and `NULLS LAST`;
 * - LIKE: PostgreSQL treats `\` as an escape character by default, DuckDB has none: `ESCAPE ''`;
 * - numbers: PostgreSQL has no `round(double, n)` and sums integers as NUMERIC; rounded sums and
 *   averages are computed in NUMERIC and returned as DOUBLE PRECISION, and a number literal is a
 *   NUMERIC parameter (a bare `$n` beside a BIGINT column would be parsed as BIGINT, refusing 2.5);
 * - every PostgreSQL parameter is either compared with text or cast to its type, so the engine may
 *   hand them over as text settings (`COPY` takes no bind parameters: postgres-analytics/params.ts).
 */
import { physicalColumns, sourceNeedsPostgres, sourceTableName } from "../datasets/lookup.js";
import { type ColumnType, type DatasetDef, type Program, TENANT_COLUMN } from "../datasets/types.js";
import type { CompiledSql, SqlDialect, SqlValue } from "./compiled.js";
import type { TimeWindow } from "./timespan.js";
import type { Field, PlanCondition, PlanValue, QueryPlan } from "./validator.js";

export interface CompileContext {
  readonly program: Program;
  readonly tenant: string;
  /** The rows' time window (from TIMESPAN or an explicit override); ignored for datasets without a time column. */
  readonly window: TimeWindow;
  /** The analytics engine's dialect; DuckDB when absent. */
  readonly dialect?: SqlDialect;
}

/** What differs between the dialects, as small functions of already-compiled SQL. */
interface DialectRules {
  /** A text expression that orders by code point (the language's order for text). */
  readonly textOrder: (sql: string) => string;
  /** Appended to each ORDER BY key, after its direction. */
  readonly nullsLast: string;
  /** Appended to a LIKE pattern: no escape character. */
  readonly likeEscape: string;
  /** A rounded sum or average of a decimal column (6 places). */
  readonly roundedAggregate: (aggregate: string) => string;
  /** An average of an integer column (a double on both engines). */
  readonly average: (aggregate: string) => string;
  /** A bound number literal. */
  readonly number: (placeholder: string) => string;
  /** A bound boolean literal. */
  readonly boolean: (placeholder: string) => string;
  /** A catalog name (table, column) as the engine's tables spell it, quoted. */
  readonly name: (name: string) => string;
}

const DIALECTS: Readonly<Record<SqlDialect, DialectRules>> = {
  duckdb: {
    textOrder: (sql) => sql,
    nullsLast: "",
    likeEscape: "",
    roundedAggregate: (aggregate) => `round(${aggregate}, 6)`,
    average: (aggregate) => aggregate,
    number: (placeholder) => placeholder,
    boolean: (placeholder) => placeholder,
    name: quoteIdentifier,
  },
  postgres: {
    textOrder: (sql) => `${sql} COLLATE "C"`,
    nullsLast: " NULLS LAST",
    likeEscape: " ESCAPE ''",
    roundedAggregate: (aggregate) => `CAST(round(CAST(${aggregate} AS NUMERIC), 6) AS DOUBLE PRECISION)`,
    average: (aggregate) => `CAST(${aggregate} AS DOUBLE PRECISION)`,
    number: (placeholder) => `CAST(${placeholder} AS NUMERIC)`,
    boolean: (placeholder) => `CAST(${placeholder} AS BOOLEAN)`,
    name: (name) => quoteIdentifier(postgresIdentifier(name)),
  },
};

/**
 * The PostgreSQL type of each catalog column type: the analytics tables' column types, and what a
 * column of a table of the user's own (`source`) is cast to when read.
 */
export const POSTGRES_COLUMN_TYPES: Readonly<Record<ColumnType, string>> = {
  // The same value ranges as DuckDB's types of storage/duckdb/sql.ts.
  string: "text",
  integer: "bigint",
  decimal: "double precision",
  date: "date",
  datetime: "timestamp",
  boolean: "boolean",
};

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL keeps 63 bytes of an identifier (NAMEDATALEN); the catalogs' longest names are longer. */
const POSTGRES_IDENTIFIER_BYTES = 63;

/**
 * A catalog name as the PostgreSQL engine's tables spell it: unchanged when it fits in 63 bytes,
 * else its first 54 bytes (whole characters) and 8 hex digits of a hash of the whole name, so that
 * two long names with a common start stay two columns (docs/analytics-postgres.md, "Layout").
 */
export function postgresIdentifier(name: string): string {
  if (utf8Length(name) <= POSTGRES_IDENTIFIER_BYTES) return name;
  let prefix = "";
  for (const char of name) {
    if (utf8Length(prefix + char) > 54) break;
    prefix += char;
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}_${hash.toString(16).padStart(8, "0")}`;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export function tableReference(program: Program, dataset: DatasetDef): string {
  return `${quoteIdentifier(program)}.${quoteIdentifier(dataset.table ?? dataset.name)}`;
}

export function compile(plan: QueryPlan, context: CompileContext): CompiledSql {
  const dialect = DIALECTS[context.dialect ?? "duckdb"];
  const fieldSql = (field: Field) => fieldExpression(field, dialect);
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
        `${dialect.name(timeColumn)} >= CAST(${bind(bound(context.window.start))} AS ${sqlType})`,
      );
    }
    if (context.window.end) {
      rowFilters.push(`${dialect.name(timeColumn)} < CAST(${bind(bound(context.window.end))} AS ${sqlType})`);
    }
  }
  const groupFilters: string[] = [];
  for (const condition of plan.where) {
    const sql = conditionSql(condition, bind, dialect);
    (condition.field.kind === "metric" ? groupFilters : rowFilters).push(sql);
  }

  const selectList = plan.select.map((field) => `${fieldSql(field)} AS ${quoteIdentifier(field.name)}`);
  // Rows are distinct in the selected columns, metric or not (documented): the selected columns
  // group, unless they include the dataset's row key, which makes every row distinct already.
  const rowsRepeat = selectedRowsRepeat(plan);
  const grouping = rowsRepeat ? plan.select.filter((f) => f.kind === "column") : [];
  const grouped = new Set(grouping.map((f) => f.name));
  let sql = `SELECT ${selectList.join(", ")}`;
  sql += ` FROM ${fromClause(context, plan, dialect)}`;
  sql += ` WHERE ${rowFilters.join(" AND ")}`;
  if (grouping.length > 0) sql += ` GROUP BY ${grouping.map(fieldSql).join(", ")}`;
  if (groupFilters.length > 0) sql += ` HAVING ${groupFilters.join(" AND ")}`;
  if (plan.orderBy.length > 0) {
    // Ordering by the expression, not the output name: a metric may share its name with the measure it sums.
    // Without grouping (the row key makes rows distinct) every key is a plain column.
    const plain = rowsRepeat ? grouped : new Set(plan.orderBy.map((o) => o.field.name));
    const key = (o: (typeof plan.orderBy)[number]) =>
      `${orderSql(o.field, o.direction, plain, dialect)} ${o.direction}${dialect.nullsLast}`;
    sql += ` ORDER BY ${plan.orderBy.map(key).join(", ")}`;
  }
  if (plan.limit !== undefined) sql += ` LIMIT ${plan.limit}`;
  return {
    sql,
    params,
    columns: plan.select.map((f) => f.name),
    ...(plan.limit !== undefined ? { rowLimit: plan.limit } : {}),
    source: {
      program: context.program,
      table: plan.dataset.table ?? plan.dataset.name,
      tenant: context.tenant,
      ...(plan.dataset.source ? { readsTable: sourceTableName(plan.dataset)! } : {}),
    },
  };
}

/**
 * The rows a query reads: the dataset's table of the program's schema, or, for a dataset that reads
 * a table of the user's own (`source`, PostgreSQL only), that table under the dataset's spelling —
 * each column the query uses cast to its catalog type (so a column dropped from the table fails
 * only the queries that use it), the tenant column as the hidden tenant column. PostgreSQL pulls
 * such a subquery up into the query, so the tenant filter and TIMESPAN window apply to the mapped
 * columns themselves (a cast to the type a column already has is none, and an index on it serves them).
 */
function fromClause(context: CompileContext, plan: QueryPlan, dialect: DialectRules): string {
  const { dataset } = plan;
  const source = dataset.source;
  if (!source) return `${quoteIdentifier(context.program)}.${dialect.name(dataset.table ?? dataset.name)}`;
  if (context.dialect !== "postgres") throw sourceNeedsPostgres(context.program, dataset);
  const read = (column: string, type: ColumnType) =>
    `CAST(${quoteIdentifier(column)} AS ${POSTGRES_COLUMN_TYPES[type]})`;
  const used = usedColumns(plan);
  const columns = [
    `${read(source.tenantColumn, "string")} AS ${quoteIdentifier(TENANT_COLUMN)}`,
    ...physicalColumns(dataset)
      .filter((column) => used.has(column.name))
      .map((column) => `${read(source.columns[column.name]!, column.type)} AS ${dialect.name(column.name)}`),
  ];
  return `(SELECT ${columns.join(", ")} FROM ${quoteIdentifier(source.schema)}.${quoteIdentifier(source.table)}) AS ${quoteIdentifier(dataset.name)}`;
}

/** The dataset's columns a query reads: selected, filtered, ordered by, aggregated, and the time column. */
function usedColumns(plan: QueryPlan): Set<string> {
  const fields = [...plan.select, ...plan.where.map((c) => c.field), ...plan.orderBy.map((o) => o.field)];
  const names = fields.map((field) => (field.kind === "column" ? field.name : field.metric.source));
  return new Set([...names, plan.dataset.timeColumn].filter((name): name is string => !!name));
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
function orderSql(
  field: Field,
  direction: "ASC" | "DESC",
  grouped: ReadonlySet<string>,
  dialect: DialectRules,
): string {
  const text = (sql: string) => (field.type === "string" ? dialect.textOrder(sql) : sql);
  if (field.kind === "metric" || grouped.has(field.name)) return text(fieldExpression(field, dialect));
  return `${direction === "ASC" ? "min" : "max"}(${text(fieldExpression(field, dialect))})`;
}

function fieldExpression(field: Field, dialect: DialectRules): string {
  if (field.kind === "column") return dialect.name(field.name);
  const { aggregation, source } = field.metric;
  const sourceSql = source ? dialect.name(source) : "*";
  const textSource = field.type === "string" ? dialect.textOrder(sourceSql) : sourceSql;
  switch (aggregation) {
    case "count":
      return "count(*)";
    case "countDistinct":
      return `count(DISTINCT ${sourceSql})`;
    case "sum":
    case "avg":
      // Rounded so that sums of cents print as cents, not as binary-float noise.
      if (field.type === "decimal") return dialect.roundedAggregate(`${aggregation}(${sourceSql})`);
      return aggregation === "avg" ? dialect.average(`avg(${sourceSql})`) : `sum(${sourceSql})`;
    case "min":
    case "max":
      return `${aggregation}(${textSource})`;
  }
}

/**
 * String comparisons are case-insensitive (the language is). Negative conditions (!=, NOT IN,
 * NOT LIKE) keep rows whose value is empty, as a user reading "not X" expects. A value that does
 * not convert to the column's type (validated as text) is compared with the column's text form;
 * in a list, each element on its own.
 */
function conditionSql(
  condition: PlanCondition,
  bind: (value: SqlValue) => string,
  dialect: DialectRules,
): string {
  const { field, operator, values } = condition;
  const column = fieldExpression(field, dialect);
  const textual = (value: PlanValue) => value.kind === "text" || field.type === "string";
  const textForm = `lower(CAST(${column} AS VARCHAR))`;
  const subject = values.some(textual) ? textForm : column;
  const operand = (value: PlanValue): string => {
    if (textual(value)) return bind(String(value.value).toLowerCase());
    if (field.type === "date") return `CAST(${bind(value.value)} AS DATE)`;
    if (field.type === "datetime") return `CAST(${bind(value.value)} AS TIMESTAMP)`;
    if (typeof value.value === "number") return dialect.number(bind(value.value));
    if (typeof value.value === "boolean") return dialect.boolean(bind(value.value));
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
      return `${subject} = ${operand(first)}`;
    case ">":
    case "<":
    case ">=":
    case "<=":
      return `${subject === textForm ? dialect.textOrder(subject) : subject} ${operator} ${operand(first)}`;
    case "!=":
      return `${subject} IS DISTINCT FROM ${operand(first)}`;
    case "LIKE":
      return `CAST(${column} AS VARCHAR) ILIKE ${bind(String(first.value))}${dialect.likeEscape}`;
    case "NOT LIKE":
      return `(${column} IS NULL OR CAST(${column} AS VARCHAR) NOT ILIKE ${bind(String(first.value))}${dialect.likeEscape})`;
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
