/**
 * PostgreSQL for tests: a throwaway database per test file.
 *
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await createTestDatabase(); });
 *   afterAll(async () => { await db.drop(); });
 *
 * The server comes from OPENINSIGHTS_TEST_DATABASE_URL (any database on it; the test databases
 * are created beside it), default postgres://postgres@127.0.0.1:5432/postgres. The test set-up starts
 * it (`services.ts`); a server that is still not reachable fails the tests with the line `npm test`
 * printed at the start, never skips them.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { testDatabaseUrl, testService, unavailableLine } from "./services.js";

/** The URL of the test server's administrative database. */
export const postgresUrl = testDatabaseUrl;

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** A short random lower-case identifier suffix (valid in database and schema names). */
export function randomSuffix(): string {
  return randomBytes(6).toString("hex");
}

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, disconnecting any session still using it. Idempotent. */
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = postgresUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const service = testService("postgres");
    throw new Error(unavailableLine(service, (await service.problem()) ?? (error as Error).message), {
      cause: error,
    });
  }
  // A failure after connecting ends the connection too.
  client.on("error", () => {});
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database `oi_test_<random>` on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `oi_test_${randomSuffix()}`;
  await admin(async (client) => {
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    // A throwaway database need not wait for the disk at each commit (tests commit a lot).
    await client.query(`alter database ${pg.escapeIdentifier(name)} set synchronous_commit = off`);
  });
  let dropped = false;
  return {
    url: withDatabase(postgresUrl(), name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((client) =>
        client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
      );
    },
  };
}
