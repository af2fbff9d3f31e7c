/**
 * One delivery attempt of a callback. The target is checked again at delivery time (the host is
 * resolved and every address judged, see address-policy.ts) and the connection is pinned to the
 * checked address through the request's `lookup` option, so a second DNS answer cannot redirect it
 * (DNS rebinding); for https the certificate is still verified against the host name. Redirects
 * are not followed (a 3xx is a failure), the whole attempt — resolution, connect, request and
 * response — has one deadline, and at most a few KiB of the response body are read and discarded.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import { type AllowList, type CheckedTarget, type LookupAll, resolveAndCheck } from "./address-policy.js";
import type { CallbackDelivery, DeliveryAttempt } from "./model.js";
import { callbackHeaders } from "./signing.js";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Bytes of the response body read before the connection is closed. */
export const MAX_RESPONSE_BYTES = 4096;

export interface DeliverOptions {
  /** The tenant's `whsec_…` secret. */
  readonly secret: string;
  readonly allow: AllowList;
  /** Deadline of the whole attempt; 10 s by default. */
  readonly timeoutMs?: number;
  /** The time of the attempt, sent as webhook-timestamp. */
  readonly now: Date;
  /** Name resolution, `dns.promises.lookup` by default. */
  readonly lookup?: LookupAll;
}

export interface DeliveryResult {
  /** The HTTP status received, null when none was (refused, unreachable, timed out…). */
  readonly statusCode: number | null;
  /** Why the attempt failed, null on success. */
  readonly error: string | null;
  readonly durationMs: number;
  /** A 2xx came back. */
  readonly ok: boolean;
}

/** Makes one attempt. Never throws: every failure is reported as `error`. */
export async function deliverOnce(
  delivery: CallbackDelivery,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outcome = await new Promise<{ statusCode: number | null; error: string | null }>((resolve) => {
    let settled = false;
    let statusCode: number | null = null;
    let request: ClientRequest | undefined;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      resolve({ statusCode, error });
    };
    const timer = setTimeout(() => {
      // Once the status line is in, the outcome is decided; only the body read is cut short.
      finish(statusCode === null ? `timed out after ${timeoutMs} ms` : statusError(statusCode));
    }, timeoutMs);

    const send = ({ address, family, addresses }: CheckedTarget) => {
      const url = new URL(delivery.url);
      const body = delivery.method === "POST" ? delivery.payload : "";
      const headers: Record<string, string> = {
        ...callbackHeaders(options.secret, delivery.id, options.now, body),
        host: url.host,
        accept: "*/*",
        connection: "close",
      };
      if (delivery.method === "POST") {
        headers["content-type"] = "application/json";
        headers["content-length"] = String(Buffer.byteLength(body));
      }
      // Only the checked addresses: all of them when Node asks for all (happy eyeballs), else the first.
      const all = addresses.map((a) => ({ address: a.address, family: a.family }));
      const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all) callback(null, all);
        else callback(null, address, family);
      };
      const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const requestFn = url.protocol === "https:" ? httpsRequest : httpRequest;
      request = requestFn({
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: delivery.method,
        headers,
        lookup: pinned,
        agent: false,
      });
      request.on("error", (error) => finish(describe(error)));
      request.on("response", (response: IncomingMessage) => {
        statusCode = response.statusCode ?? null;
        const error = statusCode === null ? "no status code in the response" : statusError(statusCode);
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_RESPONSE_BYTES) finish(error);
        });
        response.on("end", () => finish(error));
        response.on("close", () => finish(error));
        response.on("error", () => finish(error));
      });
      request.end(body);
    };

    resolveAndCheck(delivery.url, options.allow, options.lookup).then(
      (target) => {
        if (settled) return;
        try {
          send(target);
        } catch (error) {
          finish(describe(error));
        }
      },
      (error: unknown) => finish(describe(error)),
    );
  });
  return {
    ...outcome,
    ok: outcome.error === null,
    durationMs: Math.round(performance.now() - started),
  };
}

function statusError(statusCode: number): string | null {
  if (statusCode >= 200 && statusCode < 300) return null;
  if (statusCode >= 300 && statusCode < 400) return `HTTP ${statusCode} (redirects are not followed)`;
  return `HTTP ${statusCode}`;
}

function describe(error: unknown): string {
  // Happy-eyeballs connects report an AggregateError with an empty message: use its first error.
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as { code?: unknown }).code;
  const message = inner.message || inner.name;
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The attempt as recorded on the delivery (attempt = 1 for the first try). */
export function attemptRecord(
  deliveryId: string,
  attempt: number,
  at: Date,
  result: DeliveryResult,
): DeliveryAttempt {
  return {
    deliveryId,
    attempt,
    at,
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
  };
}
