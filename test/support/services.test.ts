import { afterEach, describe, expect, it } from "vitest";
import { requireService, testService, unavailableLine } from "./services.js";

const saved = {
  url: process.env.OPENINSIGHTS_TEST_DATABASE_URL,
  path: process.env.PATH,
  chromium: process.env.OPENINSIGHTS_TEST_CHROMIUM,
};
afterEach(() => {
  if (saved.url === undefined) delete process.env.OPENINSIGHTS_TEST_DATABASE_URL;
  else process.env.OPENINSIGHTS_TEST_DATABASE_URL = saved.url;
  process.env.PATH = saved.path;
  if (saved.chromium === undefined) delete process.env.OPENINSIGHTS_TEST_CHROMIUM;
  else process.env.OPENINSIGHTS_TEST_CHROMIUM = saved.chromium;
});

describe("test services", () => {
  it("fails a test that needs an unreachable PostgreSQL with the one line, password hidden", async () => {
    process.env.OPENINSIGHTS_TEST_DATABASE_URL = "postgres://postgres:s3cret@127.0.0.1:1/postgres";
    const error = await requireService("postgres").catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^test services: PostgreSQL is not reachable at postgres:\/\/postgres:…@127\.0\.0\.1:1\/postgres \(.*ECONNREFUSED.*\): run `sudo bash scripts\/ensure-postgres\.sh`/,
    );
    expect(message).not.toContain("s3cret");
  });

  it("names every missing program of the S3 server and the script that installs them", async () => {
    process.env.PATH = "/nonexistent";
    const service = testService("s3");
    const problem = await service.problem();
    expect(problem).toBe(
      "not installed (monmaptool, ceph-mon, ceph-osd, radosgw, radosgw-admin, ceph not found)",
    );
    await expect(requireService("s3")).rejects.toThrow(unavailableLine(service, problem as string));
    expect(unavailableLine(service, problem as string)).toContain("sudo bash scripts/ensure-s3-server.sh");
  });

  it("names the browser it cannot run and the script that installs it", async () => {
    process.env.OPENINSIGHTS_TEST_CHROMIUM = "/nonexistent/chromium";
    const problem = await testService("chromium").problem();
    expect(problem).toMatch(/^not usable at \/nonexistent\/chromium \(.*ENOENT/);
    await expect(requireService("chromium")).rejects.toThrow("sudo bash scripts/ensure-chromium.sh");
  });

  it("passes when the service is there", async () => {
    await expect(requireService("postgres")).resolves.toBeUndefined();
    await expect(requireService("s3")).resolves.toBeUndefined();
    await expect(requireService("chromium")).resolves.toBeUndefined();
  });
});
