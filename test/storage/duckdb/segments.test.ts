import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BodySegments } from "../../../src/storage/duckdb/segments.js";

let dir: string;
let made = 0;
const newPath = async () => path.join(dir, `segment-${made++}.csv`);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "oi-segments-"));
  made = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A body whose chunks are handed over one by one by the test (`send`), then ended or failed. */
function controlledBody() {
  const queue: { chunk?: Buffer; error?: Error; end?: boolean }[] = [];
  let wake: (() => void) | undefined;
  let returned = false;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
  };
  const iterator: AsyncIterator<Buffer> = {
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift()!;
      if (item.error) throw item.error;
      if (item.end) return { done: true, value: undefined };
      return { done: false, value: item.chunk! };
    },
    async return() {
      returned = true;
      return { done: true, value: undefined };
    },
  };
  return {
    iterator,
    send: (text: string) => push({ chunk: Buffer.from(text) }),
    end: () => push({ end: true }),
    fail: (error: Error) => push({ error }),
    returned: () => returned,
  };
}

async function texts(files: readonly string[]): Promise<string[]> {
  return Promise.all(files.map((f) => readFile(f, "utf8")));
}

describe("BodySegments", () => {
  it("cuts at the first line end past the size, hands each segment over while the body still arrives, and the segments are the body byte for byte", async () => {
    const body = controlledBody();
    const segments = new BodySegments(body.iterator, newPath, 10);
    const completed = segments.completed()[Symbol.asyncIterator]();
    body.send("Id,Name\n1,a\n");
    body.send("2,b\n3,c\n4,d\n");
    // The first segment is complete before the body has ended.
    const first = await completed.next();
    expect(first.value?.index).toBe(0);
    body.send("5,e");
    body.send("\n6,f\n");
    body.end();
    const rest: string[] = [];
    for (let next = await completed.next(); !next.done; next = await completed.next())
      rest.push(next.value.file);
    const all = [first.value!.file, ...rest];
    const contents = await texts(all);
    expect(contents.join("")).toBe("Id,Name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n");
    // Every segment ends at a line end; only the first holds the header.
    for (const text of contents) expect(text.endsWith("\n")).toBe(true);
    expect(contents[0]!.startsWith("Id,Name\n")).toBe(true);
    expect(contents.slice(1).every((text) => !text.includes("Id,Name"))).toBe(true);
    expect(contents.length).toBeGreaterThan(2);
    await segments.remove();
    expect(await readdir(dir)).toEqual([]);
  });

  it("cuts no more once a quote was seen: a quoted field may hold a line end", async () => {
    const body = controlledBody();
    const segments = new BodySegments(body.iterator, newPath, 8);
    body.send("Id,Note\n1,plain\n");
    body.send('2,"two\nlines"\n3,x\n');
    body.send("4,y\n5,z\n");
    body.end();
    const files: string[] = [];
    for await (const { file } of segments.completed()) files.push(file);
    const contents = await texts(files);
    expect(contents).toEqual(["Id,Note\n1,plain\n", '2,"two\nlines"\n3,x\n4,y\n5,z\n']);
    await segments.remove();
  });

  it("throws the body's error to the reader and ends with no half-written segment handed over", async () => {
    const body = controlledBody();
    const segments = new BodySegments(body.iterator, newPath, 1 << 20);
    body.send("Id\n1\n2\n");
    body.fail(new Error("upload dropped"));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const { file } of segments.completed()) seen.push(file);
      })(),
    ).rejects.toThrow("upload dropped");
    expect(seen).toEqual([]);
    await segments.remove();
    expect(await readdir(dir)).toEqual([]);
  });

  it("stop() returns at once while the body stalls, and closes the body once its read settles", async () => {
    const body = controlledBody();
    const segments = new BodySegments(body.iterator, newPath, 4);
    body.send("Id\n1\n2\n3\n");
    const completed = segments.completed()[Symbol.asyncIterator]();
    expect((await completed.next()).done).toBe(false);
    // No more bytes come (a stalled client): stopping must not wait for them.
    await segments.stop();
    body.send("4\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.returned()).toBe(true);
    await segments.remove();
    expect(await readdir(dir)).toEqual([]);
  });

  it("reports a segment file that cannot be written to the reader as 503, without an uncaught error", async () => {
    const body = controlledBody();
    const segments = new BodySegments(body.iterator, async () => path.join(dir, "missing", "s.csv"), 4);
    body.send("Id\n1\n2\n");
    body.end();
    await expect(
      (async () => {
        for await (const _ of segments.completed());
      })(),
    ).rejects.toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(/^The load body could not be written to the staging area .*ENOENT/),
    });
    await segments.remove();
  });
});
