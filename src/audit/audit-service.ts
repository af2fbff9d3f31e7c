/** Recording and reading the audit log; retention deletes entries with the executions' period. */
import { decodeCursor, decodeToken, encodeCursor, type PageParams, type PageResult } from "../core/paging.js";
import type { MetadataStore } from "../storage/ports.js";
import type { AuditEntry, AuditFilter } from "./model.js";

export class AuditService {
  constructor(private readonly deps: { readonly store: MetadataStore }) {}

  record(entry: AuditEntry): Promise<void> {
    return this.deps.store.recordAudit(entry);
  }

  async list(filter: AuditFilter, page: PageParams): Promise<PageResult<AuditEntry>> {
    const after = page.token ? decodeCursor(decodeToken(page.token)) : undefined;
    const result = await this.deps.store.listAudit(filter, {
      limit: page.pageSize,
      ...(after ? { after } : {}),
    });
    return result.next
      ? { items: result.items, nextToken: encodeCursor(result.next) }
      : { items: result.items };
  }
}
