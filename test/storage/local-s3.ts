/**
 * A throwaway S3-compatible server for tests: Ceph's RADOS Gateway (Debian's `radosgw`) on a
 * one-monitor, one-OSD Ceph cluster kept in memory (`memstore`), all on 127.0.0.1 with free ports,
 * in a temporary directory. It is the real S3 implementation Ceph ships: SigV4 (header and presigned
 * query) is verified, multipart uploads complete atomically, ranges and response overrides work.
 *
 *   const s3 = await startLocalS3();   // ~10-15 s; throws with the logs when it cannot start
 *   ... s3.endpoint, s3.credentials, s3.createBucket("name") ...
 *   await s3.stop();
 *
 * The test set-up installs the packages (`test/support/services.ts`, `scripts/ensure-s3-server.sh`).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { testService, unavailableLine } from "../support/services.js";

const run = promisify(execFile);

export interface LocalS3 {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The cluster's directory (config, logs). */
  readonly dir: string;
  /** A client with the test credentials (path-style). */
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  /** Kills the daemons and removes the directory. */
  stop(): Promise<void>;
}

/** Fixed ports instead of free ones (scripts/local-s3.sh: a server the service's settings can name). */
export interface LocalS3Ports {
  readonly monitor: number;
  readonly gateway: number;
}

/** Starts the server; a second attempt follows a failed first one (a start-up race in Ceph). */
export async function startLocalS3(
  options: { timeoutMs?: number; attempts?: number; ports?: LocalS3Ports } = {},
): Promise<LocalS3> {
  const attempts = options.attempts ?? 2;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options.timeoutMs ?? 60_000, options.ports);
    } catch (error) {
      if (attempt >= attempts || (error as { notInstalled?: boolean }).notInstalled) throw error;
      console.warn(
        `local S3: attempt ${attempt} failed, trying again: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
}

async function startOnce(timeoutMs: number, ports: LocalS3Ports | undefined): Promise<LocalS3> {
  const deadline = Date.now() + timeoutMs;
  const service = testService("s3");
  const problem = await service.problem();
  if (problem !== undefined) {
    throw Object.assign(new Error(unavailableLine(service, problem)), { notInstalled: true });
  }

  const dir = await mkdtemp(path.join(tmpdir(), "openinsights-rgw-"));
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killAll);

  try {
    const [monPort, rgwPort] = ports ? [ports.monitor, ports.gateway] : await freePorts(2);
    const fsid = randomUUID();
    const conf = path.join(dir, "ceph.conf");
    for (const sub of ["mon", "osd/osd.0", "run", "log", "crash", "rgw"]) {
      await mkdir(path.join(dir, sub), { recursive: true });
    }
    await writeFile(conf, cephConf(dir, fsid, monPort!, rgwPort!));
    const c = ["-c", conf];
    const cli = async (command: string, args: string[], timeoutMs = 30_000) =>
      (await run(command, [...c, ...args], { timeout: timeoutMs })).stdout;
    const daemon = (command: string, args: string[]) => {
      const child = spawn(command, [...c, "-f", ...args], { stdio: "ignore" });
      children.push(child);
      return child;
    };

    await run("monmaptool", [
      "--create",
      "--clobber",
      "--fsid",
      fsid,
      "--addv",
      "a",
      `[v1:127.0.0.1:${monPort}]`,
      path.join(dir, "monmap"),
    ]);
    await cli("ceph-mon", ["--mkfs", "-i", "a", "--monmap", path.join(dir, "monmap")]);
    daemon("ceph-mon", ["-i", "a"]);

    const osdId = (await cli("ceph", ["--connect-timeout", "30", "osd", "create"])).trim();
    if (osdId !== "0") throw new Error(`expected OSD id 0, got ${JSON.stringify(osdId)}`);
    // Placed in CRUSH here, so the OSD sends no command of its own at start-up (one sent before it
    // has the monitor map carries a zero fsid, is refused, and the OSD exits).
    await cli("ceph", ["osd", "crush", "add", "osd.0", "1.0", "root=default", "host=localhost"]);
    await cli("ceph-osd", ["-i", "0", "--mkfs"]);
    daemon("ceph-osd", ["-i", "0"]);
    daemon("radosgw", ["-n", "client.rgw"]);

    const endpoint = `http://127.0.0.1:${rgwPort}`;
    while (!(await answers(endpoint))) {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${child.spawnfile} exited (${child.exitCode ?? child.signalCode})`);
        }
      }
      if (Date.now() > deadline) throw new Error(`radosgw did not answer on ${endpoint} in time`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const credentials = {
      accessKeyId: `OI${randomBytes(9).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(24).toString("base64url"),
    };
    await cli("radosgw-admin", [
      "user",
      "create",
      "--uid=openinsights-test",
      "--display-name=OpenInsights tests",
      `--access-key=${credentials.accessKeyId}`,
      `--secret-key=${credentials.secretAccessKey}`,
    ]);

    const region = "us-east-1";
    const client = new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    let stopped = false;
    return {
      endpoint,
      region,
      credentials,
      dir,
      client,
      async createBucket(name) {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        client.destroy();
        await stopChildren(children);
        process.removeListener("exit", killAll);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const logs = await tailLogs(path.join(dir, "log"));
    await stopChildren(children);
    process.removeListener("exit", killAll);
    await rm(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The local S3 server (Ceph RADOS Gateway) could not be started: ${reason}\n${logs}`, {
      cause: error,
    });
  }
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
public network = 127.0.0.1/32
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
keyring = /dev/null
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
crash dir = ${dir}/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
# Commit map changes (pool creation, OSD boot) at once instead of once a second.
paxos propose interval = 0.01
paxos min wait = 0.01

[mon]
mon data = ${dir}/mon/$name
mon cluster log file = ${dir}/log/cluster.log

[osd]
osd data = ${dir}/osd/$name
osd objectstore = memstore
osd crush update on start = false
osd class update on start = false
memstore device bytes = 4294967296
osd max object name len = 460
osd max object namespace len = 64

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
`;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}

async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  // A throwaway in-memory cluster: nothing to flush, so kill at once (each by its own pid).
  await Promise.all(
    [...children].reverse().map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

async function tailLogs(logDir: string): Promise<string> {
  try {
    const parts: string[] = [];
    for (const name of (await readdir(logDir)).sort()) {
      const lines = (await readFile(path.join(logDir, name), "utf8")).trimEnd().split("\n");
      parts.push(`--- ${name} (last lines) ---\n${lines.slice(-15).join("\n")}`);
    }
    return parts.join("\n");
  } catch {
    return "(no logs)";
  }
}
