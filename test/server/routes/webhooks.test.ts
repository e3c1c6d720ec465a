/**
 * SPEC §6, §7: webhooks managed through the admin API. Created, read, changed and deleted by
 * name lists; files are read-only; secrets are kept but never shown; every change is audited and
 * announced as config.changed; the test button sends a real request to a receiver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Receiver } from '../../delivery/helpers/receiver.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers.js';

const FILES = {
  'rules.yaml': `rules:
  - name: disk-full
    metric: disk
    condition: value > 95
webhooks:
  - name: from-file
    url: http://127.0.0.1:9/file
    template: flat
`,
};

const SECRET = 'bearer-secret-4d1f9a';
const SIGNING = 'signing-secret-77aa10';

let server: TestServer;
let receiver: Receiver;

beforeEach(async () => {
  server = await startTestServer({ files: FILES });
  receiver = await Receiver.http();
});
afterEach(async () => {
  await server.close();
  await receiver.close();
});

const admin = (method: string, url: string, body?: unknown) => server.call(method, url, { token: server.tokens.admin, body });

function hook(overrides: Record<string, unknown> = {}) {
  return { name: 'ops-chat', url: receiver.url(), template: 'flat', auth: { type: 'bearer', token: SECRET }, signature: { type: 'hmac-sha256', secret: SIGNING }, ...overrides };
}

async function create(overrides: Record<string, unknown> = {}): Promise<ApiResponse> {
  const response = await admin('POST', '/api/v1/webhooks', hook(overrides));
  expect(response.status, response.text).toBe(201);
  return response;
}

function errorOf(response: ApiResponse) {
  return (response.json as { error: { code: string; message: string; hint?: string; details?: Array<{ pointer: string; message: string; code: string; hint?: string }> } }).error;
}

describe('CRUD', () => {
  it('creates a webhook, shows it with its defaults, lists it, changes it and deletes it', async () => {
    const created = await create({ description: 'Ops channel', events: ['alert.open', 'alert.cancel'] });
    expect(created.headers.location).toBe('/api/v1/webhooks/ops-chat');
    expect(created.json).toMatchObject({
      name: 'ops-chat', url: receiver.url(), description: 'Ops channel', enabled: true, events: ['alert.open', 'alert.cancel'], events_policy: 'include',
      template: 'flat', timeout: '30s', source: 'api', successes: 0, failures: 0, outboxDepth: 0, warnings: [],
    });
    expect(server.runtime.webhook('ops-chat')?.url).toBe(receiver.url());

    const listed = await admin('GET', '/api/v1/webhooks');
    expect(listed.status).toBe(200);
    const rows = (listed.json as { webhooks: Array<Record<string, unknown>> }).webhooks;
    expect(rows.map((w) => [w.name, w.source])).toEqual([['from-file', 'file'], ['ops-chat', 'api']]);
    expect(rows[1]).toMatchObject({ successes: 0, failures: 0, lastSuccessAt: null, lastFailureAt: null, outboxDepth: 0, min_severity: 'info', rules: ['*'] });

    const read = await server.call('GET', '/api/v1/webhooks/ops-chat', { token: server.tokens.viewer });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ name: 'ops-chat', source: 'api', auth: { type: 'bearer', token: { value: '********' } } });

    const changed = await admin('PUT', '/api/v1/webhooks/ops-chat', hook({ url: receiver.url('/other'), enabled: false }));
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ url: receiver.url('/other'), enabled: false });
    expect(server.runtime.webhook('ops-chat')?.enabled).toBe(false);

    const deleted = await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat', 'never-was'] });
    expect(deleted.json).toMatchObject({ deleted: ['ops-chat'], notFound: ['never-was'] });
    expect(server.runtime.webhook('ops-chat')).toBeUndefined();
    expect((await admin('GET', '/api/v1/webhooks/ops-chat')).status).toBe(404);
    expect((await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat'] })).json).toMatchObject({ deleted: [], notFound: ['ops-chat'] });
  });

  it('keeps what the client sent in the store, so a reload brings the same webhook back', async () => {
    await create({ timeout: '5s' });
    const stored = server.runtime.store.getConfigObject('webhook', 'ops-chat');
    expect(stored?.body).toEqual(hook({ timeout: '5s' }));
    expect((await admin('POST', '/api/v1/reload')).status).toBe(200);
    expect(server.runtime.webhook('ops-chat')).toMatchObject({ url: receiver.url(), timeout: '5s' });
    expect(server.runtime.configuration.sources.webhooks.get('ops-chat')).toBe('api');
  });

  it('answers 404 with the closest name', async () => {
    await create();
    const response = await admin('GET', '/api/v1/webhooks/ops-chta');
    expect(response.status).toBe(404);
    expect(errorOf(response).hint).toContain("'ops-chat'");
  });
});

describe('validation: 400 with the JSON pointer of each problem', () => {
  it.each([
    ['a missing url', { url: undefined }, '/url', 'missing-option'],
    ['a bad duration', { timeout: 'soon' }, '/timeout', 'invalid-duration'],
    ['a misspelt option', { tempalte: 'flat' }, '/tempalte', 'unknown-option'],
    ['an unknown template', { template: 'slak' }, '/template', 'unknown-template'],
    ['a non-http url', { url: 'ftp://files.example.com/x' }, '/url', 'invalid-url'],
    ['a reserved header', { headers: { 'Content-Type': 'text/plain' } }, '/headers/Content-Type', 'reserved-header'],
    ['a mask without a stored secret', { auth: { type: 'bearer', token: '********' } }, '/auth/token', 'secret-required'],
  ])('%s', async (_case, overrides, pointer, code) => {
    const response = await admin('POST', '/api/v1/webhooks', hook(overrides));
    expect(response.status, response.text).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe('invalid_webhook');
    expect(error.details?.[0]).toMatchObject({ pointer, code });
    expect(server.runtime.webhook('ops-chat')).toBeUndefined();
    expect(server.runtime.store.getConfigObject('webhook', 'ops-chat')).toBeNull();
  });

  it('says what was meant', async () => {
    const response = await admin('POST', '/api/v1/webhooks', hook({ template: 'slak' }));
    expect(errorOf(response).details?.[0]?.message).toContain("did you mean 'slack'?");
  });

  it('refuses a rename through PUT', async () => {
    await create();
    const response = await admin('PUT', '/api/v1/webhooks/ops-chat', hook({ name: 'renamed' }));
    expect(response.status).toBe(400);
    expect(errorOf(response).details?.[0]).toMatchObject({ pointer: '/name', code: 'rename-not-supported' });
  });
});

describe('409: names are unique, files are read-only', () => {
  it('refuses a second webhook of the same name', async () => {
    await create();
    const response = await admin('POST', '/api/v1/webhooks', hook());
    expect(response.status).toBe(409);
    expect(errorOf(response).code).toBe('already_exists');
  });

  it.each([
    ['create over it', 'POST', '/api/v1/webhooks', { name: 'from-file', url: 'http://127.0.0.1:9/api' }],
    ['change it', 'PUT', '/api/v1/webhooks/from-file', { name: 'from-file', url: 'http://127.0.0.1:9/api' }],
    ['delete it', 'DELETE', '/api/v1/webhooks', { names: ['from-file'] }],
  ])('refuses to %s when a file defines it, naming the file', async (_case, method, url, body) => {
    const response = await admin(method, url, body);
    expect(response.status, response.text).toBe(409);
    const error = errorOf(response);
    expect(error.code).toBe('defined_in_file');
    expect(`${error.message} ${error.hint}`).toContain('rules.yaml');
    expect(server.runtime.webhook('from-file')?.url).toBe('http://127.0.0.1:9/file');
  });

  it('deletes nothing when one of the names is defined in a file', async () => {
    await create();
    expect((await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat', 'from-file'] })).status).toBe(409);
    expect(server.runtime.webhook('ops-chat')).toBeDefined();
  });
});

describe('warnings', () => {
  it('warns about a webhook with the same url, events and template as another (sent twice)', async () => {
    await create();
    const second = await admin('POST', '/api/v1/webhooks', hook({ name: 'ops-chat-2' }));
    expect(second.status).toBe(201);
    expect((second.json as { warnings: unknown[] }).warnings).toEqual([expect.objectContaining({ code: 'duplicate-webhook' })]);
  });

  it('warns when the template cannot render events the webhook selects', async () => {
    const response = await admin('POST', '/api/v1/webhooks', hook({ template: 'test', events: ['alert.open', 'webhook.test'] }));
    expect(response.status).toBe(201);
    expect((response.json as { warnings: unknown[] }).warnings).toEqual([]);
    const narrow = await admin('POST', '/api/v1/templates', { name: 'open-only', text: '{"r": "#rule_name"}', events: ['alert.open'] });
    expect(narrow.status, narrow.text).toBe(201);
    const wide = await admin('POST', '/api/v1/webhooks', hook({ name: 'wide', template: 'open-only', events: ['alert.open', 'alert.cancel'] }));
    expect((wide.json as { warnings: Array<{ code: string; message: string }> }).warnings).toEqual([
      expect.objectContaining({ code: 'template-does-not-serve', message: expect.stringContaining('alert.cancel') }),
    ]);
  });
});

describe('secrets', () => {
  it('never shows a secret, in any answer', async () => {
    const answers = [
      await create(),
      await admin('GET', '/api/v1/webhooks'),
      await admin('GET', '/api/v1/webhooks/ops-chat'),
      await admin('PUT', '/api/v1/webhooks/ops-chat', hook({ auth: { type: 'basic', user: 'ops', password: SECRET } })),
      await admin('POST', '/api/v1/webhooks', hook({ name: 'bad', auth: { type: 'basic', user: 'ops', password: `${SECRET}\u00e9` } })),
    ];
    expect(answers.at(-1)?.status).toBe(400);
    for (const answer of answers) {
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain(SIGNING);
    }
    expect(answers[0]?.json).toMatchObject({ signature: { type: 'hmac-sha256', secret: { value: '********' } } });
  });

  it("keeps the stored secrets when an update sends '********' back", async () => {
    const created = await create();
    const { name, url, template, auth, signature } = created.json as Record<string, unknown>;
    const changed = await admin('PUT', '/api/v1/webhooks/ops-chat', { name, url, template, auth, signature, description: 'edited' });
    expect(changed.status, changed.text).toBe(200);
    expect(server.runtime.webhook('ops-chat')?.auth).toEqual({ type: 'bearer', token: { value: SECRET } });

    // The request proves it: the receiver gets the original credential.
    const tested = await server.call('POST', '/api/v1/webhooks/ops-chat/test', { token: server.tokens.operator });
    expect(tested.status, tested.text).toBe(200);
    expect(receiver.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it('refuses a mask when the kind of credential changed (nothing to keep)', async () => {
    await create();
    const response = await admin('PUT', '/api/v1/webhooks/ops-chat', hook({ auth: { type: 'api_key', header: 'X-Key', value: '********' } }));
    expect(response.status).toBe(400);
    expect(errorOf(response).details?.[0]).toMatchObject({ pointer: '/auth/value', code: 'secret-required' });
  });
});

describe('POST /api/v1/webhooks/:name/test', () => {
  it('sends webhook.test through the real path and answers with the attempt', async () => {
    await create({ template: 'test' });
    receiver.answer(() => ({ status: 202, headers: { 'x-receipt': 'r-1' }, body: 'accepted' }));
    const response = await server.call('POST', '/api/v1/webhooks/ops-chat/test', { token: server.tokens.operator });
    expect(response.status, response.text).toBe(200);
    const attempt = response.json as { ok: boolean; statusCode: number; latencyMs: number; responseHeaders: Record<string, string>; responseBody: string; error: unknown; time: string; eventIds: string[] };
    expect(attempt).toMatchObject({ ok: true, statusCode: 202, responseBody: 'accepted', error: null });
    expect(attempt.responseHeaders['x-receipt']).toBe('r-1');
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(attempt.time))).toBe(false);
    expect(attempt.eventIds).toHaveLength(1);

    const request = receiver.requests[0]!;
    expect(request.headers['webhook-id']).toBe(attempt.eventIds[0]);
    expect(request.headers['x-signature']).toBeDefined();
    expect(JSON.parse(request.body)).toMatchObject({ event_type: 'webhook test' });
  });

  it('reports a refusing receiver as a failed attempt, and one that is down as an error', async () => {
    await create();
    receiver.answer(() => ({ status: 500, body: 'boom' }));
    const refused = await server.call('POST', '/api/v1/webhooks/ops-chat/test', { token: server.tokens.operator });
    expect(refused.json).toMatchObject({ ok: false, statusCode: 500, responseBody: 'boom' });

    await create({ name: 'nobody-home', url: 'http://127.0.0.1:9/closed' });
    const down = await server.call('POST', '/api/v1/webhooks/nobody-home/test', { token: server.tokens.operator });
    expect(down.status).toBe(200);
    expect(down.json).toMatchObject({ ok: false, statusCode: null, error: { code: expect.any(String) } });
  });

  it('answers 404 for an unknown webhook', async () => {
    expect((await server.call('POST', '/api/v1/webhooks/nope/test', { token: server.tokens.operator })).status).toBe(404);
  });
});

describe('every change is audited and announced', () => {
  it('writes an audit row and a config.changed event for create, update and delete', async () => {
    await create();
    await admin('PUT', '/api/v1/webhooks/ops-chat', hook({ description: 'changed' }));
    await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat'] });
    await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat'] }); // nothing left: no row

    const audit = server.runtime.store.listAudit({ kind: 'webhook' });
    expect(audit.map((a) => [a.actor, a.action, a.name])).toEqual([
      ['token:test-admin', 'delete', 'ops-chat'],
      ['token:test-admin', 'update', 'ops-chat'],
      ['token:test-admin', 'create', 'ops-chat'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(SECRET);

    const events = server.runtime.store.listEvents({ type: 'config.changed' }).map((e) => e.event.data);
    expect(events).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'token:test-admin', action: 'create', kind: 'webhook', name: 'ops-chat' }),
      expect.objectContaining({ action: 'update', kind: 'webhook', name: 'ops-chat' }),
      expect.objectContaining({ action: 'delete', kind: 'webhook', name: 'ops-chat' }),
    ]));
    expect(events).toHaveLength(3);
  });

  it('does not queue the config.changed of a deletion for the deleted webhook itself', async () => {
    await create({ events: ['config.changed'] });
    await admin('DELETE', '/api/v1/webhooks', { names: ['ops-chat'] });
    expect(server.runtime.store.listOutbox({ webhook: 'ops-chat' })).toEqual([]);
  });

  it('queues the config.changed of a change for the webhooks that select it', async () => {
    await create({ name: 'watcher', events: ['config.changed'] });
    await create({ name: 'other', url: receiver.url('/other') });
    const queued = server.runtime.store.listOutbox({ webhook: 'watcher' });
    expect(queued.map((row) => [row.event.type, (row.event.data as { name: string }).name])).toEqual([['config.changed', 'other']]);
  });
});
