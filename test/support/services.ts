/**
 * What the tests need besides Node and the npm packages: the one list. `global-setup.ts` ensures each
 * entry before any test runs (starts or installs it where it can), and every test that needs one calls
 * `requireService`, which fails with the same one line `npm test` printed at the start. A service that
 * cannot be had fails its tests; it never skips them.
 *
 * Each entry's `ensure` is a script under `scripts/` that a person can run too (it needs root for apt).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export type ServiceName = "postgres" | "s3" | "chromium";

export interface TestService {
  readonly name: ServiceName;
  /** How people call it, in messages. */
  readonly title: string;
  /** Why the tests need it. */
  readonly neededBy: string;
  /** The script that starts or installs it (idempotent; needs root). */
  readonly ensureScript: string;
  /** Why it is not usable now, or undefined when it is. Cheap: runs before every test file that needs it. */
  problem(): Promise<string | undefined>;
  /** The command a person runs to make it usable. */
  fix(): string;
}

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** The test server's administrative database: OPENINSIGHTS_TEST_DATABASE_URL, else the local cluster. */
export function testDatabaseUrl(): string {
  const fromEnv = process.env.OPENINSIGHTS_TEST_DATABASE_URL;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_DATABASE_URL;
}

/** `url` without its password, for messages. */
function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:…@");
}

/** Debian's Chromium, or another build at OPENINSIGHTS_TEST_CHROMIUM. */
export function chromiumPath(): string {
  const fromEnv = process.env.OPENINSIGHTS_TEST_CHROMIUM;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : "/usr/bin/chromium";
}

const S3_BINARIES = ["monmaptool", "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph"] as const;

export const TEST_SERVICES: readonly TestService[] = [
  {
    name: "postgres",
    title: "PostgreSQL",
    neededBy: "the postgres project (API and execution suites), storage contract, scale tests",
    ensureScript: "scripts/ensure-postgres.sh",
    async problem() {
      const url = testDatabaseUrl();
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      client.on("error", () => {});
      try {
        await client.connect();
        return undefined;
      } catch (error) {
        return `not reachable at ${safeUrl(url)} (${(error as Error).message})`;
      } finally {
        await client.end().catch(() => {});
      }
    },
    fix() {
      return `run \`sudo bash ${this.ensureScript}\` (starts or installs the local cluster) or set OPENINSIGHTS_TEST_DATABASE_URL`;
    },
  },
  {
    name: "s3",
    title: "the local S3 server (Ceph RADOS Gateway)",
    neededBy:
      "the S3 file store contract, the app with report files on S3, the pganalytics project, the PostgreSQL scale test",
    ensureScript: "scripts/ensure-s3-server.sh",
    async problem() {
      const missing: string[] = [];
      for (const binary of S3_BINARIES) {
        try {
          await run("sh", ["-c", `command -v ${binary}`]);
        } catch {
          missing.push(binary);
        }
      }
      return missing.length === 0 ? undefined : `not installed (${missing.join(", ")} not found)`;
    },
    fix() {
      return `run \`sudo bash ${this.ensureScript}\` (apt-get install radosgw ceph-mon ceph-osd)`;
    },
  },
  {
    name: "chromium",
    title: "Chromium",
    neededBy: "the console's browser tests (playwright-core drives it)",
    ensureScript: "scripts/ensure-chromium.sh",
    async problem() {
      const browser = chromiumPath();
      try {
        await run(browser, ["--version"]);
        return undefined;
      } catch (error) {
        return `not usable at ${browser} (${(error as Error).message.split("\n")[0]})`;
      }
    },
    fix() {
      return `run \`sudo bash ${this.ensureScript}\` (apt-get install chromium) or set OPENINSIGHTS_TEST_CHROMIUM`;
    },
  },
];

export function testService(name: ServiceName): TestService {
  const service = TEST_SERVICES.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`unknown test service ${name}`);
  return service;
}

/** The one line that says a service is missing and how to get it. */
export function unavailableLine(service: TestService, problem: string): string {
  return `test services: ${service.title} is ${problem}: ${service.fix()}`;
}

/** Fails (never skips) when the service is not usable, with the line `npm test` printed at the start. */
export async function requireService(name: ServiceName): Promise<void> {
  const service = testService(name);
  const problem = await service.problem();
  if (problem !== undefined) throw new Error(unavailableLine(service, problem));
}
