/**
 * Token buckets: the pure arithmetic, the in-process buckets and the PostgreSQL buckets (one row
 * per bucket, shared by every process) give the same answers for the same requests; on
 * PostgreSQL, concurrent takes from several pools never hand out more tokens than the bucket holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decision, type TokenTaken } from "../../src/ratelimit/bucket.js";
import { MemoryBuckets } from "../../src/ratelimit/memory-buckets.js";
import {
  openPostgresMetadataStore,
  type PostgresMetadataStore,
} from "../../src/storage/postgres/metadata-store.js";
import { createTestDatabase, randomSuffix, type TestDatabase } from "../support/postgres.js";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

describe("decision", () => {
  it("says the limit, whole requests left, seconds until full and until the next one", () => {
    expect(decision({ allowed: true, tokens: 59 }, 60)).toEqual({
      allowed: true,
      limit: 60,
      remaining: 59,
      resetSeconds: 1,
      retryAfterSeconds: 0,
    });
    expect(decision({ allowed: false, tokens: 0.25 }, 60)).toEqual({
      allowed: false,
      limit: 60,
      remaining: 0,
      resetSeconds: 60,
      retryAfterSeconds: 1,
    });
    // 5 a minute: a token every 12 s.
    expect(decision({ allowed: false, tokens: 0 }, 5)).toMatchObject({
      retryAfterSeconds: 12,
      resetSeconds: 60,
    });
  });
});

type Take = (bucket: string, perMinute: number, now: Date) => TokenTaken | Promise<TokenTaken>;

/** The same requests against any bucket store. */
function describeBuckets(name: string, open: () => Promise<{ take: Take; close(): Promise<void> }>) {
  describe(`token buckets: ${name}`, () => {
    let take: Take;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ take, close } = await open());
    });
    afterAll(async () => close?.());

    it("holds a minute's burst, then refills at the rate; buckets are independent", async () => {
      const bucket = `b-${randomSuffix()}`;
      const results: TokenTaken[] = [];
      for (let i = 0; i < 4; i++) results.push(await take(bucket, 3, at(0)));
      expect(results).toEqual([
        { allowed: true, tokens: 2 },
        { allowed: true, tokens: 1 },
        { allowed: true, tokens: 0 },
        { allowed: false, tokens: 0 },
      ]);
      // 3 a minute: one token every 20 s. A refused request takes nothing.
      expect(await take(bucket, 3, at(10_000))).toEqual({ allowed: false, tokens: 0.5 });
      expect(await take(bucket, 3, at(20_000))).toEqual({ allowed: true, tokens: 0 });
      // Never more than the burst, however long idle.
      expect(await take(bucket, 3, at(3_600_000))).toEqual({ allowed: true, tokens: 2 });
      // A clock that goes back (another process's) refills nothing.
      expect(await take(bucket, 3, at(3_500_000))).toEqual({ allowed: true, tokens: 1 });
      expect(await take(`other-${bucket}`, 3, at(0))).toEqual({ allowed: true, tokens: 2 });
    });

    it("a lowered rate caps what the bucket holds at once", async () => {
      const bucket = `b-${randomSuffix()}`;
      expect(await take(bucket, 100, at(0))).toEqual({ allowed: true, tokens: 99 });
      expect(await take(bucket, 10, at(0))).toEqual({ allowed: true, tokens: 9 });
    });
  });
}

describeBuckets("in process", async () => {
  const buckets = new MemoryBuckets();
  return { take: (b, p, n) => buckets.take(b, p, n), close: async () => {} };
});

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

const openStore = (schema: string) => openPostgresMetadataStore({ url: database.url, schema, poolSize: 4 });

describeBuckets("PostgreSQL", async () => {
  const store = await openStore(`s_${randomSuffix()}`);
  return { take: (b, p, n) => store.takeRateToken(b, p, n), close: () => store.close() };
});

describe("PostgreSQL buckets across processes", () => {
  it("hands out exactly the burst to 60 concurrent requests from 3 pools", async () => {
    const schema = `s_${randomSuffix()}`;
    const stores: PostgresMetadataStore[] = [];
    for (let i = 0; i < 3; i++) stores.push(await openStore(schema));
    try {
      const taken = await Promise.all(
        Array.from({ length: 60 }, (_, i) => stores[i % 3]!.takeRateToken("tenant-a", 25, at(0))),
      );
      expect(taken.filter((t) => t.allowed)).toHaveLength(25);
      expect(Math.min(...taken.map((t) => t.tokens))).toBe(0);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
