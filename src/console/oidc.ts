/**
 * What the console needs to sign in through an OpenID Connect issuer with the authorization-code
 * flow and PKCE: the issuer's authorization and token endpoints (from its discovery document,
 * fetched when first asked and kept for an hour; a failure is retried on the next ask).
 */

import { discoveryUrlFor } from "../auth/config.js";
import type { ConsoleOidcConfig } from "../config/config.js";
import { AppError, ERROR_CODES } from "../core/errors.js";

export interface ConsoleOidc extends ConsoleOidcConfig {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
}

const KEEP_MS = 3_600_000;
const TIMEOUT_MS = 5_000;

export type ConsoleOidcSource = () => Promise<ConsoleOidc>;

export function consoleOidcSource(
  config: ConsoleOidcConfig,
  fetchImpl: typeof fetch = fetch,
): ConsoleOidcSource {
  let kept: { value: ConsoleOidc; until: number } | undefined;
  return async () => {
    if (kept && kept.until > Date.now()) return kept.value;
    let document: { authorization_endpoint?: unknown; token_endpoint?: unknown };
    try {
      const response = await fetchImpl(discoveryUrlFor(config.issuer), {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw unavailable(`its discovery document could not be read (${(error as Error).message})`);
    }
    const authorizationEndpoint = httpUrl(document.authorization_endpoint);
    const tokenEndpoint = httpUrl(document.token_endpoint);
    if (!authorizationEndpoint || !tokenEndpoint) {
      throw unavailable("its discovery document lacks authorization_endpoint or token_endpoint");
    }
    const value = { ...config, authorizationEndpoint, tokenEndpoint };
    kept = { value, until: Date.now() + KEEP_MS };
    return value;
  };
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function unavailable(why: string): AppError {
  return new AppError(ERROR_CODES.UNAVAILABLE, `The identity provider is unavailable: ${why}`);
}
