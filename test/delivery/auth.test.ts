import { describe, expect, it } from 'vitest';
import { authHeaders } from '../../src/delivery/auth.js';
import { DeliveryError } from '../../src/delivery/errors.js';
import { createSecretResolver } from '../../src/delivery/secrets.js';
import { makeWebhook } from './helpers/fakes.js';

const resolve = createSecretResolver({
  env: { CHAT_TOKEN: 'env-token', BAD: 'line\nbreak' },
  readFile: (path) => {
    if (path === '/secrets/key') return 'file-key\n';
    throw new Error(`ENOENT: no such file '${path}'`);
  },
});

describe('auth headers per type (SPEC §6, Elastio and IBM seeds)', () => {
  it.each([
    ['none', { type: 'none' }, {}],
    ['basic', { type: 'basic', user: 'bob', password: 'hunter2' }, { authorization: `Basic ${Buffer.from('bob:hunter2').toString('base64')}` }],
    ['bearer', { type: 'bearer', token: 'abc.def' }, { authorization: 'Bearer abc.def' }],
    ['api_key', { type: 'api_key', header: 'X-API-Key', value: 'k-1' }, { 'x-api-key': 'k-1' }],
    ['bearer from env', { type: 'bearer', token: { env: 'CHAT_TOKEN' } }, { authorization: 'Bearer env-token' }],
    ['api_key from a file, trailing newline dropped', { type: 'api_key', header: 'X-Key', value: { file: '/secrets/key' } }, { 'x-key': 'file-key' }],
  ])('%s', (_title, auth, expected) => {
    expect(authHeaders(makeWebhook({ auth }).auth, resolve)).toEqual(expected);
  });

  it.each([
    ['a missing environment variable', { type: 'bearer', token: { env: 'NOPE' } }, /auth\.token: environment variable NOPE is not set/],
    ['an unreadable file', { type: 'bearer', token: { file: '/secrets/missing' } }, /auth\.token: cannot read secret file \/secrets\/missing/],
    ['a value with a newline', { type: 'bearer', token: { env: 'BAD' } }, /printable ASCII/],
  ])('reports %s as secret_unavailable', (_title, auth, message) => {
    const webhook = makeWebhook({ auth });
    let thrown: unknown;
    try {
      authHeaders(webhook.auth, resolve);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeliveryError);
    expect((thrown as DeliveryError).code).toBe('secret_unavailable');
    expect((thrown as DeliveryError).message).toMatch(message);
  });
});
