/**
 * What a rate-limit token costs per request (issue #13): the in-process bucket (SQLite
 * deployments) beside the shared PostgreSQL bucket (one row per tenant, taken with one upsert),
 * one taker at a time (the latency a request pays) and 16 at once, on one tenant's bucket (every
 * taker on the same row: the worst case for row locks) and spread over 50 tenants.
 *
 *   npm run build && node dist/bench/rate-limit.js   (alone; also part of `npm run bench`)
 */
import { fileURLToPath } from "node:url";
import { MemoryBuckets } from "../src/ratelimit/memory-buckets.js";
import type { MetadataStore } from "../src/storage/ports.js";
import { openPostgresMetadataStore } from "../src/storage/postgres/metadata-store.js";
import { type Benchmark, type BenchResult, fmtInt, percentile, progress } from "./common.js";
import { postgresStoreFactory } from "./stores.js";

type Take = (bucket: string) => Promise<unknown>;

interface Case {
  readonly side: string;
  readonly takers: number;
  readonly tenants: number;
  readonly takesPerSecond: number;
  readonly p50us: number;
  readonly p99us: number;
}

/** `takers` loops taking tokens for `seconds`, each from a bucket of `tenants`; per-take latencies. */
async function measure(take: Take, takers: number, tenants: number, seconds: number) {
  const latencies: number[] = [];
  const stop = performance.now() + seconds * 1000;
  let n = 0;
  const loop = async () => {
    while (performance.now() < stop) {
      const bucket = `tenant-${n++ % tenants}`;
      const t0 = performance.now();
      await take(bucket);
      latencies.push((performance.now() - t0) * 1000);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: takers }, loop));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    takesPerSecond: latencies.length / elapsed,
    p50us: percentile(latencies, 0.5),
    p99us: percentile(latencies, 0.99),
  };
}

/** A rate high enough that no take is refused: refused and allowed takes cost the same statement. */
const PER_MINUTE = 10_000_000;
const SHAPES = [
  { takers: 1, tenants: 1 },
  { takers: 16, tenants: 1 },
  { takers: 16, tenants: 50 },
] as const;

export const rateLimitBenchmark: Benchmark = {
  id: "rate-limit",
  title: "Rate limits: the cost of a token, in process and shared in PostgreSQL",
  async run({ settings, tempDir }) {
    const seconds = settings.quick ? 1 : 3;
    const cases: Case[] = [];
    const notes: string[] = [];
    const memory = new MemoryBuckets();
    const sides: { side: string; take: Take; close?: () => Promise<void> }[] = [
      { side: "In process (SQLite deployments)", take: async (b) => memory.take(b, PER_MINUTE, new Date()) },
    ];
    const unavailable = await postgresStoreFactory.unavailable?.();
    if (unavailable) notes.push(`PostgreSQL skipped: ${unavailable}.`);
    else {
      const spec = await postgresStoreFactory.create(await tempDir("rate-limit"));
      if (spec.kind !== "postgres") throw new Error(`not a PostgreSQL store: ${spec.kind}`);
      // The service's own pool size (10), so that 16 takers queue as a busy process's requests do.
      const store: MetadataStore = await openPostgresMetadataStore({ url: spec.url });
      notes.push(`PostgreSQL: ${(await postgresStoreFactory.describe?.()) ?? "local server"}, pool of 10.`);
      sides.push({
        side: "PostgreSQL bucket row (many processes)",
        take: (b) => store.takeRateToken!(b, PER_MINUTE, new Date()),
      });
      sides.push({
        side: "For scale: a PostgreSQL round trip alone (store.ping)",
        take: () => store.ping(),
        close: async () => {
          await store.close();
          await postgresStoreFactory.destroy?.(spec);
        },
      });
    }
    try {
      for (const { side, take } of sides) {
        for (const { takers, tenants } of SHAPES) {
          progress(`rate-limit: ${side}, ${takers} taker(s), ${tenants} tenant(s)`);
          cases.push({ side, takers, tenants, ...(await measure(take, takers, tenants, seconds)) });
        }
      }
    } finally {
      for (const { close } of sides) await close?.();
    }
    const us = (x: number) => (x >= 100 ? fmtInt(x) : x.toFixed(1));
    return {
      method: `Each shape runs ${seconds} s of back-to-back takes (a rate no take exceeds), in this process; latency per take, takes per second.`,
      tables: [
        {
          columns: ["Bucket", "Takers at once", "Tenants", "Takes/s", "p50 µs", "p99 µs"],
          rows: cases.map((c) => [
            c.side,
            String(c.takers),
            String(c.tenants),
            fmtInt(c.takesPerSecond),
            us(c.p50us),
            us(c.p99us),
          ]),
        },
      ],
      targets: [],
      notes,
      data: cases,
    } satisfies Omit<BenchResult, "id" | "title" | "elapsedMs">;
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { readSettings, TempDirs } = await import("./common.js");
  const { textResult } = await import("./report.js");
  const dirs = new TempDirs();
  try {
    const body = await rateLimitBenchmark.run({
      settings: readSettings(),
      bigDataDir: "",
      tempDir: (label) => dirs.make(label),
    });
    process.stdout.write(
      textResult({ id: rateLimitBenchmark.id, title: rateLimitBenchmark.title, ...body, elapsedMs: 0 }),
    );
  } finally {
    await dirs.removeAll();
  }
}
