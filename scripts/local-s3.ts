/**
 * Runs, for the service, the same S3 server the tests use (Ceph's RADOS Gateway, test/storage/
 * local-s3.ts) on fixed ports, creates a bucket, prints the variables to set and keeps running
 * until Ctrl-C. The cluster lives in memory: the files are gone when it stops.
 *
 *   bash scripts/local-s3.sh            # then paste the printed lines into the service's shell
 */
import { startLocalS3 } from "../test/storage/local-s3.js";

const GATEWAY_PORT = Number(process.env.LOCAL_S3_PORT ?? 7480);
const MONITOR_PORT = GATEWAY_PORT + 1;
const BUCKET = "openinsights";

const s3 = await startLocalS3({ ports: { monitor: MONITOR_PORT, gateway: GATEWAY_PORT } });
await s3.createBucket(BUCKET);
process.stdout.write(
  [
    `# S3 (Ceph RADOS Gateway) on ${s3.endpoint}, bucket ${BUCKET}; Ctrl-C stops it (and its files go).`,
    `export OPENINSIGHTS_S3_ENDPOINT=${s3.endpoint}`,
    `export OPENINSIGHTS_S3_BUCKET=${BUCKET}`,
    `export OPENINSIGHTS_S3_REGION=${s3.region}`,
    `export AWS_ACCESS_KEY_ID=${s3.credentials.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${s3.credentials.secretAccessKey}`,
    "",
  ].join("\n"),
);
await new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});
await s3.stop();
