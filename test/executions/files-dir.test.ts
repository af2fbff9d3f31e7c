/**
 * OPENINSIGHTS_FILES_DIR: report files go to a directory outside the data directory (a share that
 * machines with their own data directories have in common), and are downloaded from there.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "f1000000-0000-4000-8000-000000000001";
const MPN = "/insights/v1/mpn";
let filesDir: string;
let t: TestApp;

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-shared-files-"));
  t = await startTestApp({
    // About the disk store: also in the project whose apps keep their files on S3.
    env: { OPENINSIGHTS_FILES_DIR: filesDir, OPENINSIGHTS_S3_BUCKET: "" },
    rows: [
      { program: "mpn", dataset: "Profile", tenant: TENANT, csv: "MpnId,PartnerName,City\n1,Alpha,Oslo\n" },
    ],
  });
});
afterAll(async () => {
  await t?.close();
  await rm(filesDir, { recursive: true, force: true });
});

describe("OPENINSIGHTS_FILES_DIR", () => {
  it("keeps report files there, not in the data directory, and serves them", async () => {
    const query = await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, {
      Name: "Profile",
      Query: "SELECT MpnId, PartnerName FROM Profile",
    });
    const created = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
      ReportName: "Shared",
      QueryId: query.body.value[0].queryId,
      ExecuteNow: true,
    });
    const { reportId } = created.body.value[0];
    expect(await t.app.worker.runDue()).toBe(1);
    const execution = (await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${reportId}`)).body
      .value[0];
    expect(await readdir(path.join(filesDir, "mpn", TENANT, reportId))).toEqual([
      `${execution.executionId}.csv`,
    ]);
    expect(await readdir(t.dataDir)).not.toContain("files");
    expect(await (await fetch(execution.reportAccessSecureLink)).text()).toBe("MpnId,PartnerName\n1,Alpha\n");
  });
});
