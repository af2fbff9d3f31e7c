/**
 * The rules in force across processes: two services (as two processes would) over two connections
 * to one metadata database see the same rules — the one that changed them at once, the other at
 * its next read (its refresh period; a period of 0 reads every time, a long one keeps what it read).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultService } from "../../src/faults/fault-service.js";
import type { FaultTarget } from "../../src/faults/rules.js";
import type { MetadataStore } from "../../src/storage/ports.js";
import { openSqliteMetadataStore } from "../../src/storage/sqlite/metadata-store.js";

let dir: string;
let first: MetadataStore;
let second: MetadataStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "openinsights-faults-"));
  first = await openSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
  second = await openSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
  await rm(dir, { recursive: true, force: true });
});

const now = () => new Date("2026-01-01T00:00:00Z");

describe("FaultService", () => {
  it("shares the rules through the metadata store: at once where set, at the next read elsewhere", async () => {
    const setter = new FaultService({ store: first, now, refreshMs: 60_000 });
    const reader = new FaultService({ store: second, now, refreshMs: 0 });
    const keeper = new FaultService({ store: second, now, refreshMs: 60_000 });
    expect(await keeper.current()).toEqual([]);

    await setter.set({ Rules: [{ Path: "/insights/**", Status: 503 }] });
    expect((await setter.current()).map((r) => r.status)).toEqual([503]);
    expect((await reader.current()).map((r) => r.status)).toEqual([503]);
    // Read before the change and within its period: still the old rules; read() asks the store.
    expect(await keeper.current()).toEqual([]);
    expect((await keeper.read()).map((r) => r.status)).toEqual([503]);
    expect((await keeper.current()).map((r) => r.status)).toEqual([503]);

    await setter.set({ Rules: [] });
    expect(await setter.current()).toEqual([]);
    expect(await reader.current()).toEqual([]);
    await setter.set({ Rules: [{ Target: "execution" }] });
    await setter.clear();
    expect(await reader.current()).toEqual([]);
    expect(await second.getFaultRules()).toBeNull();
  });

  it("reports every injected fault, and only those, with its target", async () => {
    const injected: [FaultTarget, Record<string, unknown>][] = [];
    const faults = new FaultService({
      store: first,
      now,
      refreshMs: 0,
      random: () => 0.5,
      injected: (target, detail) => injected.push([target, detail]),
    });
    await faults.set({
      Rules: [
        { Method: "GET", Path: "/a/*", Status: 429 },
        { Target: "execution", Probability: 0.6 },
        { Target: "callback", Probability: 0.4 },
      ],
    });
    expect((await faults.forRequest("GET", "/a/b"))?.status).toBe(429);
    expect(await faults.forRequest("POST", "/a/b")).toBeUndefined();
    expect(await faults.fails("execution", { executionId: "e" })).toBe(true);
    expect(await faults.fails("callback", { deliveryId: "d" })).toBe(false);
    expect(injected).toEqual([
      ["http", { method: "GET", path: "/a/b", status: 429, latencyMs: 0 }],
      ["execution", { executionId: "e" }],
    ]);
    await faults.clear();
  });

  it("refuses bad rules and keeps the ones in force", async () => {
    const faults = new FaultService({ store: first, now, refreshMs: 0 });
    await faults.set({ Rules: [{ Target: "callback" }] });
    await expect(faults.set({ Rules: [{ Target: "callback", Probability: 3 }] })).rejects.toThrow(
      "Probability must be a number from 0 to 1",
    );
    expect((await faults.current()).map((r) => r.target)).toEqual(["callback"]);
    await faults.clear();
  });
});
