/**
 * The load API (issue #11) over real HTTP, on both metadata backends: a load's record and answer,
 * append / replace / replace of a window, E1's freshness, every bad input refused with the right
 * 4xx and nothing loaded, and snapshots: exports running while a 1M-row replace commits each read
 * one version of the rows, which their manifest names.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLocalToken } from "../../src/auth/local-key.js";
import { ADMIN_ROLE } from "../../src/auth/roles.js";
import { datasetTable } from "../../src/datasets/lookup.js";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "3b0c7e2a-6f1d-4c9b-8a5e-2d4f6a8c0e1b";
const OTHER = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
const DATASET = "CustomersAndTenants";
const LOADS = `/admin/v1/mpn/datasets/${DATASET}/loads`;
const MAX_BYTES = 4 * 1024 * 1024;

let t: TestApp;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "openinsights-loads-"));
  t = await startTestApp({
    env: {
      OPENINSIGHTS_LOAD_MAX_BYTES: String(MAX_BYTES),
      // Bodies of a few MB arrive in several segments on DuckDB (docs/loading.md).
      OPENINSIGHTS_LOAD_SEGMENT_MB: "1",
      OPENINSIGHTS_QUOTA_EXECUTE_NOW: "50",
      OPENINSIGHTS_QUOTA_EXECUTE_NOW_WINDOW_MINUTES: "1",
    },
  });
});
afterAll(async () => {
  await t?.close();
  await rm(scratch, { recursive: true, force: true });
});

function adminToken(): Promise<string> {
  return issueLocalToken({
    dataDir: t.dataDir,
    tenant: "operators",
    user: "ops@example.com",
    ttlSeconds: 600,
    audience: t.config.auth.audiences[0]!,
    roles: [ADMIN_ROLE],
  });
}

/** A body sent in pieces with no Content-Length (Transfer-Encoding: chunked). */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(new Uint8Array(bytes.subarray(at, at + 256 * 1024)));
        at += 256 * 1024;
      }
    },
  });
}

async function post(
  query: string,
  body: string | Buffer | ReadableStream<Uint8Array>,
  headers: Record<string, string>,
  token?: string | null,
  url = LOADS,
) {
  const auth: Record<string, string> =
    token === null ? {} : { authorization: `Bearer ${token ?? (await adminToken())}` };
  const response = await fetch(`${t.baseUrl}${url}?${query}`, {
    method: "POST",
    headers: { ...auth, ...headers },
    body: typeof body === "string" || body instanceof ReadableStream ? body : new Uint8Array(body),
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: response.status, body: await response.json() };
}

/** `post` on a connection used for nothing else (`agent: false`). */
async function postAlone(query: string, body: string, headers: Record<string, string>) {
  const token = await adminToken();
  return new Promise<{ status: number; body: { message: string; value: unknown[] } }>((resolve, reject) => {
    const request = http.request(
      new URL(`${t.baseUrl}${LOADS}?${query}`),
      { method: "POST", agent: false, headers: { authorization: `Bearer ${token}`, ...headers } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        response.on("end", () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const CSV = { "content-type": "text/csv" };
const q = (tenant: string, mode: string, extra = "") => `tenantId=${tenant}&mode=${mode}${extra}`;

/** The tenant's rows of the dataset, as a query through the public API returns them. */
async function rowsOf(tenant: string) {
  const query = encodeURIComponent(
    "SELECT CustomerName, Month, BilledRevenueUSD FROM CustomersAndTenants ORDER BY CustomerName TIMESPAN LIFETIME",
  );
  const res = await t.call(
    tenant,
    "GET",
    `/insights/v1/mpn/ScheduledQueries/testQueryResult?exportQuery=${query}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const rows = res.body.value as { CustomerName: string; Month: string; BilledRevenueUSD: number }[];
  return rows.sort((a, b) => a.CustomerName.localeCompare(b.CustomerName));
}

const month = (monthsAgo: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsAgo, 1)).toISOString().slice(0, 10);
};

function fileSetVersion(tenant: string) {
  return t.app.store
    .getFileSet({ program: "mpn", table: datasetTable(t.app.catalogs.findDataset("mpn", DATASET)!), tenant })
    .then((set) => set?.version ?? 0);
}

describe("POST /admin/v1/{program}/datasets/{dataset}/loads", () => {
  it("appends, replaces and replaces a window; answers the load record; E1 and the listing show it", async () => {
    const first = await post(
      q(TENANT, "append"),
      `CustomerName,Month,BilledRevenueUSD\nA,${month(1)},1\nB,${month(2)},2\nC,${month(6)},3\n`,
      CSV,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.value).toEqual([
      {
        loadId: expect.any(String),
        program: "mpn",
        dataset: DATASET,
        tenantId: TENANT,
        mode: "append",
        status: "Completed",
        rowCount: 3,
        bytes: expect.any(Number),
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        failureReason: null,
      },
    ]);
    // gzip, NDJSON, appended.
    const ndjson = `{"CustomerName":"D","Month":"${month(3)}","BilledRevenueUSD":4}\n`;
    const second = await post(q(TENANT, "append"), gzipSync(ndjson), {
      "content-type": "application/x-ndjson",
      "content-encoding": "gzip",
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect((await rowsOf(TENANT)).map((r) => r.CustomerName)).toEqual(["A", "B", "C", "D"]);
    expect(await rowsOf(OTHER)).toEqual([]);

    // Replace the window [month(2), month(0)): A and B go, A2 comes; C and D (older) stay.
    const window = `&from=${month(2)}&to=${month(0)}`;
    const third = await post(q(TENANT, "replace", window), `CustomerName,Month\nA2,${month(1)}\n`, CSV);
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    expect((await rowsOf(TENANT)).map((r) => r.CustomerName)).toEqual(["A2", "C", "D"]);

    // A row outside the window is refused (it would replace nothing).
    const outside = await post(q(TENANT, "replace", window), `CustomerName,Month\nZ,${month(9)}\n`, CSV);
    expect(outside.status).toBe(400);
    expect(outside.body.message).toMatch(/Row 1: Month '.*' falls outside the window/);

    // Plain replace swaps everything.
    const tsv = await post(q(TENANT, "replace"), `CustomerName\tMonth\nE\t${month(1)}\n`, {
      "content-type": "text/tab-separated-values",
    });
    expect(tsv.status).toBe(200);
    expect((await rowsOf(TENANT)).map((r) => r.CustomerName)).toEqual(["E"]);

    const e1 = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledDataset?datasetName=${DATASET}`);
    expect(e1.body.value[0].lastRefreshedTime).toBe(tsv.body.value[0].finishedAt);
    const listed = await fetch(`${t.baseUrl}/admin/v1/loads?tenantId=${TENANT}&status=Completed`, {
      headers: { authorization: `Bearer ${await adminToken()}` },
    }).then((r) => r.json());
    expect(listed.value[0].loadId).toBe(tsv.body.value[0].loadId);
    expect(listed.value).toHaveLength(4);

    const audit = await fetch(`${t.baseUrl}/admin/v1/audit?tenant=${TENANT}&action=load`, {
      headers: { authorization: `Bearer ${await adminToken()}` },
    }).then((r) => r.json());
    expect(audit.value.map((e: { outcome: string }) => e.outcome).sort()).toEqual([
      "failure",
      "success",
      "success",
      "success",
      "success",
    ]);
    const metrics = await fetch(`${t.baseUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/openinsights_loads_total\{program="mpn",status="Completed"\} 4/);
    expect(metrics).toMatch(/openinsights_load_rows_total\{program="mpn"\} 6/);
    expect(metrics).not.toContain(TENANT);
  });

  it("refuses every bad input with the right 4xx and a message, and loads nothing", async () => {
    const before = await fileSetVersion(OTHER);
    const tenantToken = await t.token(OTHER);
    const parquet = path.join(scratch, "good.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    await con.run(
      `COPY (SELECT 'P' || range AS CustomerName, DATE '${month(1)}' AS Month FROM range(5000)) TO '${parquet}' (FORMAT parquet)`,
    );
    con.closeSync();
    instance.closeSync();
    const whole = await readFile(parquet);
    // Rows under a good header: DuckDB loads them as they arrive until the body passes the limit.
    const bomb = gzipSync(`CustomerName\n${"a\n".repeat(MAX_BYTES * 2)}`);
    expect(bomb.length).toBeLessThan(MAX_BYTES);
    const parquetBomb = gzipSync(Buffer.alloc(MAX_BYTES * 4, "a"));
    const rowsOverLimit = `CustomerName\n${"a\n".repeat(MAX_BYTES / 2 + 1)}`;
    const cases: [string, () => ReturnType<typeof post>, number, RegExp][] = [
      [
        "wrong columns",
        () => post(q(OTHER, "append"), "Nope,Month\nx,2024-01-01\n", CSV),
        400,
        /Unknown column 'Nope'/,
      ],
      [
        "a bad value at line 4",
        () =>
          post(
            q(OTHER, "append"),
            `CustomerName,Month,AvailableSeats\na,${month(1)},1\nb,${month(1)},2\nc,${month(1)},many\n`,
            CSV,
          ),
        400,
        /Invalid value 'many' for column AvailableSeats at line 4/,
      ],
      [
        "a truncated Parquet file",
        () =>
          post(q(OTHER, "append"), whole.subarray(0, Math.floor(whole.length / 2)), {
            "content-type": "application/vnd.apache.parquet",
          }),
        400,
        /could not be loaded|Parquet/i,
      ],
      ["an empty body", () => post(q(OTHER, "append"), "", CSV), 400, /empty/],
      [
        "a wrong content type",
        () => post(q(OTHER, "append"), "a,b\n", { "content-type": "text/plain" }),
        415,
        /Content-Type 'text\/plain'/,
      ],
      [
        "an unknown encoding",
        () => post(q(OTHER, "append"), "a,b\n", { ...CSV, "content-encoding": "br" }),
        415,
        /Content-Encoding 'br'/,
      ],
      [
        "a gzip bomb",
        () => post(q(OTHER, "append"), bomb, { ...CSV, "content-encoding": "gzip" }),
        413,
        /expands to more than 4,194,304 bytes/,
      ],
      [
        "a gzip bomb of Parquet",
        () =>
          post(q(OTHER, "append"), parquetBomb, {
            "content-type": "application/vnd.apache.parquet",
            "content-encoding": "gzip",
          }),
        413,
        /expands to more than 4,194,304 bytes/,
      ],
      [
        "a body over the limit",
        () => post(q(OTHER, "append"), rowsOverLimit, CSV),
        413,
        /is more than 4,194,304 bytes \(OPENINSIGHTS_LOAD_MAX_BYTES\)$/,
      ],
      [
        "a body over the limit without a length (chunked)",
        () => post(q(OTHER, "append"), chunked(rowsOverLimit), CSV),
        413,
        /is more than 4,194,304 bytes \(OPENINSIGHTS_LOAD_MAX_BYTES\)$/,
      ],
      [
        "a first line over 1 MiB",
        // Refused before the body is read: a connection of its own, which the server leaves unread.
        () => postAlone(q(OTHER, "append"), "a".repeat(2 << 20), CSV),
        400,
        /header line is longer than 1 MiB/,
      ],
      [
        "not gzip at all",
        () => post(q(OTHER, "append"), "plain", { ...CSV, "content-encoding": "gzip" }),
        400,
        /not valid gzip/,
      ],
      [
        "an unknown program",
        () => post(q(OTHER, "append"), "a\n", CSV, undefined, `/admin/v1/nope/datasets/${DATASET}/loads`),
        404,
        /No program 'nope'/,
      ],
      [
        "an unknown dataset",
        () => post(q(OTHER, "append"), "a\n", CSV, undefined, "/admin/v1/mpn/datasets/Nope/loads"),
        404,
        /No dataset 'Nope' in mpn/,
      ],
      ["no tenant", () => post("mode=append", "a\n", CSV), 400, /tenantId is required/],
      [
        "a tenant that is not a GUID",
        () => post(q("contoso", "append"), "a\n", CSV),
        400,
        /tenantId must be a tenant id/,
      ],
      ["no mode", () => post(`tenantId=${OTHER}`, "a\n", CSV), 400, /mode is required/],
      [
        "an unknown mode",
        () => post(q(OTHER, "merge"), "a\n", CSV),
        400,
        /mode must be one of append, replace/,
      ],
      [
        "a window on append",
        () => post(q(OTHER, "append", "&from=2024-01-01&to=2024-02-01"), "a\n", CSV),
        400,
        /replace only/,
      ],
      ["half a window", () => post(q(OTHER, "replace", "&from=2024-01-01"), "a\n", CSV), 400, /give both/],
      [
        "a window backwards",
        () => post(q(OTHER, "replace", "&from=2024-02-01&to=2024-01-01"), "a\n", CSV),
        400,
        /must be before/,
      ],
      [
        "a bad date",
        () => post(q(OTHER, "replace", "&from=2024-13-01&to=2025-01-01"), "a\n", CSV),
        400,
        /from must be a date/,
      ],
      ["a tenant token", () => post(q(OTHER, "append"), "CustomerName\nx\n", CSV, tenantToken), 403, /./],
      ["no token", () => post(q(OTHER, "append"), "CustomerName\nx\n", CSV, null), 401, /./],
    ];
    cases.push([
      "a bad NDJSON value at line 2",
      () =>
        post(
          q(OTHER, "append"),
          `{"CustomerName":"a","AvailableSeats":1}\n{"CustomerName":"b","AvailableSeats":"many"}\n`,
          { "content-type": "application/x-ndjson" },
        ),
      400,
      /^Invalid value 'many' for column AvailableSeats at line 2: not a valid integer/,
    ]);
    // A line that is JSON but no object: named by its line on both engines.
    cases.push([
      "a line of NDJSON that is no JSON object",
      () =>
        post(q(OTHER, "append"), `{"CustomerName":"a"}\n"just text"\n`, {
          "content-type": "application/x-ndjson",
        }),
      400,
      /^Malformed NDJSON at line 2: not a JSON object/,
    ]);
    for (const [name, send, status, message] of cases) {
      const res = await send();
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.message, name).toMatch(message);
      expect(res.body.value, name).toEqual([]);
    }
    expect(await fileSetVersion(OTHER)).toBe(before);
    expect(await rowsOf(OTHER)).toEqual([]);
    // The ones that reached the engine are recorded as Failed loads, with the reason.
    const failed = await fetch(`${t.baseUrl}/admin/v1/loads?tenantId=${OTHER}`, {
      headers: { authorization: `Bearer ${await adminToken()}` },
    }).then((r) => r.json());
    expect(failed.value.length).toBeGreaterThan(0);
    for (const load of failed.value)
      expect(load).toMatchObject({ status: "Failed", failureReason: expect.any(String) });
  });
});

describe("a body that arrives in segments", () => {
  const SEGMENTED = "7d6c5b4a-3928-4170-8f6e-5d4c3b2a1908";
  /** ~3 MB of rows: three segments of 1 MiB and a bit. */
  const body = (rows: number, badLine?: number) => {
    const lines = ["CustomerName,Month,AvailableSeats"];
    for (let line = 2; line <= rows + 1; line++)
      lines.push(`customer-${line},${month(1)},${line === badLine ? "many" : line}`);
    return `${lines.join("\n")}\n`;
  };

  it("loads all rows of a multi-segment body, and names the line in the body of a bad value past the first segment", async () => {
    const good = await post(q(SEGMENTED, "replace"), body(80_000), CSV);
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body.value[0]).toMatchObject({ rowCount: 80_000, status: "Completed" });
    const version = await fileSetVersion(SEGMENTED);
    const bad = await post(q(SEGMENTED, "replace"), body(80_000, 70_001), CSV);
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.message).toMatch(/^Invalid value 'many' for column AvailableSeats at line 70001:/);
    expect(await fileSetVersion(SEGMENTED)).toBe(version);
    expect(await readdir(path.join(t.dataDir, ".staging"))).toEqual([]);
    // Gzipped, the same rows arrive decompressed in segments too.
    const zipped = await post(q(SEGMENTED, "replace"), gzipSync(body(80_000)), {
      ...CSV,
      "content-encoding": "gzip",
    });
    expect(zipped.status, JSON.stringify(zipped.body)).toBe(200);
    expect(zipped.body.value[0]).toMatchObject({ rowCount: 80_000, status: "Completed" });
  });

  it("an upload dropped half-way commits nothing and is recorded Failed", async () => {
    const before = await fileSetVersion(SEGMENTED);
    const text = Buffer.from(body(80_000));
    const url = new URL(`${t.baseUrl}${LOADS}?${q(SEGMENTED, "append")}`);
    const request = http.request(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await adminToken()}`,
        "content-type": "text/csv",
        "content-length": String(text.length),
      },
    });
    request.on("error", () => undefined);
    request.write(text.subarray(0, Math.floor(text.length * 0.6)));
    const admin = { authorization: `Bearer ${await adminToken()}` };
    const latest = async () =>
      (
        await fetch(`${t.baseUrl}/admin/v1/loads?tenantId=${SEGMENTED}`, { headers: admin }).then((r) =>
          r.json(),
        )
      ).value[0];
    // Wait until the load is running (the body is being received), then drop the connection.
    for (let i = 0; i < 200 && (await latest())?.status !== "Running"; i++) await sleep(25);
    request.destroy();
    let failed: { status: string; failureReason: string } | undefined;
    for (let i = 0; i < 400; i++) {
      const load = await latest();
      if (load?.status === "Failed") {
        failed = load;
        break;
      }
      await sleep(25);
    }
    expect(failed, "the dropped load's record").toMatchObject({ status: "Failed" });
    expect(await fileSetVersion(SEGMENTED)).toBe(before);
    // The staging area empties (the whole-file path removes its file once the answer is sent).
    let left = await readdir(path.join(t.dataDir, ".staging"));
    for (let i = 0; i < 200 && left.length > 0; i++) {
      await sleep(25);
      left = await readdir(path.join(t.dataDir, ".staging"));
    }
    expect(left).toEqual([]);
  });
});

describe("uploads dropped at random moments", () => {
  it("every one leaves the old rows, a finished record, no staging file, and the service answering", async () => {
    const runs = Number(process.env.OPENINSIGHTS_TEST_DROP_RUNS ?? 8);
    const DROPPED = "2a1b0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d";
    const lines = ["CustomerName,Month,AvailableSeats"];
    for (let i = 0; i < 90_000; i++) lines.push(`dropped-${i},${month(1)},${i}`);
    const text = Buffer.from(`${lines.join("\n")}\n`);
    const admin = { authorization: `Bearer ${await adminToken()}` };
    const first = await post(q(DROPPED, "replace"), "CustomerName,Month\nold,2024-01-01\n", CSV);
    expect(first.status).toBe(200);
    for (let run = 1; run <= runs; run++) {
      const version = await fileSetVersion(DROPPED);
      const listed = async () =>
        (
          await fetch(`${t.baseUrl}/admin/v1/loads?tenantId=${DROPPED}`, { headers: admin }).then((r) =>
            r.json(),
          )
        ).value as { loadId: string; status: string; failureReason: string | null }[];
      // Newest first: the run's load is the one on top once it is no longer this one.
      const before = (await listed())[0]?.loadId;
      // Cut anywhere past the header to just short of the end, sent in pieces of 64 KiB.
      const cut = 100 + Math.floor(Math.random() * (text.length - 101));
      const request = http.request(new URL(`${t.baseUrl}${LOADS}?${q(DROPPED, "replace")}`), {
        method: "POST",
        headers: { ...admin, "content-type": "text/csv", "content-length": String(text.length) },
      });
      request.on("error", () => undefined);
      for (let at = 0; at < cut; at += 65_536) {
        if (!request.write(text.subarray(at, Math.min(cut, at + 65_536))))
          await new Promise((resolve) => request.once("drain", resolve));
      }
      // The load has started (its record exists), then the connection drops a moment later.
      for (let i = 0; i < 400 && (await listed())[0]?.loadId === before; i++) await sleep(10);
      await sleep(Math.random() * 50);
      request.destroy();
      let latest: { status: string; failureReason: string | null } | undefined;
      for (let i = 0; i < 400; i++) {
        const loads = await listed();
        if (loads[0]?.loadId !== before && loads[0]!.status !== "Running") {
          latest = loads[0];
          break;
        }
        await sleep(25);
      }
      expect(latest, `run ${run} (cut at byte ${cut} of ${text.length})`).toMatchObject({
        status: "Failed",
        failureReason: expect.any(String),
      });
      expect(await fileSetVersion(DROPPED), `run ${run}: nothing committed`).toBe(version);
      let left = await readdir(path.join(t.dataDir, ".staging"));
      for (let i = 0; i < 200 && left.length > 0; i++) {
        await sleep(25);
        left = await readdir(path.join(t.dataDir, ".staging"));
      }
      expect(left, `run ${run}: staging`).toEqual([]);
    }
    expect(await rowsOf(DROPPED)).toEqual([expect.objectContaining({ CustomerName: "old" })]);
  }, 300_000);
});

describe("snapshots", () => {
  it("exports running while a 1M-row replace commits each hold one version's rows, named in their manifest", async () => {
    const SNAP = "5c4b3a29-1807-4f6e-9d5c-4b3a29180706";
    const rows = 1_000_000;
    const files = ["v1", "v2"].map((marker) => path.join(scratch, `${marker}.parquet`));
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    for (const [i, file] of files.entries()) {
      await con.run(
        `COPY (SELECT 'marker-v${i + 1}' AS CustomerName, DATE '${month(1)}' - CAST(range % 200 AS INTEGER) AS Month, range AS AvailableSeats FROM range(${rows})) TO '${file}' (FORMAT parquet)`,
      );
    }
    con.closeSync();
    instance.closeSync();
    const parquet = { "content-type": "application/vnd.apache.parquet" };
    const v1 = await post(q(SNAP, "replace"), await readFile(files[0]!), parquet);
    expect(v1.status, JSON.stringify(v1.body)).toBe(200);
    expect(v1.body.value[0].rowCount).toBe(rows);

    const created = await t.call(SNAP, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: "Markers",
      Query: "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_1_YEAR",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const queryId = created.body.value[0].queryId;
    const reportIds: string[] = [];
    for (let n = 0; n < 10; n++) {
      const report = await t.call(SNAP, "POST", "/insights/v1/mpn/ScheduledReport", {
        ReportName: `Markers ${n}`,
        QueryId: queryId,
        ExecuteNow: true,
      });
      expect(report.status, JSON.stringify(report.body)).toBe(200);
      reportIds.push(report.body.value[0].reportId);
    }
    // The ten exports and the replace, all at once.
    const [replaced, ...ran] = await Promise.all([
      readFile(files[1]!).then((body) => post(q(SNAP, "replace"), body, parquet)),
      ...reportIds.map(() => t.app.worker.runDue()),
    ]);
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(10);
    const seen = new Set<string>();
    for (const reportId of reportIds) {
      const execution = (await t.call(SNAP, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`))
        .body.value[0];
      expect(execution.executionStatus, JSON.stringify(execution)).toBe("Completed");
      const text = await fetch(execution.reportAccessSecureLink).then((r) => r.text());
      const markers = text.trimEnd().split("\n").slice(1);
      // One marker only, and the manifest's version is the load that wrote it.
      expect(markers).toHaveLength(1);
      expect(execution.manifest.dataVersion).toBe(markers[0] === "marker-v1" ? "1" : "2");
      seen.add(markers[0]!);
    }
    expect([...seen].every((m) => m === "marker-v1" || m === "marker-v2")).toBe(true);
    expect(await rowsOfMarker(SNAP)).toEqual(["marker-v2"]);
  });
});

async function rowsOfMarker(tenant: string) {
  const query = encodeURIComponent("SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_1_YEAR");
  const res = await t.call(
    tenant,
    "GET",
    `/insights/v1/mpn/ScheduledQueries/testQueryResult?exportQuery=${query}`,
  );
  return res.body.value.map((r: { CustomerName: string }) => r.CustomerName);
}
