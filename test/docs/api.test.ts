/**
 * docs/api.md, checked against the route table: every route is documented under a heading
 * `METHOD /path` with its permission and roles, every documented route exists, every example
 * request fits its route (path, query parameters, body schema), the line protocol example maps to
 * exactly the samples shown, and the documented GET answers have the fields a real server returns.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/commands/run.js';
import { parseWebhook } from '../../src/delivery/webhook.js';
import { createToken, rolesWith } from '../../src/server/access.js';
import { routeTable } from '../../src/server/app.js';
import { parseLineProtocol, parsePrecision, parseSamplesBody } from '../../src/server/ingest/index.js';
import type { RouteSpec } from '../../src/server/route.js';
import { allRoutes } from '../../src/server/routes/index.js';
import { compileTemplate } from '../../src/templates/index.js';
import { fencedBlocks, readDoc, sections, type Block } from './markdown.js';

const page = readDoc('api.md');
/** The examples' samples are stamped 2026-11-29 around 10:00 UTC; the server's clock then. */
const DOCS_NOW = Date.parse('2026-11-29T10:05:00Z');

/** Served by the app itself, outside the route table. */
const OPENAPI: Pick<RouteSpec, 'method' | 'url' | 'permission'> = { method: 'GET', url: '/api/v1/openapi.json', permission: null };
const specs: Array<Pick<RouteSpec, 'method' | 'url' | 'permission' | 'schema' | 'rawBody'>> = [...allRoutes(), OPENAPI];

interface Documented {
  method: string;
  url: string;
  body: string;
  blocks: Block[];
  line: number;
}

const documented: Documented[] = sections(page, 3).flatMap((section) => {
  const match = /^`(GET|POST|PUT|DELETE) (\S+)`$/.exec(section.heading);
  return match ? [{ method: match[1]!, url: match[2]!, body: section.body, blocks: fencedBlocks(section.body), line: section.line }] : [];
});

const key = (route: { method: string; url: string }) => `${route.method} ${route.url}`;
const specOf = (doc: Documented) => specs.find((spec) => key(spec) === key(doc));

/** Whether a concrete path (`/api/v1/alerts/0194…/ack`) is an instance of a route URL (`/api/v1/alerts/:id/ack`). */
function fits(url: string, path: string): boolean {
  const pattern = url.split('/');
  const parts = path.split('/');
  return pattern.length === parts.length && pattern.every((segment, i) => segment.startsWith(':') ? parts[i] !== '' : segment === parts[i]);
}

interface Example {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  /** The JSON block right after the request, if any: its answer. */
  answer: string | null;
}

function examplesOf(doc: Documented): Example[] {
  return doc.blocks.flatMap((block, index) => {
    if (block.lang !== 'http') return [];
    const [head = '', ...rest] = block.body.split('\n');
    const [method = '', target = ''] = head.split(' ');
    const blank = rest.indexOf('');
    const headerLines = blank < 0 ? rest : rest.slice(0, blank);
    const headers = Object.fromEntries(headerLines.filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const next = doc.blocks[index + 1];
    const url = new URL(target, 'http://docs');
    return [{
      method, path: url.pathname, query: url.searchParams, headers,
      body: blank < 0 ? '' : rest.slice(blank + 1).join('\n').trim(),
      answer: next?.lang === 'json' && next.flags.length === 0 ? next.body : null,
    }];
  });
}

describe('docs/api.md routes', () => {
  it('documents every route of the route table', () => {
    const missing = [...routeTable(), OPENAPI].map(key).filter((k) => !documented.some((doc) => key(doc) === k));
    expect(missing).toEqual([]);
  });

  it('documents only routes that exist', () => {
    expect(documented.filter((doc) => !specOf(doc)).map(key)).toEqual([]);
  });

  it.each(documented.map((doc) => [key(doc), doc] as const))('%s: permission and roles as enforced', (_key, doc) => {
    const spec = specOf(doc)!;
    if (spec.permission === null) expect(doc.body).toMatch(/^\*\*Public\*\*: no token/m);
    else if (spec.permission === 'authenticated') expect(doc.body).toMatch(/^\*\*Permission\*\* any valid token/m);
    else expect(doc.body).toContain(`**Permission** \`${spec.permission}\` (${rolesWith(spec.permission).join(', ')})`);
  });
});

describe('docs/api.md examples', () => {
  const all = documented.flatMap((doc) => examplesOf(doc).map((example) => ({ doc, example })));
  const ajv = new Ajv({ strict: false, allErrors: true });

  it('every route has an example request', () => {
    expect(documented.filter((doc) => examplesOf(doc).length === 0).map(key)).toEqual([]);
  });

  it.each(all.map(({ doc, example }) => [`${example.method} ${example.path}`, doc, example] as const))('%s fits its route', (_name, doc, example) => {
    const spec = specOf(doc)!;
    expect(example.method).toBe(spec.method);
    expect(fits(spec.url, example.path), `${example.path} is not ${spec.url}`).toBe(true);
    const known = Object.keys((spec.schema?.querystring as { properties?: object } | undefined)?.properties ?? {});
    for (const name of example.query.keys()) expect(known, `query parameter ${name}`).toContain(name);
    if (spec.url === '/api/v1/samples') {
      expect(parseSamplesBody(example.body, example.headers['content-type'] ?? '')).toMatchObject({ ok: true });
    } else if (spec.url === '/api/v1/write') {
      const precision = parsePrecision(example.query.get('precision') ?? 'ns');
      expect(precision).not.toBeNull();
      expect(parseLineProtocol(example.body, { precision: precision!, now: DOCS_NOW })).toMatchObject({ ok: true });
    } else if (spec.schema?.body) {
      const body: unknown = JSON.parse(example.body);
      const validate = ajv.compile(spec.schema.body);
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      if (key(spec) === 'POST /api/v1/webhooks') expect(parseWebhook(body)).toMatchObject({ ok: true });
      if (key(spec) === 'POST /api/v1/templates') {
        const { name, text } = body as { name: string; text: string };
        expect(compileTemplate(text, { name })).toMatchObject({ ok: true });
      }
    } else {
      expect(example.body).toBe('');
    }
  });

  it('every JSON block is JSON', () => {
    for (const block of fencedBlocks(page).filter((b) => b.lang === 'json')) expect(() => JSON.parse(block.body), `line ${block.line}`).not.toThrow();
  });

  it('the line protocol example maps to exactly the samples shown', () => {
    const blocks = fencedBlocks(page);
    const index = blocks.findIndex((b) => b.lang === 'influx');
    const lines = blocks[index]!;
    const shown = blocks[index + 1]!;
    expect(shown.flags).toEqual(['samples']);
    const precision = parsePrecision(/precision=(\w+)/.exec(lines.flags.join(' '))![1]!)!;
    const parsed = parseLineProtocol(lines.body, { precision, now: DOCS_NOW });
    expect(parsed.ok ? parsed.samples : parsed.errors).toEqual(JSON.parse(shown.body));
  });
});

describe('docs/api.md answers of a real server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-docs-api-'));
  let server: RunningServer;
  let token = '';

  beforeAll(async () => {
    cpSync('rules', join(dir, 'rules'), { recursive: true });
    const started = await startServer({ config: join(dir, 'rules'), data: join(dir, 'tocsin.db'), host: '127.0.0.1', port: '0', log: pino({ level: 'silent' }) }, { stdout: () => {}, stderr: () => {} });
    if (typeof started === 'number') throw new Error(`the server did not start: exit ${started}`);
    server = started;
    const created = createToken(server.runtime.store, { name: 'docs', role: 'admin', actor: 'test', now: Date.now() });
    if (!created.ok) throw new Error(created.error);
    token = created.token;
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // GET examples of routes without path parameters: their answers do not depend on earlier calls.
  const gets = documented.flatMap((doc) => examplesOf(doc).filter((e) => e.method === 'GET' && !doc.url.includes(':')).map((example) => ({ doc, example })));

  it.each(gets.map(({ example }) => [`${example.path}?${example.query}`, example] as const))('GET %s answers 200 with the documented fields', async (_name, example) => {
    const response = await fetch(`${server.url}${example.path}?${example.query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    if (example.answer === null) return;
    const documentedAnswer = JSON.parse(example.answer) as Record<string, unknown>;
    const actual = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(actual)).toEqual(expect.arrayContaining(Object.keys(documentedAnswer)));
  });
});
