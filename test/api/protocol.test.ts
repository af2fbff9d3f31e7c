/**
 * Every answer is in the envelope, including those to requests Node's HTTP parser refuses before
 * any route runs: an unknown method, a control character in a header, headers over the size limit,
 * and a small seeded fuzz of mutated requests over raw sockets.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../src/demo/random.js";
import { startTestApp, type TestApp } from "../support/app.js";

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await startTestApp();
  port = Number(new URL(t.baseUrl).port);
});
afterAll(async () => t?.close());

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Sends `request` as it is on a fresh connection; the first answer, or undefined when none came. */
function send(request: Buffer | string): Promise<RawAnswer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      if (text === "") return resolve(undefined);
      const split = text.indexOf("\r\n\r\n");
      const head = text.slice(0, split);
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (!match) return reject(new Error(`Not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
      const rest = text.slice(split + 4);
      resolve({
        status: Number(match[1]),
        head,
        body: Number.isNaN(length) ? rest : Buffer.from(rest, "latin1").subarray(0, length).toString("utf8"),
      });
    });
    socket.end(request);
  });
}

/** The answer is the envelope, its statusCode the HTTP status. */
function expectEnvelope(answer: RawAnswer | undefined, status?: number): void {
  expect(answer).toBeDefined();
  const { status: actual, body } = answer!;
  if (status !== undefined) expect(actual, body).toBe(status);
  expect(actual, body).toBeLessThan(500);
  const parsed = JSON.parse(body);
  expect(parsed).toMatchObject({
    value: expect.any(Array),
    nextLink: null,
    statusCode: actual,
    dataRedacted: false,
  });
  expect(parsed).toHaveProperty("message");
  expect(parsed).toHaveProperty("totalCount");
}

describe("answers to requests the HTTP parser refuses", () => {
  it("an unknown method → 400 in the envelope", async () => {
    const answer = await send("FROB /insights/v1/mpn/ScheduledQueries HTTP/1.1\r\nHost: x\r\n\r\n");
    expectEnvelope(answer, 400);
    expect(JSON.parse(answer!.body).message).toMatch(/Unknown HTTP method/);
  });

  it("a control character in a header → 400 in the envelope", async () => {
    const answer = await send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\n\r\n");
    expectEnvelope(answer, 400);
    expect(JSON.parse(answer!.body).message).toMatch(/header/);
  });

  it("a URL over the header limit (a long exportQuery) → 431 in the envelope", async () => {
    const query = encodeURIComponent(`SELECT ${"CustomerName, ".repeat(2_000)}CustomerName FROM OfficeUsage`);
    const answer = await send(
      `GET /insights/v1/mpn/ScheduledQueries/testQueryResult?exportQuery=${query} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expectEnvelope(answer, 431);
    expect(JSON.parse(answer!.body).message).toMatch(/queryId/);
  });

  it("an HTTP/1.1 request without Host → 400 in the envelope", async () => {
    const answer = await send("GET /healthz HTTP/1.1\r\n\r\n");
    expectEnvelope(answer, 400);
    expect(JSON.parse(answer!.body).message).toMatch(/Host/);
  });

  it("a malformed request line → 400 in the envelope", async () => {
    expectEnvelope(await send("GET /healthz HTTP/9\r\n\r\n"), 400);
  });
});

describe("a seeded fuzz of mutated requests", () => {
  const BASES = [
    "GET /insights/v1/mpn/ScheduledQueries?queryId=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n",
    'POST /insights/v1/cmp/ScheduledReport HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{"ReportName":"r"}',
    "PUT /insights/v1/mpn/ScheduledReport/pause/x HTTP/1.1\r\nHost: x\r\n\r\n",
    "DELETE /insights/v1/mpn/ScheduledQueries/x HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
  ];

  /** One to three random byte edits: insert, delete or replace (control characters included). */
  function mutate(random: Random, base: string): Buffer {
    let bytes = [...Buffer.from(base, "latin1")];
    for (let edits = 1 + random.int(3); edits > 0; edits--) {
      const at = random.int(bytes.length);
      const byte = random.int(3) === 0 ? random.int(32) : random.int(256);
      const kind = random.int(3);
      if (kind === 0) bytes = [...bytes.slice(0, at), byte, ...bytes.slice(at)];
      else if (kind === 1) bytes = [...bytes.slice(0, at), ...bytes.slice(at + 1)];
      else bytes[at] = byte;
    }
    return Buffer.from(bytes);
  }

  it("every one of 300 answers (when the server answers) is the envelope, never a 5xx", async () => {
    const random = new Random(13, "protocol-fuzz");
    const statuses = new Map<number, number>();
    for (let n = 0; n < 300; n++) {
      const request = mutate(random, BASES[n % BASES.length]!);
      const answer = await send(request);
      if (answer === undefined) continue;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      try {
        expectEnvelope(answer);
      } catch (error) {
        throw new Error(`Request ${JSON.stringify(request.toString("latin1"))}: ${(error as Error).message}`);
      }
    }
    // The fuzz reached both the parser's refusals and the routes.
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect([...statuses.keys()].some((status) => status !== 400)).toBe(true);
  });
});
