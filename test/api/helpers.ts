import { expect } from "vitest";
import type { WireQuery, wireExecution, wireReport } from "../../src/api/wire.js";
import type { TestApp } from "../support/app.js";

export const MPN = "/insights/v1/mpn";
export const CMP = "/insights/v1/cmp";
export const CMP11 = "/insights/v1.1/cmp";

/** The built-in programs, which every API suite runs against. */
export type BuiltInProgram = "mpn" | "cmp";

export const BASES: readonly { readonly base: string; readonly program: BuiltInProgram }[] = [
  { base: MPN, program: "mpn" },
  { base: CMP, program: "cmp" },
  { base: CMP11, program: "cmp" },
];

/** A valid query per program (documented examples), and a dataset minimum recurrence each. */
export const QUERY_TEXT: Record<BuiltInProgram, string> = {
  mpn: "SELECT CustomerTenantId, PaidAvailableUnits FROM OfficeUsage TIMESPAN LAST_MONTH",
  cmp: "SELECT MarketplaceSubscriptionId,CustomerId FROM ISVUsage TIMESPAN LAST_MONTH",
};
export const INTERVAL: Record<BuiltInProgram, number> = { mpn: 24, cmp: 4 };

/** A system query id per program (reference §4). */
export const SYSTEM_QUERY: Record<BuiltInProgram, string> = {
  mpn: "e65f3a4f-fb99-4319-97ff-59e57566a871", // Partner Profile
  cmp: "b9df4929-073f-4795-b0cb-a2c81b11e28d", // Customers report for the last 6M
};

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

export const NO_ITEM = "No item found with given filters.";
export const NO_EXECUTIONS =
  "There are no executions that have occurred for the given filter conditions. Please recheck the reportId or executionId and retry the API after the report's scheduled execution time";
export const CREATE_PREFIX = "Invalid report parameters for creation - ";

/** yyyy-MM-ddTHH:mm:ssZ */
export function wire(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** A settable fake clock for `startTestApp({ now })`. */
export class Clock {
  constructor(private current = new Date("2031-03-01T08:00:00Z")) {}
  readonly now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  /** `ms` from now, as the API writes times. */
  in(ms: number): string {
    return wire(new Date(this.current.getTime() + ms));
  }
}

/** What the harness's `call` answers. */
export type Res = Awaited<ReturnType<TestApp["call"]>>;

/**
 * Any object in `value`: a query, a report or an execution (their fields do not clash), or a
 * test-query row (other keys, unknown).
 */
export type Item = WireQuery &
  ReturnType<typeof wireReport> &
  ReturnType<typeof wireExecution> &
  Record<string, unknown>;

/** An array whose first elements are known to be there (the tests check lengths separately). */
export type Items<T> = T[] & { 0: T; 1: T; 2: T };

/** The response envelope (reference §1.3). */
export interface Body<T = Item> {
  value: Items<T>;
  nextLink: string | null;
  totalCount: number;
  message: string | null;
  statusCode: number;
  dataRedacted: boolean;
  diagnostics?: { line: number; column: number }[];
}

/** Asserts an error answer: status, the envelope, and a message starting with `prefix`. */
export function expectError(res: Res, status: number, prefix: string): void {
  expect({ status: res.status, message: res.body?.message }, `body: ${JSON.stringify(res.body)}`).toEqual({
    status,
    message: expect.stringMatching(new RegExp(`^${escapeRegExp(prefix)}`)),
  });
  expect(res.body).toMatchObject({
    value: [],
    statusCode: status,
    totalCount: 0,
    nextLink: null,
    dataRedacted: false,
  });
}

export function expectOk(res: Res): Body {
  expect(res.status, `body: ${JSON.stringify(res.body)}`).toBe(200);
  expect(res.body).toMatchObject({ statusCode: 200, dataRedacted: false });
  expect(res.body.totalCount).toBe(res.body.value.length);
  return res.body as Body;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export async function createQuery(
  t: TestApp,
  tenant: string,
  base: string,
  program: BuiltInProgram,
  fields: Record<string, unknown> = {},
): Promise<Item> {
  const res = await t.call(tenant, "POST", `${base}/ScheduledQueries`, {
    Name: "Query",
    Description: "made by a test",
    Query: QUERY_TEXT[program],
    ...fields,
  });
  return expectOk(res).value[0];
}

/** A scheduled report, starting `startInMs` after `clock` (default one day). */
export async function createReport(
  t: TestApp,
  tenant: string,
  base: string,
  program: BuiltInProgram,
  queryId: string,
  clock: Clock | null,
  fields: Record<string, unknown> = {},
): Promise<Item> {
  const start = clock ? clock.in(24 * HOUR) : wire(new Date(Date.now() + 24 * HOUR));
  const res = await t.call(tenant, "POST", `${base}/ScheduledReport`, {
    ReportName: "Report",
    QueryId: queryId,
    StartTime: start,
    RecurrenceInterval: INTERVAL[program],
    ...fields,
  });
  return expectOk(res).value[0];
}

/** The path and query of an absolute nextLink, checked to point back at the app. */
export function linkPath(t: TestApp, link: string): string {
  expect(link.startsWith(`${t.baseUrl}/`), `nextLink ${link} should start with ${t.baseUrl}/`).toBe(true);
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

/** Follows nextLink until null; returns every page's body. */
export async function walk(t: TestApp, tenant: string, first: string, maxPages = 100): Promise<Body[]> {
  const pages: Body[] = [];
  let next: string | null = first;
  while (next !== null) {
    const res = await t.call(tenant, "GET", next);
    pages.push(expectOk(res));
    const link: string | null = res.body.nextLink;
    next = link === null ? null : linkPath(t, link);
    if (pages.length > maxPages) throw new Error(`more than ${maxPages} pages from ${first}`);
  }
  return pages;
}

export async function walkItems(t: TestApp, tenant: string, first: string): Promise<Items<Item>> {
  return (await walk(t, tenant, first)).flatMap((page) => page.value) as Items<Item>;
}

const ALL_STATUSES = "Pending;Running;Paused;Completed;Failed";

/**
 * Everything a tenant has stored under a base: user queries, reports and all their executions.
 * Compared before and after rejected requests ("no bad input changes stored data").
 */
export async function snapshot(t: TestApp, tenant: string, base: string): Promise<unknown> {
  const queries = await walkItems(t, tenant, `${base}/ScheduledQueries?includeSystemQueries=false`);
  const reports = await walkItems(t, tenant, `${base}/ScheduledReport`);
  const executions: Record<string, unknown[]> = {};
  for (const report of reports) {
    const res = await t.call(
      tenant,
      "GET",
      `${base}/ScheduledReport/execution/${report.reportId}?executionStatus=${ALL_STATUSES}&getLatestExecution=false`,
    );
    if (res.status === 404) executions[report.reportId] = [];
    else
      executions[report.reportId] = await walkItems(
        t,
        tenant,
        `${base}/ScheduledReport/execution/${report.reportId}?executionStatus=${ALL_STATUSES}&getLatestExecution=false`,
      );
  }
  return { queries, reports, executions };
}

/** Loads rows (CSV text with a header) into a dataset for one tenant. */
/** Plain fetch against the app with arbitrary headers (no token added). */
export async function raw(
  t: TestApp,
  method: string,
  pathAndQuery: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Res> {
  const response = await fetch(`${t.baseUrl}${pathAndQuery}`, {
    method,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}
