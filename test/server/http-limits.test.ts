/**
 * Issue 14 item 6 on a real socket: a client that trickles its headers or body, stays silent, idles
 * on a keep-alive connection, opens more connections than the cap, or sends a body we refuse early
 * (401/403/413) does not keep its connection. The limits are test-sized; every loop is bounded in
 * count, so a server without the limits fails the test instead of hanging it.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type LimitValues } from '../../src/server/limits.js';
import { startTestServer, type TestServer } from './helpers.js';

interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the socket is closed (by either side, or by an error such as ECONNRESET). */
  closed: Promise<void>;
  isClosed(): boolean;
}

function open(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    // A reset after the server closed is expected here; it must not fail the run.
    socket.on('error', () => {});
    const closedPromise = new Promise<void>((done) => socket.once('close', () => {
      closed = true;
      done();
    }));
    socket.once('connect', () => resolve({
      socket, received: () => text, closed: closedPromise, isClosed: () => closed,
    }));
    socket.once('error', reject);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `predicate` holds, checking every 20 ms at most `tries` times. */
async function until(predicate: () => boolean, tries: number): Promise<boolean> {
  for (let i = 0; i < tries && !predicate(); i++) await pause(20);
  return predicate();
}

/** Writes one byte every `everyMs` until the server closes the socket or `maxBytes` were sent; returns the count. */
async function trickle(client: RawClient, byte: string, everyMs: number, maxBytes: number): Promise<number> {
  let sent = 0;
  while (sent < maxBytes && !client.isClosed()) {
    client.socket.write(byte);
    sent++;
    await pause(everyMs);
  }
  return sent;
}

async function listen(limits: Partial<LimitValues>): Promise<{ server: TestServer; port: number }> {
  const server = await startTestServer({ limits: { ...DEFAULT_LIMITS, ...limits } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

const clients: RawClient[] = [];
async function client(port: number): Promise<RawClient> {
  const opened = await open(port);
  clients.push(opened);
  return opened;
}

afterAll(() => {
  for (const c of clients) c.socket.destroy();
});

describe('timeouts close slow and silent connections', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await listen({
      headers_timeout: 300, request_timeout: 500, keep_alive_timeout: 300, connection_timeout: 1000,
    }));
  });
  afterAll(() => server.close());

  it('a body trickled one byte at a time is cut off at request_timeout with a 408', async () => {
    const c = await client(port);
    c.socket.write(`POST /api/v1/write HTTP/1.1\r\nHost: tocsin\r\nAuthorization: Bearer ${server.tokens.ingest}\r\n` +
      'Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n');
    // 50 ms per byte: the whole body would take 50 s; the limit is 0.5 s, i.e. about 10 bytes.
    const sent = await trickle(c, 'x', 50, 80);
    expect(c.isClosed()).toBe(true);
    expect(sent).toBeLessThan(80);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('headers trickled one byte at a time are cut off at headers_timeout', async () => {
    const c = await client(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: tocsin\r\nX-Slow: ');
    const sent = await trickle(c, 'a', 50, 80);
    expect(c.isClosed()).toBe(true);
    expect(sent).toBeLessThan(80);
  });

  it('a connection that sends nothing is closed', async () => {
    const c = await client(port);
    expect(await until(() => c.isClosed(), 250)).toBe(true);
    expect(c.received()).not.toContain('200 OK');
  });

  it('an idle keep-alive connection is closed after keep_alive_timeout', async () => {
    const c = await client(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: tocsin\r\n\r\n');
    expect(await until(() => c.received().includes('\r\n\r\n'), 150)).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(c.received().toLowerCase()).toContain('connection: keep-alive');
    expect(await until(() => c.isClosed(), 250)).toBe(true);
  });
});

interface Refused { status: string; connectionClose: boolean; sentAfter: number }

describe('early refusals close the connection instead of reading the body', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await listen({ ingest_body_size: 64 * 1024 }));
  });
  afterAll(() => server.close());

  /** Sends the head and a first part of a 10 MB body, waits for the answer, then keeps sending. */
  async function refusedUpload(headers: string): Promise<Refused> {
    const c = await client(port);
    const total = 10 * 1024 * 1024;
    c.socket.write(`POST /api/v1/write HTTP/1.1\r\nHost: tocsin\r\n${headers}`
      + `Content-Type: text/plain\r\nContent-Length: ${total}\r\n\r\n`);
    const chunk = 'x'.repeat(16 * 1024);
    c.socket.write(chunk);
    expect(await until(() => c.received().includes('\r\n\r\n'), 150)).toBe(true);
    const head = c.received().split('\r\n\r\n')[0]!;
    // The rest of the body: a server that keeps reading takes all 10 MB; one that closed takes none.
    let sentAfter = 0;
    for (let i = 0; i < total / chunk.length && !c.isClosed(); i++) {
      if (!c.socket.write(chunk)) {
        await Promise.race([new Promise((resolve) => c.socket.once('drain', resolve)), c.closed, pause(200)]);
      }
      sentAfter += chunk.length;
      if (i % 16 === 0) await pause(1);
    }
    await until(() => c.isClosed(), 150);
    expect(c.isClosed()).toBe(true);
    return { status: head.split('\r\n')[0]!, connectionClose: /\r\nconnection: close/i.test(head), sentAfter };
  }

  it('401 without a token: the answer says Connection: close and the server closes', async () => {
    const result = await refusedUpload('');
    expect(result.status).toBe('HTTP/1.1 401 Unauthorized');
    expect(result.connectionClose).toBe(true);
    expect(result.sentAfter).toBeLessThan(10 * 1024 * 1024 - 16 * 1024);
  });

  it('403 for a token without the permission', async () => {
    const result = await refusedUpload(`Authorization: Bearer ${server.tokens.viewer}\r\n`);
    expect(result.status).toBe('HTTP/1.1 403 Forbidden');
    expect(result.connectionClose).toBe(true);
    expect(result.sentAfter).toBeLessThan(10 * 1024 * 1024 - 16 * 1024);
  });

  it('413 for a body over ingest_body_size', async () => {
    const result = await refusedUpload(`Authorization: Bearer ${server.tokens.ingest}\r\n`);
    expect(result.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(result.connectionClose).toBe(true);
    expect(result.sentAfter).toBeLessThan(10 * 1024 * 1024 - 16 * 1024);
  });
});

describe('max_connections', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await listen({ max_connections: 2 }));
  });
  afterAll(() => server.close());

  const health = 'GET /healthz HTTP/1.1\r\nHost: tocsin\r\n\r\n';

  it('refuses a connection over the cap and accepts again once one closes', async () => {
    const first = await client(port);
    const second = await client(port);
    for (const c of [first, second]) {
      c.socket.write(health);
      expect(await until(() => c.received().startsWith('HTTP/1.1 200'), 150)).toBe(true);
    }
    const third = await client(port);
    third.socket.write(health);
    expect(await until(() => third.isClosed(), 250)).toBe(true);
    expect(third.received()).toBe('');

    first.socket.destroy();
    // The server learns of the close asynchronously: try a few fresh connections.
    let served = false;
    for (let attempt = 0; attempt < 20 && !served; attempt++) {
      const next = await client(port);
      next.socket.write(health);
      await until(() => next.isClosed() || next.received().startsWith('HTTP/1.1 200'), 100);
      served = next.received().startsWith('HTTP/1.1 200');
      if (!served) await pause(20);
    }
    expect(served).toBe(true);
  });
});
