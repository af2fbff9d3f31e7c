/**
 * Catalog files: a user's program, its datasets and system queries, in YAML or JSON (by the file's
 * extension), validated by one schema. Every problem is reported at once, each with the file, the
 * path inside it (`datasets[2].columns[4].type`) and what is allowed; docs/datasets.md describes
 * the format.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { analyzeQuery, formatDiagnostics } from "../query/index.js";
import { RESERVED_WORDS } from "../query/parser.js";
import { BUILT_IN_CATALOGS, CatalogSet } from "./catalog.js";
import {
  AGGREGATIONS,
  COLUMN_TYPES,
  type ColumnType,
  type DatasetDef,
  type DatasetSource,
  type ProgramCatalog,
  TIMESPANS,
} from "./types.js";

/** A URL path segment and a DuckDB schema name alike. */
const PROGRAM_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
/** Names DuckDB gives its own catalogs and schemas: a program's schema must not be one of them. */
const ENGINE_SCHEMAS = ["main", "temp", "system", "information_schema", "pg_catalog", "memory"];
/** An identifier of the query language (names starting with '_' are reserved for hidden columns). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const RESERVED = new Set(RESERVED_WORDS);
const NUMERIC: readonly ColumnType[] = ["integer", "decimal"];
const ORDERED: readonly ColumnType[] = ["integer", "decimal", "date", "datetime"];
/** Longest recurrence a scheduled report can have: a year, in hours. */
const MAX_INTERVAL_HOURS = 8760;

const listed = (values: readonly string[]) => values.join(", ");

/** One of `values`, with a message that names the value given and every allowed one. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined
        ? `${what} is required; one of ${listed(values)}`
        : `unknown ${what} ${JSON.stringify(issue.input)}; allowed: ${listed(values)}`,
  });
}

const name = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .regex(IDENTIFIER, {
      error: `${what} must start with a letter and hold only letters, digits and '_' (at most 128 characters)`,
    })
    .refine((value) => !RESERVED.has(value.toUpperCase()), {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is a reserved word of the query language (${listed(RESERVED_WORDS)})`,
    });

const description = z.string({ error: "description must be text" }).default("");

const columnSchema = z.strictObject({
  name: name("a column name"),
  type: oneOf(COLUMN_TYPES, "type"),
  description: description.optional(),
});

const metricSchema = z.strictObject({
  name: name("a metric name"),
  aggregation: oneOf(AGGREGATIONS, "aggregation"),
  source: z.string({ error: "source must be a column name" }).optional(),
  description: description.optional(),
});

/** A column name as PostgreSQL spells it: 1–63 bytes, no NUL. */
const pgName = (what: string, required: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? `${what} is required: ${required}` : `${what} must be text`,
    })
    .min(1, { error: `${what} must not be empty` })
    .refine((value) => Buffer.byteLength(value) <= 63 && !value.includes("\u0000"), {
      error: `${what} must be a PostgreSQL name: at most 63 bytes, without NUL`,
    });

/** `schema.table`, or `table` of the public schema. */
const SOURCE_TABLE = /^(?:([^.]+)\.)?([^.]+)$/;

const sourceSchema = z.strictObject(
  {
    table: z
      .string({ error: 'table is required: the table or view to read, as "schema.table"' })
      .regex(SOURCE_TABLE, { error: 'table must be "schema.table" (or "table" of the public schema)' })
      .refine((value) => value.split(".").every((part) => Buffer.byteLength(part) <= 63), {
        error: "table: a PostgreSQL name has at most 63 bytes",
      }),
    tenantColumn: pgName("tenantColumn", "the column of the table that holds each row's tenant id"),
    columns: z
      .record(z.string(), pgName("a mapped column", "the table's column it reads"), {
        error: 'columns must map catalog column names to the table\'s, e.g. { OrderDate: "created_at" }',
      })
      .default({}),
  },
  {
    // Only for a source that is not an object: unknown keys keep their own message.
    error: (issue) =>
      issue.code === "invalid_type"
        ? 'source must be { table: "schema.table", tenantColumn: "…", columns: { … } }'
        : undefined,
  },
);

const datasetSchema = z
  .strictObject({
    name: name("a dataset name"),
    description,
    columns: z.array(columnSchema).min(1, { error: "a dataset needs at least one column" }),
    metrics: z.array(metricSchema).default([]),
    rowKey: z
      .array(z.string({ error: "a rowKey entry must be a column name" }), {
        error: "rowKey must be a list of column names",
      })
      .min(1, { error: "rowKey needs at least one column (leave it out when rows have no key)" })
      .optional(),
    source: sourceSchema.optional(),
    timeColumn: z.string({ error: "timeColumn must be a column name or null" }).nullable().default(null),
    availableDateRanges: z.array(oneOf(TIMESPANS, "date range")).optional(),
    minimumRecurrenceInterval: z
      .number({ error: "minimumRecurrenceInterval must be a number of hours" })
      .int({ error: "minimumRecurrenceInterval must be a whole number of hours" })
      .min(1, { error: "minimumRecurrenceInterval must be at least 1 hour" })
      .max(MAX_INTERVAL_HOURS, {
        error: `minimumRecurrenceInterval must be at most ${MAX_INTERVAL_HOURS} hours`,
      })
      .default(24),
  })
  .superRefine((dataset, ctx) => {
    const fail = (message: string, at: (string | number)[]) =>
      ctx.addIssue({ code: "custom", message, path: at });
    const columns = new Map(dataset.columns.map((c) => [c.name.toLowerCase(), c]));
    const seen = new Map<string, string>();
    const unique = (value: string, at: (string | number)[]) => {
      const earlier = seen.get(value.toLowerCase());
      if (earlier)
        fail(
          `duplicate name ${JSON.stringify(value)}: ${earlier} has it already (names are case-insensitive)`,
          at,
        );
      else seen.set(value.toLowerCase(), formatPath(at));
    };
    dataset.columns.forEach((column, i) => {
      unique(column.name, ["columns", i, "name"]);
    });
    const noColumn = (name: string) =>
      `no column ${JSON.stringify(name)} in this dataset; columns: ${listed(dataset.columns.map((c) => c.name))}`;
    const keyed = new Set<string>();
    dataset.rowKey?.forEach((key, i) => {
      if (!columns.has(key.toLowerCase())) fail(noColumn(key), ["rowKey", i]);
      else if (keyed.has(key.toLowerCase())) fail(`${key} is in the rowKey twice`, ["rowKey", i]);
      keyed.add(key.toLowerCase());
    });
    if (dataset.source) {
      for (const key of Object.keys(dataset.source.columns)) {
        if (!columns.has(key.toLowerCase())) fail(noColumn(key), ["source", "columns", key]);
      }
    }
    dataset.metrics.forEach((metric, i) => {
      unique(metric.name, ["metrics", i, "name"]);
      const at = ["metrics", i, "source"];
      if (metric.source === undefined) {
        if (metric.aggregation !== "count") fail(`a ${metric.aggregation} metric needs a source column`, at);
        return;
      }
      const source = columns.get(metric.source.toLowerCase());
      if (!source) {
        fail(noColumn(metric.source), at);
        return;
      }
      if (metric.aggregation === "count" || metric.aggregation === "countDistinct") return;
      const allowed = metric.aggregation === "sum" || metric.aggregation === "avg" ? NUMERIC : ORDERED;
      if (!allowed.includes(source.type)) {
        fail(
          `${metric.aggregation} needs a column of type ${listed(allowed)}; ${source.name} is ${source.type}`,
          at,
        );
      }
    });
    if (dataset.timeColumn === null) {
      if (dataset.availableDateRanges?.length) {
        fail(
          "a dataset without a timeColumn has no date ranges: remove availableDateRanges or set timeColumn",
          ["availableDateRanges"],
        );
      }
      return;
    }
    const time = columns.get(dataset.timeColumn.toLowerCase());
    if (!time) {
      fail(noColumn(dataset.timeColumn), ["timeColumn"]);
    } else if (time.type !== "date" && time.type !== "datetime") {
      fail(`the time column must be of type date or datetime; ${time.name} is ${time.type}`, ["timeColumn"]);
    }
    if (dataset.availableDateRanges?.length === 0) {
      fail(`a dataset with a timeColumn needs at least one date range; allowed: ${listed(TIMESPANS)}`, [
        "availableDateRanges",
      ]);
    }
  });

const systemQuerySchema = z.strictObject({
  id: z.guid({ error: "id must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" }),
  name: z.string({ error: "name must be text" }).min(1, { error: "name must not be empty" }),
  description,
  query: z.string({ error: "query must be text" }),
});

const catalogSchema = z
  .strictObject({
    program: z
      .string({ error: "program must be text" })
      .regex(PROGRAM_NAME, {
        error:
          "program must be 1 to 40 lower-case letters, digits, '-' or '_', starting with a letter (it is a URL path segment)",
      })
      .refine((name) => !ENGINE_SCHEMAS.includes(name), {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is reserved by the analytics engine (${listed(ENGINE_SCHEMAS)})`,
      }),
    datasets: z.array(datasetSchema).min(1, { error: "a catalog needs at least one dataset" }),
    systemQueries: z.array(systemQuerySchema).default([]),
  })
  .superRefine((catalog, ctx) => {
    const seen = new Map<string, number>();
    catalog.datasets.forEach((dataset, i) => {
      const earlier = seen.get(dataset.name.toLowerCase());
      if (earlier === undefined) seen.set(dataset.name.toLowerCase(), i);
      else {
        ctx.addIssue({
          code: "custom",
          message: `duplicate dataset name ${JSON.stringify(dataset.name)}: datasets[${earlier}] has it already`,
          path: ["datasets", i, "name"],
        });
      }
    });
    const ids = new Set<string>();
    catalog.systemQueries.forEach((query, i) => {
      if (ids.has(query.id.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate system query id ${query.id}`,
          path: ["systemQueries", i, "id"],
        });
      }
      ids.add(query.id.toLowerCase());
    });
  });

type CatalogInput = z.output<typeof catalogSchema>;

/** `datasets[2].columns[4].type` */
function formatPath(at: readonly PropertyKey[]): string {
  return at.reduce<string>(
    (text, key) =>
      typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    "",
  );
}

function catalogError(file: string, problems: readonly string[]): AppError {
  return new AppError(
    ERROR_CODES.INVALID_ARGUMENT,
    `Invalid catalog ${file}:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    { file, problems },
  );
}

type SourceInput = NonNullable<CatalogInput["datasets"][number]["source"]>;

/**
 * The source with every column mapped: the `columns` map's entries as written (keys spelled as the
 * catalog spells its columns); any other column reads the table's column of the same name folded
 * to lower case, as PostgreSQL folds an unquoted name (`OrderId` reads `orderid`).
 */
function toSource(source: SourceInput, columns: readonly { name: string }[]): DatasetSource {
  const [schema, table] = source.table.includes(".") ? source.table.split(".") : ["public", source.table];
  const mapped = new Map(Object.entries(source.columns).map(([key, value]) => [key.toLowerCase(), value]));
  return {
    schema: schema!,
    table: table!,
    tenantColumn: source.tenantColumn,
    columns: Object.fromEntries(
      columns.map((c) => [c.name, mapped.get(c.name.toLowerCase()) ?? c.name.toLowerCase()]),
    ),
  };
}

function toCatalog(input: CatalogInput): ProgramCatalog {
  return {
    program: input.program,
    datasets: input.datasets.map((d): DatasetDef => {
      // References to a column are spelled as the column is (names are case-insensitive; the compiler quotes them).
      const spelled = (name: string) =>
        d.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())!.name;
      return {
        name: d.name,
        description: d.description,
        columns: d.columns.map((c) => ({
          name: c.name,
          type: c.type,
          ...(c.description ? { description: c.description } : {}),
        })),
        metrics: d.metrics.map((m) => ({
          name: m.name,
          aggregation: m.aggregation,
          ...(m.source !== undefined ? { source: spelled(m.source) } : {}),
          ...(m.description ? { description: m.description } : {}),
        })),
        timeColumn: d.timeColumn === null ? null : spelled(d.timeColumn),
        availableDateRanges: d.timeColumn === null ? [] : (d.availableDateRanges ?? [...TIMESPANS]),
        minimumRecurrenceInterval: d.minimumRecurrenceInterval,
        ...(d.rowKey ? { rowKey: d.rowKey.map(spelled) } : {}),
        ...(d.source ? { source: toSource(d.source, d.columns) } : {}),
      };
    }),
    systemQueries: input.systemQueries,
  };
}

/**
 * Validates the parsed content of a catalog file (`file` names it in messages): the schema, then
 * every system query against the catalog's own datasets.
 */
export function parseCatalog(content: unknown, file: string): ProgramCatalog {
  const result = catalogSchema.safeParse(content);
  if (!result.success) {
    throw catalogError(
      file,
      result.error.issues.map((issue) => `${formatPath(issue.path) || "(the file)"}: ${issue.message}`),
    );
  }
  const catalog = toCatalog(result.data);
  const problems = catalog.systemQueries.flatMap((query, i) => {
    const analysis = analyzeQuery(query.query, catalog.datasets);
    return analysis.ok
      ? []
      : [
          `systemQueries[${i}].query: does not compile: ${formatDiagnostics(analysis.diagnostics).replaceAll("\n", "; ")}`,
        ];
  });
  if (problems.length > 0) throw catalogError(file, problems);
  return catalog;
}

/** Reads and validates one catalog file: `.yaml`/`.yml` as YAML, `.json` as JSON. */
export async function readCatalogFile(file: string): Promise<ProgramCatalog> {
  const extension = path.extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(extension)) {
    throw catalogError(file, [
      `(the file): the name must end in .yaml, .yml or .json, which says how to read it`,
    ]);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw catalogError(file, [`(the file): cannot be read: ${(error as Error).message}`]);
  }
  let content: unknown;
  try {
    content = extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw catalogError(file, [
      `(the file): not valid ${extension === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`,
    ]);
  }
  return parseCatalog(content, file);
}

/**
 * The built-in catalogs and those of `files`, in that order. A program name that another
 * catalog (built-in or file) already defines stops here, naming both.
 */
export async function loadCatalogs(files: readonly string[]): Promise<CatalogSet> {
  const catalogs: ProgramCatalog[] = [...BUILT_IN_CATALOGS];
  for (const file of files) {
    const catalog = await readCatalogFile(file);
    const clash = catalogs.find((c) => c.program.toLowerCase() === catalog.program.toLowerCase());
    if (clash) {
      throw catalogError(file, [
        `program: ${JSON.stringify(catalog.program)} is already defined by ${clash.file ?? "the built-in catalogs"}; choose another name`,
      ]);
    }
    catalogs.push({ ...catalog, file });
  }
  return new CatalogSet(catalogs);
}
