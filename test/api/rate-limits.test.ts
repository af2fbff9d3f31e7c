/**
 * Per-tenant rate limits (OPENINSIGHTS_RATE_LIMIT_PER_MINUTE, OPENINSIGHTS_RATE_LIMIT_OPERATIONS):
 * every answer to an authenticated request carries RateLimit-Limit/Remaining/Reset; over the limit,
 * a 429 in the envelope with Retry-After; tenants and overridden operations have buckets of their
 * own. On PostgreSQL the buckets are rows of the database (see test/ratelimit/buckets.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { sampleValue } from "../support/metrics.js";
import { Clock, expectError, expectOk, MPN, QUERY_TEXT, type Res } from "./helpers.js";

const PER_MINUTE = 5;
const TEST_QUERY_PER_MINUTE = 2;
const TENANT = "0b100000-0000-4000-8000-000000000001";
const OTHER = "0b100000-0000-4000-8000-000000000002";
const TOO_MANY = `Too many requests: the limit is ${PER_MINUTE} per minute for all operations of a tenant; the next request is allowed in 12 s. OPENINSIGHTS_RATE_LIMIT_PER_MINUTE raises the limit`;

const clock = new Clock();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    now: clock.now,
    env: {
      OPENINSIGHTS_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      OPENINSIGHTS_RATE_LIMIT_OPERATIONS: `testQuery=${TEST_QUERY_PER_MINUTE}`,
    },
  });
});
afterAll(async () => t?.close());

const limitHeaders = (res: Res) => ({
  limit: res.headers.get("ratelimit-limit"),
  remaining: res.headers.get("ratelimit-remaining"),
  reset: res.headers.get("ratelimit-reset"),
  retryAfter: res.headers.get("retry-after"),
});

const testQuery = (tenant: string) =>
  t.call(
    tenant,
    "GET",
    `${MPN}/ScheduledQueries/testQueryResult?exportQuery=${encodeURIComponent(QUERY_TEXT.mpn)}`,
  );

describe("per-tenant token bucket", () => {
  it("counts down on every answer (errors too), then answers 429 with Retry-After; refills at the rate", async () => {
    const answers = [
      await t.call(TENANT, "GET", `${MPN}/ScheduledQueries`),
      await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${crypto.randomUUID()}`),
      await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, { Name: "bad" }),
      await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`),
      await t.call(TENANT, "GET", `${MPN}/ScheduledReport`),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 404, 400, 200, 200]);
    expect(answers.map((res) => limitHeaders(res).remaining)).toEqual(["4", "3", "2", "1", "0"]);
    expect(limitHeaders(answers[0]!)).toEqual({ limit: "5", remaining: "4", reset: "12", retryAfter: null });

    const refused = await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, {
      Name: "q",
      Query: QUERY_TEXT.mpn,
    });
    expectError(refused, 429, TOO_MANY);
    expect(refused.body.message).toBe(TOO_MANY);
    expect(limitHeaders(refused)).toEqual({ limit: "5", remaining: "0", reset: "60", retryAfter: "12" });
    // Nothing was created.
    clock.advance(60_000);
    expect(
      expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledQueries?includeSystemQueries=false`)).value,
    ).toEqual([]);

    // One token every 12 s: just before, still refused; at 12 s, allowed.
    for (let i = 0; i < 4; i++) expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`));
    expect((await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`)).status).toBe(429);
    clock.advance(11_999);
    expect((await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`)).status).toBe(429);
    clock.advance(1);
    const again = await t.call(TENANT, "GET", `${MPN}/ScheduledDataset`);
    expect(again.status).toBe(200);
    expect(limitHeaders(again)).toMatchObject({ remaining: "0", retryAfter: null });
  });

  it("counts both programs of a tenant together; another tenant has its own bucket", async () => {
    const cmp = await t.call(TENANT, "GET", "/insights/v1/cmp/ScheduledDataset");
    expect(cmp.status).toBe(429);
    const other = await t.call(OTHER, "GET", `${MPN}/ScheduledDataset`);
    expect(other.status).toBe(200);
    expect(limitHeaders(other).remaining).toBe("4");
  });

  it("an operation with its own rate has its own bucket, and leaves the tenant's alone", async () => {
    const tenant = "0b100000-0000-4000-8000-000000000003";
    const first = await testQuery(tenant);
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: "2", remaining: "1" });
    expect((await testQuery(tenant)).status).toBe(200);
    const refused = await testQuery(tenant);
    expectError(
      refused,
      429,
      "Too many requests: the limit is 2 per minute for the operation testQuery of a tenant; the next request is allowed in 30 s. OPENINSIGHTS_RATE_LIMIT_OPERATIONS raises the limit",
    );
    expect(limitHeaders(refused).retryAfter).toBe("30");
    expect(limitHeaders(await t.call(tenant, "GET", `${MPN}/ScheduledDataset`))).toMatchObject({
      limit: "5",
      remaining: "4",
    });
  });

  it("answers without a tenant (no or a bad token, health) carry no rate-limit headers", async () => {
    const anonymous = await t.call(null, "GET", `${MPN}/ScheduledDataset`);
    expect(anonymous.status).toBe(401);
    expect(limitHeaders(anonymous)).toEqual({ limit: null, remaining: null, reset: null, retryAfter: null });
    expect(limitHeaders(await t.call(null, "GET", "/healthz")).limit).toBeNull();
  });

  it("counts refusals by operation in the metrics", async () => {
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(sampleValue(text, "openinsights_rate_limited_total", { operation: "createQuery" })).toBe(1);
    expect(sampleValue(text, "openinsights_rate_limited_total", { operation: "testQuery" })).toBe(1);
    expect(sampleValue(text, "openinsights_rate_limited_total", { operation: "datasets" })).toBe(3);
  });
});

describe("configuration", () => {
  it("refuses an unknown operation name, naming the known ones", () => {
    expect(() => loadConfig({ OPENINSIGHTS_RATE_LIMIT_OPERATIONS: "testQueries=5" })).toThrow(
      /'testQueries' is not an operation; use one of datasets, callbackSecret, createQuery/,
    );
    expect(
      loadConfig({ OPENINSIGHTS_RATE_LIMIT_OPERATIONS: " TestQuery = 0 , createreport=30" }).rateLimit,
    ).toEqual({
      perMinute: 1200,
      operations: { testQuery: 0, createReport: 30 },
    });
  });
});
