/**
 * Metadata stores the queue benchmark runs against. A factory makes a fresh, empty store and
 * describes it with a serialisable spec, which worker child processes open on their own.
 * To add an engine (PostgreSQL): extend `StoreSpec`, handle it in `openStore`, and append a
 * factory to `storeFactories`.
 */
import path from "node:path";
import type { MetadataStore } from "../src/storage/ports.js";
import { openSqliteMetadataStore } from "../src/storage/sqlite/metadata-store.js";

export type StoreSpec = { readonly kind: "sqlite"; readonly path: string };

export interface StoreFactory {
  /** Shown in the result tables, e.g. "SQLite". */
  readonly name: string;
  /** Makes a fresh, empty store (under `dir` when it lives in files). */
  create(dir: string): Promise<StoreSpec>;
  /** Drops what `create` made, when deleting `dir` is not enough (a database on a server). */
  destroy?(spec: StoreSpec): Promise<void>;
}

export async function openStore(spec: StoreSpec): Promise<MetadataStore> {
  switch (spec.kind) {
    case "sqlite":
      return openSqliteMetadataStore({ path: spec.path });
  }
}

export const sqliteStoreFactory: StoreFactory = {
  name: "SQLite",
  async create(dir) {
    return { kind: "sqlite", path: path.join(dir, "metadata.sqlite") };
  },
};

export const storeFactories: readonly StoreFactory[] = [sqliteStoreFactory];
