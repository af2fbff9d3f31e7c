/** Runs the built `openinsights` binary (npm test builds it first) in a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export const BIN = path.resolve(import.meta.dirname, "../../bin/openinsights.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }),
    );
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/**
 * `openinsights serve --role ROLE --port 0 --data-dir DIR` in a child process, which `onSpawn` gets
 * at once (to kill it whatever happens); resolves once it listens, rejects with its output when it
 * exits first.
 */
export function startServe(
  role: string,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  onSpawn: (child: ChildProcess) => void,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--role", role, "--port", "0", "--data-dir", dataDir],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  onSpawn(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code, signal) =>
      reject(new Error(`serve --role ${role} exited (${code ?? signal}): ${output}`)),
    );
  });
}
