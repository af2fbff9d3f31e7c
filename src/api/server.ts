/** The HTTP server: fastify with the envelope, the one error handler, OpenAPI and the program routes. */
import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { Metrics } from "../metrics/metrics.js";
import { registerAdminRoutes } from "./admin.js";
import { answerClientError } from "./client-errors.js";
import { endConnectionsWhenIdleOnClose } from "./closing.js";
import type { ApiContext } from "./context.js";
import { envelope, errorEnvelope, serializeJson } from "./envelope.js";
import { handleError, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./errors.js";
import { PRODUCT_LOGO, PRODUCT_NAME, PRODUCT_VERSION, registerLanding } from "./landing.js";
import { registerProgramRoutes } from "./routes/index.js";

/** Retry-After of injected 429 and 503 answers. */
const INJECTED_RETRY_AFTER_SECONDS = 1;
/** The messages of injected answers start as the real ones do. */
const INJECTED_MESSAGES = {
  429: "Too many requests",
  500: "Service unavailable",
  503: "Service unavailable",
} as const;

export interface ServerOptions {
  /** Serve the API routes (false: health endpoints only, for scheduler and worker processes). */
  readonly api: boolean;
  readonly logger: FastifyServerOptions["logger"];
  /** Where the console is, when this process serves one (linked from the landing page). */
  readonly consolePath?: string;
  /** Extra readiness checks (databases reachable); each throws when not ready. */
  readonly readiness: readonly (() => Promise<void>)[];
  /** Counts every answer; serves `/metrics` too unless `metricsPath` is false (a separate port serves it). */
  readonly metrics: Metrics;
  readonly metricsPath: boolean;
}

export async function buildServer(context: ApiContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: context.config.maxBodyBytes,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      // `;`-separated report ids in the path (E12) can be long.
      maxParamLength: 8192,
    },
    clientErrorHandler: answerClientError,
    // Node answers a request without Host with a bare 400 of its own; the hook below answers it.
    http: { requireHostHeader: false },
    // Errors raised before routing (bad percent-encoding, …) answer in the envelope too.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      const plain = reply as unknown as FastifyReply;
      plain.header("x-request-id", request.id);
      plain.status(status).send(errorEnvelope(status, `The request URL is not valid: ${error.message}`));
    },
  });

  // Schemas document the API; the domain rules validate requests (case-insensitive fields, documented messages).
  app.setValidatorCompiler(() => () => true);
  // fastify sends the Buffer a serializer may return as it is; its types only say string.
  const serialize = serializeJson as (payload: unknown) => string;
  app.setSerializerCompiler(() => serialize);
  app.setReplySerializer(serialize);

  // JSON bodies; an empty body (PUT pause/resume sent with a JSON content type) is no body.
  app.removeContentTypeParser(["application/json"]);
  app.addContentTypeParser(
    ["application/json", "text/json"],
    { parseAs: "string" },
    (_request, body, done) => {
      const text = String(body);
      if (text.trim() === "") return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        const error = Object.assign(new Error("The request body is not valid JSON"), {
          statusCode: 400,
          code: "FST_ERR_CTP_INVALID_JSON_BODY",
        });
        done(error, undefined);
      }
    },
  );

  // Every answer carries its request id. No stored value can hold a NUL character (PostgreSQL
  // text cannot): refuse it at the door. (A callback hook: every request runs it, and an async
  // one costs a promise each time.)
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    if (request.headers.host === undefined && request.raw.httpVersion !== "1.0") {
      done(new AppError(ERROR_CODES.INVALID_ARGUMENT, "The Host header is required (HTTP/1.1)"));
      return;
    }
    if (request.url.includes("%00")) {
      done(
        new AppError(ERROR_CODES.INVALID_ARGUMENT, "The request URL must not contain NUL characters (%00)"),
      );
      return;
    }
    done();
  });
  const faults = context.faults;
  if (faults) {
    // Faults on demand (docs/faults.md): a matching HTTP rule delays and/or answers the request
    // before any route runs. The operator API is never faulted, so that rules can always be cleared.
    app.addHook("onRequest", async (request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      if (/^\/admin\//i.test(path)) return;
      const rule = await faults.forRequest(request.method, path);
      if (!rule) return;
      if (rule.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
      if (rule.status === null) return;
      if (rule.status !== 500) reply.header("retry-after", String(INJECTED_RETRY_AFTER_SECONDS));
      return reply
        .status(rule.status)
        .send(
          errorEnvelope(
            rule.status,
            `${INJECTED_MESSAGES[rule.status]} (injected fault: a rule of /admin/v1/faults)`,
          ),
        );
    });
  }
  app.addHook("onSend", async (request, reply, payload) => {
    context.rateLimits.addHeaders(request, reply);
    try {
      await context.auditTrail.record(request, reply, payload);
    } catch (error) {
      // The change is made (or refused) already: answer it, and say loudly what was not recorded.
      request.log.error({ err: error, url: request.url }, "audit entry not recorded");
    }
    return payload;
  });
  // Route templates (never raw URLs) keep the label set bounded.
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    options.metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  const closing = endConnectionsWhenIdleOnClose(app.server);
  app.addHook("preClose", (done) => {
    closing();
    done();
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorEnvelope(404, `No route for ${request.method} ${request.url.split("?")[0]}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: `${PRODUCT_NAME} — Insights programmatic access API`,
        description:
          "Self-hosted, wire-compatible implementation of the Partner Center Insights (mpn) and commercial marketplace analytics (cmp) programmatic access APIs. Every response is the envelope {value, nextLink, totalCount, message, statusCode, dataRedacted}.",
        version: PRODUCT_VERSION,
      },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    theme: { title: `${PRODUCT_NAME} API reference` },
    // The product's name where the library's logo would be, linking back to the landing page.
    logo: { type: "image/svg+xml", content: PRODUCT_LOGO, href: "/", target: "_self" },
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  registerLanding(app, {
    apiDocs: options.api,
    ...(options.consolePath ? { consolePath: options.consolePath } : {}),
  });
  app.get("/healthz", { schema: { hide: true } }, async () => envelope([{ status: "ok" }]));
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    try {
      for (const check of options.readiness) await check();
      return envelope([{ status: "ready" }]);
    } catch (error) {
      return reply
        .status(503)
        .header("retry-after", UNAVAILABLE_RETRY_AFTER_SECONDS)
        .send(errorEnvelope(503, `Not ready: ${(error as Error).message}`));
    }
  });

  if (options.metricsPath) {
    app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
      const { contentType, body } = await options.metrics.scrape();
      return reply.type(contentType).send(body);
    });
  }

  if (options.api) {
    registerProgramRoutes(app, context);
    registerAdminRoutes(app, context);
  }
  return app;
}
