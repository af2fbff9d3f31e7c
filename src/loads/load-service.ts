/** Loads as the operator API and E1 see them: the listing (newest first, filtered, paged) and each dataset's freshness. */
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import type { LoadFilter, MetadataStore, Scope } from "../storage/ports.js";
import type { StoredLoad } from "./model.js";

export class LoadService {
  constructor(private readonly deps: { readonly store: MetadataStore }) {}

  async list(filter: LoadFilter, page: PageParams): Promise<PageResult<StoredLoad>> {
    const after = page.token ? decodeCursor(decodeToken(page.token)) : undefined;
    const found = await this.deps.store.listLoads(filter, {
      limit: page.pageSize,
      ...(after ? { after } : {}),
    });
    return found.next ? { items: found.items, nextToken: encodeCursor(found.next) } : { items: found.items };
  }

  /** Dataset name → when the scope's tenant last had a load of it completed. */
  lastRefreshed(scope: Scope): Promise<Map<string, Date>> {
    return this.deps.store.lastLoadTimes(scope.tenant, scope.program);
  }
}
