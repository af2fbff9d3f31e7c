/**
 * Fault rules (issue #18, docs/faults.md), pure: reading them from a request body, and which rule,
 * if any, a request, an execution or a callback attempt meets. Randomness is a parameter.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import { FieldReader } from "../core/fields.js";

export const FAULT_STATUSES = [429, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];
export const FAULT_TARGETS = ["http", "execution", "callback"] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];
/** Rules one PUT may set, and the longest delay one may add. */
export const MAX_FAULT_RULES = 100;
export const MAX_LATENCY_MS = 60_000;

export interface FaultRule {
  readonly target: FaultTarget;
  /** HTTP rules: the method (upper case), null = any. */
  readonly method: string | null;
  /** HTTP rules: the glob over the request path as given, null for other targets. */
  readonly path: string | null;
  /** HTTP rules: the status answered, null = only the delay. */
  readonly status: FaultStatus | null;
  /** HTTP rules: added before answering (with `status`) or before the request goes on. */
  readonly latencyMs: number;
  /** Share of matching requests, executions or attempts that fail, 0–1. */
  readonly probability: number;
}

const PREFIX = "Invalid fault rules - ";

/** The rules of a `PUT /admin/v1/faults` body `{"Rules": [ … ]}`. */
export function parseFaultRules(body: unknown): FaultRule[] {
  const list = new FieldReader(body, PREFIX).array("Rules", { required: true })!;
  if (list.length > MAX_FAULT_RULES) throw invalid(`${PREFIX}at most ${MAX_FAULT_RULES} rules`);
  return list.map((item, index) => parseRule(item, `${PREFIX}rule ${index + 1}: `));
}

function parseRule(item: unknown, prefix: string): FaultRule {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    throw invalid(`${prefix}each rule must be a JSON object`);
  }
  const fields = new FieldReader(item, prefix);
  const probability = readProbability(fields, prefix);
  const targetText = fields.string("Target")?.trim().toLowerCase();
  const target = targetText === undefined ? "http" : FAULT_TARGETS.find((t) => t === targetText);
  if (!target) throw invalid(`${prefix}Target must be execution or callback (or absent for an HTTP rule)`);
  if (target !== "http") {
    for (const name of ["Method", "Path", "Status", "LatencyMs"]) {
      if (fields.has(name)) throw invalid(`${prefix}${name} applies only to HTTP rules (without Target)`);
    }
    return { target, method: null, path: null, status: null, latencyMs: 0, probability };
  }
  const path = fields.string("Path", { required: true }).trim();
  if (!path.startsWith("/")) throw invalid(`${prefix}Path must start with / (a glob over the request path)`);
  const method = fields.string("Method")?.trim().toUpperCase() || null;
  if (method !== null && !/^[A-Z]+$/.test(method)) throw invalid(`${prefix}Method must be an HTTP method`);
  const statusNumber = fields.integer("Status");
  const status = statusNumber === undefined ? null : FAULT_STATUSES.find((s) => s === statusNumber);
  if (status === undefined) throw invalid(`${prefix}Status must be one of ${FAULT_STATUSES.join(", ")}`);
  const latencyMs = fields.integer("LatencyMs") ?? 0;
  if (latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
    throw invalid(`${prefix}LatencyMs must be from 0 to ${MAX_LATENCY_MS}`);
  }
  if (status === null && latencyMs === 0)
    throw invalid(`${prefix}an HTTP rule needs a Status or a LatencyMs`);
  return { target, method, path, status, latencyMs, probability };
}

function readProbability(fields: FieldReader, prefix: string): number {
  const value = fields.number("Probability") ?? 1;
  if (value < 0 || value > 1) {
    throw invalid(`${prefix}Probability must be a number from 0 to 1`);
  }
  return value;
}

/**
 * A glob over a request path, matched case-insensitively as routes are: `*` any characters within
 * one segment, `**` any characters across segments, `?` one character.
 */
export function pathMatcher(glob: string): RegExp {
  let pattern = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      pattern += ".*";
      i++;
    } else if (char === "*") pattern += "[^/]*";
    else if (char === "?") pattern += "[^/]";
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${pattern}/?$`, "i");
}

/** The first HTTP rule the request meets (each drawing its own chance), or undefined. */
export function httpFault(
  rules: readonly FaultRule[],
  method: string,
  path: string,
  random: () => number,
): FaultRule | undefined {
  return rules.find(
    (rule) =>
      rule.target === "http" &&
      (rule.method === null || rule.method === method.toUpperCase()) &&
      rule.path !== null &&
      pathMatcher(rule.path).test(path) &&
      random() < rule.probability,
  );
}

/** Whether an execution or a callback attempt fails: the first rule of that target decides. */
export function targetFails(rules: readonly FaultRule[], target: FaultTarget, random: () => number): boolean {
  const rule = rules.find((r) => r.target === target);
  return rule !== undefined && random() < rule.probability;
}

export function wireFaultRule(rule: FaultRule) {
  return {
    target: rule.target,
    method: rule.method,
    path: rule.path,
    status: rule.status,
    latencyMs: rule.latencyMs,
    probability: rule.probability,
  };
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
