/**
 * The physical layout of the PostgreSQL analytics engine: one schema per program, one table per
 * dataset (`table ?? name`), the hidden tenant column first, then the dataset's columns and
 * measures in catalog order, spelled exactly as the catalog spells them (the query compiler quotes
 * the same names). Each table has one b-tree index that starts with the tenant: (tenant, time
 * column) for datasets with one, (tenant) otherwise — every query filters one tenant first, and
 * TIMESPAN windows are ranges of the time column (docs/analytics-postgres.md, "Layout").
 */
import { AppError } from "../../core/errors.js";
import { datasetTable, physicalColumns } from "../../datasets/lookup.js";
import { type ColumnType, type DatasetDef, type Program, TENANT_COLUMN } from "../../datasets/types.js";
import { POSTGRES_COLUMN_TYPES, postgresIdentifier } from "../../query/compiler.js";

/** The table of a dataset, qualified and quoted as the compiler names it. */
export function datasetTableIdent(program: Program, dataset: DatasetDef): string {
  return `${ident(program)}.${catalogIdent(datasetTable(dataset))}`;
}

/** The schema of the engine's own bookkeeping (data versions), beside the programs' schemas. */
export const BOOKKEEPING_SCHEMA = "openinsights_analytics";

/** A catalog name (table, column) as this engine's tables spell it, quoted (the compiler's spelling). */
export function catalogIdent(name: string): string {
  return ident(postgresIdentifier(name));
}

/** `"name"`, embedded quotes doubled; NUL refused (PostgreSQL cannot hold it). */
export function ident(name: string): string {
  if (name.includes("\u0000")) throw new AppError("invalid_argument", "An identifier must not contain NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

export interface PgColumn {
  /** As the catalog spells it. */
  readonly name: string;
  /** As the table spells it (postgresIdentifier). */
  readonly physical: string;
  readonly type: ColumnType;
  readonly sqlType: string;
}

export interface PgTable {
  readonly schema: Program;
  /** As the database spells it (postgresIdentifier of the catalog's). */
  readonly table: string;
  /** Without the tenant column, in catalog order (datasets sharing a table: the union). */
  readonly columns: readonly PgColumn[];
  /** The first dataset's time column, the second key of the index (null: none). */
  readonly timeColumn: string | null;
}

export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

export function datasetColumns(dataset: DatasetDef): PgColumn[] {
  return physicalColumns(dataset).map(({ name, type }) => {
    if (name.toLowerCase() === TENANT_COLUMN) {
      throw new AppError("internal", `Dataset ${dataset.name} declares the reserved column ${TENANT_COLUMN}`);
    }
    return { name, physical: postgresIdentifier(name), type, sqlType: POSTGRES_COLUMN_TYPES[type] };
  });
}

/** The tables a program's datasets need; datasets sharing a `table` share one table (union of columns). */
export function programTables(program: Program, datasets: readonly DatasetDef[]): PgTable[] {
  const byName = new Map<string, { table: string; columns: PgColumn[]; timeColumn: string | null }>();
  for (const dataset of datasets) {
    const table = postgresIdentifier(datasetTable(dataset));
    const entry = byName.get(table);
    const columns = datasetColumns(dataset);
    if (!entry) {
      byName.set(table, {
        table,
        columns: [...columns],
        timeColumn: dataset.timeColumn ? postgresIdentifier(dataset.timeColumn) : null,
      });
      continue;
    }
    for (const column of columns) {
      const existing = entry.columns.find((c) => c.physical === column.physical);
      if (!existing) entry.columns.push(column);
      else if (existing.type !== column.type) {
        throw new AppError(
          "internal",
          `Datasets sharing table ${program}.${table} disagree on the type of column ${column.name} (${existing.type} vs ${column.type})`,
        );
      }
    }
  }
  return [...byName.values()].map((entry) => ({ schema: program, ...entry }));
}

/**
 * The transaction-local setting a load sets to its tenant: the tenant column's default, so a load's
 * COPY straight into the table fills it (load.ts). Unset, or empty as a custom setting stays in a
 * pooled session after the transaction that set it, the default is NULL and fails the NOT NULL:
 * no row gets in without a tenant.
 */
export const LOAD_TENANT_SETTING = "openinsights.load_tenant";

/** The tenant column's default, spelled as pg_get_expr spells it back (ensureTables compares). */
export const TENANT_DEFAULT = `NULLIF(current_setting('${LOAD_TENANT_SETTING}'::text, true), ''::text)`;

/** CREATE TABLE and its index, both idempotent. */
export function createTableStatements(table: PgTable): string[] {
  const target = qualified(table.schema, table.table);
  const definitions = [
    `${ident(TENANT_COLUMN)} text NOT NULL DEFAULT ${TENANT_DEFAULT}`,
    ...table.columns.map((c) => `${ident(c.physical)} ${c.sqlType}`),
  ];
  const keys = [TENANT_COLUMN, ...(table.timeColumn ? [table.timeColumn] : [])].map(ident).join(", ");
  // Index names are per schema and at most 63 bytes: a short stable name from the table's.
  const indexName = `${table.table.slice(0, 40)}_tenant_idx`;
  return [
    `CREATE TABLE IF NOT EXISTS ${target} (${definitions.join(", ")})`,
    `CREATE INDEX IF NOT EXISTS ${ident(indexName)} ON ${target} (${keys})`,
  ];
}
