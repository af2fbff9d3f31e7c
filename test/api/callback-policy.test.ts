/** Callback URLs pointing inside the network are refused at report creation unless allow-listed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

const TENANT = "7c1f6a52-3b8e-4d0a-9f21-5e6d7c8b9a01";
const SYSTEM_QUERY = "6664daf3-c161-423a-92a1-0ea6db2c0384";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1,hooks.internal" } });
});
afterAll(async () => t?.close());

const create = (callbackUrl: string) =>
  t.call(TENANT, "POST", "/insights/v1/mpn/ScheduledReport", {
    ReportName: "Callback policy",
    QueryId: SYSTEM_QUERY,
    ExecuteNow: true,
    CallbackUrl: callbackUrl,
  });

describe("callback address policy at report creation", () => {
  it.each([
    "http://10.0.0.5/hook",
    "http://192.168.1.20/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]:8080/hook",
    "http://[fd00::1]/hook",
    "http://localhost.localdomain/hook",
    "ftp://example.com/hook",
    "http://user:secret@example.com/hook",
    "not a url",
  ])("refuses %s with a 400", async (url) => {
    const { status, body } = await create(url);
    expect(status).toBe(400);
    expect(body.message).toMatch(/CallbackUrl|callback/i);
  });

  it.each(["http://127.0.0.1:9/hook", "http://hooks.internal/hook", "https://example.com/hooks?x=1"])(
    "accepts %s (public, or allow-listed)",
    async (url) => {
      const { status, body } = await create(url);
      expect(status).toBe(200);
      expect(body.value[0].callbackUrl).toBe(url);
    },
  );
});
