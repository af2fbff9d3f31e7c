/** The load state machine: Running → Completed | Failed, and nothing after. */
import { describe, expect, it } from "vitest";
import { finishLoad, type LoadOutcome, startLoad } from "../../src/loads/model.js";

const started = startLoad(
  { id: "l-1", program: "acme", dataset: "Orders", tenant: "t", mode: "replace" },
  new Date("2026-12-01T00:00:00Z"),
);
const at = new Date("2026-12-01T00:01:00Z");

describe("loads", () => {
  it("start Running, with nothing counted yet", () => {
    expect(started).toMatchObject({
      status: "Running",
      rowCount: null,
      bytes: null,
      failureReason: null,
      finishedAt: null,
    });
  });

  it.each<[string, LoadOutcome, object]>([
    [
      "Completed",
      { status: "Completed", at, rowCount: 7, bytes: 70 },
      { rowCount: 7, bytes: 70, failureReason: null },
    ],
    [
      "Failed",
      { status: "Failed", at, reason: "line 3: bad", bytes: 12 },
      { rowCount: null, bytes: 12, failureReason: "line 3: bad" },
    ],
  ])("end %s, once", (status, outcome, fields) => {
    const ended = finishLoad(started, outcome);
    expect(ended).toEqual({ ...started, status, finishedAt: at, ...fields });
    expect(() => finishLoad(ended, outcome)).toThrow(`Load l-1 is ${status}, not Running`);
  });
});
