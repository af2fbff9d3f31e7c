import { describe, expect, it } from "vitest";
import { callbackPayload } from "../../src/webhooks/payload.js";

describe("callbackPayload", () => {
  it("is camelCase JSON with wire times, in a fixed order", () => {
    const body = callbackPayload({
      reportId: "r1",
      executionId: "e1",
      status: "Completed",
      reportAccessSecureLink: "https://insights.example/files/abc?sig=1",
      reportExpiryTime: new Date("2024-05-02T10:00:00.123Z"),
      reportGeneratedTime: new Date("2024-05-01T10:00:00Z"),
      rowCount: 42,
      bytes: 1234,
      sha256: "ab".repeat(32),
      failure: null,
    });
    expect(body).toBe(
      '{"reportId":"r1","executionId":"e1","status":"Completed",' +
        '"reportAccessSecureLink":"https://insights.example/files/abc?sig=1",' +
        '"reportExpiryTime":"2024-05-02T10:00:00Z","reportGeneratedTime":"2024-05-01T10:00:00Z",' +
        `"rowCount":42,"bytes":1234,"sha256":"${"ab".repeat(32)}","failure":null}`,
    );
  });

  it("keeps unknown values as null", () => {
    const parsed = JSON.parse(
      callbackPayload({
        reportId: "r1",
        executionId: "e1",
        status: "Completed",
        reportAccessSecureLink: null,
        reportExpiryTime: null,
        reportGeneratedTime: null,
        rowCount: null,
        bytes: null,
        sha256: null,
        failure: null,
      }),
    );
    expect(parsed).toEqual({
      reportId: "r1",
      executionId: "e1",
      status: "Completed",
      reportAccessSecureLink: null,
      reportExpiryTime: null,
      reportGeneratedTime: null,
      rowCount: null,
      bytes: null,
      sha256: null,
      failure: null,
    });
  });

  it("says why a Failed execution failed (CallbackOnFailure)", () => {
    const parsed = JSON.parse(
      callbackPayload({
        reportId: "r1",
        executionId: "e1",
        status: "Failed",
        reportAccessSecureLink: null,
        reportExpiryTime: null,
        reportGeneratedTime: null,
        rowCount: null,
        bytes: null,
        sha256: null,
        failure: { code: "engine_error", reason: "Out of memory" },
      }),
    );
    expect(parsed).toMatchObject({
      status: "Failed",
      failure: { code: "engine_error", reason: "Out of memory" },
    });
  });
});
