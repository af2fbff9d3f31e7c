/**
 * Report files in S3-compatible object storage: key `a/b/c.csv.gz` is the object `<prefix>a/b/c.csv.gz`
 * in the configured bucket.
 *
 * `putFile` uploads the finished local file (a multipart upload from `partSize` up, a single
 * PutObject below it) and removes the local file once the upload completed, so it moves like the
 * disk adapter. S3 makes an object visible only when its PutObject or CompleteMultipartUpload
 * succeeds, and replaces an object whole: a reader sees no object, the old one or the new one, never
 * part of one. A failed upload aborts its multipart upload and leaves the local file in place.
 *
 * `read` asks for the object (or a `Range`) and returns the response body: a download that started
 * keeps the version it started with when the key is overwritten or deleted meanwhile.
 *
 * `presignedUrl` signs a GET (SigV4 query signature) that answers with
 * `Content-Disposition: attachment; filename=…`, valid until `expiresAt` (at most 7 days, S3's limit).
 *
 * Keys follow the same rules as the disk adapter (relative `/`-separated paths, no `..`, no empty or
 * `.` segments, no control characters, no backslash), so a key that works on one works on the other.
 */

import { createReadStream } from "node:fs";
import { unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { PassThrough } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AppError, ERROR_CODES } from "../../core/errors.js";
import { checkRange, keySegments, sourceSize } from "../file-keys.js";
import type { FileStore } from "../ports.js";

export interface S3FileStoreOptions {
  /** The bucket that holds the files; it must exist. */
  readonly bucket: string;
  /** Put before every key (e.g. `openinsights/reports/`); a missing trailing `/` is added. */
  readonly prefix?: string;
  /** The S3 endpoint URL for an S3-compatible store (MinIO, Ceph RGW, …); AWS when omitted or null. */
  readonly endpoint?: string | null;
  /**
   * The endpoint written into presigned URLs, when clients reach the store at another address than
   * the service does (e.g. a public host name); `endpoint` when omitted or null.
   */
  readonly presignEndpoint?: string | null;
  /** Default: the SDK's (AWS_REGION / AWS_DEFAULT_REGION / profile), else `us-east-1`. */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default true when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, profiles, roles). */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Multipart part size in bytes (default and minimum 8 MiB); files below it take one PutObject. */
  readonly partSize?: number;
  /** Parts uploaded at once per file (default 4). */
  readonly queueSize?: number;
  /**
   * Flexible checksums (CRC32 trailers) on uploads: "when_supported" is the SDK's default for AWS;
   * "when_required" (the default when `endpoint` is set) suits stores that predate them.
   */
  readonly checksums?: "when_supported" | "when_required";
  /** Check at open that the bucket is reachable (default true): a wrong setting fails at start-up. */
  readonly checkBucket?: boolean;
}

export interface S3FileStore extends FileStore {
  readonly bucket: string;
  /** The normalised prefix ("" or ending with `/`). */
  readonly prefix: string;
  /** The object key of a store key (the key is checked first). */
  objectKey(key: string): string;
  presignedUrl(key: string, expiresAt: Date, downloadName: string): Promise<string>;
  /** Releases the HTTP connections. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 8 * MIB;
/** S3 allows at most 10,000 parts per upload; large files get bigger parts. */
const MAX_PARTS = 10_000;
/** SigV4 presigned URLs live at most 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;
/** DeleteObjects takes at most 1000 keys per call. */
const DELETE_BATCH = 1000;

export async function openS3FileStore(options: S3FileStoreOptions): Promise<S3FileStore> {
  const bucket = options.bucket?.trim();
  if (!bucket) throw invalid("the S3 bucket is not set");
  const prefix = normalisePrefix(options.prefix ?? "");
  const partSize = options.partSize ?? MIN_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw invalid(`the S3 part size must be a whole number of bytes >= ${MIN_PART_SIZE}`);
  }
  const queueSize = options.queueSize ?? 4;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) throw invalid("the S3 queue size must be >= 1");

  const endpoint = options.endpoint || undefined;
  const presignEndpoint = options.presignEndpoint || undefined;
  const client = new S3Client(clientConfig(options, endpoint, endpoint));
  const presigner =
    presignEndpoint !== undefined && presignEndpoint !== endpoint
      ? new S3Client(clientConfig(options, presignEndpoint, endpoint))
      : client;

  if (options.checkBucket ?? true) {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      client.destroy();
      if (presigner !== client) presigner.destroy();
      throw new AppError(
        ERROR_CODES.UNAVAILABLE,
        `the S3 bucket ${JSON.stringify(bucket)} cannot be reached: ${describe(error)}`,
        undefined,
        { cause: error },
      );
    }
  }

  const objectKey = (key: string) => prefix + keySegments(key).join("/");

  return {
    bucket,
    prefix,
    capabilities: { presignedUrls: true },
    objectKey,

    async putFile(key, localPath, { contentType }) {
      const Key = objectKey(key);
      const source = path.resolve(localPath);
      const bytes = await sourceSize(source);
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key, Body: createReadStream(source), ContentType: contentType },
        // Stay under S3's part-count limit for very large files (whole MiBs).
        partSize: Math.max(partSize, Math.ceil(bytes / MAX_PARTS / MIB) * MIB),
        queueSize,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        throw storeError("upload", key, error);
      }
      await unlink(source).catch(() => undefined);
      return { bytes };
    },

    async stat(key) {
      const Key = objectKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        return { bytes: head.ContentLength ?? 0 };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw storeError("stat", key, error);
      }
    },

    async read(key, range) {
      const Key = objectKey(key);
      if (range !== undefined) checkRange(range);
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        const body = response.Body as Readable | undefined;
        return body ?? emptyStream();
      } catch (error) {
        if (isMissing(error)) throw notFound(key);
        // A range that starts past the end: no bytes, as the disk adapter answers.
        if (range !== undefined && statusOf(error) === 416) return emptyStream();
        throw storeError("read", key, error);
      }
    },

    async delete(keys) {
      const objects = keys.map((key) => ({ Key: objectKey(key) }));
      for (let i = 0; i < objects.length; i += DELETE_BATCH) {
        const batch = objects.slice(i, i + DELETE_BATCH);
        let failed: { Key?: string; Code?: string; Message?: string }[];
        try {
          const result = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
          );
          failed = (result.Errors ?? []).filter((entry) => entry.Code !== "NoSuchKey");
        } catch (error) {
          throw storeError("delete", batch[0]?.Key ?? "", error);
        }
        if (failed.length > 0) {
          const first = failed[0]!;
          throw new AppError(
            ERROR_CODES.UNAVAILABLE,
            `object storage could not delete ${failed.length} object(s), first ${JSON.stringify(first.Key)}: ${first.Code} ${first.Message ?? ""}`.trim(),
          );
        }
      }
    },

    async presignedUrl(key, expiresAt, downloadName) {
      const Key = objectKey(key);
      const seconds = Math.ceil((expiresAt.getTime() - Date.now()) / 1000);
      if (!Number.isFinite(seconds) || seconds < 1) {
        throw invalid(`a presigned URL must expire in the future, not at ${expiresAt.toISOString()}`);
      }
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key,
        ResponseContentDisposition: contentDisposition(downloadName),
      });
      return getSignedUrl(presigner, command, { expiresIn: Math.min(seconds, MAX_PRESIGN_SECONDS) });
    },

    async close() {
      client.destroy();
      if (presigner !== client) presigner.destroy();
    },
  };
}

/** `endpoint`: the one this client talks to; `storeEndpoint`: the store's (decides the defaults). */
function clientConfig(
  options: S3FileStoreOptions,
  endpoint: string | undefined,
  storeEndpoint: string | undefined,
): S3ClientConfig {
  const custom = storeEndpoint !== undefined || endpoint !== undefined;
  const checksums = options.checksums ?? (custom ? "when_required" : "when_supported");
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1");
  return {
    region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? custom,
    ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
    requestChecksumCalculation: checksums === "when_supported" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
    responseChecksumValidation: checksums === "when_supported" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED",
  };
}

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 / 8187):
 * quotes, backslashes and control characters never reach the header.
 */
export function contentDisposition(downloadName: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is dropped
  const clean = downloadName.replace(/[\u0000-\u001f\u007f/\\]/g, "_").trim() || "download";
  const ascii = clean.replace(/[^\x20-\x7e]/g, "_").replace(/["%;]/g, "_");
  if (ascii === clean) return `attachment; filename="${ascii}"`;
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  if (trimmed === "") return "";
  const withSlash = trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
  try {
    keySegments(withSlash.slice(0, -1));
  } catch {
    throw invalid(`the S3 prefix ${JSON.stringify(prefix)} is not a plain relative path`);
  }
  return withSlash;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** A missing object (not a missing bucket, which is a configuration error). */
function isMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  if (name === "NoSuchBucket") return false;
  return name === "NotFound" || name === "NoSuchKey" || statusOf(error) === 404;
}

function describe(error: unknown): string {
  const status = statusOf(error);
  const name = (error as { name?: string })?.name ?? "Error";
  const message = (error as { message?: string })?.message ?? String(error);
  return `${name}${status ? ` (HTTP ${status})` : ""}: ${message}`;
}

function storeError(operation: string, key: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError(
    ERROR_CODES.UNAVAILABLE,
    `object storage ${operation} failed for ${JSON.stringify(key)}: ${describe(error)}`,
    undefined,
    { cause: error },
  );
}

function notFound(key: string): AppError {
  return new AppError(ERROR_CODES.NOT_FOUND, `no file is stored under ${JSON.stringify(key)}`);
}

function invalid(message: string): AppError {
  return new AppError(ERROR_CODES.INVALID_ARGUMENT, message);
}

function emptyStream(): NodeJS.ReadableStream {
  const stream = new PassThrough();
  stream.end();
  return stream;
}
