/** A PostgreSQL analytics engine on a throwaway database, for tests. */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Row } from "../../../src/query/compiled.js";
import {
  openPostgresAnalytics,
  type PostgresAnalyticsEngine,
  type PostgresAnalyticsOptions,
} from "../../../src/storage/postgres-analytics/engine.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";

export interface TestPgEngine {
  readonly engine: PostgresAnalyticsEngine;
  readonly database: TestDatabase;
  /** A temp directory for files to load and exports. */
  readonly dir: string;
  cleanup(): Promise<void>;
}

export async function makePgEngine(options: Partial<PostgresAnalyticsOptions> = {}): Promise<TestPgEngine> {
  const database = await createTestDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "oi-pganalytics-"));
  const engine = await openPostgresAnalytics({ url: database.url, ...options });
  return {
    engine,
    database,
    dir,
    async cleanup() {
      await engine.close();
      await database.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export async function collectRows(iterable: AsyncIterable<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of iterable) rows.push(...batch);
  return rows;
}
