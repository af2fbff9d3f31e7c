/**
 * SQL text helpers and the physical table layout of the DuckDB adapter.
 *
 * Layout (a contract with the query compiler): one schema per program, one table per dataset
 * named `table ?? name`, the dataset's `columns` then its `measures` (catalog order), then the
 * hidden tenant column. Identifiers are quoted exactly as the catalog spells them.
 */
import { AppError } from "../../core/errors.js";
import { physicalColumns as catalogColumns, datasetTable } from "../../datasets/lookup.js";
import { type ColumnType, type DatasetDef, type Program, TENANT_COLUMN } from "../../datasets/types.js";
import { tableReference } from "../../query/compiler.js";

/** DuckDB type of each catalog column type. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: "VARCHAR",
  integer: "BIGINT",
  decimal: "DOUBLE",
  date: "DATE",
  datetime: "TIMESTAMP",
  boolean: "BOOLEAN",
};

function rejectNul(text: string, what: string): void {
  if (text.includes("\u0000")) {
    throw new AppError("invalid_argument", `${what} must not contain a NUL character`);
  }
}

/** `"name"` with embedded double quotes doubled. */
export function quoteIdent(name: string): string {
  rejectNul(name, "An identifier");
  return `"${name.replaceAll('"', '""')}"`;
}

/** `'text'` with embedded single quotes doubled (DuckDB string literals have no backslash escapes). */
export function quoteString(text: string): string {
  rejectNul(text, "A string value");
  return `'${text.replaceAll("'", "''")}'`;
}

export interface PhysicalColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly sqlType: string;
}

export interface PhysicalTable {
  readonly schema: Program;
  readonly table: string;
  /** Columns of the table without the tenant column, in creation order. */
  readonly columns: readonly PhysicalColumn[];
  /** Catalog datasets stored in this table. */
  readonly datasets: readonly string[];
}

/** The table that holds a dataset's rows. */
export const tableName = datasetTable;

/** `"mpn"."Table"`: how the compiler and the adapter name a dataset's table (the compiler owns the layout). */
export const qualifiedTable = tableReference;

/** The physical columns of a dataset (columns, then measures), without the tenant column. */
export function physicalColumns(dataset: DatasetDef): PhysicalColumn[] {
  const seen = new Set<string>();
  return catalogColumns(dataset).map(({ name, type }) => {
    const key = name.toLowerCase();
    if (key === TENANT_COLUMN) {
      throw new AppError("internal", `Dataset ${dataset.name} declares the reserved column ${TENANT_COLUMN}`);
    }
    // DuckDB matches identifiers case-insensitively, even quoted ones.
    if (seen.has(key)) {
      throw new AppError(
        "internal",
        `Dataset ${dataset.name} declares column ${name} twice (names are case-insensitive)`,
      );
    }
    seen.add(key);
    return { name, type, sqlType: DUCKDB_TYPES[type] };
  });
}

/**
 * The tables a program's datasets need. Datasets sharing a `table` share one physical table whose
 * columns are the union of theirs (first dataset's order, then the others' additions).
 */
export function physicalTables(program: Program, datasets: readonly DatasetDef[]): PhysicalTable[] {
  const byKey = new Map<string, { table: string; columns: PhysicalColumn[]; datasets: string[] }>();
  for (const dataset of datasets) {
    const table = tableName(dataset);
    const key = table.toLowerCase();
    const columns = physicalColumns(dataset);
    const entry = byKey.get(key);
    if (!entry) {
      byKey.set(key, { table, columns: [...columns], datasets: [dataset.name] });
      continue;
    }
    entry.datasets.push(dataset.name);
    for (const column of columns) {
      const existing = entry.columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase());
      if (!existing) {
        entry.columns.push(column);
      } else if (existing.type !== column.type) {
        throw new AppError(
          "internal",
          `Datasets sharing table ${program}.${table} disagree on the type of column ${column.name} (${existing.type} vs ${column.type})`,
        );
      }
    }
  }
  return [...byKey.values()].map((e) => ({ schema: program, ...e }));
}

/**
 * Wraps a compiled statement for nesting in `COPY (...) TO`. One trailing `;` is dropped; the statement
 * is prepared, and DuckDB refuses to prepare more than one statement, so nothing can ride along.
 * Newlines around the text keep a trailing `-- comment` from swallowing the closing parenthesis.
 */
export function asSubquery(sql: string): string {
  return `(\n${sql.trim().replace(/;\s*$/, "")}\n)`;
}
