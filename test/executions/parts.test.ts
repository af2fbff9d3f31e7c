/**
 * Results in parts (MaxFileSizeMB, OPENINSIGHTS_MAX_FILE_SIZE_MB) end to end over loopback HTTP:
 * every part is its own file with its own link, SHA-256, size and row count; the parts' rows, in
 * order, are the rows of the single-file export of the same query; the old link serves part 1;
 * deleting the report deletes every part. Rows with quotes, commas and line feeds inside fields
 * make sure no part splits a row.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileKey } from "../../src/executions/worker.js";
import {
  WIDE_PROFILE_COLUMNS,
  WIDE_PROFILE_QUERY,
  WIDE_PROFILE_ROWS,
  WIDE_PROFILE_TENANT,
  wideProfileSeed,
} from "../fixtures/wide-profile.js";
import { makeEngine, sql, type TestEngine } from "../storage/duckdb/helpers.js";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = WIDE_PROFILE_TENANT;
const ROWS = WIDE_PROFILE_ROWS;
const COLUMNS = WIDE_PROFILE_COLUMNS;
const QUERY = WIDE_PROFILE_QUERY;
const MB = 1_048_576;
const seed = wideProfileSeed();

let t: TestApp;
let reader: TestEngine;
let inOrder: DuckDBConnection;

beforeAll(async () => {
  reader = await makeEngine();
  inOrder = await (await DuckDBInstance.create(":memory:")).connect();
  t = await startTestApp({ rows: seed, env: { OPENINSIGHTS_QUOTA_EXECUTE_NOW: "100" } });
});
afterAll(async () => {
  await t?.close();
  inOrder?.closeSync();
  await reader?.cleanup();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Creates an ExecuteNow report of QUERY with `fields` (not run yet); the report as answered. */
async function createReport(app: TestApp, fields: Record<string, unknown>) {
  const query = await app.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
    Name: `Profile ${randomUUID()}`,
    Query: QUERY,
  });
  expect(query.status).toBe(200);
  const created = await app.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
    ReportName: "Profile in parts",
    QueryId: query.body.value[0].queryId,
    ExecuteNow: true,
    ...fields,
  });
  expect(created.status).toBe(200);
  return created.body.value[0];
}

/** Creates an ExecuteNow report of QUERY with `fields`, runs it; the report and its execution. */
async function runReport(app: TestApp, fields: Record<string, unknown>) {
  const report = await createReport(app, fields);
  expect(await app.app.worker.runDue()).toBe(1);
  const listed = await app.call(
    TENANT,
    "GET",
    `/insights/v1/mpn/ScheduledReport/execution/${report.reportId}`,
  );
  expect(listed.status).toBe(200);
  return { report, execution: listed.body.value[0] };
}

async function download(link: string): Promise<{ response: Response; raw: Buffer }> {
  const response = await fetch(link);
  expect(response.status).toBe(200);
  return { response, raw: Buffer.from(await response.arrayBuffer()) };
}

/** The text of a part (zstd parts are read by DuckDB only: undefined). */
function uncompressed(raw: Buffer, compression: string): Buffer | undefined {
  if (compression === "gzip") return gunzipSync(raw);
  return compression === "zstd" ? undefined : raw;
}

/** A file's rows as CSV text (header first), read back by DuckDB: how parts and files are compared. */
async function rowsOf(raw: Buffer, format: string, compression: string): Promise<string[]> {
  const extension = { csv: ".csv", tsv: ".tsv", json: ".ndjson", parquet: ".parquet" }[format]!;
  const file = path.join(
    reader.exportDir,
    `${randomUUID()}${extension}${compression === "zstd" ? ".zst" : ""}`,
  );
  await writeFile(file, uncompressed(raw, compression) ?? raw);
  const source = {
    csv: `read_csv('${file}', header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`,
    tsv: `read_csv('${file}', header = true, all_varchar = true, quote = '"', escape = '"', delim = '\t')`,
    json: `read_ndjson('${file}', columns = {${COLUMNS.map((c) => `${c}: 'VARCHAR'`).join(", ")}})`,
    parquet: `read_parquet('${file}')`,
  }[format]!;
  // A DuckDB of its own: the engine's does not keep the files' order (preserve_insertion_order).
  const rows = await inOrder.runAndReadAll(`SELECT ${COLUMNS.join(", ")} FROM ${source}`);
  return rows.getRows().map((row) => JSON.stringify(row));
}

describe.each([
  { format: "CSV", compression: "none" },
  { format: "TSV", compression: "none" },
  { format: "JSON", compression: "none" },
  { format: "Parquet", compression: "none" },
  { format: "CSV", compression: "gzip" },
  { format: "JSON", compression: "zstd" },
])("$format, compression $compression, MaxFileSizeMB 1", ({ format, compression }) => {
  it("writes numbered parts, each with its own link, digest, size and rows, together the single file's rows", async () => {
    const lower = format.toLowerCase();
    const single = await runReport(t, { Format: format, Compression: compression });
    // No MaxFileSizeMB and no default: one file and today's manifest, without `parts`.
    expect(single.report.maxFileSizeMB).toBeNull();
    expect(Object.keys(single.execution.manifest).sort()).toEqual(
      ["bytes", "dataVersion", "dataWindowEnd", "dataWindowStart", "rowCount", "sha256"].sort(),
    );
    const whole = await download(single.execution.reportAccessSecureLink);
    const wholeRows = await rowsOf(whole.raw, lower, compression);
    expect(wholeRows).toHaveLength(ROWS);

    const { report, execution } = await runReport(t, {
      Format: format,
      Compression: compression,
      MaxFileSizeMB: 1,
    });
    expect(report.maxFileSizeMB).toBe(1);
    const { manifest } = execution;
    expect(manifest.parts.length).toBeGreaterThanOrEqual(3);
    expect(manifest.rowCount).toBe(ROWS);
    expect(manifest.parts.reduce((sum: number, part: { rowCount: number }) => sum + part.rowCount, 0)).toBe(
      ROWS,
    );

    const partRows: string[] = [];
    for (const [index, part] of manifest.parts.entries()) {
      expect(part.part).toBe(index + 1);
      expect(part.reportExpiryTime).toMatch(/Z$/);
      const { response, raw } = await download(part.reportAccessSecureLink);
      expect(response.headers.get("content-disposition")).toContain(
        `_part-${String(index + 1).padStart(4, "0")}.`,
      );
      expect({ bytes: raw.length, sha256: sha256(raw) }).toEqual({ bytes: part.bytes, sha256: part.sha256 });
      const rows = await rowsOf(raw, lower, compression);
      expect(rows).toHaveLength(part.rowCount);
      partRows.push(...rows);
      if (lower === "parquet") {
        expect(raw.length).toBeLessThanOrEqual(MB);
      } else if (compression !== "zstd") {
        const text = uncompressed(raw, compression)!;
        // Whole rows only, at most the limit of text (header included); every CSV/TSV part has the header.
        expect(text.length).toBeLessThanOrEqual(MB);
        expect(text.at(-1)).toBe(0x0a);
        if (lower !== "json") {
          expect(text.subarray(0, text.indexOf(0x0a)).toString()).toBe(
            COLUMNS.join(lower === "tsv" ? "\t" : ","),
          );
        }
      }
    }
    expect(partRows).toEqual(wholeRows);

    // The old link, as clients of the real API read it, serves part 1; bytes and sha256 are part 1's.
    const first = await download(execution.reportAccessSecureLink);
    expect(sha256(first.raw)).toBe(manifest.parts[0].sha256);
    expect({ bytes: manifest.bytes, sha256: manifest.sha256 }).toEqual({
      bytes: manifest.parts[0].bytes,
      sha256: manifest.parts[0].sha256,
    });
  });
});

describe("a result within the limit", () => {
  it("is one file with today's manifest", async () => {
    const { execution } = await runReport(t, { MaxFileSizeMB: 10 });
    expect(execution.manifest.parts).toBeUndefined();
    expect(execution.manifest.rowCount).toBe(ROWS);
    const { raw } = await download(execution.reportAccessSecureLink);
    expect(sha256(raw)).toBe(execution.manifest.sha256);
  });
});

describe("deleting a report", () => {
  it("deletes every part's file", async () => {
    const { report, execution } = await runReport(t, { MaxFileSizeMB: 1 });
    // Every part is a file of the store (disk or S3, whichever the project runs on) under the report.
    const prefix = execution.reportLocation.slice(0, execution.reportLocation.lastIndexOf("/") + 1);
    const files = await t.listFiles(prefix);
    expect(files).toHaveLength(execution.manifest.parts.length);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const deleted = await t.call(TENANT, "DELETE", `/insights/v1/mpn/ScheduledReport/${report.reportId}`);
    expect(deleted.status).toBe(200);
    expect(await t.listFiles(prefix)).toEqual([]);
    // Its links now answer as for any execution that is gone.
    const response = await fetch(execution.manifest.parts[1].reportAccessSecureLink);
    expect(response.status).toBe(403);
  });
});

describe("a retry after a crash while parts were stored", () => {
  it.each([
    { size: 1, what: "fewer parts" },
    { size: 10, what: "one file" },
  ])("leaves no part of the dead attempt when it writes $what", async ({ size }) => {
    const created = await createReport(t, { MaxFileSizeMB: size });
    const scope = { tenant: TENANT, program: "mpn" } as const;
    const report = (await t.app.store.getReport(scope, created.reportId))!;
    // A worker claimed it (for a lease of 1 ms), stored 40 parts of a smaller cut, and died.
    const [ghost] = await t.app.store.claimExecutions("ghost-worker", new Date(), 1, 5);
    expect(ghost?.reportId).toBe(report.id);
    const local = path.join(reader.exportDir, `ghost-${randomUUID()}`);
    await writeFile(local, "a ghost's part\n");
    for (let n = 1; n <= 40; n++) {
      await t.app.files.putFile(fileKey(ghost!, report, n), local, { contentType: "text/csv" });
      await writeFile(local, "a ghost's part\n");
    }
    expect(await t.app.worker.runDue()).toBe(1);
    const listed = await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${report.id}`);
    const execution = listed.body.value[0];
    expect(execution).toMatchObject({ executionStatus: "Completed", attempts: 2 });
    const prefix = execution.reportLocation.slice(0, execution.reportLocation.lastIndexOf("/") + 1);
    const parts: number = execution.manifest.parts?.length ?? 0;
    const kept =
      parts === 0
        ? [execution.reportLocation]
        : Array.from({ length: parts }, (_, i) => fileKey(ghost!, report, i + 1));
    expect(await t.listFiles(prefix)).toEqual(kept.sort());
    expect(parts).toBeLessThan(40);
  });
});

describe("MaxFileSizeMB on create and update", () => {
  it.each([0, -1, 1.5, "ten", true, 1_048_577])("refuses %j with 400 naming the field", async (value) => {
    const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: `Bad size ${randomUUID()}`,
      Query: QUERY,
    });
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Bad size",
      QueryId: query.body.value[0].queryId,
      ExecuteNow: true,
      MaxFileSizeMB: value,
    });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/MaxFileSizeMB/);
  });

  it("is echoed, kept when absent on update and reset by null", async () => {
    const query = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: `Sized ${randomUUID()}`,
      Query: QUERY,
    });
    const body = {
      ReportName: "Sized",
      QueryId: query.body.value[0].queryId,
      StartTime: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 19)}Z`,
      RecurrenceInterval: 24,
    };
    const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ...body,
      MaxFileSizeMB: "250",
    });
    expect(created.status).toBe(200);
    const report = created.body.value[0];
    expect(report.maxFileSizeMB).toBe(250);
    const url = `/insights/v1/mpn/ScheduledReport/${report.reportId}`;
    const kept = await t.call(TENANT, "PUT", url, { ReportName: "Sized again", StartTime: body.StartTime });
    expect(kept.body.value[0].maxFileSizeMB).toBe(250);
    const reset = await t.call(TENANT, "PUT", url, { ...body, MaxFileSizeMB: null });
    expect(reset.body.value[0].maxFileSizeMB).toBeNull();
  });
});

describe("OPENINSIGHTS_MAX_FILE_SIZE_MB", () => {
  let withDefault: TestApp;
  beforeAll(async () => {
    withDefault = await startTestApp({ rows: seed, env: { OPENINSIGHTS_MAX_FILE_SIZE_MB: "2" } });
  });
  afterAll(async () => withDefault?.close());

  it("cuts the results of reports that do not say; the report's own field wins", async () => {
    const byDefault = await runReport(withDefault, {});
    expect(byDefault.report.maxFileSizeMB).toBeNull();
    expect(byDefault.execution.manifest.parts.length).toBeGreaterThanOrEqual(2);
    const own = await runReport(withDefault, { MaxFileSizeMB: 100 });
    expect(own.execution.manifest.parts).toBeUndefined();
    const { raw } = await download(own.execution.reportAccessSecureLink);
    expect(sha256(raw)).toBe(own.execution.manifest.sha256);
  });
});

describe("the engine's port", () => {
  it("writes the same rows in parts as in one file (DuckDB, straight through exportTo)", async () => {
    const query = sql("SELECT i, 'x' || i AS s FROM range(100000) t(i) ORDER BY i");
    const one = path.join(reader.exportDir, "one.csv");
    const parted = path.join(reader.exportDir, "parted.csv");
    const single = await reader.engine.exportTo(query, one, { format: "csv" });
    const parts = await reader.engine.exportTo(query, parted, { format: "csv", maxPartBytes: 200_000 });
    expect(parts.rowCount).toBe(single.rowCount);
    expect(parts.parts!.length).toBeGreaterThan(5);
    const texts = await Promise.all(parts.parts!.map((part) => readFile(part.path, "utf8")));
    const body = texts.map((text) => text.slice(text.indexOf("\n") + 1)).join("");
    const whole = await readFile(one, "utf8");
    expect(body).toBe(whole.slice(whole.indexOf("\n") + 1));
    for (const [i, part] of parts.parts!.entries()) {
      expect(part.bytes).toBeLessThanOrEqual(200_000);
      expect(texts[i]!.split("\n").length - 2).toBe(part.rowCount);
    }
  });
});
