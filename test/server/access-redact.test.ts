import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT, redactSecrets, redactText } from '../../src/server/access.js';

const MASK = '********';
const TOKEN = `tcn_${'s3cr3t'.repeat(7)}x`;

/** Logs `fields` through a pino logger configured like the server's and returns the JSON line. */
function logged(fields: object): string {
  const lines: string[] = [];
  const logger = pino({ redact: LOG_REDACT }, { write: (line: string) => void lines.push(line) });
  logger.info(fields, 'message');
  return lines.join('');
}

describe('secrets never logged: pino redact paths (SPEC §7)', () => {
  it.each([
    ['request authorization header', { req: { headers: { authorization: `Bearer ${TOKEN}`, host: 'tocsin:8080' } } }, ['tocsin:8080']],
    ['cookie and x-api-key headers', { req: { headers: { cookie: 'session=abc123', 'x-api-key': 'key-abc123' } } }, []],
    ['headers of an outgoing request', { request: { headers: { authorization: 'Basic dXNlcjpzM2NyM3Q=', 'content-type': 'application/json' } } }, ['application/json']],
    ['a webhook\'s own Authorization header', { webhook: { headers: { Authorization: 'Bearer hook-s3cret', 'X-Team': 'infra' } } }, ['infra']],
    ['a webhook basic password', { webhook: { name: 'ops', auth: { type: 'basic', user: 'bot', password: 'hunter2' } } }, ['"user":"bot"', '"name":"ops"']],
    ['a webhook bearer token given by value', { webhook: { auth: { type: 'bearer', token: { value: 'bearer-s3cret' } } } }, []],
    ['a webhook api key', { body: { auth: { type: 'api_key', header: 'X-Key', value: 'k3y-value' } } }, ['X-Key']],
    ['a webhook signing secret', { webhook: { signature: { type: 'hmac-sha256', secret: 'sign-s3cret' } } }, ['hmac-sha256']],
    ['a created token in a response', { res: { token: TOKEN }, token: TOKEN }, []],
    ['a token hash', { record: { tokenHash: 'ab'.repeat(32), name: 'ci' } }, ['"name":"ci"']],
  ])('%s', (_what, fields, kept) => {
    const line = logged(fields);
    for (const secret of ['Bearer', TOKEN, 'session=abc123', 'key-abc123', 'dXNlcjpzM2NyM3Q=', 'hunter2', 'bearer-s3cret', 'hook-s3cret', 'k3y-value', 'sign-s3cret', 'ab'.repeat(32)]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain(MASK);
    for (const text of kept) expect(line).toContain(text);
  });
});

describe('redactSecrets: for error messages and anything paths cannot reach', () => {
  it.each([
    ['a tocsin token', `rejected ${TOKEN} at login`, `rejected tcn_${MASK} at login`],
    ['bearer credentials', 'upstream said: invalid Authorization: Bearer abc.def-ghi', `upstream said: invalid Authorization: Bearer ${MASK}`],
    ['basic credentials', 'sent Basic dXNlcjpwdw==', `sent Basic ${MASK}`],
    ['credentials in a URL', 'connect ECONNREFUSED https://bot:pa55@hooks.example.com/x', `connect ECONNREFUSED https://${MASK}@hooks.example.com/x`],
    ['secret query parameters', 'GET https://x.example/h?token=abc&team=infra&api_key=zz failed', `GET https://x.example/h?token=${MASK}&team=infra&api_key=${MASK} failed`],
    ['nothing secret', 'webhook ops-chat answered 503', 'webhook ops-chat answered 503'],
  ])('scrubs %s from text', (_what, text, expected) => {
    expect(redactText(text)).toBe(expected);
    expect(redactSecrets(text)).toBe(expected);
  });

  it('masks secret fields at any depth, keeps env and file references, and leaves the input alone', () => {
    const webhook = {
      name: 'ops',
      headers: { 'X-Team': 'infra', Authorization: 'Bearer xyz' },
      auth: { type: 'api_key', header: 'X-Key', value: 'k3y' },
      signature: { type: 'standard-webhooks', secret: { env: 'OPS_SIGNING_KEY' } },
      nested: [{ password: 'pw', token: { value: 'tv' } }, { secret: { file: 'secrets/ops.key' } }],
    };
    const before = structuredClone(webhook);
    expect(redactSecrets(webhook)).toEqual({
      name: 'ops',
      headers: { 'X-Team': 'infra', Authorization: MASK },
      auth: { type: 'api_key', header: 'X-Key', value: MASK },
      signature: { type: 'standard-webhooks', secret: { env: 'OPS_SIGNING_KEY' } },
      nested: [{ password: MASK, token: { value: MASK } }, { secret: { file: 'secrets/ops.key' } }],
    });
    expect(webhook).toEqual(before);
  });

  it('turns errors into name, message and code, with the message scrubbed', () => {
    const error = Object.assign(new Error(`token ${TOKEN} refused`), { code: 'E_AUTH' });
    expect(redactSecrets({ err: error })).toEqual({ err: { name: 'Error', message: `token tcn_${MASK} refused`, code: 'E_AUTH' } });
  });

  it('cuts cycles but not shared objects', () => {
    const shared = { label: 'x' };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: { label: 'x' }, b: { label: 'x' }, self: '[Circular]' });
  });
});
