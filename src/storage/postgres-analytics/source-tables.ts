/**
 * Datasets that read a table of the user's own (`source` in a catalog file) instead of rows loaded
 * into the service: checked at start, never created or written. The table (or view) must exist,
 * the service's role must be allowed to read it, and the tenant column and every mapped column
 * must exist with a type the catalog's type can be read from (docs/analytics-postgres.md,
 * "Reports straight from your own tables").
 */
import type pg from "pg";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { physicalColumns, sourceTableName } from "../../datasets/lookup.js";
import type { ColumnType, DatasetDef, DatasetSource, Program } from "../../datasets/types.js";
import { ident } from "./tables.js";

/** PostgreSQL's display name of each type a catalog type reads (by `pg_type.typname` of the base type). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  text: "text",
  varchar: "character varying",
  bpchar: "character",
  name: "name",
  uuid: "uuid",
  citext: "citext",
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  numeric: "numeric",
  float4: "real",
  float8: "double precision",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamp with time zone",
  bool: "boolean",
};

/** The PostgreSQL types each catalog type reads (the compiler casts them to the catalog's). */
const COMPATIBLE: Readonly<Record<ColumnType, readonly string[]>> = {
  string: ["text", "varchar", "bpchar", "name", "uuid", "citext"],
  integer: ["int2", "int4", "int8"],
  decimal: ["numeric", "float8", "float4", "int2", "int4", "int8"],
  date: ["date", "timestamp", "timestamptz"],
  datetime: ["timestamp", "timestamptz"],
  boolean: ["bool"],
};

interface FoundColumn {
  readonly name: string;
  /** As PostgreSQL prints it (`character varying(40)`). */
  readonly type: string;
  /** `typname` of the type, or of a domain's base type. */
  readonly base: string;
  /** An enum reads as text. */
  readonly isEnum: boolean;
  readonly readable: boolean;
}

/**
 * Checks every `source` dataset of a program against the database; throws one error listing every
 * problem (a missing table, a missing privilege, a missing column, an incompatible type), each
 * naming the dataset, the column and what was found.
 */
export async function checkSourceTables(
  client: pg.PoolClient,
  program: Program,
  datasets: readonly DatasetDef[],
): Promise<void> {
  const problems: string[] = [];
  for (const dataset of datasets) {
    if (dataset.source) problems.push(...(await sourceProblems(client, dataset, dataset.source)));
  }
  if (problems.length === 0) return;
  throw new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    `The tables that program ${program}'s datasets read do not match its catalog:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    { problems },
  );
}

async function sourceProblems(
  client: pg.PoolClient,
  dataset: DatasetDef,
  source: DatasetSource,
): Promise<string[]> {
  const table = sourceTableName(dataset)!;
  const at = `dataset ${dataset.name}`;
  const relation = await client.query<{ oid: number; usable: boolean; role: string }>(
    "SELECT c.oid::int AS oid, has_schema_privilege(n.oid, 'USAGE') AS usable, current_user AS role " +
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')",
    [source.schema, source.table],
  );
  const found = relation.rows[0];
  if (!found) {
    const similar = await client.query<{ name: string }>(
      "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE lower(n.nspname) = lower($1) AND lower(c.relname) = lower($2) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')",
      [source.schema, source.table],
    );
    const hint = similar.rows[0] ? ` (names are exact: did you mean ${similar.rows[0].name}?)` : "";
    return [`${at}: source.table: the analytics database has no table or view ${table}${hint}`];
  }
  const grant = `GRANT USAGE ON SCHEMA ${ident(source.schema)} TO ${ident(found.role)}; GRANT SELECT ON ${ident(source.schema)}.${ident(source.table)} TO ${ident(found.role)}`;
  if (!found.usable) return [`${at}: source.table: the role ${found.role} may not read ${table}: ${grant}`];
  const columns = await client.query<FoundColumn>(
    "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, " +
      "coalesce(b.typname, t.typname) AS base, coalesce(b.typtype, t.typtype) = 'e' AS \"isEnum\", " +
      "has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS readable " +
      "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type b ON b.oid = t.typbasetype AND t.typtype = 'd' " +
      "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped",
    [found.oid],
  );
  const byName = new Map(columns.rows.map((c) => [c.name, c]));
  const problems: string[] = [];
  const check = (what: string, name: string, type: ColumnType) => {
    const column = byName.get(name);
    if (!column) {
      const similar = columns.rows.find((c) => c.name.toLowerCase() === name.toLowerCase());
      const hint = similar
        ? ` (names are exact: it has ${JSON.stringify(similar.name)}; map it in source.columns)`
        : "";
      problems.push(`${at}: ${what} reads ${JSON.stringify(name)}, which ${table} does not have${hint}`);
      return;
    }
    if (!COMPATIBLE[type].includes(column.base) && !(type === "string" && column.isEnum)) {
      const allowed = COMPATIBLE[type].map((t) => TYPE_NAMES[t]).join(", ");
      problems.push(
        `${at}: ${what} reads ${JSON.stringify(name)} of ${table}, which is ${column.type}; catalog type ${type} reads from ${allowed}${type === "string" ? " or an enum" : ""}`,
      );
      return;
    }
    if (!column.readable) {
      problems.push(`${at}: ${what}: the role ${found.role} may not read ${table}.${name}: ${grant}`);
    }
  };
  check("source.tenantColumn", source.tenantColumn, "string");
  for (const column of physicalColumns(dataset)) {
    check(`column ${column.name}`, source.columns[column.name]!, column.type);
  }
  return problems;
}
