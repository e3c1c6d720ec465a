/**
 * A webhook receiver on 127.0.0.1 (HTTP or HTTPS) that records every request and answers from a
 * script, for the end-to-end delivery tests.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export type Script = (request: ReceivedRequest, index: number) => Answer;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
export const TEST_CERT_PATH = new URL('../fixtures/tls/receiver.pem', import.meta.url).pathname;

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters: Array<() => void> = [];
  #script: Script;
  readonly #protocol: 'http' | 'https';

  private constructor(server: Server, protocol: 'http' | 'https', script: Script) {
    this.#server = server;
    this.#protocol = protocol;
    this.#script = script;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.#handle(request, response));
  }

  static http(script: Script = () => ({})): Promise<Receiver> {
    return new Receiver(createHttpServer(), 'http', script).#listen();
  }

  static https(script: Script = () => ({})): Promise<Receiver> {
    return new Receiver(createHttpsServer({ cert: fixture('receiver.pem'), key: fixture('receiver.key') }), 'https', script).#listen();
  }

  async #listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  url(path = '/hook', host = '127.0.0.1'): string {
    return `${this.#protocol}://${host}:${this.port}${path}`;
  }

  answer(script: Script): void {
    this.#script = script;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = this.requests.length;
      this.requests.push(received);
      const answer = this.#script(received, index);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(answer.status ?? 200, answer.headers ?? {});
        response.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) send();
      else {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          send();
        }, answer.delayMs);
        this.#timers.add(timer);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves once `count` requests have arrived; fails the test after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.requests.length} requests, expected ${count}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
