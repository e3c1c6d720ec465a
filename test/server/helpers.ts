/**
 * A real server for route tests: a temporary config directory and SQLite store, the Runtime, the
 * fastify app (exercised with `app.inject()`, no port opened) and one token per role.
 *
 * The runtime's clock is a test clock that starts at the real time and only moves when a test
 * advances it, so `for:` periods and durations are deterministic. Its timers are not started:
 * tests call `runtime.tick()` when they want timers to fire.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createApp } from '../../src/server/app.js';
import { createToken, ROLES, type Role } from '../../src/server/access.js';
import type { LimitValues } from '../../src/server/limits.js';
import { Runtime, type RuntimeOptions } from '../../src/service/runtime.js';

export interface TestClock {
  now(): number;
  advance(ms: number): number;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  /** The parsed JSON body; undefined when the body is not JSON. */
  json: unknown;
}

export interface TestServer {
  app: FastifyInstance;
  runtime: Runtime;
  tokens: Record<Role, string>;
  /** The config directory (write files there, then POST /api/v1/reload). */
  configDir: string;
  clock: TestClock;
  /** One API call through `app.inject()`; objects are sent as JSON, strings as they are. */
  call(method: string, url: string, options?: { token?: string | null; body?: unknown; contentType?: string }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Files of the config directory by relative path, e.g. `{ 'rules.yaml': '…', 'templates/x.json': '…' }`. */
  files?: Record<string, string>;
  /** Start of the test clock (default: the real time). */
  startAt?: number;
  /** Server limits (default: schemas/limits.schema.json). */
  limits?: LimitValues;
  /** Further runtime options (secret sources, egress…). */
  runtime?: Partial<Omit<RuntimeOptions, 'configDir' | 'dataFile' | 'log' | 'now'>>;
}

export function writeConfigFiles(configDir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const target = join(configDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-server-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeConfigFiles(configDir, options.files ?? {});

  let time = options.startAt ?? Date.now();
  const clock: TestClock = { now: () => time, advance: (ms) => (time += ms) };
  const log = pino({ level: 'silent' });
  let runtime: Runtime;
  try {
    runtime = Runtime.open({
      ...options.runtime, configDir, dataFile: join(dir, 'tocsin.db'), log, now: clock.now,
      ...(options.limits ? { outboxBudgetBytes: options.limits.outbox_budget } : {}),
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const app = await createApp({ runtime, log, ...(options.limits ? { limits: options.limits } : {}) });

  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const created = createToken(runtime.store, { name: `test-${role}`, role, actor: 'test', now: clock.now() });
    if (!created.ok) throw new Error(`cannot create the ${role} token: ${created.error}`);
    tokens[role] = created.token;
  }

  const call: TestServer['call'] = async (method, url, callOptions = {}) => {
    const headers: Record<string, string> = {};
    if (callOptions.token) headers.authorization = `Bearer ${callOptions.token}`;
    let payload: string | undefined;
    if (callOptions.body !== undefined) {
      payload = typeof callOptions.body === 'string' ? callOptions.body : JSON.stringify(callOptions.body);
      headers['content-type'] = callOptions.contentType ?? 'application/json';
    }
    const response = await app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text: response.body, json };
  };

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await app.close();
      await runtime.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { app, runtime, tokens, configDir, clock, call, close };
}
