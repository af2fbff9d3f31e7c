/**
 * Vitest global setup: before any test runs, make sure every service in `services.ts` is usable,
 * starting or installing it where this user can (root with apt), and say in one line per service
 * what could not be had. Chosen over an npm `pretest` script because it runs however the tests are
 * started (`npm test`, `npx vitest run test/one.test.ts`, an editor), not only through npm.
 */
import { spawn } from "node:child_process";
import { TEST_SERVICES, type TestService, testDatabaseUrl, unavailableLine } from "./services.js";

function runScript(script: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("bash", [script], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, OPENINSIGHTS_TEST_DATABASE_URL: testDatabaseUrl() },
    });
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

async function ensure(service: TestService): Promise<void> {
  let problem = await service.problem();
  if (problem === undefined) return;
  if (isRoot) {
    const started = Date.now();
    console.log(`test services: ${service.title} is ${problem}; running ${service.ensureScript} …`);
    const code = await runScript(service.ensureScript);
    problem = await service.problem();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (problem === undefined) {
      console.log(`test services: ${service.title} ready after ${seconds} s`);
      return;
    }
    problem = `${problem} after ${service.ensureScript} (exit ${code})`;
  }
  console.log(unavailableLine(service, problem));
}

export default async function setup(): Promise<void> {
  for (const service of TEST_SERVICES) await ensure(service);
}
