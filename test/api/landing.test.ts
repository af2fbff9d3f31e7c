/**
 * What a new user opening the service sees: a landing page at `/` (name, version, links), and an
 * API reference under the product's name whose examples "Try it out" runs unedited.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANTS } from "../../src/demo/tenants.js";
import { startTestApp, type TestApp } from "../support/app.js";

const VERSION = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8"),
).version;
const TENANT = DEMO_TENANTS[0]!.id;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ demoRows: 5_000 });
});
afterAll(async () => t?.close());

describe("/", () => {
  it("is a small HTML page for browsers: name, version, links to the reference and health", async () => {
    const response = await fetch(`${t.baseUrl}/`, { headers: { accept: "text/html,*/*" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("<title>OpenInsights</title>");
    expect(html).toContain(VERSION);
    for (const href of ["/console", "/docs", "/openapi.json", "/healthz", "/readyz"])
      expect(html).toContain(`href="${href}"`);
  });

  it("is the envelope for API clients", async () => {
    const res = await t.call(null, "GET", "/");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, value: [{ name: "OpenInsights", version: VERSION }] });
    expect(res.body.value[0].links.map((link: { href: string }) => link.href)).toEqual([
      "/console",
      "/docs",
      "/openapi.json",
      "/healthz",
      "/readyz",
    ]);
  });
});

describe("the API reference", () => {
  // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read field by field
  let spec: any;
  beforeAll(async () => {
    spec = await (await fetch(`${t.baseUrl}/openapi.json`)).json();
  });

  it("carries the product's name and version", async () => {
    expect(spec.info.title).toMatch(/^OpenInsights/);
    expect(spec.info.version).toBe(VERSION);
    const page = await (await fetch(`${t.baseUrl}/docs/`)).text();
    expect(page).toContain("<title>OpenInsights API reference</title>");
  });

  /** The first example of a JSON request body, wherever the OpenAPI document keeps it. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  function bodyExample(operation: any): unknown {
    const content = operation.requestBody.content["application/json"];
    return (
      (Object.values(content.examples ?? {})[0] as { value?: unknown } | undefined)?.value ??
      content.example ??
      content.schema.examples?.[0]
    );
  }

  it.each(["mpn", "cmp"])("has %s examples that run unedited on the demo data", async (program) => {
    const base = `/insights/v1/${program}`;
    const queryBody = bodyExample(spec.paths[`${base}/ScheduledQueries`].post);
    const created = await t.call(TENANT, "POST", `${base}/ScheduledQueries`, queryBody);
    expect(created.status, JSON.stringify(created.body)).toBe(200);

    const parameter = spec.paths[`${base}/ScheduledQueries/testQueryResult`].get.parameters.find(
      (p: { name: string }) => p.name === "exportQuery",
    );
    const exportQuery: string =
      parameter.example ??
      (Object.values(parameter.examples ?? {})[0] as { value?: string } | undefined)?.value ??
      parameter.schema.examples?.[0];
    const tried = await t.call(
      TENANT,
      "GET",
      `${base}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(exportQuery)}`,
    );
    expect(tried.status, JSON.stringify(tried.body)).toBe(200);

    const reportBody = bodyExample(spec.paths[`${base}/ScheduledReport`].post);
    const report = await t.call(TENANT, "POST", `${base}/ScheduledReport`, reportBody);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.value[0].executeNow).toBe(true);
  });
});
