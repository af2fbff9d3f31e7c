/**
 * `/`: what a person opening the service in a browser needs — its name, version and where to go
 * next (API reference, OpenAPI document, health; the console when there is one). Clients that do
 * not ask for HTML get the same facts in the envelope.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { envelope } from "./envelope.js";

export const PRODUCT_NAME = "OpenInsights";

/**
 * The package's version, read once from the nearest package.json named openinsights above this
 * module (src/api, dist/src/api, or the CLI's bundle in dist/cli; not a host app's when installed).
 */
export const PRODUCT_VERSION: string = (() => {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "openinsights" && manifest.version) return manifest.version;
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
})();

/** The product's name as a small SVG, for the API reference's header. */
export const PRODUCT_LOGO = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="180" height="32" viewBox="0 0 180 32"><text x="0" y="24" font-family="system-ui, sans-serif" font-size="24" font-weight="600" fill="#ffffff">${PRODUCT_NAME}</text></svg>`,
);

export interface LandingOptions {
  /** The API reference and OpenAPI document are served (the api and all roles). */
  readonly apiDocs: boolean;
  /** Where the console is, when this process serves one. */
  readonly consolePath?: string;
}

export function registerLanding(app: FastifyInstance, options: LandingOptions): void {
  const links = [
    ...(options.consolePath ? [{ rel: "console", href: options.consolePath, title: "Console" }] : []),
    ...(options.apiDocs
      ? [
          { rel: "docs", href: "/docs", title: "API reference" },
          { rel: "openapi", href: "/openapi.json", title: "OpenAPI document" },
        ]
      : []),
    { rel: "health", href: "/healthz", title: "Health" },
    { rel: "ready", href: "/readyz", title: "Readiness" },
  ];
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${PRODUCT_NAME}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>${PRODUCT_NAME} <small style="font-weight: normal; color: #666">${PRODUCT_VERSION}</small></h1>
<p>A self-hosted implementation of the Partner Center Insights programmatic access API.</p>
<ul>
${links.map((link) => `<li><a href="${link.href}">${link.title}</a></li>`).join("\n")}
</ul>
</body>
</html>
`;
  app.get("/", { schema: { hide: true } }, async (request, reply) => {
    if (request.headers.accept?.includes("text/html")) {
      return reply.type("text/html; charset=utf-8").send(html);
    }
    return envelope([{ name: PRODUCT_NAME, version: PRODUCT_VERSION, links }]);
  });
}
