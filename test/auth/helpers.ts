import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CryptoKey, type JWTPayload, SignJWT } from "jose";
import { expect } from "vitest";
import { AppError } from "../../src/core/errors.js";

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "openinsights-auth-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Signs arbitrary claims (no defaults added) with a private key. */
export function sign(
  claims: JWTPayload,
  key: CryptoKey,
  header: { alg: string; kid?: string } = { alg: "ES256" },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ typ: "JWT", ...header }).sign(key);
}

export async function expectAppError(
  promise: Promise<unknown>,
  code: string,
  message?: string,
): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe(code);
  if (message !== undefined) expect(appError.message).toBe(message);
  return appError;
}

export interface TestHttpServer {
  readonly base: string;
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0) answering from a route table that tests may change. */
export async function startServer(
  routes: Map<string, (req: IncomingMessage) => { status?: number; body: unknown }>,
): Promise<TestHttpServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const route = routes.get(url);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const { status = 200, body } = route(req);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
