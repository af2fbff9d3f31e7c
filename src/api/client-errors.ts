/**
 * Answers for requests Node's HTTP parser refuses before any route sees them (an unknown method, a
 * control character in a header, headers over the size limit, …): the envelope like every other
 * answer, with the status that names the problem, instead of Fastify's bare default.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { errorEnvelope } from "./envelope.js";

/** Node's `maxHeaderSize` default: the request line and every header together. */
const HEADER_LIMIT_KB = 16;

const ANSWERS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    message: `The request line and headers exceed ${HEADER_LIMIT_KB} KB. A long query text fits in a request body: save it (POST …/ScheduledQueries) and pass its queryId`,
  },
  HPE_INVALID_METHOD: {
    status: 400,
    message: "Unknown HTTP method: the API answers GET, HEAD, POST, PUT and DELETE",
  },
  HPE_INVALID_HEADER_TOKEN: {
    status: 400,
    message: "A request header name or value holds a character HTTP does not allow (a control character?)",
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "The request did not arrive in time" },
};

export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const { status, message } = ANSWERS[error.code ?? ""] ?? {
    status: 400,
    message: `The request is not valid HTTP (${error.code ?? "unparseable"})`,
  };
  const body = JSON.stringify(errorEnvelope(status, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
