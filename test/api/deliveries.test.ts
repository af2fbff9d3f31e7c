/**
 * Failure notifications and the deliveries routes: a report with CallbackOnFailure is called back,
 * signed, when an execution fails for good (with the failure's code and reason); a report without
 * it is not. GET …/execution/{reportId}/deliveries lists every attempt; POST
 * …/deliveries/{executionId}/redeliver sends a callback again, under the same webhook-id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyCallback } from "../../src/webhooks/signing.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { sampleValue } from "../support/metrics.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { Clock, expectError, expectOk, MPN, UNKNOWN_ID } from "./helpers.js";

const TENANT = "0c100000-0000-4000-8000-000000000001";
const OTHER = "0c100000-0000-4000-8000-000000000002";
const QUERY = "SELECT CustomerName, BilledRevenueUSD FROM CustomersAndTenants TIMESPAN LAST_6_MONTHS";

const clock = new Clock(new Date("2024-07-15T10:00:00Z"));
let t: TestApp;
let receiver: Receiver;
let queryId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestApp({
    now: clock.now,
    // One attempt: a storage error is final at once.
    env: { OPENINSIGHTS_CALLBACK_ALLOW: "127.0.0.1,::1", OPENINSIGHTS_MAX_ATTEMPTS: "1" },
  });
  queryId = expectOk(await t.call(TENANT, "POST", `${MPN}/ScheduledQueries`, { Name: "q", Query: QUERY }))
    .value[0].queryId;
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

async function executeNow(fields: Record<string, unknown>): Promise<string> {
  const res = await t.call(TENANT, "POST", `${MPN}/ScheduledReport`, {
    ReportName: "now",
    QueryId: queryId,
    ExecuteNow: true,
    CallbackUrl: `${receiver.url}/hooks`,
    ...fields,
  });
  return expectOk(res).value[0].reportId;
}

/** Runs every due execution. */
async function runAll(): Promise<void> {
  while ((await t.app.worker.runDue(5)) > 0) {
    // until none is due
  }
}

/** Runs the due executions with the file store refusing files: they fail. */
async function runFailing(): Promise<void> {
  const unblock = await t.blockFiles();
  try {
    await runAll();
  } finally {
    await unblock();
  }
}

const deliveriesOf = (reportId: string, tenant = TENANT) =>
  t.call(tenant, "GET", `${MPN}/ScheduledReport/execution/${reportId}/deliveries`);
const redeliver = (reportId: string, executionId: string, tenant = TENANT) =>
  t.call(tenant, "POST", `${MPN}/ScheduledReport/execution/${reportId}/deliveries/${executionId}/redeliver`);
const failedExecution = async (reportId: string) =>
  expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport/execution/${reportId}?executionStatus=Failed`))
    .value[0]!;

describe("CallbackOnFailure", () => {
  it("calls back, signed, with the failure's code and reason when an execution fails for good", async () => {
    const reportId = await executeNow({ CallbackOnFailure: true });
    const report = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport?reportId=${reportId}`))
      .value[0];
    expect(report.callbackOnFailure).toBe(true);
    await runFailing();
    const execution = await failedExecution(reportId);
    expect(execution.failure).toMatchObject({ code: "storage_error", willRetry: false });

    receiver.received.length = 0;
    expect(await t.app.dispatcher.runDue(5)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [callback] = receiver.received;
    const secret = t.app.callbackSecret(TENANT);
    expect(verifyCallback(secret, callback!.headers, callback!.body, clock.now())).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(callback!.body)).toEqual({
      reportId,
      executionId: execution.executionId,
      status: "Failed",
      reportAccessSecureLink: null,
      reportExpiryTime: null,
      reportGeneratedTime: null,
      rowCount: null,
      bytes: null,
      sha256: null,
      failure: { code: "storage_error", reason: execution.failure!.reason },
    });
    expect((await failedExecution(reportId)).callbackDelivery).toMatchObject({ status: "Delivered" });
  });

  it("is off by default: a failed execution of a report without it is not called back", async () => {
    const reportId = await executeNow({});
    const report = expectOk(await t.call(TENANT, "GET", `${MPN}/ScheduledReport?reportId=${reportId}`))
      .value[0];
    expect(report.callbackOnFailure).toBe(false);
    await runFailing();
    const execution = await failedExecution(reportId);
    expect(execution.callbackDelivery).toBeNull();
    expect(await t.app.dispatcher.runDue(5)).toBe(0);
    expect(expectOk(await deliveriesOf(reportId)).value).toEqual([]);
    expectError(await redeliver(reportId, execution.executionId), 404, "No item found with given filters.");
  });

  it("is kept by an update that does not name it, and changed by one that does", async () => {
    const reportId = await executeNow({ CallbackUrl: "", CallbackOnFailure: "true" });
    const update = (fields: Record<string, unknown>) =>
      t.call(TENANT, "PUT", `${MPN}/ScheduledReport/${reportId}`, { ReportName: "renamed", ...fields });
    expect(expectOk(await update({})).value[0].callbackOnFailure).toBe(true);
    expect(expectOk(await update({ CallbackOnFailure: false })).value[0].callbackOnFailure).toBe(false);
  });
});

describe("deliveries and redeliver", () => {
  let reportId: string;
  let executionId: string;

  it("lists every attempt of a report's callbacks", async () => {
    reportId = await executeNow({});
    await runAll();
    receiver.respondWith(503);
    expect(await t.app.dispatcher.runDue(5)).toBe(1);
    receiver.respondWith(200);
    const [delivery] = expectOk(await deliveriesOf(reportId)).value;
    executionId = delivery.executionId;
    expect(delivery).toMatchObject({
      reportId,
      status: "Pending",
      url: `${receiver.url}/hooks/${reportId}`,
      method: "POST",
      deliveredTime: null,
      attempts: [{ attempt: 1, statusCode: 503, error: expect.stringContaining("503") }],
    });
    expect(delivery.nextAttemptTime).not.toBeNull();
  });

  it("sends a callback again at once, under the same webhook-id, and lists the new attempt", async () => {
    receiver.received.length = 0;
    const queued = expectOk(await redeliver(reportId, executionId));
    expect(queued.message).toBe("Callback queued for redelivery");
    expect(queued.value[0]).toMatchObject({ executionId, status: "Pending", nextAttemptTime: clock.in(0) });
    expect(await t.app.dispatcher.runDue(5)).toBe(1);
    // Delivered; and once more on request.
    expectOk(await redeliver(reportId, executionId));
    expect(await t.app.dispatcher.runDue(5)).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const listed = await deliveriesOf(reportId);
    expectOk(listed);
    const delivery = listed.body.value[0];
    expect(delivery.webhookId).toBe(receiver.received[0]!.headers["webhook-id"]);
    expect(delivery).toMatchObject({ status: "Delivered", nextAttemptTime: null });
    expect(delivery.attempts.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([
      503, 200, 200,
    ]);
  });

  it("counts failed executions and callback outcomes in the metrics", async () => {
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    // Two failed executions (above), and the callback attempts of this file.
    expect(
      sampleValue(text, "openinsights_executions_finished_total", { program: "mpn", status: "Failed" }),
    ).toBe(2);
    expect(sampleValue(text, "openinsights_callback_deliveries_total", { outcome: "retry" })).toBe(1);
    expect(sampleValue(text, "openinsights_callback_deliveries_total", { outcome: "delivered" })).toBe(3);
  });

  it("answers 404 for another report's execution, an unknown one, or another tenant", async () => {
    const other = await executeNow({});
    expectError(await redeliver(other, executionId), 404, "No item found with given filters.");
    expectError(await redeliver(reportId, UNKNOWN_ID), 404, "No item found with given filters.");
    expectError(await redeliver(reportId, executionId, OTHER), 404, "No item found with given filters.");
    expectError(await deliveriesOf(reportId, OTHER), 404, "No item found with given filters.");
    expectError(await deliveriesOf(UNKNOWN_ID), 404, "No item found with given filters.");
  });
});
