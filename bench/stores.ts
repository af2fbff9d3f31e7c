/**
 * Metadata stores the queue benchmark runs against. A factory makes a fresh, empty store and
 * describes it with a serialisable spec, which worker child processes open on their own.
 * To add an engine: extend `StoreSpec`, handle it in `openStore`, and append a factory to
 * `storeFactories`.
 *
 * PostgreSQL: each `create` makes a throwaway database `oi_bench_<random>` on the server of
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres, any database on it) and
 * `destroy` drops it. The database keeps the server's settings (synchronous_commit as configured,
 * normally on: a commit waits for the WAL flush, as SQLite's synchronous = FULL waits for fsync).
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { MetadataStore } from "../src/storage/ports.js";
import { openPostgresMetadataStore } from "../src/storage/postgres/metadata-store.js";
import { openSqliteMetadataStore } from "../src/storage/sqlite/metadata-store.js";

export type StoreSpec =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly database: string };

export interface StoreFactory {
  /** Shown in the result tables, e.g. "SQLite". */
  readonly name: string;
  /** Null when the store can be used here, else why not (e.g. the server is not reachable). */
  unavailable?(): Promise<string | null>;
  /** What the tables should say about the engine (version, durability settings). */
  describe?(): Promise<string>;
  /** Makes a fresh, empty store (under `dir` when it lives in files). */
  create(dir: string): Promise<StoreSpec>;
  /** Drops what `create` made, when deleting `dir` is not enough (a database on a server). */
  destroy?(spec: StoreSpec): Promise<void>;
  /** Environment for `createApp` (through loadConfig) so that the app uses this store. */
  appEnv(spec: StoreSpec): Record<string, string>;
}

export async function openStore(spec: StoreSpec): Promise<MetadataStore> {
  switch (spec.kind) {
    case "sqlite":
      return openSqliteMetadataStore({ path: spec.path });
    case "postgres":
      // A queue worker process uses one connection at a time.
      return openPostgresMetadataStore({ url: spec.url, poolSize: 2 });
  }
}

export const sqliteStoreFactory: StoreFactory = {
  name: "SQLite",
  async create(dir) {
    return { kind: "sqlite", path: path.join(dir, "metadata.sqlite") };
  },
  // createApp's default: metadata.sqlite in the data directory.
  appEnv: () => ({}),
};

const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** The server's administrative URL (BENCH_POSTGRES_URL or the local default). */
export function postgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.BENCH_POSTGRES_URL;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_POSTGRES_URL;
}

/** `url` without its password, for messages. */
function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:…@");
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl(), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export const postgresStoreFactory: StoreFactory = {
  name: "PostgreSQL",
  async unavailable() {
    try {
      await withAdmin((client) => client.query("select 1"));
      return null;
    } catch (error) {
      return `PostgreSQL is not reachable at ${safeUrl(postgresAdminUrl())} (${(error as Error).message}); set BENCH_POSTGRES_URL`;
    }
  },
  async describe() {
    return withAdmin(async (client) => {
      const setting = async (name: string) =>
        String((await client.query(`select current_setting('${name}') as v`)).rows[0]?.v);
      return (
        `PostgreSQL ${await setting("server_version")} on ${new URL(postgresAdminUrl()).host}, ` +
        `synchronous_commit = ${await setting("synchronous_commit")}, fsync = ${await setting("fsync")}, ` +
        `shared_buffers = ${await setting("shared_buffers")}`
      );
    });
  },
  async create() {
    const database = `oi_bench_${randomBytes(6).toString("hex")}`;
    await withAdmin((client) => client.query(`create database ${pg.escapeIdentifier(database)}`));
    return { kind: "postgres", url: withDatabase(postgresAdminUrl(), database), database };
  },
  async destroy(spec) {
    if (spec.kind !== "postgres") return;
    await withAdmin((client) =>
      client.query(`drop database if exists ${pg.escapeIdentifier(spec.database)} with (force)`),
    );
  },
  appEnv(spec) {
    if (spec.kind !== "postgres") throw new Error(`not a PostgreSQL store: ${spec.kind}`);
    return { OPENINSIGHTS_DATABASE_URL: spec.url };
  },
};

export const storeFactories: readonly StoreFactory[] = [sqliteStoreFactory, postgresStoreFactory];
