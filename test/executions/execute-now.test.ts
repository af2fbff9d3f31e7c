/**
 * ExecuteNow reports end to end over loopback HTTP: the execution goes Pending → Running →
 * Completed, the callback arrives signed, and the downloaded file holds exactly what
 * `openinsights query` prints for the same query and instant.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { newExecution } from "../../src/executions/lifecycle.js";
import { ExecutionWorker, fileKey } from "../../src/executions/worker.js";
import type { StoredReport } from "../../src/reports/model.js";
import { openServingAnalytics } from "../../src/stores.js";
import { all, makeEngine, sql, type TestEngine } from "../storage/duckdb/helpers.js";
import { startTestApp, TEST_ANALYTICS, type TestApp } from "../support/app.js";
import { runCli } from "../support/cli.js";
import { type Receiver, startReceiver } from "../support/receiver.js";

const TENANT = DEMO_TENANTS[0]!.id;
const OTHER = DEMO_TENANTS[1]!.id;
const QUERY =
  "SELECT CustomerName, CustomerMarket, Product, BilledRevenueUSD, Month FROM CustomersAndTenants WHERE CustomerMarket != 'Nowhere' TIMESPAN LAST_6_MONTHS";

let clock = new Date("2024-07-15T10:00:00Z");
const now = () => clock;
let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestApp({
    now,
    demoRows: 30_000,
    demoNow: clock,
    // More ExecuteNow reports than the default quota allows in an hour: one per format case.
    env: { OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1,::1", OPENINSIGHTS_QUOTA_EXECUTE_NOW: "50" },
  });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

async function createQuery(tenant = TENANT): Promise<string> {
  const { status, body } = await t.call(tenant, "POST", "/insights/v1/mpn/ScheduledQueries", {
    Name: "Revenue",
    Query: QUERY,
  });
  expect(status).toBe(200);
  return body.value[0].queryId;
}

async function executionsOf(
  reportId: string,
  query = "executionStatus=Pending;Running;Completed;Failed&getLatestExecution=false",
) {
  return t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}?${query}`);
}

async function cliQuery(format: "csv" | "tsv", at: string): Promise<Buffer> {
  const result = await runCli(
    [
      "query",
      "--program",
      "mpn",
      "--tenant",
      TENANT,
      "--data-dir",
      t.dataDir,
      "--format",
      format,
      "--now",
      at,
      QUERY,
    ],
    t.serveEnv,
  );
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The header line, then the data lines sorted. */
function sortedLines(file: Buffer): string[] {
  const [header, ...rows] = file.toString("utf8").trimEnd().split("\n");
  return [header!, ...rows.sort()];
}

function verifySignature(secret: string, headers: Record<string, unknown>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
    .digest("base64");
  return String(headers["webhook-signature"]).split(" ").includes(`v1,${expected}`);
}

describe("ExecuteNow end to end", () => {
  let reportId: string;
  let link: string;

  it("runs once, visibly Pending, then Running, then Completed", async () => {
    const queryId = await createQuery();
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Revenue now",
      QueryId: queryId,
      ExecuteNow: true,
      CallbackUrl: `${receiver.url}/hooks?source=test`,
    });
    expect(created.status).toBe(200);
    reportId = created.body.value[0].reportId;
    expect(created.body.value[0]).toMatchObject({
      executeNow: true,
      callbackMethod: "POST",
      reportStatus: "Active",
    });

    expect(
      (await executionsOf(reportId)).body.value.map((e: { executionStatus: string }) => e.executionStatus),
    ).toEqual(["Pending"]);
    // The documented defaults (Completed, latest) answer 404 until the run completes.
    const early = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`);
    expect(early.status).toBe(404);
    expect(early.body.message).toMatch(/^There are no executions that have occurred/);

    // A worker that claims it and then dies: Running until its lease expires.
    const ghost = await t.app.store.claimExecutions("ghost-worker", now(), 60_000, 5);
    expect(ghost).toHaveLength(1);
    expect((await executionsOf(reportId)).body.value[0].executionStatus).toBe("Running");
    expect(await t.app.worker.runDue()).toBe(0);

    clock = new Date(clock.getTime() + 61_000);
    expect(await t.app.worker.runDue()).toBe(1);
    const done = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`);
    expect(done.status).toBe(200);
    const execution = done.body.value[0];
    expect(execution).toMatchObject({
      executionStatus: "Completed",
      attempts: 2,
      failure: null,
      format: "csv",
    });
    expect(execution.reportAccessSecureLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/downloads\//);
    expect(execution.reportExpiryTime).toBe("2024-07-16T10:01:01Z");
    expect(execution.manifest).toMatchObject({
      dataWindowStart: "2024-01-01T00:00:00Z",
      dataWindowEnd: "2024-07-01T00:00:00Z",
    });
    expect(execution.manifest.rowCount).toBeGreaterThan(0);
    link = execution.reportAccessSecureLink;

    // The ghost's late outcome is refused: the lease is no longer its.
    const stale = await t.app.store.finishExecution(
      ghost[0]!.id,
      "ghost-worker",
      { status: "Failed", at: now(), code: "x", reason: "late" },
      null,
    );
    expect(stale).toBe(false);
  });

  it("serves a file equal to `openinsights query` at the execution's time, with its manifest", async () => {
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="Revenue now_2024-07-15T10-00-00Z\.csv"/,
    );
    const file = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get("content-length")).toBe(String(file.length));
    const expected = await cliQuery("csv", "2024-07-15T10:00:00Z");
    // The same rows; without ORDER BY their order is unspecified.
    expect(sortedLines(file)).toEqual(sortedLines(expected));
    const lines = file.toString("utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("CustomerName,CustomerMarket,Product,BilledRevenueUSD,Month");

    const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`))
      .body.value[0];
    expect(execution.manifest.rowCount).toBe(lines.length - 1);
    expect(execution.manifest.bytes).toBe(file.length);
    expect(execution.manifest.sha256).toBe(createHash("sha256").update(file).digest("hex"));
  });

  it("delivers one signed POST callback to <CallbackUrl>/<reportId>, keeping the query string", async () => {
    expect(await t.app.dispatcher.runDue()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const callback = receiver.received[0]!;
    expect(callback.method).toBe("POST");
    expect(callback.url).toBe(`/hooks/${reportId}?source=test`);
    const secret = (await t.call(TENANT, "GET", "/insights/v1/mpn/CallbackSecret")).body.value[0].secret;
    expect(secret).toMatch(/^whsec_/);
    expect(verifySignature(secret, callback.headers, callback.body)).toBe(true);
    const otherSecret = (await t.call(OTHER, "GET", "/insights/v1/mpn/CallbackSecret")).body.value[0].secret;
    expect(verifySignature(otherSecret, callback.headers, callback.body)).toBe(false);
    const payload = JSON.parse(callback.body);
    expect(payload).toMatchObject({ reportId, status: "Completed" });
    expect(payload.reportAccessSecureLink).toMatch(/\/downloads\//);
    expect(await t.app.dispatcher.runDue()).toBe(0);

    const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`))
      .body.value[0];
    expect(execution.callbackDelivery).toMatchObject({ status: "Delivered", method: "POST" });
    expect(execution.callbackDelivery.attempts).toHaveLength(1);
    expect(execution.callbackDelivery.attempts[0]).toMatchObject({
      attempt: 1,
      statusCode: 200,
      error: null,
    });
  });

  it("makes the finished ExecuteNow report Inactive", async () => {
    await t.app.scheduler.tick();
    const report = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport?reportId=${reportId}`);
    expect(report.body.value[0].reportStatus).toBe("Inactive");
  });

  it("supports HEAD and byte ranges on the download", async () => {
    const head = await fetch(link, { method: "HEAD" });
    expect(head.status).toBe(200);
    const size = Number(head.headers.get("content-length"));
    expect(size).toBeGreaterThan(100);
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    const ranged = await fetch(link, { headers: { range: "bytes=0-9" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 0-9/${size}`);
    expect(Buffer.from(await ranged.arrayBuffer()).toString()).toBe("CustomerNa");
    const beyond = await fetch(link, { headers: { range: `bytes=${size + 10}-` } });
    expect(beyond.status).toBe(416);
  });

  it("refuses tampered, foreign and expired links with the same 403", async () => {
    const [prefix, token] = link.split("/downloads/") as [string, string];
    const [payload, signature] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, tid: OTHER })).toString("base64url");
    for (const bad of [
      `${forged}.${signature}`,
      `${payload}.${signature.slice(0, -2)}AA`,
      "garbage",
      `${payload}`,
    ]) {
      const response = await fetch(`${prefix}/downloads/${bad}`);
      expect(response.status).toBe(403);
      const body = await response.json();
      expect(body).toMatchObject({ statusCode: 403, value: [] });
      expect(body.message).toMatch(/not valid or has expired/);
    }
    clock = new Date(clock.getTime() + 25 * 3_600_000);
    const expired = await fetch(link);
    expect(expired.status).toBe(403);
    // A fresh GET of the execution issues a fresh link.
    const fresh = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`)).body
      .value[0];
    expect(fresh.reportAccessSecureLink).not.toBe(link);
    expect((await fetch(fresh.reportAccessSecureLink)).status).toBe(200);
  });
});

describe("TSV and gzip", () => {
  it.each([
    ["TSV", "none", "tsv"],
    ["CSV", "gzip", "csv"],
    ["TSV", "gzip", "tsv"],
  ] as const)(
    "Format %s with Compression %s matches openinsights query",
    async (format, compression, cliFormat) => {
      const queryId = await createQuery();
      const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
        ReportName: `Revenue ${format} ${compression}`,
        QueryId: queryId,
        ExecuteNow: true,
        Format: format,
        Compression: compression,
      });
      expect(created.status).toBe(200);
      const id = created.body.value[0].reportId;
      const at = clock.toISOString();
      expect(await t.app.worker.runDue()).toBe(1);
      const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${id}`)).body
        .value[0];
      expect(execution.format).toBe(cliFormat);
      const response = await fetch(execution.reportAccessSecureLink);
      const raw = Buffer.from(await response.arrayBuffer());
      const body = compression === "gzip" ? gunzipSync(raw) : raw;
      expect(response.headers.get("content-type")).toBe(
        compression === "gzip" ? "application/gzip" : "text/tab-separated-values; charset=utf-8",
      );
      expect(sortedLines(body)).toEqual(sortedLines(await cliQuery(cliFormat, at)));
      // The manifest describes the stored bytes (compressed when gzip), hashed while DuckDB wrote them.
      expect(execution.manifest).toMatchObject({ bytes: raw.length, sha256: sha256(raw) });
    },
  );
});

describe("Parquet and JSON", () => {
  let reader: TestEngine;
  beforeAll(async () => {
    reader = await makeEngine();
  });
  afterAll(async () => {
    await reader?.cleanup();
  });

  /** Creates an ExecuteNow report, runs it; the execution, its download and the CLI's CSV at its time. */
  async function exported(format: string, compression: string) {
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: `Revenue ${format} ${compression}`,
      QueryId: await createQuery(),
      ExecuteNow: true,
      Format: format,
      Compression: compression,
    });
    expect(created.status).toBe(200);
    const id = created.body.value[0].reportId;
    const csv = await cliQuery("csv", clock.toISOString());
    expect(await t.app.worker.runDue()).toBe(1);
    const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${id}`)).body
      .value[0];
    const response = await fetch(execution.reportAccessSecureLink);
    const raw = Buffer.from(await response.arrayBuffer());
    // The manifest describes the stored bytes, hashed while DuckDB wrote them, and counts the rows.
    expect(execution.manifest).toMatchObject({
      rowCount: sortedLines(csv).length - 1,
      bytes: raw.length,
      sha256: sha256(raw),
    });
    return { execution, response, raw, csv };
  }

  /** The file read back by DuckDB (`source` of `file`), written again as the report CSV. */
  async function asCsv(raw: Buffer, extension: string, source: (file: string) => string): Promise<Buffer> {
    const file = path.join(reader.exportDir, `${randomUUID()}${extension}`);
    const csv = path.join(reader.exportDir, `${randomUUID()}.csv`);
    await writeFile(file, raw);
    await reader.engine.exportTo(sql(`SELECT * FROM ${source(file)}`), csv, { format: "csv" });
    return readFile(csv);
  }

  it("Parquet: zstd inside, the catalog's types, the same rows as the CSV", async () => {
    const { execution, response, raw, csv } = await exported("Parquet", "none");
    expect(execution.format).toBe("parquet");
    expect(response.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    expect(response.headers.get("content-disposition")).toMatch(/\.parquet"?$/);
    expect(raw.subarray(0, 4).toString("latin1")).toBe("PAR1");
    const file = path.join(reader.exportDir, `${randomUUID()}.parquet`);
    await writeFile(file, raw);
    const types = await all(reader.engine, `DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(types.map((row) => [row.column_name, row.column_type])).toEqual([
      ["CustomerName", "VARCHAR"],
      ["CustomerMarket", "VARCHAR"],
      ["Product", "VARCHAR"],
      ["BilledRevenueUSD", "DOUBLE"],
      ["Month", "DATE"],
    ]);
    const codecs = await all(reader.engine, `SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs).toEqual([{ compression: "ZSTD" }]);
    const back = await asCsv(raw, ".parquet", (f) => `read_parquet('${f}')`);
    expect(sortedLines(back)).toEqual(sortedLines(csv));
  });

  it("JSON: one object per line, keys in select order, numbers as numbers, the same rows as the CSV", async () => {
    const { execution, response, raw, csv } = await exported("json", "none");
    expect(execution.format).toBe("json");
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toMatch(/\.ndjson"?$/);
    const text = raw.toString("utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const objects = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(objects.length).toBe(sortedLines(csv).length - 1);
    expect(Object.keys(objects[0])).toEqual([
      "CustomerName",
      "CustomerMarket",
      "Product",
      "BilledRevenueUSD",
      "Month",
    ]);
    expect(typeof objects[0].BilledRevenueUSD).toBe("number");
    expect(objects[0].Month).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const back = await asCsv(raw, ".ndjson", (f) => `read_json('${f}', format = 'newline_delimited')`);
    expect(sortedLines(back)).toEqual(sortedLines(csv));
  });

  // Node 20 has no zstd: DuckDB decompresses.
  it.each([
    [
      "json",
      ".ndjson.zst",
      (f: string) => `read_json('${f}', format = 'newline_delimited', compression = 'zstd')`,
    ],
    [
      "csv",
      ".csv.zst",
      (f: string) => `read_csv('${f}', header = true, all_varchar = true, compression = 'zstd')`,
    ],
  ] as const)("%s with Compression zstd holds the same rows", async (format, extension, source) => {
    const { response, raw, csv } = await exported(format, "zstd");
    expect(response.headers.get("content-type")).toBe("application/zstd");
    expect(response.headers.get("content-disposition")).toContain(`${extension}`);
    expect(raw.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(sortedLines(await asCsv(raw, extension, source))).toEqual(sortedLines(csv));
  });

  it.each(["gzip", "zstd"])(
    "refuses Parquet with Compression %s (400, naming the rule)",
    async (compression) => {
      const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
        ReportName: "Parquet compressed",
        QueryId: await createQuery(),
        ExecuteNow: true,
        Format: "parquet",
        Compression: compression,
      });
      expect(created.status).toBe(400);
      expect(JSON.stringify(created.body)).toContain(
        `Compression ${compression} does not apply to format parquet; use none`,
      );
    },
  );
});

describe("an empty result", () => {
  it.each(["none", "gzip"] as const)(
    "with Compression %s is a header-only file whose manifest matches it",
    async (compression) => {
      const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
        Name: `Nothing ${compression}`,
        Query:
          "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants WHERE CustomerMarket = 'Nowhere' TIMESPAN LAST_6_MONTHS",
      });
      const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
        ReportName: `Nothing ${compression}`,
        QueryId: query.body.value[0].queryId,
        ExecuteNow: true,
        Compression: compression,
      });
      const id = created.body.value[0].reportId;
      expect(await t.app.worker.runDue()).toBe(1);
      const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${id}`)).body
        .value[0];
      expect(execution.executionStatus).toBe("Completed");
      const raw = Buffer.from(await (await fetch(execution.reportAccessSecureLink)).arrayBuffer());
      const body = compression === "gzip" ? gunzipSync(raw) : raw;
      expect(body.toString("utf8")).toBe("CustomerName,BilledRevenueUSD\n");
      expect(execution.manifest).toMatchObject({ rowCount: 0, bytes: raw.length, sha256: sha256(raw) });
    },
  );
});

/** Renames a table of the PostgreSQL analytics database away until `restore()`. */
async function renameTable(
  url: string,
  schema: string,
  table: string,
): Promise<{ restore(): Promise<void> }> {
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await run(`ALTER TABLE "${schema}"."${table}" RENAME TO "${table}_away"`);
  return { restore: () => run(`ALTER TABLE "${schema}"."${table}_away" RENAME TO "${table}"`) };
}

describe("an export that fails", () => {
  it("is retried later and leaves no file, no scratch file and no digest", async () => {
    // Another tenant: the first has used up its ExecuteNow quota for the hour.
    const queryId = await createQuery(OTHER);
    const created = await t.call(OTHER, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Fails",
      QueryId: queryId,
      ExecuteNow: true,
    });
    const reportId = created.body.value[0].reportId;
    // A worker whose scratch directory DuckDB's sandbox refuses: exportTo fails before writing. On
    // PostgreSQL analytics (no such sandbox), a worker whose engine has lost its database (closed).
    const scratchDir = await mkdtemp(path.join(os.tmpdir(), "oi-outside-"));
    const engine =
      TEST_ANALYTICS === "postgres" ? await openServingAnalytics(t.config, t.app.catalogs) : t.app.engine;
    if (engine !== t.app.engine) await engine.close();
    try {
      const worker = new ExecutionWorker({
        store: t.app.store,
        catalogs: t.app.catalogs,
        engine,
        files: t.app.files,
        now,
        newId: randomUUID,
        owner: "failing-worker",
        leaseMs: 60_000,
        maxAttempts: 3,
        scratchDir,
      });
      expect(await worker.runDue()).toBe(1);
      expect(await readdir(scratchDir)).toEqual([]);
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
    const scope = { tenant: OTHER, program: "mpn" } as const;
    const [execution] = (await t.app.store.listExecutions(scope, { reportIds: [reportId] }, { limit: 5 }))
      .items;
    expect(execution).toMatchObject({
      status: "Pending",
      failureCode: "engine_error",
      fileKey: null,
      sha256: null,
      bytes: null,
    });
    const report = await t.app.store.getReport(scope, reportId);
    expect(await t.app.files.stat(fileKey(execution!, report!))).toBeUndefined();
  });

  it("fails at once, not retried, when the engine error will recur", async () => {
    // A report saved before end times were range-checked: its window's end overflows DuckDB's dates.
    // PostgreSQL's dates reach further; there, the recurring error is a dataset's table gone.
    const at = now();
    const report: StoredReport = {
      id: randomUUID(),
      tenant: OTHER,
      program: "mpn",
      name: "Far future",
      description: "",
      queryId: randomUUID(),
      queryText: QUERY,
      startTime: at,
      recurrenceInterval: -1,
      recurrenceCount: 1,
      executeNow: true,
      queryStartTime: new Date("2024-01-01T00:00:00Z"),
      queryEndTime: new Date("9999-12-31T23:59:59Z"),
      queryWindow: null,
      schedule: null,
      timeZone: null,
      format: "csv",
      compression: "none",
      spreadsheetSafe: false,
      callbackUrl: null,
      callbackMethod: null,
      callbackOnFailure: false,
      status: "Active",
      user: "test",
      createdTime: at,
      modifiedTime: null,
    };
    const execution = newExecution(report, at, at, randomUUID());
    const created = await t.app.store.createReport(report, [execution], {
      maxActiveReports: 1000,
      maxExecuteNow: 1000,
      executeNowWindowMs: 3_600_000,
      now: at,
    });
    expect(created.ok).toBe(true);
    const renamed =
      TEST_ANALYTICS === "postgres"
        ? await renameTable(t.config.analytics.url!, "mpn", "CustomersAndTenants")
        : null;
    try {
      expect(await t.app.worker.runDue()).toBe(1);
    } finally {
      await renamed?.restore();
    }
    const failed = await t.app.store.findExecution(OTHER, execution.id);
    expect(failed).toMatchObject({ status: "Failed", attempts: 1, failureCode: "engine_error" });
    expect(failed?.failureReason).toMatch(TEST_ANALYTICS === "postgres" ? /does not exist/ : /Error/);
    expect(await t.app.worker.runDue()).toBe(0);
  });
});
