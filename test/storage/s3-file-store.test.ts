/**
 * The S3 adapter against a real S3 implementation started here: Ceph's RADOS Gateway (see
 * `local-s3.ts`; `scripts/ensure-s3-server.sh` installs it). When it cannot start, these tests fail.
 */
import { createHash, randomBytes } from "node:crypto";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  contentDisposition,
  MAX_PRESIGN_SECONDS,
  openS3FileStore,
  type S3FileStore,
  type S3FileStoreOptions,
} from "../../src/storage/s3/file-store.js";
import { describeFileStoreContract, readAll } from "./file-store-contract.js";
import { type LocalS3, startLocalS3 } from "./local-s3.js";

const BUCKET = "openinsights-test";
let s3: LocalS3 | undefined;
let work: string;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "openinsights-s3-store-"));
  const started = Date.now();
  s3 = await startLocalS3();
  await s3.createBucket(BUCKET);
  console.info(`local S3 (Ceph RGW) at ${s3.endpoint}, ready in ${Date.now() - started} ms`);
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  await rm(work, { recursive: true, force: true });
});

function server(): LocalS3 {
  if (s3 === undefined) throw new Error("the local S3 server did not start (see the beforeAll error)");
  return s3;
}

function options(extra: Partial<S3FileStoreOptions> = {}): S3FileStoreOptions {
  const { endpoint, region, credentials } = server();
  return { bucket: BUCKET, endpoint, region, credentials, ...extra };
}

describeFileStoreContract("s3", async () => {
  // A fresh prefix per test gives each one an empty store in the shared bucket.
  const store = await openS3FileStore(options({ prefix: `contract-${++counter}` }));
  return { store, close: () => store.close() };
});

describe("S3 file store", () => {
  let store: S3FileStore;

  const source = async (content: Buffer | string): Promise<string> => {
    const file = path.join(work, `source-${++counter}.bin`);
    await writeFile(file, content);
    return file;
  };
  const exists = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    );
  const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

  beforeAll(async () => {
    store = await openS3FileStore(options({ prefix: "s3-tests/" }));
  });
  afterAll(async () => {
    await store?.close();
  });

  it("stores under the prefix and can presign", () => {
    expect(store.capabilities.presignedUrls).toBe(true);
    expect(store.prefix).toBe("s3-tests/");
    expect(store.objectKey("mpn/t/r/e.csv")).toBe("s3-tests/mpn/t/r/e.csv");
    expect(() => store.objectKey("../x")).toThrow(/invalid file key/);
  });

  it("uploads a 20 MB file in parts, removes the local file and reads it back", async () => {
    const content = randomBytes(20 * 1024 * 1024 + 123);
    const file = await source(content);
    const started = Date.now();
    await expect(
      store.putFile("big/multipart.csv.gz", file, { contentType: "application/gzip" }),
    ).resolves.toEqual({ bytes: content.length });
    const uploadMs = Date.now() - started;
    // Moved, like the disk adapter.
    expect(await exists(file)).toBe(false);
    // A multipart object's ETag ends with "-<parts>": 8 MiB parts make 3.
    const head = await server().client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "s3-tests/big/multipart.csv.gz" }),
    );
    expect(head.ETag).toMatch(/-3"$/);
    expect(head.ContentType).toBe("application/gzip");
    expect(head.ContentLength).toBe(content.length);
    expect(sha256(await readAll(await store.read("big/multipart.csv.gz")))).toBe(sha256(content));
    console.info(`20 MB multipart upload: ${uploadMs} ms`);
  });

  it("uploads with the SDK's flexible checksums when asked", async () => {
    const checked = await openS3FileStore(options({ prefix: "s3-tests/", checksums: "when_supported" }));
    try {
      for (const size of [100, 9 * 1024 * 1024]) {
        const content = randomBytes(size);
        await expect(
          checked.putFile(`checksums/${size}.bin`, await source(content), {
            contentType: "application/octet-stream",
          }),
        ).resolves.toEqual({ bytes: size });
        expect((await readAll(await checked.read(`checksums/${size}.bin`))).equals(content)).toBe(true);
      }
      await checked.delete(["checksums/100.bin"]);
      await expect(checked.stat("checksums/100.bin")).resolves.toBeUndefined();
    } finally {
      await checked.close();
    }
  });

  it("uploads a small file in one PutObject", async () => {
    await store.putFile("small/e.csv", await source("a,b\n"), { contentType: "text/csv" });
    const head = await server().client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: "s3-tests/small/e.csv" }),
    );
    expect(head.ETag).not.toContain("-");
    expect(head.ContentType).toBe("text/csv");
  });

  it("answers a range that starts past the end with no bytes", async () => {
    await store.putFile("range/e.csv", await source("0123"), { contentType: "text/csv" });
    expect((await readAll(await store.read("range/e.csv", { start: 10, end: 20 }))).length).toBe(0);
    await expect(store.read("range/missing.csv", { start: 0, end: 1 })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(store.read("range/e.csv", { start: 3, end: 1 })).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it("serves a presigned URL with the bytes and the download name", async () => {
    const content = randomBytes(1024 * 1024 + 7);
    await store.putFile("links/e.csv.gz", await source(content), { contentType: "application/gzip" });
    for (const name of ["report_2026-11-01.csv.gz", 'Überblick "Q3".csv']) {
      const url = await store.presignedUrl("links/e.csv.gz", new Date(Date.now() + 10 * 60_000), name);
      expect(url.startsWith(`${server().endpoint}/${BUCKET}/s3-tests/links/e.csv.gz?`)).toBe(true);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toBe(contentDisposition(name));
      expect(Buffer.from(await response.arrayBuffer()).equals(content)).toBe(true);
    }
    expect(contentDisposition("report_2026-11-01.csv.gz")).toBe(
      'attachment; filename="report_2026-11-01.csv.gz"',
    );
    expect(contentDisposition('Überblick "Q3".csv')).toBe(
      "attachment; filename=\"_berblick _Q3_.csv\"; filename*=UTF-8''%C3%9Cberblick%20%22Q3%22.csv",
    );
  });

  it("presigns for the public endpoint when one is set, and the host is signed", async () => {
    const publicEndpoint = server().endpoint.replace("127.0.0.1", "localhost");
    const aliased = await openS3FileStore(options({ prefix: "s3-tests/", presignEndpoint: publicEndpoint }));
    try {
      await aliased.putFile("links/public.csv", await source("public"), { contentType: "text/csv" });
      const url = await aliased.presignedUrl("links/public.csv", new Date(Date.now() + 60_000), "p.csv");
      expect(url.startsWith(`${publicEndpoint}/${BUCKET}/s3-tests/links/public.csv?`)).toBe(true);
      expect(await (await fetch(url)).text()).toBe("public");
      // The same URL sent to another host name does not match its signature.
      const moved = await fetch(url.replace(publicEndpoint, server().endpoint));
      expect(moved.status).toBe(403);
    } finally {
      await aliased.close();
    }
  });

  it("signs the expiry it is given, capped at 7 days", async () => {
    const expiresIn = (url: string) => Number(new URL(url).searchParams.get("X-Amz-Expires"));
    const inOneHour = await store.presignedUrl("links/e.csv.gz", new Date(Date.now() + 3_600_000), "e.csv");
    expect(Math.abs(expiresIn(inOneHour) - 3600)).toBeLessThanOrEqual(1);
    const inAMonth = await store.presignedUrl(
      "links/e.csv.gz",
      new Date(Date.now() + 30 * 86_400_000),
      "e.csv",
    );
    expect(expiresIn(inAMonth)).toBe(MAX_PRESIGN_SECONDS);
    await expect(
      store.presignedUrl("links/e.csv.gz", new Date(Date.now() - 1000), "e.csv"),
    ).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(
      store.presignedUrl("../e.csv", new Date(Date.now() + 60_000), "e.csv"),
    ).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it("has the server refuse an expired presigned URL", async () => {
    await store.putFile("links/short.csv", await source("short"), { contentType: "text/csv" });
    const url = await store.presignedUrl("links/short.csv", new Date(Date.now() + 1000), "short.csv");
    expect((await fetch(url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("AccessDenied");
  });

  it("has the server refuse a tampered presigned URL", async () => {
    await store.putFile("links/a.csv", await source("tenant a"), { contentType: "text/csv" });
    await store.putFile("links/b.csv", await source("tenant b"), { contentType: "text/csv" });
    const url = await store.presignedUrl("links/a.csv", new Date(Date.now() + 60_000), "a.csv");
    expect(await (await fetch(url)).text()).toBe("tenant a");

    const tampered = new Map<string, string>();
    const signature = new URL(url).searchParams.get("X-Amz-Signature")!;
    const flipped = (signature[0] === "0" ? "1" : "0") + signature.slice(1);
    tampered.set("signature", url.replace(`X-Amz-Signature=${signature}`, `X-Amz-Signature=${flipped}`));
    tampered.set("key", url.replace("/links/a.csv?", "/links/b.csv?"));
    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    tampered.set("expiry", longer.toString());
    const renamed = new URL(url);
    renamed.searchParams.set("response-content-disposition", 'attachment; filename="evil.exe"');
    tampered.set("download name", renamed.toString());
    const unsigned = new URL(url);
    unsigned.searchParams.delete("X-Amz-Signature");
    tampered.set("no signature", unsigned.toString());

    for (const [what, bad] of tampered) {
      expect(bad, what).not.toBe(url);
      const response = await fetch(bad);
      const body = await response.text();
      expect(response.status, `${what}: ${body}`).toBe(403);
      expect(body, what).not.toContain("tenant");
    }
  });

  it("has the server refuse a URL signed with another secret", async () => {
    const forged = await openS3FileStore(
      options({
        prefix: "s3-tests/",
        credentials: { accessKeyId: server().credentials.accessKeyId, secretAccessKey: "not-the-secret" },
        checkBucket: false,
      }),
    );
    try {
      const url = await forged.presignedUrl("links/a.csv", new Date(Date.now() + 60_000), "a.csv");
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("SignatureDoesNotMatch");
      // Header-signed requests are verified too.
      await expect(forged.stat("links/a.csv")).rejects.toMatchObject({ code: "unavailable" });
    } finally {
      await forged.close();
    }
  });

  it("fails at open when the bucket cannot be reached", async () => {
    await expect(openS3FileStore(options({ bucket: "no-such-bucket" }))).rejects.toMatchObject({
      code: "unavailable",
    });
    await expect(openS3FileStore(options({ bucket: "" }))).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(openS3FileStore(options({ partSize: 1024 }))).rejects.toMatchObject({
      code: "invalid_argument",
    });
    await expect(openS3FileStore(options({ prefix: "a/../b" }))).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it("keeps the local file when the upload fails", async () => {
    const broken = await openS3FileStore(options({ bucket: "no-such-bucket", checkBucket: false }));
    try {
      const file = await source("kept");
      await expect(broken.putFile("k/e.csv", file, { contentType: "text/csv" })).rejects.toMatchObject({
        code: "unavailable",
      });
      expect(await exists(file)).toBe(true);
    } finally {
      await broken.close();
    }
  });
});
