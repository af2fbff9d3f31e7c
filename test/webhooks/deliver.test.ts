import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { createSecureContext } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { type LookupAll, parseAllowList } from "../../src/webhooks/address-policy.js";
import { attemptRecord, deliverOnce } from "../../src/webhooks/deliver.js";
import type { CallbackDelivery } from "../../src/webhooks/model.js";
import { callbackPayload } from "../../src/webhooks/payload.js";
import { CALLBACK_USER_AGENT, tenantCallbackSecret, verifyCallback } from "../../src/webhooks/signing.js";
import { callbackTarget } from "../../src/webhooks/url.js";

const SECRET = tenantCallbackSecret(Buffer.from("test master key"), "tenant-a");
const ALLOW_LOOPBACK = parseAllowList("127.0.0.1,::1");
const NOW = new Date();

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

interface TestServer {
  readonly port: number;
  readonly received: Received[];
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      handler(req, res);
    });
  });
  const state: TestServer = {
    port: 0,
    received,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(state, { port: (server.address() as AddressInfo).port });
  servers.push(state);
  return state;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const PAYLOAD = callbackPayload({
  reportId: "rep-1",
  executionId: "exe-1",
  status: "Completed",
  reportAccessSecureLink: "https://insights.example/files/x?sig=1",
  reportExpiryTime: new Date("2024-05-02T00:00:00Z"),
  reportGeneratedTime: new Date("2024-05-01T00:00:00Z"),
  rowCount: 3,
  bytes: 120,
  sha256: "00".repeat(32),
  failure: null,
});

function delivery(callbackUrl: string, method: "GET" | "POST" = "POST"): CallbackDelivery {
  return {
    id: "dlv-1",
    executionId: "exe-1",
    reportId: "rep-1",
    tenant: "tenant-a",
    program: "mpn",
    url: callbackTarget(callbackUrl, method, "rep-1"),
    method,
    payload: PAYLOAD,
    status: "Pending",
    attempts: 1,
    nextAttemptAt: NOW,
    leaseOwner: "w1",
    leaseExpiresAt: null,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
    createdTime: NOW,
  };
}

describe("deliverOnce", () => {
  it("POSTs the signed JSON body to <CallbackUrl>/<reportId>", async () => {
    const server = await serve((_req, res) => res.writeHead(204).end());
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/hooks/ready?k=v`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
    });
    expect(result).toMatchObject({ ok: true, statusCode: 204, error: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request).toMatchObject({ method: "POST", url: "/hooks/ready/rep-1?k=v", body: PAYLOAD });
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(PAYLOAD)),
      "user-agent": CALLBACK_USER_AGENT,
      "webhook-id": "dlv-1",
      "webhook-timestamp": String(Math.floor(NOW.getTime() / 1000)),
      host: `127.0.0.1:${server.port}`,
    });
    expect(verifyCallback(SECRET, request?.headers ?? {}, request?.body ?? "", new Date())).toMatchObject({
      ok: true,
      id: "dlv-1",
    });
    expect(verifyCallback(SECRET, request?.headers ?? {}, `${request?.body} `, new Date()).ok).toBe(false);
  });

  it("GETs <CallbackUrl>?reportId=<reportId>, keeping the query string, signing the empty body", async () => {
    const server = await serve((_req, res) => res.writeHead(200).end("thanks"));
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/cb?token=a%20b&x=1`, "GET"), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
    });
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    const [request] = server.received;
    expect(request).toMatchObject({ method: "GET", url: "/cb?token=a%20b&x=1&reportId=rep-1", body: "" });
    expect(request?.headers["content-type"]).toBeUndefined();
    expect(verifyCallback(SECRET, request?.headers ?? {}, "", new Date()).ok).toBe(true);
  });

  it("reports a non-2xx status as a failure", async () => {
    const server = await serve((_req, res) => res.writeHead(500).end("boom"));
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
    });
    expect(result).toMatchObject({ ok: false, statusCode: 500, error: "HTTP 500" });
  });

  it("does not follow redirects", async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith("/cb")) res.writeHead(302, { location: "/elsewhere" }).end();
      else res.writeHead(200).end();
    });
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
    });
    expect(result).toMatchObject({ ok: false, statusCode: 302 });
    expect(result.error).toContain("redirects are not followed");
    expect(server.received.map((r) => r.url)).toEqual(["/cb/rep-1"]);
  });

  it("times out a server that never answers", async () => {
    const server = await serve(() => {
      /* never respond */
    });
    const started = Date.now();
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      timeoutMs: 300,
    });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, statusCode: null, error: "timed out after 300 ms" });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
  });

  it("decides on the status when the body never ends, and reads only a little of a large one", async () => {
    const stalled = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
    });
    const result = await deliverOnce(delivery(`http://127.0.0.1:${stalled.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });

    const large = await serve((_req, res) => {
      res.writeHead(503);
      res.write(Buffer.alloc(1 << 20, 97));
      // Never ends: the client must stop reading by itself, well before the deadline.
    });
    const started = Date.now();
    const big = await deliverOnce(delivery(`http://127.0.0.1:${large.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      timeoutMs: 5000,
    });
    expect(big).toMatchObject({ ok: false, statusCode: 503, error: "HTTP 503" });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("reports a refused connection", async () => {
    const server = await serve((_req, res) => res.end());
    const port = server.port;
    await server.close();
    const result = await deliverOnce(delivery(`http://127.0.0.1:${port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.error).toContain("ECONNREFUSED");
  });

  it("refuses a loopback URL that is not allow-listed, without connecting", async () => {
    const server = await serve((_req, res) => res.end());
    const result = await deliverOnce(delivery(`http://127.0.0.1:${server.port}/cb`), {
      secret: SECRET,
      allow: parseAllowList(undefined),
      now: NOW,
    });
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.error).toContain("loopback");
    expect(server.connections).toBe(0);
  });

  it("connects to the address it checked (a name resolved once, then pinned)", async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const calls: string[] = [];
    const lookup: LookupAll = async (hostname) => {
      calls.push(hostname);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const result = await deliverOnce(delivery(`http://receiver.test:${server.port}/cb`), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      lookup,
    });
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(calls).toEqual(["receiver.test"]);
    expect(server.received[0]?.headers.host).toBe(`receiver.test:${server.port}`);
  });

  it("refuses a name that resolves to a forbidden address, without connecting", async () => {
    const server = await serve((_req, res) => res.end());
    const lookup: LookupAll = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ];
    const result = await deliverOnce(delivery(`http://rebind.test:${server.port}/cb`), {
      secret: SECRET,
      allow: parseAllowList(""),
      now: NOW,
      lookup,
    });
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.error).toContain("resolves to 127.0.0.1");
    expect(server.connections).toBe(0);
  });

  it("verifies the certificate of an https target against the host name it pinned", async () => {
    const servernames: (string | undefined)[] = [];
    let requests = 0;
    const server = createHttpsServer(
      {
        key: TLS_KEY,
        cert: TLS_CERT,
        SNICallback: (servername, callback) => {
          servernames.push(servername);
          callback(null, createSecureContext({ key: TLS_KEY, cert: TLS_CERT }));
        },
      },
      (_req, res) => {
        requests++;
        res.writeHead(200).end();
      },
    );
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const lookup: LookupAll = async () => [{ address: "127.0.0.1", family: 4 }];
      const result = await deliverOnce(delivery(`https://receiver.test:${port}/cb`), {
        secret: SECRET,
        allow: ALLOW_LOOPBACK,
        now: NOW,
        lookup,
        timeoutMs: 2000,
      });
      // The certificate is self-signed: the connection reached the pinned address with the right
      // SNI name, and was then refused by certificate verification.
      expect(result).toMatchObject({ ok: false, statusCode: null });
      expect(result.error).toMatch(/certificate/i);
      expect(servernames).toEqual(["receiver.test"]);
      expect(requests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports a name that does not resolve, and a resolver that hangs, without throwing", async () => {
    const missing: LookupAll = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), { code: "ENOTFOUND" });
    };
    const a = await deliverOnce(delivery("https://nowhere.test/cb"), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      lookup: missing,
    });
    expect(a).toMatchObject({ ok: false, statusCode: null });
    expect(a.error).toContain("ENOTFOUND");

    const hanging: LookupAll = () => new Promise(() => {});
    const b = await deliverOnce(delivery("https://slow.test/cb"), {
      secret: SECRET,
      allow: ALLOW_LOOPBACK,
      now: NOW,
      lookup: hanging,
      timeoutMs: 100,
    });
    expect(b).toMatchObject({ ok: false, statusCode: null, error: "timed out after 100 ms" });
  });

  it("turns a result into an attempt record", () => {
    const at = new Date("2024-05-01T00:00:00Z");
    expect(
      attemptRecord("dlv-1", 2, at, { ok: false, statusCode: 500, error: "HTTP 500", durationMs: 12 }),
    ).toEqual({
      deliveryId: "dlv-1",
      attempt: 2,
      at,
      statusCode: 500,
      error: "HTTP 500",
      durationMs: 12,
    });
  });
});

// A self-signed certificate for receiver.test, valid 2000–2100 (test only).
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/MfsTzonnYEl5fva
nGPGTWNiOw1frCtDjS7YJNxP5OOhRANCAAS0T3lW5m2Mvv3nIH7N5yNugV1hTTQW
ceUB7Evifma+mUSN0jGbfVkFK72hgY/ZjJ+JSmDmxAV+uWF4cJqv5myi
-----END PRIVATE KEY-----
`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBaDCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1yZWNlaXZl
ci50ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1yZWNlaXZlci50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEtE95
VuZtjL795yB+zecjboFdYU00FnHlAexL4n5mvplEjdIxm31ZBSu9oYGP2YyfiUpg
5sQFfrlheHCar+ZsoqNGMEQwGAYDVR0RBBEwD4INcmVjZWl2ZXIudGVzdDAJBgNV
HRMEAjAAMB0GA1UdDgQWBBSPmYfKcQRdTnKIAOCuFLFLB7KJTzAKBggqhkjOPQQD
AgNJADBGAiEAsKJj7kotvw98ID4JUKRWV6McTsQwXaYDUFqSmFdvZbwCIQCnHvDC
6aGx7l3nO6OKvxl1YVST/eJsp5yNjikJp+5iPA==
-----END CERTIFICATE-----
`;
