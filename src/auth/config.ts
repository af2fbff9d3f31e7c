/**
 * Authentication settings, read from the environment by `parseAuthConfig` (called by the
 * service's configuration loader). Every value is validated here so that a typo stops the
 * service at start-up instead of turning every request into a 401.
 */
import { AppError, ERROR_CODES } from "../core/errors.js";

/** The program a request calls (mpn, cmp or one of a catalog file). */
export type AuthProgram = string;

export interface TrustedIssuer {
  /**
   * For an OIDC issuer: the configured issuer URL. For a JWKS URL: the `iss` value tokens must
   * carry (from OPENINSIGHTS_AUTH_ISSUER_NAMES); when absent, any `iss` signed by that JWKS is accepted.
   */
  issuer?: string;
  /** `<issuer>/.well-known/openid-configuration`; its `issuer` and `jwks_uri` are used. */
  discoveryUrl?: string;
  /** A JSON Web Key Set URL, for identity providers without discovery. */
  jwksUrl?: string;
}

export interface AuthConfig {
  /** Trust the signing key the service keeps in `<dataDir>/keys/` (tokens from `openinsights token`). */
  localKey: boolean;
  issuers: TrustedIssuer[];
  /** Accepted `aud` values; the first is the audience of locally issued tokens. */
  audiences: string[];
  clockToleranceSeconds: number;
  /** A role (in `roles`) or scope (in `scp`) a token must hold to call a program's API (none for unlisted programs). */
  requiredRoles: Partial<Record<AuthProgram, string>>;
}

export const DEFAULT_AUDIENCE = "https://api.partnercenter.microsoft.com";
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
const MAX_CLOCK_TOLERANCE_SECONDS = 86_400;

export const AUTH_ENV = {
  local: "OPENINSIGHTS_AUTH_LOCAL",
  issuers: "OPENINSIGHTS_AUTH_ISSUERS",
  jwksUrls: "OPENINSIGHTS_AUTH_JWKS_URLS",
  issuerNames: "OPENINSIGHTS_AUTH_ISSUER_NAMES",
  audiences: "OPENINSIGHTS_AUTH_AUDIENCES",
  clockTolerance: "OPENINSIGHTS_AUTH_CLOCK_TOLERANCE",
  roleMpn: "OPENINSIGHTS_AUTH_ROLE_MPN",
  roleCmp: "OPENINSIGHTS_AUTH_ROLE_CMP",
} as const;

export function parseAuthConfig(env: Readonly<Record<string, string | undefined>>): AuthConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };

  const localKey = parseBoolean(AUTH_ENV.local, read(AUTH_ENV.local), true);

  const issuers: TrustedIssuer[] = [];
  for (const url of list(read(AUTH_ENV.issuers))) {
    const issuer = httpUrl(AUTH_ENV.issuers, url);
    issuers.push({ issuer: url, discoveryUrl: discoveryUrlFor(issuer) });
  }

  const jwksUrls = list(read(AUTH_ENV.jwksUrls));
  const namesRaw = read(AUTH_ENV.issuerNames);
  const names = namesRaw === undefined ? [] : namesRaw.split(",").map((name) => name.trim());
  if (namesRaw !== undefined && names.length !== jwksUrls.length) {
    throw invalid(
      `${AUTH_ENV.issuerNames} must name one issuer for each of the ${jwksUrls.length} URL(s) in ${AUTH_ENV.jwksUrls} (in the same order), not ${names.length}`,
    );
  }
  jwksUrls.forEach((url, index) => {
    httpUrl(AUTH_ENV.jwksUrls, url);
    const issuer = names[index];
    if (namesRaw !== undefined && !issuer) {
      throw invalid(`${AUTH_ENV.issuerNames} has an empty name at position ${index + 1}`);
    }
    issuers.push(issuer ? { issuer, jwksUrl: url } : { jwksUrl: url });
  });

  const audiencesRaw = read(AUTH_ENV.audiences);
  const audiences = audiencesRaw === undefined ? [DEFAULT_AUDIENCE] : list(audiencesRaw);
  if (audiences.length === 0) {
    throw invalid(`${AUTH_ENV.audiences} must list at least one audience, e.g. ${DEFAULT_AUDIENCE}`);
  }

  const toleranceRaw = read(AUTH_ENV.clockTolerance);
  let clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (toleranceRaw !== undefined) {
    clockToleranceSeconds = Number(toleranceRaw);
    if (!/^\d+$/.test(toleranceRaw) || clockToleranceSeconds > MAX_CLOCK_TOLERANCE_SECONDS) {
      throw invalid(
        `${AUTH_ENV.clockTolerance} must be a whole number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}, not '${toleranceRaw}'`,
      );
    }
  }

  const requiredRoles: Partial<Record<AuthProgram, string>> = {};
  const mpn = role(AUTH_ENV.roleMpn, read(AUTH_ENV.roleMpn));
  const cmp = role(AUTH_ENV.roleCmp, read(AUTH_ENV.roleCmp));
  if (mpn) requiredRoles.mpn = mpn;
  if (cmp) requiredRoles.cmp = cmp;

  if (!localKey && issuers.length === 0) {
    throw invalid(
      `no token issuer is trusted: set ${AUTH_ENV.issuers} or ${AUTH_ENV.jwksUrls}, or leave ${AUTH_ENV.local} at true`,
    );
  }

  return Object.freeze({
    localKey,
    issuers: Object.freeze(issuers.map((issuer) => Object.freeze(issuer))) as TrustedIssuer[],
    audiences: Object.freeze(audiences) as string[],
    clockToleranceSeconds,
    requiredRoles: Object.freeze(requiredRoles),
  });
}

/** `https://idp.example/tenant` → `https://idp.example/tenant/.well-known/openid-configuration`. */
export function discoveryUrlFor(issuer: URL | string): string {
  const base = String(issuer).replace(/\/+$/, "");
  return `${base}/.well-known/openid-configuration`;
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw invalid(`${name} must be 'true' or 'false', not '${raw}'`);
}

function list(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${name} must hold absolute http(s) URLs, and '${raw}' is not one`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid(`${name} must hold http(s) URLs, and '${raw}' uses ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw invalid(`${name} URLs must not carry credentials ('${url.host}')`);
  }
  return url;
}

function role(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (/\s/.test(raw)) {
    throw invalid(`${name} must be a single role or scope name without spaces, not '${raw}'`);
  }
  return raw;
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}
