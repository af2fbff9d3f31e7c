import { link, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STAGING_FOLDER, sweepStaging } from "../../src/storage/staging.js";

let dataDir: string;
let staging: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "oi-staging-"));
  staging = path.join(dataDir, STAGING_FOLDER);
  await mkdir(staging);
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("sweepStaging", () => {
  it("removes what a killed load left, keeps what a load may still be using", async () => {
    await writeFile(path.join(staging, "fresh.csv"), "a\n1\n");
    // A file a CLI load linked in: its mtime is the user's (old), its ctime the link's (now).
    const old = path.join(dataDir, "users-old-file.csv");
    await writeFile(old, "a\n1\n");
    const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    await utimes(old, lastYear, lastYear);
    await link(old, path.join(staging, "linked.csv"));

    expect(await sweepStaging(dataDir)).toBe(0);
    expect((await readdir(staging)).sort()).toEqual(["fresh.csv", "linked.csv"]);

    // Seven hours later nothing touched them: both are left-overs.
    const later = new Date(Date.now() + 7 * 3600 * 1000);
    expect(await sweepStaging(dataDir, { now: later })).toBe(2);
    expect(await readdir(staging)).toEqual([]);
    // The user's own file is not touched.
    expect(await readdir(dataDir)).toContain("users-old-file.csv");
  });

  it("is quiet when there is no staging area", async () => {
    await rm(staging, { recursive: true });
    expect(await sweepStaging(dataDir)).toBe(0);
  });
});
