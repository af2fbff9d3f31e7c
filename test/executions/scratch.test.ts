/**
 * Scratch space: partial exports of processes that are gone (killed mid-export) are removed when a
 * process starts; those of live processes and of other hosts are kept.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareScratchDir } from "../../src/executions/scratch.js";

const HOST = "scratch-test-host";
let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "oi-scratch-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

async function leave(dir: string, file: string): Promise<void> {
  await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, dir, file), "partial,export\n");
}

describe("prepareScratchDir", () => {
  it("removes dead processes' directories and loose files, empties its own, keeps the rest", async () => {
    const dead = await deadPid();
    await writeFile(path.join(root, "0a1b.2c3d.csv"), "left by an older version\n");
    await leave(`${HOST}.${dead}`, "partial.csv.gz");
    await leave(`${HOST}.${process.pid}`, "from-before.csv");
    await leave(`${HOST}.${process.ppid}`, "running.csv");
    await leave("another-host.1234", "theirs.csv");

    const dir = await prepareScratchDir(root, { host: HOST, pid: process.pid });

    expect(dir).toBe(path.join(root, `${HOST}.${process.pid}`));
    expect(await readdir(dir)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(
      ["another-host.1234", `${HOST}.${process.pid}`, `${HOST}.${process.ppid}`].sort(),
    );
    expect(await readdir(path.join(root, `${HOST}.${process.ppid}`))).toEqual(["running.csv"]);
  });

  it("creates the root when there is none", async () => {
    const fresh = path.join(root, "data", "tmp");
    const dir = await prepareScratchDir(fresh, { host: HOST, pid: process.pid });
    expect(await readdir(dir)).toEqual([]);
  });
});
