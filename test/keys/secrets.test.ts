import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import {
  deriveKey,
  loadMasterSecret,
  MASTER_SECRET_BYTES,
  masterKeyPath,
  parseSecret,
} from "../../src/keys/secrets.js";

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "openinsights-keys-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("loadMasterSecret from the data directory", () => {
  it("makes a 32-byte secret once, in keys/master.key with mode 0600, and re-uses it", async () => {
    const first = await loadMasterSecret({ dataDir });
    expect(first.length).toBe(MASTER_SECRET_BYTES);
    const file = masterKeyPath(dataDir);
    expect(file).toBe(path.join(dataDir, "keys", "master.key"));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).trim()).toBe(first.toString("base64"));

    const again = await loadMasterSecret({ dataDir });
    expect(again.equals(first)).toBe(true);
    expect(await readdir(path.join(dataDir, "keys"))).toEqual(["master.key"]);
  });

  it("gives different data directories different secrets", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "openinsights-keys-"));
    try {
      const a = await loadMasterSecret({ dataDir });
      const b = await loadMasterSecret({ dataDir: other });
      expect(a.equals(b)).toBe(false);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("agrees on one secret when several start at once, leaving no temporary file", async () => {
    const secrets = await Promise.all(Array.from({ length: 8 }, () => loadMasterSecret({ dataDir })));
    for (const secret of secrets) expect(secret.equals(secrets[0]!)).toBe(true);
    expect(await readdir(path.join(dataDir, "keys"))).toEqual(["master.key"]);
    expect((await loadMasterSecret({ dataDir })).equals(secrets[0]!)).toBe(true);
  });

  it("treats a blank OPENINSIGHTS_SECRET_KEY as unset", async () => {
    const fromFile = await loadMasterSecret({ dataDir });
    expect((await loadMasterSecret({ dataDir, fromEnv: "  " })).equals(fromFile)).toBe(true);
  });

  it("refuses an unusable key file instead of replacing it", async () => {
    await loadMasterSecret({ dataDir });
    await writeFile(masterKeyPath(dataDir), "too short\n");
    const error = await rejection(loadMasterSecret({ dataDir }));
    expect(error.code).toBe("internal");
    expect(error.message).toMatch(/master\.key is unusable/);
    expect(await readFile(masterKeyPath(dataDir), "utf8")).toBe("too short\n");
  });

  it("accepts a hand-written hex key file", async () => {
    const secret = randomBytes(32);
    await loadMasterSecret({ dataDir });
    await writeFile(masterKeyPath(dataDir), `${secret.toString("hex")}\n`);
    expect((await loadMasterSecret({ dataDir })).equals(secret)).toBe(true);
  });
});

describe("loadMasterSecret from OPENINSIGHTS_SECRET_KEY", () => {
  const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256));

  it.each([
    ["hex", secret.toString("hex")],
    ["upper-case hex", secret.toString("hex").toUpperCase()],
    ["base64", secret.toString("base64")],
    ["base64 without padding", secret.toString("base64").replace(/=+$/, "")],
    ["base64url", secret.toString("base64url")],
    ["prefixed hex", `hex:${secret.toString("hex")}`],
    ["prefixed base64", `base64:${secret.toString("base64")}`],
    ["surrounded by whitespace", `  ${secret.toString("base64")}\n`],
  ])("uses %s and touches no file", async (_label, value) => {
    const loaded = await loadMasterSecret({ dataDir, fromEnv: value });
    expect(loaded.equals(secret)).toBe(true);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("accepts longer secrets", async () => {
    const long = randomBytes(64);
    expect((await loadMasterSecret({ dataDir, fromEnv: long.toString("base64") })).equals(long)).toBe(true);
  });

  it.each([
    ["too short hex (31 bytes)", randomBytes(31).toString("hex")],
    ["too short base64 (31 bytes)", randomBytes(31).toString("base64")],
    ["odd-length hex with prefix", `hex:${randomBytes(32).toString("hex")}a`],
    ["not an encoding", "correct horse battery staple correct horse battery staple!"],
    ["base64 with stray characters", `${randomBytes(32).toString("base64")}$$`],
    ["base64 with bad padding", `${randomBytes(33).toString("base64")}=`],
    ["mixed base64 alphabets", `+/-_${randomBytes(33).toString("base64")}`],
  ])("refuses %s with invalid_argument", async (_label, value) => {
    const error = await rejection(loadMasterSecret({ dataDir, fromEnv: value }));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(/OPENINSIGHTS_SECRET_KEY must be at least 32 bytes/);
    // The message never echoes the (secret) value.
    expect(error.message).not.toContain(value.trim());
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("reads an unprefixed even-length hex string as hex, not base64", () => {
    const hex = randomBytes(32).toString("hex");
    expect(parseSecret(hex)?.toString("hex")).toBe(hex);
  });
});

describe("deriveKey", () => {
  const master = Buffer.alloc(32, 7);

  it("is HMAC-SHA256(master, purpose)", () => {
    const expected = createHmac("sha256", master).update("openinsights/download-link/v1").digest();
    expect(deriveKey(master, "openinsights/download-link/v1").equals(expected)).toBe(true);
    expect(deriveKey(master, "a").length).toBe(32);
  });

  it("gives different purposes and masters different keys, and the same inputs the same key", () => {
    expect(deriveKey(master, "a").equals(deriveKey(master, "b"))).toBe(false);
    expect(deriveKey(master, "a").equals(deriveKey(Buffer.alloc(32, 8), "a"))).toBe(false);
    expect(deriveKey(master, "a").equals(deriveKey(Buffer.from(master), "a"))).toBe(true);
  });

  it("makes the same keys in every process that shares the data directory", async () => {
    const [one, two] = await Promise.all([loadMasterSecret({ dataDir }), loadMasterSecret({ dataDir })]);
    expect(deriveKey(one!, "links").equals(deriveKey(two!, "links"))).toBe(true);
  });

  it("refuses a short master or an empty purpose", () => {
    expect(() => deriveKey(Buffer.alloc(16), "a")).toThrow(AppError);
    expect(() => deriveKey(master, "")).toThrow(AppError);
  });
});
