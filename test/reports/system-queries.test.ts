/** Every system query of both programs runs against the demo data and returns rows. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { BUILT_IN_DATASETS, builtInCatalogs } from "../../src/datasets/catalog.js";
import { generateDemoData } from "../../src/demo/generate.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { prepareQuery } from "../../src/query/prepare.js";
import { runTestQuery } from "../../src/reports/test-query.js";
import type { DuckDbEngine } from "../../src/storage/duckdb/engine.js";
import { openAnalytics } from "../../src/stores.js";

const NOW = new Date("2025-03-10T08:00:00Z");
const TENANT = DEMO_TENANTS[0]!.id;
let dataDir: string;
let engine: DuckDbEngine;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-sysq-"));
  engine = await openAnalytics(
    loadConfig({ OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "512MB" }, { dataDir }),
    builtInCatalogs,
  );
  await generateDemoData(engine, {
    catalogs: BUILT_IN_DATASETS,
    rows: 40_000,
    now: NOW,
  });
});

afterAll(async () => {
  await engine?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const rows = builtInCatalogs.all.flatMap(({ program, systemQueries }) =>
  systemQueries.map((q) => [program, q.name, q.query] as const),
);

describe("system queries on the demo data", () => {
  it.each(rows)("%s: %s", async (program, _name, text) => {
    const { datasets } = builtInCatalogs.get(program);
    const result = await runTestQuery(engine, datasets, text, {
      program,
      tenant: TENANT,
      now: NOW,
      maxRows: 5,
      timeoutSeconds: 60,
    });
    expect(result.length).toBeGreaterThan(0);
    const { sql } = prepareQuery(text, datasets, { program, tenant: TENANT, now: NOW });
    expect(Object.keys(result[0]!)).toEqual(sql.columns);
  });
});
