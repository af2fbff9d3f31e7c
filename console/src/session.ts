/**
 * Who is signed in, kept in this tab only (session storage): the bearer token, the program the
 * console shows, and a message for the sign-in page after a session ends.
 */
/** A program's name as the API serves it (`mpn`, `cmp`, or a catalog file's). */
export type Program = string;

/** The role of an operator's token (src/auth/roles.ts): its holder sees the operator pages. */
export const OPERATOR_ROLE = "OpenInsights.Admin";

export interface Session {
  readonly token: string;
  /** The token's `tid` claim, read for display only (the API verifies the token). */
  readonly tenant: string;
  /** Expiry from the token's `exp` claim, when it has one. */
  readonly expires: Date | null;
  /** A demo tenant's name, when signed in as one. */
  readonly label: string | null;
  /**
   * An operator's token (its `roles` claim holds OPERATOR_ROLE): the console shows the operator
   * pages instead of a tenant's. Display only: the admin API checks the role on every call.
   */
  readonly operator: boolean;
}

const TOKEN_KEY = "openinsights.token";
const LABEL_KEY = "openinsights.label";
const PROGRAM_KEY = "openinsights.program";
const NOTICE_KEY = "openinsights.notice";

type Listener = () => void;
const listeners = new Set<Listener>();

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(): void {
  for (const listener of listeners) listener();
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const claims = readClaims(token);
  return {
    token,
    tenant: typeof claims?.tid === "string" ? claims.tid : "unknown tenant",
    expires: typeof claims?.exp === "number" ? new Date(claims.exp * 1000) : null,
    label: sessionStorage.getItem(LABEL_KEY),
    operator: isOperatorClaims(claims),
  };
}

/** Whether `token` is an operator's (display only, like `Session.operator`). */
export function isOperatorToken(token: string): boolean {
  return isOperatorClaims(readClaims(token.trim()));
}

function isOperatorClaims(claims: Record<string, unknown> | null): boolean {
  return Array.isArray(claims?.roles) && claims.roles.includes(OPERATOR_ROLE);
}

/** The payload of a JWT, or null when the text is not one. Not a verification: display only. */
function readClaims(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function signIn(token: string, label: string | null = null): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  if (label) sessionStorage.setItem(LABEL_KEY, label);
  else sessionStorage.removeItem(LABEL_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  changed();
}

/** Ends the session; `notice` is shown on the sign-in page (e.g. why the session ended). */
export function signOut(notice?: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(LABEL_KEY);
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  changed();
}

export function takeNotice(): string | null {
  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  return notice;
}

/** The program last chosen in this tab (mpn until one is); the header checks it against the API's list. */
export function currentProgram(): Program {
  return sessionStorage.getItem(PROGRAM_KEY) ?? "mpn";
}

export function setProgram(program: Program): void {
  sessionStorage.setItem(PROGRAM_KEY, program);
  changed();
}
