/**
 * The edges a new user of the command line hits: output piped to a reader that stops early, a
 * mistyped option, a port in use, a data directory another process has open (no lock), a token for a directory no service
 * uses, a TTL without unit, a tenant id that is not a GUID, and load's result printed once.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { builtInCatalogs } from "../../src/datasets/catalog.js";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { openAnalytics } from "../../src/stores.js";
import { BIN, runCli } from "../support/cli.js";

const TENANT = DEMO_TENANTS[0]!.id;
const ENV = { OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "256MB" };
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "openinsights-cli-edges-"));
  const demo = await runCli(["demo", "--rows", "20000", "--data-dir", dataDir], ENV);
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe("the command line at its edges", () => {
  it("exits quietly with 0 when the reader of its output goes away (| head)", async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        "query",
        "--program",
        "mpn",
        "--tenant",
        TENANT,
        "--format",
        "json",
        "--data-dir",
        dataDir,
        "SELECT SubscriptionId, CustomerName, ServiceName, MeterCategory FROM AzureUsage TIMESPAN LIFETIME",
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...ENV } },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Like `head -c 100`: read a little, then close the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("names the closest option to a mistyped one", async () => {
    const result = await runCli(["serve", "--prot", "8080"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^openinsights serve: unknown option '--prot': did you mean --port\?$/m);
    const far = await runCli(["token", "--xyzzy"]);
    expect(far.stderr).toMatch(
      /unknown option '--xyzzy': the options are --data-dir, --tenant, --admin, --user, --ttl/,
    );
  });

  it("says in one line that the port is in use and how to choose another", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(["serve", "--port", String(port), "--data-dir", dataDir], ENV);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n")).toEqual([
        `openinsights serve: port ${port} on 127.0.0.1 is in use by another process: stop it, or choose another port with --port N (or OPENINSIGHTS_PORT)`,
      ]);
    } finally {
      blocker.close();
    }
  });

  it("writes a data directory another process has open: there is no analytics file to lock", async () => {
    const engine = await openAnalytics(loadConfig(ENV, { dataDir }), builtInCatalogs);
    try {
      const result = await runCli(["demo", "--rows", "20000", "--data-dir", dataDir], ENV);
      expect(result.stderr).not.toContain("locked");
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it("token warns when it made a new signing key, refuses a TTL without unit and a tenant that is not a GUID", async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), "openinsights-cli-fresh-"));
    try {
      const first = await runCli(["token", "--tenant", TENANT, "--data-dir", fresh]);
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/^warning: .* had no signing key, so a new one was made/m);
      const second = await runCli(["token", "--tenant", TENANT, "--data-dir", fresh]);
      expect(second.stderr).not.toMatch(/warning/);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
    const ttl = await runCli(["token", "--tenant", TENANT, "--ttl", "60", "--data-dir", dataDir]);
    expect(ttl.code).toBe(2);
    expect(ttl.stderr).toMatch(/--ttl must be a duration with its unit/);
    for (const command of [["token"], ["query", "--program", "mpn", "SELECT X FROM Y"]]) {
      const result = await runCli([...command, "--tenant", "contoso", "--data-dir", dataDir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--tenant must be a tenant id \(a GUID/);
    }
  });

  it("load prints its result once", async () => {
    const file = path.join(dataDir, "profile.csv");
    await writeFile(file, "MpnId,PartnerName,City\n1001,Alpha,Oslo\n");
    const result = await runCli(
      ["load", "--program", "mpn", "--dataset", "Profile", "--tenant", TENANT, "--data-dir", dataDir, file],
      ENV,
    );
    expect(result.code, result.stderr).toBe(0);
    const output = `${result.stdout.toString()}${result.stderr}`;
    expect(output.match(/Loaded/g)).toHaveLength(1);
  });
});
