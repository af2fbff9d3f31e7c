/** Report queries: user-defined ones in the metadata store, system ones from the catalog (E2–E4). */

import { AppError, ERROR_CODES } from "../core/errors.js";
import { FieldReader } from "../core/fields.js";
import {
  decodeCursor,
  decodeIndex,
  decodeToken,
  encodeCursor,
  encodeToken,
  type PageParams,
  type PageResult,
} from "../core/paging.js";
import type { CatalogSet } from "../datasets/catalog.js";
import type { SystemQueryDef } from "../datasets/types.js";
import { analyzeQuery } from "../query/index.js";
import { invalidQueryError } from "../query/prepare.js";
import type { MetadataStore, Scope } from "../storage/ports.js";
import type { StoredQuery } from "./model.js";
import { MAX_NAME_LENGTH } from "./rules.js";

export type AnyQuery =
  | { readonly kind: "system"; readonly query: SystemQueryDef }
  | { readonly kind: "user"; readonly query: StoredQuery };

export interface QueryListFilter {
  readonly queryId?: string;
  readonly queryName?: string;
  readonly includeSystemQueries: boolean;
  readonly includeOnlySystemQueries: boolean;
}

export interface QueryServiceDeps {
  readonly store: MetadataStore;
  readonly catalogs: CatalogSet;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly maxQueries: number;
}

export const MAX_QUERY_LENGTH = 100_000;

export class QueryService {
  constructor(private readonly deps: QueryServiceDeps) {}

  async create(scope: Scope, user: string, body: unknown): Promise<StoredQuery> {
    const fields = new FieldReader(body);
    const name = fields.string("Name", { required: true }).trim();
    const description = fields.string("Description") ?? "";
    const text = fields.string("Query", { required: true });
    if (name.length > MAX_NAME_LENGTH || description.length > MAX_NAME_LENGTH) {
      throw invalid(`Limit Name and Description length to ${MAX_NAME_LENGTH} characters or less`);
    }
    if (text.length > MAX_QUERY_LENGTH) throw invalid(`Query must be at most ${MAX_QUERY_LENGTH} characters`);
    this.check(scope, text);
    const query: StoredQuery = {
      id: this.deps.newId(),
      tenant: scope.tenant,
      program: scope.program,
      name,
      description,
      query: text,
      user,
      createdTime: this.deps.now(),
      modifiedTime: null,
    };
    const outcome = await this.deps.store.createQuery(query, this.deps.maxQueries);
    if (!outcome.ok) {
      throw new AppError(
        ERROR_CODES.QUOTA_EXCEEDED,
        "Number of queries exceeded. Delete few queries before creating new queries: " +
          `the limit is ${this.deps.maxQueries} per tenant and program, the next one is allowed once a query is deleted; ` +
          "OPENINSIGHTS_QUOTA_QUERIES raises the limit",
      );
    }
    return query;
  }

  /** A system query (any tenant) or the scope's user-defined query with this id. */
  async find(scope: Scope, id: string): Promise<AnyQuery | undefined> {
    const system = this.deps.catalogs.findSystemQuery(scope.program, id);
    if (system) return { kind: "system", query: system };
    const user = await this.deps.store.getQuery(scope, id);
    return user ? { kind: "user", query: user } : undefined;
  }

  /** System queries first (catalog order), then user-defined ones by creation; one token continues across both. */
  async list(scope: Scope, filter: QueryListFilter, page: PageParams): Promise<PageResult<AnyQuery>> {
    const state = page.token ? decodeToken(page.token) : { s: 0 };
    const items: AnyQuery[] = [];
    if ("s" in state && (filter.includeSystemQueries || filter.includeOnlySystemQueries)) {
      const offset = decodeIndex(state, "s");
      const systems = this.deps.catalogs.get(scope.program).systemQueries.filter((q) => matches(q, filter));
      items.push(
        ...systems.slice(offset, offset + page.pageSize).map((query) => ({ kind: "system" as const, query })),
      );
      if (offset + page.pageSize < systems.length) {
        return { items, nextToken: encodeToken({ s: offset + page.pageSize }) };
      }
    }
    if (filter.includeOnlySystemQueries) return { items };
    const remaining = page.pageSize - items.length;
    if (remaining === 0) return { items, nextToken: encodeToken({ u: 1 }) };
    const after = typeof state.t === "number" ? decodeCursor(state) : undefined;
    const users = await this.deps.store.listQueries(
      scope,
      {
        ...(filter.queryId ? { id: filter.queryId } : {}),
        ...(filter.queryName ? { name: filter.queryName } : {}),
      },
      { limit: remaining, ...(after ? { after } : {}) },
    );
    items.push(...users.items.map((query) => ({ kind: "user" as const, query })));
    return users.next ? { items, nextToken: encodeCursor(users.next, { u: 1 }) } : { items };
  }

  async delete(scope: Scope, id: string): Promise<StoredQuery> {
    if (this.deps.catalogs.findSystemQuery(scope.program, id)) {
      throw invalid(`Query ${id} is a system query: system queries cannot be deleted`);
    }
    const query = await this.deps.store.getQuery(scope, id);
    if (!query)
      throw new AppError(ERROR_CODES.NOT_FOUND, `No item found with given filters. (no query with id ${id})`);
    const inUse = await this.deps.store.countReportsUsingQuery(scope, query.id);
    if (inUse > 0) {
      throw invalid(
        `Query ${id} is used by ${inUse} active or paused report(s): delete those reports first, or let them finish`,
      );
    }
    await this.deps.store.deleteQuery(scope, query.id);
    return query;
  }

  /** Validates query text against the program's catalog; the error carries every diagnostic. */
  check(scope: Scope, text: string) {
    const analysis = analyzeQuery(text, this.deps.catalogs.get(scope.program).datasets);
    if (!analysis.ok) throw invalidQueryError(analysis.diagnostics);
    return analysis.plan;
  }
}

function matches(query: SystemQueryDef, filter: QueryListFilter): boolean {
  if (filter.queryId && query.id.toLowerCase() !== filter.queryId.toLowerCase()) return false;
  if (filter.queryName && query.name.toLowerCase() !== filter.queryName.toLowerCase()) return false;
  return true;
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
