/**
 * The app with report files on S3 (a local Ceph RADOS Gateway), chosen by configuration alone:
 * an ExecuteNow report's file lands in the bucket and downloads through the service's link, and
 * with OPENINSIGHTS_DOWNLOAD_LINKS=presigned through the store's own presigned URL.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import {
  WIDE_PROFILE_COLUMNS,
  WIDE_PROFILE_QUERY,
  WIDE_PROFILE_ROWS,
  WIDE_PROFILE_TENANT,
  wideProfileSeed,
} from "../fixtures/wide-profile.js";
import { type LocalS3, startLocalS3 } from "../storage/local-s3.js";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = DEMO_TENANTS[0]!.id;
const BUCKET = "openinsights-reports";
let s3: LocalS3;

const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket(BUCKET);
  // The AWS SDK reads credentials from the standard variables itself, as in production.
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
}, 120_000);
afterAll(async () => {
  for (const [key, value] of [
    ["AWS_ACCESS_KEY_ID", savedEnv.id],
    ["AWS_SECRET_ACCESS_KEY", savedEnv.secret],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await s3?.stop();
});

async function runOnce(t: TestApp): Promise<{ link: string; location: string; rows: number }> {
  const created = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
    ReportName: "On S3",
    QueryId: "e65f3a4f-fb99-4319-97ff-59e57566a871",
    ExecuteNow: true,
  });
  expect(created.status).toBe(200);
  expect(await t.app.worker.runDue()).toBe(1);
  const reportId = created.body.value[0].reportId;
  const execution = (await t.call(TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`))
    .body.value[0];
  expect(execution.executionStatus).toBe("Completed");
  return {
    link: execution.reportAccessSecureLink,
    location: execution.reportLocation,
    rows: execution.manifest.rowCount,
  };
}

describe.each(["service", "presigned"] as const)("files on S3, %s download links", (links) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      demoRows: 10_000,
      rows: wideProfileSeed(),
      env: {
        OPENINSIGHTS_S3_BUCKET: BUCKET,
        OPENINSIGHTS_S3_PREFIX: `reports-${links}/`,
        OPENINSIGHTS_S3_ENDPOINT: s3.endpoint,
        OPENINSIGHTS_S3_REGION: s3.region,
        OPENINSIGHTS_DOWNLOAD_LINKS: links,
      },
    });
  });
  afterAll(async () => t?.close());

  it("stores the file in the bucket and serves it", async () => {
    const { link, location, rows } = await runOnce(t);
    expect(await t.app.files.stat(location)).toMatchObject({ bytes: expect.any(Number) });
    if (links === "presigned") {
      expect(link.startsWith(s3.endpoint)).toBe(true);
      expect(link).toContain("X-Amz-Signature=");
    } else {
      expect(link).toContain("/downloads/");
    }
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="On S3_/);
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^MpnId,/);
    expect(lines.length - 1).toBe(rows);
  });

  it("stores each part of a result in parts in the bucket and serves each through its own link", async () => {
    const query = await t.call(WIDE_PROFILE_TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", {
      Name: "Wide",
      Query: WIDE_PROFILE_QUERY,
    });
    const created = await t.call(WIDE_PROFILE_TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Parts on S3",
      QueryId: query.body.value[0].queryId,
      ExecuteNow: true,
      MaxFileSizeMB: 1,
    });
    expect(await t.app.worker.runDue()).toBe(1);
    const reportId = created.body.value[0].reportId;
    const execution = (
      await t.call(WIDE_PROFILE_TENANT, "GET", `/insights/v1/mpn/ScheduledReport/execution/${reportId}`)
    ).body.value[0];
    const parts = execution.manifest.parts;
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const [i, part] of parts.entries()) {
      if (links === "presigned") expect(part.reportAccessSecureLink.startsWith(s3.endpoint)).toBe(true);
      const response = await fetch(part.reportAccessSecureLink);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toContain(`_part-000${i + 1}.csv`);
      const raw = Buffer.from(await response.arrayBuffer());
      expect(createHash("sha256").update(raw).digest("hex")).toBe(part.sha256);
      expect(raw.subarray(0, raw.indexOf(0x0a)).toString()).toBe(WIDE_PROFILE_COLUMNS.join(","));
    }
    expect(parts.reduce((sum: number, part: { rowCount: number }) => sum + part.rowCount, 0)).toBe(
      WIDE_PROFILE_ROWS,
    );
    // Deleting the report empties the bucket of every part.
    const location: string = execution.reportLocation;
    expect(await t.app.files.stat(location)).toBeDefined();
    await t.call(WIDE_PROFILE_TENANT, "DELETE", `/insights/v1/mpn/ScheduledReport/${reportId}`);
    for (let n = 1; n <= parts.length; n++) {
      expect(await t.app.files.stat(location.replace("part-0001", `part-000${n}`))).toBeUndefined();
    }
  });
});
