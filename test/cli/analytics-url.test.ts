/** `serve` with an analytics URL it cannot use: one clear line, a non-zero exit, the password hidden. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("OPENINSIGHTS_ANALYTICS_URL at start", () => {
  it("an unreachable server stops serve with a message naming the variable", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "oi-analytics-url-"));
    try {
      const result = await runCli(["serve", "--data-dir", dataDir, "--port", "0"], {
        OPENINSIGHTS_ANALYTICS_URL: "postgres://postgres:hunter2@127.0.0.1:1/analytics",
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(
        /Cannot use the analytics database .*OPENINSIGHTS_ANALYTICS_URL.*ECONNREFUSED/,
      );
      expect(result.stderr).not.toContain("hunter2");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("a URL that is not postgres:// is refused before anything starts", async () => {
    const result = await runCli(["serve", "--port", "0"], { OPENINSIGHTS_ANALYTICS_URL: "mysql://db/x" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("OPENINSIGHTS_ANALYTICS_URL must be a postgres:// URL");
  });
});
