/**
 * The node HTTP server under fastify, with the limits that keep slow or hostile clients from holding
 * connections (SPEC §7): a deadline for the headers and for the whole request, an idle timeout for
 * keep-alive and for silent sockets, and a cap on open connections.
 *
 * fastify's own defaults turn the request and connection timeouts off, and it does not expose
 * `headersTimeout`, `connectionsCheckingInterval` or `maxConnections`, so the server is built here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LimitValues } from './limits.js';

type HttpLimits = Pick<LimitValues,
  'headers_timeout' | 'request_timeout' | 'keep_alive_timeout' | 'connection_timeout' | 'max_connections'>;
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * How often node looks for requests past their deadline. Node checks on an interval (30 s by
 * default), so a 10 s headers timeout could otherwise last 40 s: a quarter of the shorter deadline
 * keeps the overshoot within 25 %.
 */
export function checkingInterval(limits: HttpLimits): number {
  return Math.min(30_000, Math.max(10, Math.floor(Math.min(limits.headers_timeout, limits.request_timeout) / 4)));
}

export function createHttpServer(limits: HttpLimits, handler: Handler): Server {
  const server = createServer({
    headersTimeout: limits.headers_timeout,
    requestTimeout: limits.request_timeout,
    keepAliveTimeout: limits.keep_alive_timeout,
    connectionsCheckingInterval: checkingInterval(limits),
  }, handler);
  server.keepAliveTimeout = limits.keep_alive_timeout;
  // A socket with no traffic in either direction for this long is destroyed (node's socket timeout).
  server.setTimeout(limits.connection_timeout, (socket) => socket.destroy());
  // Connections over the cap are closed as soon as they are accepted (node emits 'drop').
  server.maxConnections = limits.max_connections;
  return server;
}

/** fastify's `serverFactory` option. */
export function httpServerFactory(limits: HttpLimits): (handler: Handler) => Server {
  return (handler) => createHttpServer(limits, handler);
}
