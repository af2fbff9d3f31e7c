/**
 * Request authentication, framework-free: give `authenticate` the request headers and the program
 * the route belongs to; get back who is calling, or an AppError.
 *
 * - 401 `UNAUTHORIZED`, message exactly "Unauthorized", for anything wrong with the token. Why is
 *   in `details.reason`, for server logs only; `details.description` names the class of problem
 *   for the client (`TOKEN_PROBLEMS`, sent in `WWW-Authenticate`).
 * - 403 `FORBIDDEN` for a valid token without the role/scope the program requires.
 * - 503 `UNAVAILABLE` ("The identity provider is unavailable") when a configured identity
 *   provider's discovery document or key set cannot be fetched, so that an outage does not
 *   look like bad credentials to clients.
 *
 * Trusted key sources: the local signing key (issuer `openinsights-local`), OIDC issuers (the
 * discovery document's `issuer` is what tokens must carry, with `{tenantid}` templates as in
 * Entra's multi-tenant documents), and JWKS URLs (with or without a fixed issuer name).
 * Discovery documents and key sets are cached; jose's remote key set refetches on unknown `kid`.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWSAlgorithm,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { AuthConfig, AuthProgram } from "./config.js";
import { ensureLocalKey, LOCAL_ISSUER } from "./local-key.js";
import { ADMIN_ROLE, isAdmin } from "./roles.js";

export interface Principal {
  /** The `tid` claim. */
  readonly tenant: string;
  /** `upn`, `preferred_username`, `unique_name`, `oid` (first present), else `sub`. */
  readonly user: string;
  /** The `roles` claim and the space-separated `scp` claim, together. */
  readonly roles: string[];
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface Authenticator {
  /** A tenant calling a program's API; an operator's (admin) token is refused with 403. */
  authenticate(headers: RequestHeaders, program: AuthProgram): Promise<Principal>;
  /** An operator calling the `/admin/` API: the token must hold ADMIN_ROLE (403 otherwise). */
  authenticateAdmin(headers: RequestHeaders): Promise<Principal>;
}

export interface AuthenticatorOptions {
  readonly dataDir: string;
  /** Used for discovery documents and key sets; default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Asymmetric algorithms only: no `none`, no HMAC (a public key must never serve as a secret). */
export const ACCEPTED_ALGORITHMS: readonly JWSAlgorithm[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const MAX_TOKEN_LENGTH = 16_384;
const HTTP_TIMEOUT_MS = 5_000;
const DISCOVERY_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DISCOVERY_RETRY_MS = 30_000;
const JWKS_OPTIONS = { timeoutDuration: HTTP_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 };

export async function createAuthenticator(
  config: AuthConfig,
  options: AuthenticatorOptions,
): Promise<Authenticator> {
  const fetchImpl: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
  const remoteKeys = (url: string): JWTVerifyGetKey =>
    createRemoteJWKSet(new URL(url), {
      ...JWKS_OPTIONS,
      [customFetch]: (href, init) => fetchImpl(href, init),
    });

  const sources: KeySource[] = [];
  if (config.localKey) {
    const key = await ensureLocalKey(options.dataDir);
    const getKey = createLocalJWKSet({ keys: [key.publicJwk] });
    sources.push({ label: "local key", resolve: async () => ({ issuer: LOCAL_ISSUER, getKey }) });
  }
  for (const trusted of config.issuers) {
    if (trusted.discoveryUrl) {
      sources.push(oidcSource(trusted.discoveryUrl, fetchImpl, remoteKeys));
    } else if (trusted.jwksUrl) {
      const getKey = remoteKeys(trusted.jwksUrl);
      const issuer = trusted.issuer;
      sources.push({ label: `JWKS ${trusted.jwksUrl}`, resolve: async () => ({ issuer, getKey }) });
    }
  }
  // Fetch discovery documents now, so the first request does not wait; failures are retried later.
  for (const source of sources) source.resolve().catch(() => undefined);

  const verifyOptions = {
    algorithms: [...ACCEPTED_ALGORITHMS],
    audience: [...config.audiences],
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ["exp"],
  };
  const verified = new VerifiedTokens();
  const principalOf = async (headers: RequestHeaders) => {
    const token = extractToken(headers);
    return principalFrom(await verified.get(token, () => verifyToken(token, sources, verifyOptions)));
  };

  return {
    async authenticate(headers, program) {
      const principal = await principalOf(headers);
      if (isAdmin(principal)) {
        throw new AppError(
          ERROR_CODES.FORBIDDEN,
          `An operator's token (role ${ADMIN_ROLE}) is not a tenant's and reads no tenant's reports: use a tenant's token`,
          { reason: "admin token on a tenant route", program, user: principal.user },
        );
      }
      // Own keys only: a catalog may name a program like an Object.prototype member.
      const required = Object.hasOwn(config.requiredRoles, program)
        ? config.requiredRoles[program]
        : undefined;
      if (required !== undefined && !principal.roles.includes(required)) {
        throw new AppError(
          ERROR_CODES.FORBIDDEN,
          `The token lacks the role or scope '${required}' required for the ${program} API`,
          { reason: `missing role '${required}'`, program, tenant: principal.tenant, user: principal.user },
        );
      }
      return principal;
    },

    async authenticateAdmin(headers) {
      const principal = await principalOf(headers);
      if (!isAdmin(principal)) {
        throw new AppError(
          ERROR_CODES.FORBIDDEN,
          `The /admin/ API needs an operator's token, with the role ${ADMIN_ROLE} (openinsights token --admin); a tenant's token is not one`,
          { reason: `missing role '${ADMIN_ROLE}'`, tenant: principal.tenant, user: principal.user },
        );
      }
      return principal;
    },
  };
}

/**
 * Verified tokens, remembered for a short while: clients send the same token with every request
 * for up to an hour, and a signature check costs more than the rest of a small request. An entry
 * lives until the token expires, at most VERIFIED_TTL_MS.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { payload: JWTPayload; until: number }>();

  async get(token: string, verify: () => Promise<JWTPayload>): Promise<JWTPayload> {
    const now = Date.now();
    const hit = this.entries.get(token);
    if (hit && hit.until > now) return hit.payload;
    const payload = await verify();
    const expires = typeof payload.exp === "number" ? payload.exp * 1000 : now;
    if (this.entries.size >= VERIFIED_MAX_ENTRIES) this.entries.clear();
    this.entries.set(token, { payload, until: Math.min(expires, now + VERIFIED_TTL_MS) });
    return payload;
  }
}

const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX_ENTRIES = 10_000;

/**
 * The token from `Authorization: Bearer <JWT>`, or else from `X-AadUserTicket: <JWT>` (the raw
 * token; a "Bearer " prefix is tolerated). Header names are matched case-insensitively.
 */
export function extractToken(headers: RequestHeaders): string {
  const authorization = header(headers, "authorization");
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) throw unauthorized("Authorization header is not 'Bearer <token>'", "malformed");
    return checkedLength(match[1]);
  }
  const ticket = header(headers, "x-aaduserticket")
    ?.trim()
    .replace(/^Bearer[ \t]+/i, "");
  if (ticket) {
    if (/\s/.test(ticket)) throw unauthorized("X-AadUserTicket header is not a token", "malformed");
    return checkedLength(ticket);
  }
  throw unauthorized("no Authorization or X-AadUserTicket header", "missing");
}

interface ResolvedSource {
  /** The `iss` tokens must carry; `{tenantid}` stands for the token's `tid`; undefined = any. */
  readonly issuer: string | undefined;
  readonly getKey: JWTVerifyGetKey;
}

interface KeySource {
  readonly label: string;
  resolve(): Promise<ResolvedSource>;
}

class SourceUnavailable extends Error {}

function oidcSource(
  discoveryUrl: string,
  fetchImpl: typeof fetch,
  remoteKeys: (url: string) => JWTVerifyGetKey,
): KeySource {
  let resolved: ResolvedSource | undefined;
  let jwksUri: string | undefined;
  let fetchedAt = 0;
  let failedAt = 0;
  let failure: Error | undefined;
  let pending: Promise<ResolvedSource> | undefined;

  const load = async (): Promise<ResolvedSource> => {
    try {
      const document = await fetchDiscovery(discoveryUrl, fetchImpl);
      if (document.jwksUri !== jwksUri || !resolved) {
        resolved = { issuer: document.issuer, getKey: remoteKeys(document.jwksUri) };
        jwksUri = document.jwksUri;
      } else if (document.issuer !== resolved.issuer) {
        resolved = { issuer: document.issuer, getKey: resolved.getKey };
      }
      fetchedAt = Date.now();
      failure = undefined;
      return resolved;
    } catch (error) {
      failedAt = Date.now();
      failure = new SourceUnavailable(`discovery ${discoveryUrl}: ${describe(error)}`, { cause: error });
      if (resolved) return resolved; // keep using the last good document
      throw failure;
    } finally {
      pending = undefined;
    }
  };

  return {
    label: `issuer ${discoveryUrl}`,
    resolve() {
      const now = Date.now();
      if (resolved && now - fetchedAt < DISCOVERY_MAX_AGE_MS) return Promise.resolve(resolved);
      if (failure && now - failedAt < DISCOVERY_RETRY_MS) {
        return resolved ? Promise.resolve(resolved) : Promise.reject(failure);
      }
      pending ??= load();
      return pending;
    },
  };
}

async function fetchDiscovery(
  url: string,
  fetchImpl: typeof fetch,
): Promise<{ issuer: string; jwksUri: string }> {
  const response = await fetchImpl(url, {
    method: "GET",
    redirect: "manual",
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${response.status}`);
  }
  const document = (await response.json()) as unknown;
  if (typeof document !== "object" || document === null) throw new Error("not a JSON object");
  const { issuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (typeof issuer !== "string" || issuer === "") throw new Error("no issuer");
  if (typeof jwksUri !== "string" || !/^https?:\/\//i.test(jwksUri)) throw new Error("no http(s) jwks_uri");
  return { issuer, jwksUri };
}

async function verifyToken(
  token: string,
  sources: readonly KeySource[],
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  let claims: JWTPayload;
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    claims = decodeJwt(token);
  } catch {
    throw unauthorized("malformed token", "malformed");
  }
  if (typeof alg !== "string" || !ACCEPTED_ALGORITHMS.includes(alg as JWSAlgorithm)) {
    throw unauthorized(`algorithm '${String(alg)}' not accepted`, "malformed");
  }
  const iss = typeof claims.iss === "string" ? claims.iss : undefined;
  const tid = typeof claims.tid === "string" ? claims.tid : undefined;

  const rejections: Rejection[] = [];
  const outages: string[] = [];
  let candidates = 0;
  for (const source of sources) {
    let resolved: ResolvedSource;
    try {
      resolved = await source.resolve();
    } catch (error) {
      outages.push(describe(error));
      continue;
    }
    const expected = expectedIssuer(resolved.issuer, tid);
    if (expected !== undefined && expected !== iss) continue;
    candidates++;
    try {
      const result = await jwtVerify(token, resolved.getKey, {
        ...options,
        ...(expected === undefined ? {} : { issuer: expected }),
      });
      return result.payload;
    } catch (error) {
      if (isOutage(error)) outages.push(`${source.label}: ${describe(error)}`);
      else {
        const { reason, problem } = rejection(error);
        rejections.push({ reason: `${source.label}: ${reason}`, problem });
      }
    }
  }
  if (rejections.length > 0) {
    throw unauthorized(rejections.map((r) => r.reason).join("; "), rejections[0]!.problem);
  }
  if (outages.length > 0) {
    throw new AppError(ERROR_CODES.UNAVAILABLE, "The identity provider is unavailable", {
      reason: outages.join("; "),
    });
  }
  if (candidates === 0) throw unauthorized(`untrusted issuer '${iss ?? "(none)"}'`, "audienceOrIssuer");
  throw unauthorized("token not accepted", "rejected");
}

function expectedIssuer(issuer: string | undefined, tid: string | undefined): string | undefined {
  if (issuer === undefined || !/\{tenantid\}/i.test(issuer)) return issuer;
  // A multi-tenant issuer template only matches tokens that name their tenant.
  return tid ? issuer.replace(/\{tenantid\}/gi, tid) : `${issuer} (no tid)`;
}

function principalFrom(claims: JWTPayload): Principal {
  const tenant = nonEmptyString(claims.tid);
  if (tenant === undefined) throw unauthorized("no tid claim", "claims");
  const user = ["upn", "preferred_username", "unique_name", "oid", "sub"]
    .map((name) => nonEmptyString(claims[name]))
    .find((value) => value !== undefined);
  if (user === undefined)
    throw unauthorized("no user claim (upn, preferred_username, unique_name, oid, sub)", "claims");
  const roles = new Set<string>();
  const rolesClaim = claims.roles;
  for (const role of Array.isArray(rolesClaim) ? rolesClaim : [rolesClaim]) {
    if (typeof role === "string" && role !== "") roles.add(role);
  }
  if (typeof claims.scp === "string") {
    for (const scope of claims.scp.split(/\s+/)) if (scope !== "") roles.add(scope);
  }
  return { tenant, user, roles: [...roles] };
}

/** A key set or discovery document that could not be fetched, as opposed to a bad token. */
function isOutage(error: unknown): boolean {
  if (error instanceof SourceUnavailable) return true;
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.code === "ERR_JOSE_GENERIC"; // HTTP status / JSON of the key set
  return true; // fetch failures (TypeError "fetch failed", AbortError)
}

interface Rejection {
  readonly reason: string;
  readonly problem: TokenProblem;
}

function rejection(error: unknown): Rejection {
  const as = (reason: string, problem: TokenProblem) => ({ reason, problem });
  if (error instanceof errors.JWTExpired) return as("token expired", "expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return as("token not yet valid", "notYetValid");
    const problem = error.claim === "aud" || error.claim === "iss" ? "audienceOrIssuer" : "claims";
    if (error.reason === "missing") return as(`no ${error.claim} claim`, problem);
    return as(`${error.claim} claim not accepted`, problem);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return as("signature invalid", "signature");
  if (error instanceof errors.JWKSNoMatchingKey)
    return as("no key matches the token's kid/alg", "unknownKey");
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return as("several keys match the token's kid", "unknownKey");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return as("algorithm not accepted", "malformed");
  if (error instanceof errors.JOSEError) return as(`${error.code}: ${error.message}`, "rejected");
  return as(describe(error), "rejected");
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

function header(headers: RequestHeaders, name: string): string | undefined {
  let found: string | string[] | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined) {
      if (found !== undefined) throw unauthorized(`several ${name} headers`, "malformed");
      found = value;
    }
  }
  if (Array.isArray(found)) {
    if (found.length > 1) throw unauthorized(`several ${name} headers`, "malformed");
    found = found[0];
  }
  return found;
}

function checkedLength(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized("token too long", "malformed");
  return token;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * The classes of token problem a 401 names to the client (RFC 6750 `error_description`, see
 * `api/errors.ts`): what to fix, never a key, a claim's value or which key source said what.
 */
export const TOKEN_PROBLEMS = {
  missing: "No access token: send Authorization: Bearer <token>",
  malformed: "The access token is malformed",
  expired: "The access token has expired",
  notYetValid: "The access token is not yet valid",
  audienceOrIssuer: "The access token's audience or issuer is not accepted",
  unknownKey: "The access token is signed by an unknown key",
  signature: "The access token's signature is invalid",
  claims: "The access token lacks a required claim (tid, a user claim, exp)",
  rejected: "The access token is not accepted",
} as const;
export type TokenProblem = keyof typeof TOKEN_PROBLEMS;

function unauthorized(reason: string, problem: TokenProblem): AppError {
  return new AppError(ERROR_CODES.UNAUTHORIZED, "Unauthorized", {
    reason,
    description: TOKEN_PROBLEMS[problem],
  });
}
