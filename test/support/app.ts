/** Starts the real app on a loopback port with a fresh data directory, for end-to-end tests. */

import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { inject } from "vitest";
import { type App, createApp, type Role } from "../../src/app.js";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { type Config, type Environment, loadConfig } from "../../src/config/config.js";
import { BUILT_IN_DATASETS } from "../../src/datasets/catalog.js";
import type { Program } from "../../src/datasets/types.js";
import { copyAnalytics } from "../../src/demo/copy-analytics.js";
import { generateDemoData } from "../../src/demo/generate.js";
import { recordLoad } from "../../src/loads/record.js";
import type { AnalyticsEngine } from "../../src/storage/ports.js";
import { openAnalytics, openCatalogs, openMetadata, openServingAnalytics } from "../../src/stores.js";
import { createTestDatabase, randomSuffix } from "./postgres.js";
import type { LocalS3Server } from "./s3-setup.js";

export interface TestApp {
  /** The running app (a new one after `restart`). */
  readonly app: App;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly config: Config;
  /**
   * The environment that makes another `openinsights serve` process share this app's stores
   * (metadata database, analytics database, report files on S3): spread it over `process.env`.
   */
  readonly serveEnv: Readonly<Record<string, string>>;
  /** The keys of the stored report files under a key prefix (e.g. `mpn/<tenant>/<reportId>/`), sorted. */
  listFiles(prefix: string): Promise<string[]>;
  /**
   * Makes the file store refuse every new file (its files are removed) until the returned function
   * runs: the disk store's directory becomes a file, the S3 bucket is deleted.
   */
  blockFiles(): Promise<() => Promise<void>>;
  /** A valid token for a tenant (local key). */
  token(tenant: string, options?: TokenOptions): Promise<string>;
  /** fetch against the app with a tenant's token. */
  call(
    tenant: string | null,
    method: string,
    pathAndQuery: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Stops the app and starts a new one on the same data directory and database (re-reading catalog files). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TokenOptions {
  readonly user?: string;
  readonly ttlSeconds?: number;
  /** The `roles` claim (e.g. OpenInsights.Admin). */
  readonly roles?: readonly string[];
}

export interface TestAppOptions {
  readonly env?: Environment;
  /** A fake clock; defaults to the wall clock. */
  readonly now?: () => Date;
  /** Run the scheduler/worker/callback loops (default false: tests drive them through `app`). */
  readonly background?: boolean;
  /** What the process runs (default all). */
  readonly role?: Role;
  /** Demo rows generated into the data directory before the app starts (none by default). */
  readonly demoRows?: number;
  /** The instant the demo data is generated around (default: now). */
  readonly demoNow?: Date;
  /** CSV rows loaded into datasets before the app starts (the serving app opens the analytics database read-only). */
  readonly rows?: readonly { program: Program; dataset: string; tenant: string; csv: string }[];
  /** As `serve --demo`: the console's demo sign-in is on (while only the local key is trusted). */
  readonly demo?: boolean;
}

/** Metadata backend of end-to-end tests: the `postgres` vitest project sets OPENINSIGHTS_TEST_BACKEND. */
export const TEST_BACKEND = process.env.OPENINSIGHTS_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";

/** Analytics engine of end-to-end tests: the `pganalytics` vitest project sets OPENINSIGHTS_TEST_ANALYTICS. */
export const TEST_ANALYTICS = process.env.OPENINSIGHTS_TEST_ANALYTICS === "postgres" ? "postgres" : "duckdb";

/** Report files of end-to-end tests: the `pganalytics` project sets OPENINSIGHTS_TEST_FILES=s3 (else disk). */
const TEST_FILES = process.env.OPENINSIGHTS_TEST_FILES === "s3" ? "s3" : "disk";

interface TestBucket {
  /** The service's settings (and the standard AWS credentials) that put its files in the bucket. */
  readonly env: Readonly<Record<string, string>>;
  list(prefix: string): Promise<string[]>;
  /** Deletes the objects and the bucket; `create` makes it again. */
  remove(): Promise<void>;
  create(): Promise<void>;
  /** `remove`, and the client closed. */
  drop(): Promise<void>;
}

/** A bucket of its own on the project's local S3 server (test/support/s3-setup.ts), emptied and removed by `drop`. */
export async function createTestBucket(server: LocalS3Server = inject("localS3")): Promise<TestBucket> {
  const credentials = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
  // The service's AWS SDK reads credentials from the standard variables, as in production.
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials,
  });
  const bucket = `oi-test-${randomSuffix()}`;
  const create = async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  };
  await create();
  const list = async (prefix: string) => {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return keys.sort();
  };
  const remove = async () => {
    for (let keys = await list(""); keys.length > 0; keys = await list("")) {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(0, 1000).map((Key) => ({ Key })) },
        }),
      );
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  };
  return {
    env: {
      OPENINSIGHTS_S3_BUCKET: bucket,
      OPENINSIGHTS_S3_ENDPOINT: server.endpoint,
      OPENINSIGHTS_S3_REGION: server.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    list,
    create,
    remove,
    async drop() {
      try {
        await remove();
      } finally {
        client.destroy();
      }
    },
  };
}

/** The keys of the files under `prefix` of a disk file store's directory. */
async function listDiskFiles(filesDir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(filesDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(filesDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"),
    )
    .filter((key) => key.startsWith(prefix))
    .sort();
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-e2e-"));
  const database = TEST_BACKEND === "postgres" ? await createTestDatabase() : undefined;
  const analyticsDatabase = TEST_ANALYTICS === "postgres" ? await createTestDatabase() : undefined;
  const bucket = TEST_FILES === "s3" ? await createTestBucket() : undefined;
  const serveEnv: Record<string, string> = {
    ...(database ? { OPENINSIGHTS_DATABASE_URL: database.url } : {}),
    ...(analyticsDatabase ? { OPENINSIGHTS_ANALYTICS_URL: analyticsDatabase.url } : {}),
    ...bucket?.env,
  };
  const config = loadConfig(
    { OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB", ...serveEnv, ...options.env },
    { dataDir, port: "0" },
  );
  // Where the test's own settings differ, other processes must follow them too.
  for (const name of Object.keys(serveEnv)) {
    const own = options.env?.[name];
    if (own !== undefined) serveEnv[name] = own;
  }
  if (options.demoRows || options.rows?.length) {
    const catalogs = await openCatalogs(config);
    const duckdb = await openAnalytics(config, catalogs);
    // On PostgreSQL analytics, the rows go there (the demo through DuckDB's generator, then copied).
    const engine: AnalyticsEngine = analyticsDatabase ? await openServingAnalytics(config, catalogs) : duckdb;
    try {
      if (options.demoRows) {
        await generateDemoData(duckdb, {
          catalogs: BUILT_IN_DATASETS,
          rows: options.demoRows,
          now: options.demoNow ?? new Date(),
        });
        if (analyticsDatabase) await copyAnalytics(duckdb, engine, catalogs, path.join(dataDir, ".copy"));
      }
      const store = await openMetadata(config);
      try {
        // Recorded as an operator's load is (the CLI's path), so E1 and GET /admin/v1/loads show it.
        for (const [n, { program, dataset, tenant, csv }] of (options.rows ?? []).entries()) {
          const file = path.join(dataDir, `seed-${n}.csv`);
          await writeFile(file, csv);
          const def = catalogs.findDataset(program, dataset)!;
          await recordLoad(
            { store, now: options.now ?? (() => new Date()), newId: randomUUID },
            { program, dataset: def.name, tenant, mode: "append" },
            async () => ({
              ...(await engine.load({
                program,
                dataset: def,
                tenant,
                mode: "append",
                file: { path: file, format: "csv" },
              })),
              bytes: Buffer.byteLength(csv),
            }),
          );
        }
      } finally {
        await store.close();
      }
    } finally {
      if (engine !== duckdb) await engine.close();
      await duckdb.close();
    }
  }
  const start = async () => {
    const started = await createApp(config, {
      background: options.background ?? false,
      ...(options.role ? { role: options.role } : {}),
      demo: options.demo ?? false,
      ...(options.now ? { now: options.now } : {}),
    });
    return { app: started, address: await started.listen(0, "127.0.0.1") };
  };
  let { app, address } = await start();
  const token = (tenant: string, tokenOptions: TokenOptions = {}) =>
    issueLocalToken({
      dataDir,
      tenant,
      user: tokenOptions.user ?? "tester@example.com",
      ttlSeconds: tokenOptions.ttlSeconds ?? 3600,
      audience: config.auth.audiences[0]!,
      ...(tokenOptions.roles ? { roles: tokenOptions.roles } : {}),
    });
  return {
    get app() {
      return app;
    },
    get baseUrl() {
      return address;
    },
    dataDir,
    config,
    serveEnv,
    // A test that chose the disk store (OPENINSIGHTS_S3_BUCKET="") lists the disk.
    listFiles: (prefix) =>
      bucket && config.s3 ? bucket.list(prefix) : listDiskFiles(config.filesDir, prefix),
    async blockFiles() {
      if (bucket && config.s3) {
        await bucket.remove();
        return () => bucket.create();
      }
      await rm(config.filesDir, { recursive: true, force: true });
      await writeFile(config.filesDir, "not a directory");
      return () => rm(config.filesDir, { force: true });
    },
    token,
    async call(tenant, method, pathAndQuery, body, headers = {}) {
      const auth: Record<string, string> = tenant ? { authorization: `Bearer ${await token(tenant)}` } : {};
      const response = await fetch(`${address}${pathAndQuery}`, {
        method,
        headers: {
          ...auth,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async restart() {
      await app.close();
      ({ app, address } = await start());
    },
    async close() {
      await app.close();
      await database?.drop();
      await analyticsDatabase?.drop();
      await bucket?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
