/**
 * The demo's webhook receiver: a plain HTTP server on 127.0.0.1 that records every request, checks
 * its signature the way a real receiver should (over the raw body, constant-time), and answers 200.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hmacSha256Signature, standardWebhooksSignature } from '../../delivery/signing.js';
import type { DemoWebhook } from './setup.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface DemoReceiver {
  url: string;
  close(): Promise<void>;
}

/** Webhook bodies are small; anything bigger is refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startReceiver(onRequest: (request: ReceivedRequest) => void): Promise<DemoReceiver> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"body too large"}');
        return;
      }
      onRequest({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // tocsin keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

const sameText = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The header that carries the signature of a scheme, for printing. */
export function signatureHeaderName(webhook: DemoWebhook): string {
  return webhook.signature === 'standard-webhooks' ? 'webhook-signature' : 'x-signature';
}

/**
 * Whether the request carries a valid signature of `webhook`'s secret. The Standard Webhooks
 * timestamp is not checked against the real time: the demo's clock runs fast, so its timestamps
 * are in the future (a real receiver rejects timestamps more than a few minutes off).
 */
export function signatureIsValid(request: ReceivedRequest, webhook: DemoWebhook): boolean {
  if (webhook.signature === 'hmac-sha256') {
    return sameText(header(request.headers, 'x-signature'), hmacSha256Signature(webhook.secret, request.body));
  }
  const id = header(request.headers, 'webhook-id');
  const timestamp = Number(header(request.headers, 'webhook-timestamp'));
  if (id === '' || !Number.isInteger(timestamp)) return false;
  const expected = standardWebhooksSignature(webhook.secret, id, timestamp, request.body);
  // Several space-separated signatures are allowed (key rotation); one must match.
  return header(request.headers, 'webhook-signature').split(' ').some((candidate) => sameText(candidate, expected));
}
