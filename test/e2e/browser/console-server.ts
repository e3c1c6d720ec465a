/**
 * What the console's browser tests run against: the console built from the current sources, a
 * real tocsin server on 127.0.0.1 (the same pieces `tocsin run` starts, plus the console routes),
 * a real webhook receiver, and one token per role.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../../src/server/app.js';
import { createToken, ROLES, type Role } from '../../../src/server/access.js';
import { serveConsole } from '../../../src/server/console.js';
import type { RouteSpec } from '../../../src/server/route.js';
import { Runtime } from '../../../src/service/runtime.js';
import type { FastifyInstance } from 'fastify';

export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/**
 * A receiver that checks basic auth like a real one would (401 otherwise) and answers with what
 * it understood, so the console can show "the receiver's answer".
 */
export async function startReceiver(user: string, password: string): Promise<Receiver> {
  const requests: Received[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      requests.push({ url: request.url ?? '', headers: request.headers, body });
      if (request.headers.authorization !== expected) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad credentials"}');
        return;
      }
      let type = 'unknown';
      try {
        type = String((JSON.parse(body) as { type?: unknown }).type ?? 'unknown');
      } catch {
        type = 'not json';
      }
      response.writeHead(200, { 'content-type': 'application/json', 'x-receiver': 'e2e' }).end(JSON.stringify({ accepted: type, number: requests.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `vite build` of src/console into `outDir` (the production bundle the server ships). */
export function buildConsole(outDir: string): void {
  execFileSync(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src/console/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { stdio: 'pipe' });
}

export interface ConsoleServer {
  url: string;
  runtime: Runtime;
  app: FastifyInstance;
  tokens: Record<Role, string>;
  dir: string;
  /** One API call with a token; objects go as JSON. */
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  stop(): Promise<void>;
}

export async function startConsoleServer(files: Record<string, string>, options: { extraRoutes?: RouteSpec[] } = {}): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-e2e-'));
  const consoleDir = join(dir, 'console');
  buildConsole(consoleDir);
  const configDir = join(dir, 'rules');
  cpSync('rules', configDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(configDir, name), text);

  const log = pino({ level: 'silent' });
  const runtime = Runtime.open({ configDir, dataFile: join(dir, 'tocsin.db'), log });
  const app = await createApp({ runtime, log, decorate: serveConsole({ root: consoleDir }), ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  runtime.start();
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const created = createToken(runtime.store, { name: `e2e-${role}`, role, actor: 'test', now: Date.now() });
    if (!created.ok) throw new Error(`cannot create the ${role} token: ${created.error}`);
    tokens[role] = created.token;
  }

  return {
    url,
    runtime,
    app,
    tokens,
    dir,
    call: async (method, path, token, body) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, json };
    },
    stop: async () => {
      await app.close();
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
