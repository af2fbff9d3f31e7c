/**
 * Answers and reads the SQLite store keeps while nothing changed (docs/api.md) must never hide a
 * change: not one made by this process, not one made by another process on the same database,
 * and never another tenant's data. (On PostgreSQL nothing is kept; the same checks hold.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { BIN } from "../support/cli.js";
import { Clock, HOUR, type Item } from "./helpers.js";

const TENANT = "11111111-1111-1111-1111-111111111111";
const OTHER_TENANT = "22222222-2222-2222-2222-222222222222";
const LIST = "/insights/v1/mpn/ScheduledQueries?includeSystemQueries=false";

let t: TestApp;
let second: ChildProcess;
let secondBase: string;

/** A second process of the service (`serve --role api`) on the same data directory and metadata database. */
function startSecondProcess(): Promise<string> {
  second = spawn(process.execPath, [BIN, "serve", "--role", "api", "--port", "0", "--data-dir", t.dataDir], {
    env: {
      ...process.env,
      ...t.serveEnv,
      OPENINSIGHTS_LOG_LEVEL: "warn",
      OPENINSIGHTS_DUCKDB_MEMORY_LIMIT: "256MB",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    second.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const address = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (address) resolve(address);
    });
    second.on("exit", (code) => reject(new Error(`the second process exited (${code}): ${output}`)));
  });
}

beforeAll(async () => {
  t = await startTestApp();
  secondBase = await startSecondProcess();
});
afterAll(async () => {
  if (second && second.exitCode === null) {
    const exited = new Promise((resolve) => second.once("exit", resolve));
    second.kill("SIGTERM");
    await exited;
  }
  await t?.close();
});

async function viaSecond(method: string, path: string, body?: unknown) {
  const response = await fetch(`${secondBase}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await t.token(TENANT)}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

const names = async (tenant: string) =>
  ((await t.call(tenant, "GET", LIST)).body.value as { name: string }[]).map((q) => q.name);

const query = (name: string) => ({
  Name: name,
  Query: "SELECT CustomerName FROM CustomersAndTenants TIMESPAN LAST_MONTH",
});

describe("kept answers and reads", () => {
  it("show this process's own changes at once", async () => {
    expect(await names(TENANT)).toEqual([]);
    expect((await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", query("Own"))).status).toBe(
      200,
    );
    expect(await names(TENANT)).toEqual(["Own"]);
  });

  it("show another process's changes on the same database", async () => {
    expect(await names(TENANT)).toEqual(["Own"]);
    const created = await viaSecond(
      "POST",
      "/insights/v1/mpn/ScheduledQueries",
      query("From the other process"),
    );
    expect(created.status).toBe(200);
    expect(await names(TENANT)).toEqual(["Own", "From the other process"]);
    const id = created.body.value[0].queryId as string;
    expect((await viaSecond("DELETE", `/insights/v1/mpn/ScheduledQueries/${id}`)).status).toBe(200);
    expect(await names(TENANT)).toEqual(["Own"]);
  });

  it("answer the same URL for each tenant with its own data", async () => {
    expect(await names(TENANT)).toEqual(["Own"]);
    expect(await names(OTHER_TENANT)).toEqual([]);
    await t.call(OTHER_TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", query("Other tenant's"));
    expect(await names(OTHER_TENANT)).toEqual(["Other tenant's"]);
    expect(await names(TENANT)).toEqual(["Own"]);
  });

  it("show a report changed by another process in the executions list", async () => {
    const q = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", query("For a report"));
    const report = await t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Kept",
      QueryId: q.body.value[0].queryId,
      ExecuteNow: true,
    });
    expect(report.status).toBe(200);
    const id = report.body.value[0].reportId as string;
    const executions = `/insights/v1/mpn/ScheduledReport/execution/${id}?executionStatus=Pending`;
    const first = await t.call(TENANT, "GET", executions);
    expect(first.body.value.map((e: { executionStatus: string }) => e.executionStatus)).toEqual(["Pending"]);
    expect((await viaSecond("DELETE", `/insights/v1/mpn/ScheduledReport/${id}`)).status).toBe(200);
    expect((await t.call(TENANT, "GET", executions)).status).toBe(404);
  });
});

describe("kept answers of the executions list", () => {
  const clock = new Clock();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ now: clock.now });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("show an execution's progress, and never keep an answer holding a download link", async () => {
    const q = await app.call(TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", query("Polled"));
    const report = await app.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
      ReportName: "Polled",
      QueryId: q.body.value[0].queryId,
      ExecuteNow: true,
    });
    const id = report.body.value[0].reportId as string;
    const latest = `/insights/v1/mpn/ScheduledReport/execution/${id}?executionStatus=Pending;Completed`;
    for (let i = 0; i < 3; i++) {
      const polled = await app.call(TENANT, "GET", latest);
      expect(polled.body.value.map((e: Item) => e.executionStatus)).toEqual(["Pending"]);
    }
    expect(await app.app.worker.runDue()).toBe(1);
    const done = await app.call(TENANT, "GET", latest);
    expect(done.body.value.map((e: Item) => e.executionStatus)).toEqual(["Completed"]);
    const first = done.body.value[0] as Item;
    expect(first.reportAccessSecureLink).toMatch(/^http/);

    // Nothing in the store changed, but the clock did: the next answer carries a fresh link.
    clock.advance(HOUR);
    const again = (await app.call(TENANT, "GET", latest)).body.value[0] as Item;
    expect(again.reportExpiryTime).toBe(clock.in(24 * HOUR));
    expect(again.reportExpiryTime).not.toBe(first.reportExpiryTime);
    expect(again.reportAccessSecureLink).not.toBe(first.reportAccessSecureLink);
  });
});
