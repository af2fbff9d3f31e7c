/**
 * The HTTP load generator, run as a child process (so it never shares the server's event loop):
 * `connections` closed loops over keep-alive sockets, each sending the next request when the
 * previous answer has been read. Only answers completed inside the measured window count (throughput and latency).
 */
import http from "node:http";
import { childMain, percentile } from "./common.js";

export interface LoadJob {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export interface LoadResult {
  /** Answers completed inside the measured window. */
  readonly requests: number;
  /** Every answer completed, warm-up included (the server's work over the whole run). */
  readonly answered: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly bytesPerResponse: number;
}

async function load(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections, scheduling: "fifo" });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  let answered = 0;
  const start = performance.now();
  const measureFrom = start + job.warmupSeconds * 1000;
  const stopAt = measureFrom + job.seconds * 1000;

  const once = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: "GET",
          headers: job.headers,
        },
        (response) => {
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
          });
          response.on("end", () => {
            const done = performance.now();
            answered++;
            if (done >= measureFrom && done <= stopAt) {
              latencies.push(done - sent);
              bytes += size;
              if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) non2xx++;
            }
            resolve();
          });
          response.on("error", () => {
            errors++;
            resolve();
          });
        },
      );
      request.on("error", () => {
        errors++;
        resolve();
      });
      request.end();
    });

  const loop = async () => {
    while (performance.now() < stopAt) await once();
  };
  await Promise.all(Array.from({ length: job.connections }, loop));
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  const seconds = job.seconds;
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    requests: latencies.length,
    answered,
    non2xx,
    errors,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      mean,
    },
    bytesPerResponse: latencies.length > 0 ? bytes / latencies.length : 0,
  };
}

childMain<LoadJob, LoadResult>((job) => load(job));
