/** Service endpoints: health, readiness, OpenAPI, the docs UI, x-request-id, base paths. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { BASES, expectError, expectOk, raw } from "./helpers.js";

const TENANT = "a0000000-0000-4000-8000-000000000001";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe("health and readiness", () => {
  it("GET /healthz answers 200 without a token", async () => {
    const res = await raw(t, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, value: [{ status: "ok" }] });
  });

  it("GET /readyz answers 200 without a token while the stores are reachable", async () => {
    const res = await raw(t, "GET", "/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, value: [{ status: "ready" }] });
  });
});

describe("OpenAPI and docs", () => {
  it("serves an OpenAPI 3.1 document listing all twelve operations under every base", async () => {
    const res = await raw(t, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    for (const { base } of BASES) {
      const methods = (p: string) => Object.keys(paths[`${base}${p}`] ?? {}).sort();
      expect(methods("/ScheduledDataset"), base).toEqual(["get"]);
      expect(methods("/ScheduledQueries"), base).toEqual(["get", "post"]);
      expect(methods("/ScheduledQueries/{queryId}"), base).toEqual(["delete"]);
      expect(methods("/ScheduledQueries/testQueryResult"), base).toEqual(["get"]);
      expect(methods("/ScheduledReport"), base).toEqual(["get", "post"]);
      expect(methods("/ScheduledReport/{reportId}"), base).toEqual(["delete", "put"]);
      expect(methods("/ScheduledReport/pause/{reportId}"), base).toEqual(["put"]);
      expect(methods("/ScheduledReport/resume/{reportId}"), base).toEqual(["put"]);
      expect(methods("/ScheduledReport/execution/{reportId}"), base).toEqual(["get"]);
    }
  });

  it("serves the docs UI as HTML at /docs", async () => {
    const res = await raw(t, "GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(String(res.body)).toMatch(/<html/i);
  });
});

describe("x-request-id", () => {
  it("echoes the caller's id on success", async () => {
    const res = await t.call(TENANT, "GET", `${BASES[0]!.base}/ScheduledDataset`, undefined, {
      "x-request-id": "req-abc-123",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
  });

  it("makes one up when the caller sends none", async () => {
    const res = await t.call(TENANT, "GET", `${BASES[0]!.base}/ScheduledDataset`);
    expect(res.headers.get("x-request-id")).toMatch(/\S{8,}/);
    const again = await t.call(TENANT, "GET", `${BASES[0]!.base}/ScheduledDataset`);
    expect(again.headers.get("x-request-id")).not.toBe(res.headers.get("x-request-id"));
  });

  it.each([
    ["401 (no token)", null, "GET", "/insights/v1/mpn/ScheduledQueries", undefined, 401],
    ["404 (unknown route)", TENANT, "GET", "/insights/v1/mpn/NoSuchThing", undefined, 404],
    ["400 (bad JSON)", TENANT, "POST", "/insights/v1/mpn/ScheduledQueries", "{nope", 400],
    ["400 (validation)", TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {}, 400],
  ] as const)("echoes it on errors too: %s", async (_label, tenant, method, p, body, status) => {
    const res = await t.call(tenant, method, p, body, { "x-request-id": "err-req-7" });
    expect(res.status).toBe(status);
    expect(res.headers.get("x-request-id")).toBe("err-req-7");
  });
});

describe("base paths", () => {
  it.each(BASES)("$base answers E1", async ({ base }) => {
    expectOk(await t.call(TENANT, "GET", `${base}/ScheduledDataset`));
  });

  it.each([
    "/insights/v2/mpn/ScheduledDataset",
    "/insights/v1.1/mpn/ScheduledDataset",
    "/insights/v1/xyz/ScheduledDataset",
    "/insights/v1/mpn",
  ])("%s is not a route (404 envelope)", async (p) => {
    const res = await t.call(TENANT, "GET", p);
    expectError(res, 404, "");
  });
});
