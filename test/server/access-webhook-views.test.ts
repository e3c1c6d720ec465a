/**
 * Issue 14 item 4, least privilege in every view of a webhook (SPEC §7): credentials in a webhook's
 * URL (query values) and its custom header values are masked for every role; an admin may ask for
 * them with ?reveal=true, nobody else. Secrets from `{ env }` and `{ file }`, once a receiver echoes
 * them back, are masked in the Test answer and the delivery log like literal secrets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/server/access.js';
import { Receiver } from '../delivery/helpers/receiver.js';
import { startTestServer, type ApiResponse, type TestServer } from './helpers.js';

const MASK = '********';
const URL_TOKEN = 'url-token-0c9e51b7';
const URL_TEAM = 'query-team-value';
const HEADER_SECRET = 'header-secret-7d2a94';
const ENV_NAME = 'TOCSIN_SECRET_H7_VIEWS';
const ENV_SECRET = 'env-secret-value-3b8f60';
const FILE_SECRET = 'file-secret-value-a41c2e';
const LITERAL_SECRET = 'literal-secret-5e7d13';

const secretsDir = mkdtempSync(join(tmpdir(), 'tocsin-views-secrets-'));
writeFileSync(join(secretsDir, 'hook.key'), `${FILE_SECRET}\n`);

let server: TestServer;
let receiver: Receiver;
const READERS: Role[] = ['viewer', 'operator', 'admin'];

/** Everything that must never be shown without ?reveal=true by an admin. */
const HIDDEN = [URL_TOKEN, URL_TEAM, HEADER_SECRET, ENV_SECRET, FILE_SECRET, LITERAL_SECRET];

const as = (role: Role, method: string, url: string, body?: unknown) => server.call(method, url, { token: server.tokens[role], body });

function leaks(response: ApiResponse, hidden: readonly string[] = HIDDEN): string[] {
  return hidden.filter((secret) => response.text.includes(secret));
}

beforeAll(async () => {
  process.env[ENV_NAME] = ENV_SECRET;
  // An echoing receiver (debug endpoints, httpbin): every header value and the URL come back in the body.
  receiver = await Receiver.http((request) => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'x-echo': Object.values(request.headers).join(' | ') },
    body: JSON.stringify({ path: request.path, values: Object.values(request.headers) }),
  }));
  server = await startTestServer({
    files: {
      'rules.yaml': `rules: []
webhooks:
  - name: from-file
    url: ${receiver.url('/file')}?token=${URL_TOKEN}
    template: flat
    headers: { X-Secret-Header: ${HEADER_SECRET} }
    auth: { type: api_key, header: X-Hook-Key, value: { file: ${join(secretsDir, 'hook.key')} } }
`,
    },
    runtime: { secrets: { dir: secretsDir, envPrefix: 'TOCSIN_SECRET_' } },
  });
  const created = await as('admin', 'POST', '/api/v1/webhooks', {
    name: 'from-api', url: `${receiver.url('/api')}?token=${URL_TOKEN}&team=${URL_TEAM}`, template: 'flat',
    headers: { 'X-Secret-Header': HEADER_SECRET, 'X-Team': 'infra' },
    auth: { type: 'api_key', header: 'X-Hook-Key', value: { env: ENV_NAME } },
    signature: { type: 'hmac-sha256', secret: LITERAL_SECRET },
  });
  expect(created.status, created.text).toBe(201);
  expect(leaks(created)).toEqual([]);
});

afterAll(async () => {
  delete process.env[ENV_NAME];
  await server.close();
  await receiver.close();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('URL credentials and header values are masked for every role (issue 14 item 4)', () => {
  it.each(READERS)('%s: the list and each webhook show the URL with masked query values and masked header values', async (role) => {
    const list = await as(role, 'GET', '/api/v1/webhooks');
    expect(list.status).toBe(200);
    expect(leaks(list)).toEqual([]);
    const urls = (list.json as { webhooks: Array<{ name: string; url: string }> }).webhooks.map((w) => [w.name, w.url]);
    expect(urls).toEqual([
      ['from-api', `${receiver.url('/api')}?token=${MASK}&team=${MASK}`],
      ['from-file', `${receiver.url('/file')}?token=${MASK}`],
    ]);
    for (const name of ['from-api', 'from-file']) {
      const detail = await as(role, 'GET', `/api/v1/webhooks/${name}`);
      expect(detail.status).toBe(200);
      expect(leaks(detail)).toEqual([]);
      expect((detail.json as { headers: Record<string, string> }).headers['X-Secret-Header']).toBe(MASK);
    }
  });

  it('an admin sees them as configured with ?reveal=true (secret values stay masked)', async () => {
    const detail = await as('admin', 'GET', '/api/v1/webhooks/from-api?reveal=true');
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json).toMatchObject({
      url: `${receiver.url('/api')}?token=${URL_TOKEN}&team=${URL_TEAM}`,
      headers: { 'X-Secret-Header': HEADER_SECRET, 'X-Team': 'infra' },
      auth: { type: 'api_key', header: 'X-Hook-Key', value: { env: ENV_NAME } },
      signature: { secret: { value: MASK } },
    });
    const list = await as('admin', 'GET', '/api/v1/webhooks?reveal=true');
    expect(list.text).toContain(URL_TOKEN);
    expect(leaks(list, [LITERAL_SECRET, ENV_SECRET, FILE_SECRET])).toEqual([]);
  });

  it.each(['viewer', 'operator'] as const)('%s asking for ?reveal=true gets a 403 that says who may', async (role) => {
    for (const url of ['/api/v1/webhooks/from-api?reveal=true', '/api/v1/webhooks?reveal=true']) {
      const response = await as(role, 'GET', url);
      expect(response.status).toBe(403);
      expect(response.text).toContain('webhooks:write');
      expect(leaks(response)).toEqual([]);
    }
  });

  it('an admin edits what GET returned: masked URL and header values keep the stored ones', async () => {
    const shown = (await as('admin', 'GET', '/api/v1/webhooks/from-api')).json as Record<string, unknown>;
    // The read-only status fields (counters, outbox depth and backlog) are not options of a webhook.
    const {
      name: _name, source: _source, successes: _s, failures: _f, lastSuccessAt: _ls, lastFailureAt: _lf,
      outboxDepth: _o, outboxLimit: _ol, backlogged: _b, backloggedSince: _bs, ...editable
    } = shown;
    const changed = await as('admin', 'PUT', '/api/v1/webhooks/from-api', { ...editable, description: 'edited' });
    expect(changed.status, changed.text).toBe(200);
    const webhook = server.runtime.webhook('from-api')!;
    expect(webhook.url).toBe(`${receiver.url('/api')}?token=${URL_TOKEN}&team=${URL_TEAM}`);
    expect(webhook.headers).toEqual({ 'X-Secret-Header': HEADER_SECRET, 'X-Team': 'infra' });
    expect(webhook.description).toBe('edited');
  });

  it('a mask that stands for nothing stored is refused, with its pointer', async () => {
    const changed = await as('admin', 'PUT', '/api/v1/webhooks/from-api', {
      url: `${receiver.url('/elsewhere')}?key=${MASK}`, template: 'flat', headers: { 'X-New': MASK },
    });
    expect(changed.status).toBe(400);
    const pointers = (changed.json as { error: { details: Array<{ pointer: string }> } }).error.details.map((d) => d.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/url', '/headers/X-New']));
    expect(server.runtime.webhook('from-api')!.url).toContain(URL_TOKEN);
  });
});

describe('env and file secrets echoed by a receiver are masked like literal ones (issue 14 item 4)', () => {
  it.each(['from-api', 'from-file'])('%s: the Test answer and the delivery log, for every role that reads them', async (name) => {
    const tested = await as('operator', 'POST', `/api/v1/webhooks/${name}/test`);
    expect(tested.status, tested.text).toBe(200);
    // The receiver really got the secrets, so masking is what keeps them out of the answer.
    const echoed = receiver.requests.at(-1)!;
    expect(echoed.headers['x-hook-key']).toBe(name === 'from-api' ? ENV_SECRET : FILE_SECRET);
    expect(echoed.path).toContain(URL_TOKEN);
    expect(leaks(tested)).toEqual([]);
    expect(tested.text).toContain(MASK);
    expect((tested.json as { url: string }).url).not.toContain(URL_TOKEN);
    for (const role of READERS) {
      const log = await as(role, 'GET', `/api/v1/webhooks/${name}/deliveries`);
      expect(log.status).toBe(200);
      expect((log.json as { deliveries: unknown[] }).deliveries.length).toBeGreaterThan(0);
      expect(leaks(log), `${role} reads ${name}'s delivery log`).toEqual([]);
    }
  });
});
