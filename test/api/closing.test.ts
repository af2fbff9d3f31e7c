/**
 * Stopping the app does not wait on connections with nothing to answer: a socket a browser opened
 * ahead of need (no request sent) held close() for 60–90 s (Node's headersTimeout) before; the
 * console's stopped-server test timed out about one run in seven on it. Without the fix this test
 * runs into its own timeout.
 */
import { connect, type Socket } from "node:net";
import { expect, it } from "vitest";
import { startTestApp } from "../support/app.js";

it("closes with a connection open that never sent a request, and ends that connection", async () => {
  const t = await startTestApp();
  const { hostname, port } = new URL(t.baseUrl);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => undefined);
  // A request answered on a keep-alive connection just before: idle once answered.
  expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  await t.close();
  await ended;
  expect(socket.destroyed).toBe(true);
});
