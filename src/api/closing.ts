/**
 * A closing server ends its connections as soon as nothing is being answered on them. Node's
 * server.close() ends the connections idle at that moment and then waits for the others; two kinds
 * would hold it for a minute or more: a keep-alive connection whose request was still being
 * answered (idle only afterwards: up to keepAliveTimeout, 72 s in Fastify), and a connection a
 * browser opened ahead of need and never sent a request on (until headersTimeout, 60 s). Found by
 * the console's stopped-server test: a page's preconnected socket held close() for 62 s.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";

/** How often a closing server looks for connections that have become idle. */
const SWEEP_MS = 50;

export function endConnectionsWhenIdleOnClose(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const endIdle = () => {
    server.closeIdleConnections();
    // Never used: no request to answer, and none may start on a server that is closing.
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
  };
  /** Call when closing starts: ends idle connections now and as others become idle, until the server has closed. */
  return () => {
    endIdle();
    const sweep = setInterval(endIdle, SWEEP_MS);
    sweep.unref();
    server.once("close", () => clearInterval(sweep));
  };
}
