/**
 * Issue 14 item 9, the webhook door: any JSON object sent to POST /api/v1/webhooks or
 * PUT /api/v1/webhooks/:name gets a 2xx or a 4xx whose details name the JSON pointer of every
 * problem — never a 500, never an exception — and a refused object changes nothing. Objects are
 * drawn from two sources: near-valid webhooks with some options replaced by hostile or random
 * values, and arbitrary JSON objects (including keys such as __proto__ and constructor).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/model/event.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/webhooks.schema.json', import.meta.url), 'utf8')) as {
  definitions: { webhook: { properties: Record<string, unknown> } };
};
const OPTIONS = Object.keys(schema.definitions.webhook.properties);
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a/b', '~0', 'value', 'env', 'file'];

const anyJson = fc.jsonValue({ maxDepth: 3 });
const key = fc.oneof(fc.constantFrom(...OPTIONS, ...HOSTILE_KEYS), fc.string({ maxLength: 12 }));

const secret = fc.oneof(
  fc.constantFrom('s3cret', '', '********', 'é-not-ascii', 'x'.repeat(300), 'whsec_c2VjcmV0', 'line\nbreak'),
  fc.record({ value: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('********')) }),
  fc.record({ env: fc.constantFrom('TOCSIN_SECRET_X', 'HOME', '', '1BAD', 'PATH') }),
  fc.record({ file: fc.constantFrom('/etc/hostname', 'key.txt', '../../etc/passwd', '', '/dev/zero') }),
  fc.record({ value: fc.string(), env: fc.string() }),
  anyJson,
);

const duration = fc.oneof(fc.constantFrom('1s', '250ms', '5m', '1h30m', '0s', '-1s', '5 minute', '', 'forever', '1e309s', '9999999999999h'), anyJson);

/** A value for one option: usually of the right shape, sometimes anything at all. */
const VALUE: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}$/), fc.constantFrom('', '-x', 'a'.repeat(300), 'base', 'in-file', 'ünï'), anyJson),
  url: fc.oneof(
    fc.constantFrom('http://127.0.0.1:9/x', 'https://127.1/hook?token=abc#frag', 'http://[::1]:9/', 'http://[64:ff9b::a9fe:a9fe]/', 'ftp://x/', 'http://u:p@h/',
      'not a url', '', 'http://', 'http://h/?q=********', 'javascript:alert(1)'),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    anyJson,
  ),
  events: fc.oneof(fc.array(fc.oneof(fc.constantFrom(...EVENT_TYPES, '*'), fc.string({ maxLength: 10 })), { maxLength: 5 }), anyJson),
  events_policy: fc.oneof(fc.constantFrom('include', 'exclude', 'both'), anyJson),
  min_severity: fc.oneof(fc.constantFrom('info', 'critical', 'critcal'), anyJson),
  rules: fc.oneof(fc.array(fc.oneof(fc.constant('*'), fc.string({ maxLength: 10 })), { maxLength: 3 }), anyJson),
  template: fc.oneof(fc.constantFrom('flat', 'slack', 'pagerduty', 'events', 'nope', ''), anyJson),
  content_type: fc.oneof(fc.constantFrom('json', 'form', 'xml'), anyJson),
  headers: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('X-Team', 'Authorization', 'content-type', 'Bad Header', 'x-api-key'), fc.string({ maxLength: 8 })),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constant('********'), anyJson), { maxKeys: 3 }), anyJson),
  params: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), anyJson), { maxKeys: 3 }), anyJson),
  auth: fc.oneof(
    fc.record({
      type: fc.constantFrom('none', 'basic', 'bearer', 'api_key', 'oauth'),
      user: fc.oneof(fc.constantFrom('bot', 'a:b', ''), anyJson),
      password: secret,
      token: secret,
      header: fc.oneof(fc.constantFrom('X-Key', 'content-type', 'bad header'), anyJson),
      value: secret,
    }, { requiredKeys: ['type'] }),
    anyJson,
  ),
  signature: fc.oneof(fc.record({ type: fc.constantFrom('none', 'axibase', 'hmac-sha256', 'standard-webhooks', 'md5'), secret }, { requiredKeys: ['type'] }), anyJson),
  timeout: duration,
  batch: duration,
  discard_after: duration,
  lossy: fc.oneof(fc.boolean(), anyJson),
  enabled: fc.oneof(fc.boolean(), anyJson),
  allow_invalid_certs: fc.oneof(fc.boolean(), anyJson),
  ca_file: fc.oneof(fc.constantFrom('/etc/ssl/certs/ca-certificates.crt', 'ca.pem', '../ca.pem', ''), anyJson),
  concurrency: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), anyJson),
  retry: fc.oneof(fc.record({ initial: duration, max: duration }, { requiredKeys: [] }), anyJson),
  description: fc.oneof(fc.string({ maxLength: 40 }), anyJson),
};

/** A webhook the API accepts: the starting point that mutations break in one to three places. */
const valid = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((name) => name !== 'base' && name !== 'in-file'),
  url: fc.constantFrom('http://127.0.0.1:9/x', 'https://127.1/hook?token=abc#frag', 'http://[::1]:9/'),
  template: fc.constantFrom('flat', 'events', 'slack'),
  events: fc.constantFrom(['*'], ['alert.open', 'alert.cancel']),
  headers: fc.constantFrom({}, { 'X-Team': 'infra' }),
  auth: fc.constantFrom({ type: 'none' }, { type: 'bearer', token: 's3cret' }, { type: 'api_key', header: 'X-Key', value: { env: 'TOCSIN_SECRET_KEY' } }),
  timeout: fc.constantFrom('5s', '30s'),
}, { requiredKeys: ['name', 'url'] });

const mutatedKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...OPTIONS) }, { weight: 1, arbitrary: key });
const valueFor = (option: string) => (Object.hasOwn(VALUE, option) ? VALUE[option]! : anyJson);
const mutation = fc.dictionary(mutatedKey, fc.constant(null), { minKeys: 0, maxKeys: 3 })
  .chain((keys) => fc.record(Object.fromEntries(Object.keys(keys).map((option) => [option, valueFor(option)]))));

const nearValid = fc.tuple(valid, mutation).map(([webhook, changes]) => ({ ...webhook, ...changes }));

const anyObject = fc.dictionary(key, anyJson, { maxKeys: 8 });
const body = fc.oneof({ weight: 3, arbitrary: nearValid }, { weight: 1, arbitrary: anyObject });

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    files: { 'rules.yaml': 'rules: []\nwebhooks:\n  - name: in-file\n    url: http://127.0.0.1:9/file\n    template: flat\n' },
  });
  const base = await server.call('POST', '/api/v1/webhooks', {
    token: server.tokens.admin,
    body: { name: 'base', url: 'http://127.0.0.1:9/base?token=t0ken-value', template: 'flat', headers: { 'X-Team': 'infra' } },
  });
  expect(base.status, base.text).toBe(201);
});
afterAll(async () => {
  await server.close();
});

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** A 2xx, or a 4xx whose details each carry a JSON pointer. */
function expectAnsweredOrPositioned(response: ApiResponse, sent: unknown): void {
  const context = `${response.status} ${response.text.slice(0, 600)}\nfor ${JSON.stringify(sent).slice(0, 600)}`;
  expect(response.status, context).toBeLessThan(500);
  if (response.status < 300) {
    seen.ok += 1;
    return;
  }
  seen.refused += 1;
  expect(response.status, context).toBeGreaterThanOrEqual(400);
  const error = (response.json as ErrorBody | undefined)?.error;
  expect(typeof error?.code, context).toBe('string');
  expect(typeof error?.message, context).toBe('string');
  expect(Array.isArray(error?.details) && error.details.length > 0, context).toBe(true);
  for (const detail of error!.details as Array<{ pointer?: unknown; message?: unknown }>) {
    expect(typeof detail.pointer === 'string' && (detail.pointer === '' || detail.pointer.startsWith('/')), context).toBe(true);
    expect(typeof detail.message, context).toBe('string');
  }
}

/** Answers seen by status class, so the run can show it reached both the 2xx and the 4xx paths. */
const seen = { ok: 0, refused: 0 };

const storedNames = () => server.runtime.store.listConfigObjects('webhook').map((o) => o.name).sort();

describe('any JSON object to the webhook API gets a 2xx or a positioned 4xx (issue 14 item 9)', () => {
  it('POST /api/v1/webhooks', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const before = storedNames();
        const response = await server.call('POST', '/api/v1/webhooks', { token: server.tokens.admin, body: sent });
        expectAnsweredOrPositioned(response, sent);
        if (response.status >= 400) {
          expect(storedNames()).toEqual(before);
        } else {
          const { name } = response.json as { name: string };
          expect(server.runtime.webhook(name)).toBeDefined();
          const deleted = await server.call('DELETE', '/api/v1/webhooks', { token: server.tokens.admin, body: { names: [name] } });
          expect(deleted.status).toBe(200);
        }
      }),
      { numRuns: 300, timeout: 5_000, seed: 1_407 },
    );
  });

  it('PUT /api/v1/webhooks/:name', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const before = server.runtime.store.getConfigObject('webhook', 'base');
        const response = await server.call('PUT', '/api/v1/webhooks/base', { token: server.tokens.admin, body: sent });
        expectAnsweredOrPositioned(response, sent);
        if (response.status >= 400) expect(server.runtime.store.getConfigObject('webhook', 'base')).toEqual(before);
      }),
      { numRuns: 300, timeout: 5_000, seed: 1_408 },
    );
  });

  it('keeps answering with random seeds too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PUT'), body, async (method, sent) => {
        const url = method === 'POST' ? '/api/v1/webhooks' : '/api/v1/webhooks/base';
        const response = await server.call(method, url, { token: server.tokens.admin, body: sent });
        expectAnsweredOrPositioned(response, sent);
        if (method === 'POST' && response.status < 300) {
          await server.call('DELETE', '/api/v1/webhooks', { token: server.tokens.admin, body: { names: [(response.json as { name: string }).name] } });
        }
      }),
      { numRuns: 150, timeout: 5_000 },
    );
  });

  it('reached both doors: accepted and refused objects', () => {
    // Near-valid objects must sometimes be valid, or the property would only ever test refusals.
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });
});
