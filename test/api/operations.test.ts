import { describe, expect, it } from "vitest";
import { operationOf } from "../../src/api/operations.js";

describe("operationOf", () => {
  it.each([
    ["GET", "/insights/v1/mpn/ScheduledDataset", "datasets"],
    ["GET", "/insights/v1.1/cmp/ScheduledReport/execution/:reportId", "executions"],
    // A catalog file's program: its base is data, not a fixed list.
    ["POST", "/insights/v1/acme/ScheduledReport", "createReport"],
    ["PUT", "/insights/v1/acme/ScheduledReport/pause/:reportId", "pauseReport"],
    ["DELETE", "/insights/v1/acme/ScheduledQueries/:queryId", "deleteQuery"],
    [
      "POST",
      "/insights/v1/acme/ScheduledReport/execution/:reportId/deliveries/:executionId/redeliver",
      "redeliver",
    ],
    ["GET", "/admin/v1/loads", "other"],
    ["GET", undefined, "other"],
  ])("%s %s is %s", (method, url, operation) => {
    expect(operationOf(method, url)).toBe(operation);
  });
});
