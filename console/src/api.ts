/**
 * The console's only way to the service: the public API (and the demo sign-in route), with the
 * session's token in the Authorization header. Every answer is the API's envelope; a refused
 * token ends the session and sends the person back to sign in.
 */
import { currentProgram, currentSession, signOut } from "./session";

export interface Envelope<T> {
  value: T[];
  nextLink: string | null;
  totalCount: number;
  message: string | null;
  statusCode: number;
  dataRedacted: boolean;
}

export interface Diagnostic {
  code: string;
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
  token: string;
  expected?: string[];
  suggestion?: string;
}

/** What to show a person for a failed call: the API's (or the form's) message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An answer with a 4xx/5xx status: the API's message, and its diagnostics for query problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

/** The service did not answer at all (stopped, network down). */
export class UnreachableError extends Error {
  constructor() {
    super("The OpenInsights service cannot be reached. Check that it is running, then try again.");
  }
}

export const SESSION_ENDED = "Your session has ended (the token expired or was refused). Sign in again.";

/** A path under the current program's base, e.g. `/ScheduledReport` → `/insights/v1/mpn/ScheduledReport`. */
export function programPath(path: string): string {
  return `/insights/v1/${currentProgram()}${path}`;
}

/**
 * Calls the API with the session's token, or with `candidate` (a token being checked before it is
 * kept: its 401 is the caller's to report, and no session ends).
 */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  candidate?: string,
): Promise<Envelope<T>> {
  const session = candidate === undefined ? currentSession() : null;
  const token = candidate?.trim() ?? session?.token;
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new UnreachableError();
  }
  let answer: (Envelope<T> & { diagnostics?: Diagnostic[] }) | null = null;
  try {
    answer = (await response.json()) as Envelope<T> & { diagnostics?: Diagnostic[] };
  } catch {
    // not JSON (a proxy's error page): the status speaks
  }
  if (response.status === 401 && session) {
    signOut(SESSION_ENDED);
    throw new ApiError(401, SESSION_ENDED);
  }
  if (!response.ok || !answer) {
    if (response.status >= 502 && response.status <= 504 && !answer) throw new UnreachableError();
    throw new ApiError(
      response.status,
      answer?.message ?? `The service answered ${response.status} ${response.statusText}`,
      answer?.diagnostics ?? [],
    );
  }
  return answer;
}

/** Every item of a listing, following nextLink (same origin) page by page. */
export async function requestAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = path;
  while (next) {
    const page: Envelope<T> = await request<T>("GET", next);
    items.push(...page.value);
    next = page.nextLink ? localPath(page.nextLink) : null;
  }
  return items;
}

/**
 * A nextLink as a path on this origin: the API writes absolute links (with
 * OPENINSIGHTS_PUBLIC_URL when set), and the console only ever calls the origin it came from.
 */
export function localPath(link: string): string {
  const url = new URL(link, location.href);
  return `${url.pathname}${url.search}`;
}
