/**
 * The console at /console: its built files, under a strict Content-Security-Policy (scripts,
 * styles and calls from this origin only — plus the identity provider's token endpoint when the
 * console signs in through one; no inline code, no frames), and how people can sign in: an OpenID
 * Connect issuer, or — with `serve --demo` and only the local key trusted — a demo tenant.
 * Everything else the console shows, it reads from the public API like any client.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { envelope } from "../api/envelope.js";
import { issueLocalToken } from "../auth/local-key.js";
import { AppError, ERROR_CODES } from "../core/errors.js";
import { DEMO_TENANTS } from "../demo/tenants.js";
import type { ConsoleAsset } from "./assets.js";
import type { ConsoleOidc, ConsoleOidcSource } from "./oidc.js";

export const CONSOLE_PATH = "/console";

/** The policy of every console answer; `tokenEndpoint` is the one other origin the page may call. */
export function consoleCsp(tokenEndpoint?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${tokenEndpoint ? ` ${new URL(tokenEndpoint).origin}` : ""}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Demo sign-in: tokens signed with the service's local key for the demo tenants. */
export interface DemoSignIn {
  readonly dataDir: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface ConsoleOptions {
  readonly assets: ReadonlyMap<string, ConsoleAsset>;
  /** Present only with `serve --demo` when no identity provider is configured. */
  readonly demo: DemoSignIn | null;
  /** Present when the console signs in through an OpenID Connect issuer. */
  readonly oidc: ConsoleOidcSource | null;
}

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleOptions): void {
  const { assets, demo, oidc } = options;
  /** The issuer's endpoints once known (the CSP names its token endpoint). */
  let discovered: ConsoleOidc | undefined;
  const send = (reply: FastifyReply, name: string) => {
    const asset = assets.get(name);
    if (!asset) {
      throw assets.size === 0
        ? new AppError(ERROR_CODES.UNAVAILABLE, "The console is not built: run npm run build")
        : new AppError(ERROR_CODES.NOT_FOUND, `No console file ${CONSOLE_PATH}/${name}`);
    }
    return reply
      .header("content-security-policy", consoleCsp(discovered?.tokenEndpoint))
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("cache-control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache")
      .type(asset.type)
      .send(asset.body);
  };
  const hidden = { schema: { hide: true } };

  app.get(CONSOLE_PATH, hidden, (_request, reply) => send(reply, "index.html"));
  // Fetch the issuer's endpoints now, so that the first page already allows its token endpoint.
  oidc?.().then(
    (value) => {
      discovered = value;
    },
    () => undefined,
  );
  /** How people can sign in here: demo tenants (with --demo), an OpenID Connect issuer, always a pasted token. */
  app.get(`${CONSOLE_PATH}/sign-in-options`, hidden, async () => {
    if (oidc) discovered = await oidc();
    return envelope([
      {
        demoTenants: demo ? DEMO_TENANTS.map((tenant) => ({ tenantId: tenant.id, name: tenant.name })) : [],
        oidc: discovered ?? null,
      },
    ]);
  });
  app.post(`${CONSOLE_PATH}/demo/tokens`, hidden, async (request) => {
    if (!demo) throw demoOff();
    const tenantId = (request.body as { tenantId?: unknown } | undefined)?.tenantId;
    const tenant = DEMO_TENANTS.find((candidate) => candidate.id === tenantId);
    if (!tenant) {
      throw new AppError(
        ERROR_CODES.INVALID_ARGUMENT,
        `tenantId must be one of the demo tenants (${DEMO_TENANTS.map((t) => t.id).join(", ")})`,
      );
    }
    const now = new Date();
    const token = await issueLocalToken({
      dataDir: demo.dataDir,
      tenant: tenant.id,
      ttlSeconds: demo.ttlSeconds,
      audience: demo.audience,
      now,
    });
    const expiresTime = new Date(now.getTime() + demo.ttlSeconds * 1000);
    return envelope([
      { tenantId: tenant.id, name: tenant.name, token, expiresTime: expiresTime.toISOString() },
    ]);
  });
  app.get<{ Params: { "*": string } }>(`${CONSOLE_PATH}/*`, hidden, (request, reply) =>
    send(reply, request.params["*"] || "index.html"),
  );
}

function demoOff(): AppError {
  return new AppError(
    ERROR_CODES.NOT_FOUND,
    "Demo sign-in is available only with 'openinsights serve --demo' and no identity provider configured",
  );
}
