/**
 * Vitest global setup of the `pganalytics` project: one local S3 server (Ceph RADOS Gateway, see
 * test/storage/local-s3.ts) for the whole run, handed to the tests with `inject("localS3")`.
 * `startTestApp` then gives every test app a bucket of its own on it (OPENINSIGHTS_TEST_FILES=s3).
 * One server instead of one per test file: starting Ceph costs 10–15 s.
 */
import type { TestProject } from "vitest/node";
import { startLocalS3 } from "../storage/local-s3.js";

export interface LocalS3Server {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    localS3: LocalS3Server;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startLocalS3();
  project.provide("localS3", {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.credentials.accessKeyId,
    secretAccessKey: s3.credentials.secretAccessKey,
  });
  return () => s3.stop();
}
