/**
 * Statements compiled once, run many times. Kysely builds and compiles a query on every call,
 * which costs tens of microseconds for a small select, more than SQLite takes to run it; the
 * service's hot reads (a report, a page of executions, a page of queries) have a handful of
 * shapes. A template is built once with stand-in values, compiled, and then run with each call's
 * values put where the stand-ins were.
 *
 * With a change version (a number that changes whenever the database may have changed; the
 * SQLite adapter has one, see `MetadataStore.changeVersion`), results are also kept and served again while the number stays the
 * same: clients poll the same report, execution and query lists over and over.
 */
import type { Compilable, CompiledQuery, Kysely } from "kysely";
import { VersionedCache } from "../../core/versioned-cache.js";

/** A statement's values by name; a list puts one value per element (its length is part of the shape). */
export type TemplateValues = Readonly<Record<string, unknown>>;

interface Template {
  readonly query: CompiledQuery;
  /** For each parameter of `query`: how to make it from a call's values. */
  readonly parameters: readonly ((values: TemplateValues) => unknown)[];
}

/** Stand-ins are strings no caller can send: they start with a NUL character, which the API refuses. */
const STAND_IN = "\u0000oi:";

export interface TemplateOptions {
  /** Changes whenever the database may have changed; results are reused while it stays the same. */
  readonly changeVersion?: () => number;
}

export class StatementTemplates {
  readonly #compiled = new Map<string, Template>();
  readonly #results: VersionedCache<readonly unknown[]> | undefined;

  constructor(
    private readonly db: Kysely<unknown>,
    options: TemplateOptions = {},
    /** Templates kept at most (shapes are few; the bound is a guard, not a tuning knob). */
    private readonly limit = 500,
  ) {
    this.#results =
      options.changeVersion &&
      new VersionedCache<readonly unknown[]>({
        version: options.changeVersion,
        maxEntries: 1000,
        // Characters of string values held (about 2 bytes each).
        maxSize: 8_000_000,
        sizeOf: stringCharacters,
      });
  }

  /**
   * The rows of the statement `build` makes from `values`. `name` names the statement; the
   * shape of `values` (which names are present, how long each list is) completes its identity,
   * so `build` may branch on which values are present and on list lengths, but on nothing else.
   * The rows may be kept and handed to later callers: map them, never change them.
   */
  async rows<R, V extends TemplateValues>(
    name: string,
    values: V,
    build: (standIns: V) => Compilable<R>,
  ): Promise<R[]> {
    const key = shapeKey(name, values);
    let template = this.#compiled.get(key);
    if (!template) {
      template = compile(build, values);
      if (this.#compiled.size >= this.limit) this.#compiled.clear();
      this.#compiled.set(key, template);
    }
    const parameters = template.parameters.map((make) => make(values));
    if (!this.#results) return this.execute(template, parameters);
    const resultKey = `${key}\u0001${JSON.stringify(parameters)}`;
    return (await this.#results.remember(resultKey, () => this.execute(template, parameters))) as R[];
  }

  private async execute<R>(template: Template, parameters: readonly unknown[]): Promise<R[]> {
    const result = await this.db.executeQuery<R>({ ...template.query, parameters });
    return result.rows;
  }
}

/** How many characters the rows' string values hold: what the cache's memory grows with. */
function stringCharacters(rows: readonly unknown[]): number {
  let characters = 0;
  for (const row of rows) {
    for (const value of Object.values(row as Record<string, unknown>)) {
      if (typeof value === "string") characters += value.length;
    }
  }
  return characters;
}

function shapeKey(name: string, values: TemplateValues): string {
  let key = name;
  for (const field in values) {
    const value = values[field];
    if (value === undefined) continue;
    key += Array.isArray(value) ? `|${field}[${value.length}]` : `|${field}`;
  }
  return key;
}

/** Builds the statement over stand-ins and works out where each value goes. */
function compile<R, V extends TemplateValues>(build: (standIns: V) => Compilable<R>, values: V): Template {
  const standIns: Record<string, unknown> = {};
  for (const field in values) {
    const value = values[field];
    if (value === undefined) continue;
    standIns[field] = Array.isArray(value)
      ? value.map((_, i) => `${STAND_IN}${field}[${i}]`)
      : `${STAND_IN}${field}`;
  }
  const query = build(standIns as V).compile();
  return { query, parameters: query.parameters.map(parameterMaker) };
}

/** A stand-in becomes the call's value; a list of stand-ins (one array parameter), the call's list; a constant stays. */
function parameterMaker(parameter: unknown): (values: TemplateValues) => unknown {
  if (Array.isArray(parameter)) {
    const makers = parameter.map(parameterMaker);
    return (values) => makers.map((make) => make(values));
  }
  if (typeof parameter !== "string" || !parameter.startsWith(STAND_IN)) return () => parameter;
  const reference = parameter.slice(STAND_IN.length);
  const element = /^(.*)\[(\d+)\]$/.exec(reference);
  if (element) {
    const [, field, index] = element as unknown as [string, string, string];
    const i = Number(index);
    return (values) => (values[field] as readonly unknown[])[i];
  }
  return (values) => values[reference];
}
