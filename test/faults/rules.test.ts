/** Fault rules, pure: parsing with clear messages, path globs, which rule applies, chances. */
import { describe, expect, it } from "vitest";
import { httpFault, parseFaultRules, pathMatcher, targetFails } from "../../src/faults/rules.js";

describe("parseFaultRules", () => {
  it("reads HTTP, execution and callback rules with their defaults, in any casing", () => {
    expect(
      parseFaultRules({
        rules: [
          { method: "get", path: "/insights/v1/mpn/ScheduledReport/execution/*", status: 503 },
          { Path: "/insights/**", LatencyMs: "250", Probability: "0.5" },
          { Target: "Execution", Probability: 0.25 },
          { target: "callback" },
        ],
      }),
    ).toEqual([
      {
        target: "http",
        method: "GET",
        path: "/insights/v1/mpn/ScheduledReport/execution/*",
        status: 503,
        latencyMs: 0,
        probability: 1,
      },
      { target: "http", method: null, path: "/insights/**", status: null, latencyMs: 250, probability: 0.5 },
      { target: "execution", method: null, path: null, status: null, latencyMs: 0, probability: 0.25 },
      { target: "callback", method: null, path: null, status: null, latencyMs: 0, probability: 1 },
    ]);
    expect(parseFaultRules({ Rules: [] })).toEqual([]);
  });

  it.each([
    [{}, "Null or missing value: Rules is required"],
    [{ Rules: {} }, "Invalid fault rules - Rules must be a list"],
    [{ Rules: [1] }, "Invalid fault rules - rule 1: each rule must be a JSON object"],
    [{ Rules: [{ Status: 503 }] }, "Null or missing value: Path is required"],
    [{ Rules: [{ Path: "x", Status: 503 }] }, "Invalid fault rules - rule 1: Path must start with /"],
    [
      { Rules: [{ Path: "/x", Status: 404 }] },
      "Invalid fault rules - rule 1: Status must be one of 429, 500, 503",
    ],
    [{ Rules: [{ Path: "/x" }] }, "Invalid fault rules - rule 1: an HTTP rule needs a Status or a LatencyMs"],
    [
      { Rules: [{ Path: "/x", LatencyMs: 60_001 }] },
      "Invalid fault rules - rule 1: LatencyMs must be from 0 to 60000",
    ],
    [
      { Rules: [{ Path: "/x", Status: 503, Method: "G T" }] },
      "Invalid fault rules - rule 1: Method must be an HTTP method",
    ],
    [{ Rules: [{ Target: "disk" }] }, "Invalid fault rules - rule 1: Target must be execution or callback"],
    [
      { Rules: [{ Target: "execution", Status: 503 }] },
      "Invalid fault rules - rule 1: Status applies only to HTTP rules",
    ],
    [
      { Rules: [{ Target: "callback", Probability: -0.1 }] },
      "Invalid fault rules - rule 1: Probability must be a number from 0 to 1",
    ],
    [
      { Rules: [{ Target: "callback", Probability: "often" }] },
      "Invalid fault rules - rule 1: Probability must be a number",
    ],
    [{ Rules: Array(101).fill({ Target: "callback" }) }, "Invalid fault rules - at most 100 rules"],
  ])("refuses %j: %s", (body, message) => {
    expect(() => parseFaultRules(body)).toThrow(message);
  });
});

describe("path globs", () => {
  it.each([
    ["/insights/v1/mpn/ScheduledReport/execution/*", "/insights/v1/mpn/ScheduledReport/execution/abc", true],
    ["/insights/v1/mpn/ScheduledReport/execution/*", "/INSIGHTS/v1/MPN/scheduledreport/execution/abc/", true],
    [
      "/insights/v1/mpn/ScheduledReport/execution/*",
      "/insights/v1/mpn/ScheduledReport/execution/a/deliveries",
      false,
    ],
    ["/insights/v1/mpn/ScheduledReport/execution/*", "/insights/v1/cmp/ScheduledReport/execution/abc", false],
    ["/insights/**", "/insights/v1/cmp/ScheduledReport/execution/a/deliveries", true],
    ["/insights/v1/?pn/ScheduledDataset", "/insights/v1/mpn/ScheduledDataset", true],
    ["/insights/v1/mpn/Scheduled(Dataset)", "/insights/v1/mpn/ScheduledDataset", false],
    ["/insights/v1/mpn/Scheduled(Dataset)", "/insights/v1/mpn/Scheduled(Dataset)", true],
  ])("%s against %s: %s", (glob, path, matches) => {
    expect(pathMatcher(glob).test(path)).toBe(matches);
  });
});

describe("which rule applies", () => {
  const rules = parseFaultRules({
    Rules: [
      { Method: "GET", Path: "/a/*", Status: 429, Probability: 0.5 },
      { Path: "/a/*", Status: 500 },
      { Target: "execution", Probability: 0.3 },
      { Target: "execution", Probability: 1 },
    ],
  });
  it("takes the first matching HTTP rule that wins its draw", () => {
    expect(httpFault(rules, "GET", "/a/b", () => 0.49)?.status).toBe(429);
    expect(httpFault(rules, "GET", "/a/b", () => 0.5)?.status).toBe(500);
    expect(httpFault(rules, "POST", "/a/b", () => 0)?.status).toBe(500);
    expect(httpFault(rules, "GET", "/b", () => 0)).toBeUndefined();
  });
  it("decides executions and callbacks by the first rule of their target", () => {
    expect(targetFails(rules, "execution", () => 0.29)).toBe(true);
    expect(targetFails(rules, "execution", () => 0.3)).toBe(false);
    expect(targetFails(rules, "callback", () => 0)).toBe(false);
    expect(targetFails([], "execution", () => 0)).toBe(false);
  });
});
