import { describe, expect, it } from "vitest";
import { VersionedCache } from "../../src/core/versioned-cache.js";

function counting(options: { maxEntries?: number; maxSize?: number } = {}) {
  let version = 1;
  let made = 0;
  const cache = new VersionedCache<string>({
    version: () => version,
    maxEntries: options.maxEntries ?? 10,
    maxSize: options.maxSize ?? 1000,
    sizeOf: (value) => value.length,
  });
  const make = (value: string) => async () => {
    made++;
    return value;
  };
  return {
    cache,
    make,
    made: () => made,
    bump: () => {
      version++;
    },
  };
}

describe("VersionedCache", () => {
  it("makes a value once while the version stays the same", async () => {
    const c = counting();
    expect(await c.cache.remember("a", c.make("A"))).toBe("A");
    expect(await c.cache.remember("a", c.make("other"))).toBe("A");
    expect(await c.cache.remember("b", c.make("B"))).toBe("B");
    expect(c.made()).toBe(2);
  });

  it("makes every value anew after the version moves", async () => {
    const c = counting();
    await c.cache.remember("a", c.make("A"));
    c.bump();
    expect(await c.cache.remember("a", c.make("A2"))).toBe("A2");
    expect(await c.cache.remember("a", c.make("A3"))).toBe("A2");
    expect(c.made()).toBe(2);
  });

  it("does not keep a value made while the version moved", async () => {
    const c = counting();
    const value = await c.cache.remember("a", async () => {
      c.bump();
      return "made during a change";
    });
    expect(value).toBe("made during a change");
    expect(await c.cache.remember("a", c.make("fresh"))).toBe("fresh");
    expect(c.made()).toBe(1);
  });

  it("keeps only what the caller approves", async () => {
    const c = counting();
    const odd = (value: string) => value.length % 2 === 1;
    expect(await c.cache.remember("a", c.make("AA"), odd)).toBe("AA");
    expect(await c.cache.remember("a", c.make("A"), odd)).toBe("A");
    expect(await c.cache.remember("a", c.make("other"), odd)).toBe("A");
    expect(c.made()).toBe(2);
  });

  it("keeps nothing when making fails", async () => {
    const c = counting();
    await expect(
      c.cache.remember("a", async () => {
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(await c.cache.remember("a", c.make("A"))).toBe("A");
    expect(c.made()).toBe(1);
  });

  it("stays within its bounds: entries, total size, and no value larger than the total", async () => {
    const few = counting({ maxEntries: 2 });
    for (const key of ["a", "b", "c"]) await few.cache.remember(key, few.make(key));
    await few.cache.remember("c", few.make("c"));
    expect(few.made()).toBe(3); // "c" was kept after the cache was emptied for it
    await few.cache.remember("a", few.make("a"));
    expect(few.made()).toBe(4); // "a" went when "c" came

    const small = counting({ maxSize: 5 });
    await small.cache.remember("big", small.make("123456"));
    await small.cache.remember("big", small.make("123456"));
    expect(small.made()).toBe(2); // never kept
    await small.cache.remember("x", small.make("123"));
    await small.cache.remember("y", small.make("123"));
    await small.cache.remember("x", small.make("123"));
    expect(small.made()).toBe(5); // "y" did not fit beside "x": the cache was emptied for it
  });
});
