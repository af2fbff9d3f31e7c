/**
 * `/metrics` on a port of its own (OPENINSIGHTS_METRICS_PORT), so that scraping can be firewalled
 * apart from the API. A bare node:http server: one route, nothing else to serve.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics.js";

export interface MetricsListener {
  /** http://host:port */
  readonly address: string;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response
        .writeHead(404, { "content-type": "text/plain; charset=utf-8" })
        .end("Only GET /metrics here\n");
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { "content-type": contentType }).end(body),
      (error: unknown) =>
        response.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port: bound } = server.address() as AddressInfo;
  const hostPart = address.includes(":") ? `[${address}]` : address;
  return {
    address: `http://${hostPart}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
