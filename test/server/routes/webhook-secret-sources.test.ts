/**
 * Issue 14 item 5, secret sources are not a file browser: through the API, `{ file }` secrets (and
 * ca_file) are allowed only inside the configured secrets directory, and `{ env }` secrets only with
 * the configured prefix (default TOCSIN_SECRET_). A refusal is a 400 naming the JSON pointer and
 * saying how to configure it, and nothing is stored. Config files keep full freedom.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../../delivery/helpers/receiver.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers.js';

const root = mkdtempSync(join(tmpdir(), 'tocsin-secret-sources-'));
const secretsDir = join(root, 'secrets');
mkdirSync(secretsDir);
writeFileSync(join(secretsDir, 'chat.key'), 'chat-key-from-file\n');
mkdirSync(join(secretsDir, 'team'));
writeFileSync(join(secretsDir, 'team', 'ops.key'), 'ops-key-from-file\n');
const outside = join(root, 'outside.key');
writeFileSync(outside, 'outside-secret\n');
symlinkSync(outside, join(secretsDir, 'escape.key'));

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await Receiver.http();
});
afterAll(async () => {
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
});

const post = (body: unknown) => server.call('POST', '/api/v1/webhooks', { token: server.tokens.admin, body });
const hook = (auth: unknown, extra: Record<string, unknown> = {}) => ({ name: 'chat', url: receiver.url(), template: 'flat', auth, ...extra });

function refusal(response: ApiResponse) {
  expect(response.status, response.text).toBe(400);
  const error = (response.json as { error: { message: string; details: Array<{ pointer: string; message: string; hint?: string; code: string }> } }).error;
  return error;
}

describe('without a secrets directory (the default)', () => {
  it.each([
    ['a bearer token from /etc/hostname', () => hook({ type: 'bearer', token: { file: '/etc/hostname' } }), '/auth/token/file'],
    ['a relative file', () => hook({ type: 'api_key', header: 'X-Key', value: { file: 'secrets/chat.key' } }), '/auth/value/file'],
    ['a signing secret from a file', () => hook({ type: 'none' }, { signature: { type: 'hmac-sha256', secret: { file: '/etc/passwd' } } }), '/signature/secret/file'],
    ['a CA file', () => hook({ type: 'none' }, { ca_file: '/etc/ssl/private/key.pem' }), '/ca_file'],
  ])('refuses %s, naming the pointer and the setting', async (_what, body, pointer) => {
    server = await startTestServer();
    const error = refusal(await post(body()));
    const detail = error.details.find((d) => d.pointer === pointer);
    expect(detail, JSON.stringify(error.details)).toBeDefined();
    expect(detail!.code).toBe('secret-source-refused');
    expect(`${detail!.message} ${detail!.hint}`).toMatch(/--secrets-dir/);
    expect(detail!.hint).toMatch(/TOCSIN_SECRETS_DIR/);
    expect(error.message).toContain(pointer);
    expect(server.runtime.store.getConfigObject('webhook', 'chat')).toBeNull();
    expect(server.runtime.webhook('chat')).toBeUndefined();
  });

  it('refuses an environment variable without the prefix, saying which prefix and how to change it', async () => {
    server = await startTestServer();
    const error = refusal(await post(hook({ type: 'bearer', token: { env: 'HOME' } })));
    expect(error.details).toEqual([expect.objectContaining({ pointer: '/auth/token/env', code: 'secret-source-refused' })]);
    expect(error.details[0]!.message).toContain('TOCSIN_SECRET_');
    expect(error.details[0]!.hint).toMatch(/--secrets-env-prefix|TOCSIN_SECRETS_ENV_PREFIX/);
    expect(server.runtime.store.getConfigObject('webhook', 'chat')).toBeNull();
  });

  it('accepts an environment variable with the prefix, and literal values', async () => {
    server = await startTestServer();
    expect((await post(hook({ type: 'bearer', token: { env: 'TOCSIN_SECRET_CHAT' } }))).status).toBe(201);
    expect((await post({ ...hook({ type: 'bearer', token: 'literal-token' }), name: 'literal' })).status).toBe(201);
  });

  it('refuses the same on PUT, and keeps what was stored', async () => {
    server = await startTestServer();
    expect((await post(hook({ type: 'bearer', token: { env: 'TOCSIN_SECRET_CHAT' } }))).status).toBe(201);
    const changed = await server.call('PUT', '/api/v1/webhooks/chat', { token: server.tokens.admin, body: hook({ type: 'bearer', token: { env: 'AWS_SECRET_ACCESS_KEY' } }) });
    expect(refusal(changed).details[0]!.pointer).toBe('/auth/token/env');
    expect(server.runtime.webhook('chat')!.auth).toEqual({ type: 'bearer', token: { env: 'TOCSIN_SECRET_CHAT' } });
  });

  it('keeps a webhook stored before the check, and reports its source as a warning at reload', async () => {
    server = await startTestServer();
    server.runtime.store.putConfigObject({
      kind: 'webhook', name: 'old', actor: 'test', at: server.clock.now(),
      body: { name: 'old', url: receiver.url(), template: 'flat', auth: { type: 'bearer', token: { env: 'HOME' } } },
    });
    const reload = await server.call('POST', '/api/v1/reload', { token: server.tokens.admin });
    expect(reload.status, reload.text).toBe(200);
    expect((reload.json as { diagnostics: unknown[] }).diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'secret-source-refused', message: expect.stringContaining('/auth/token/env') }),
    ]);
    expect(server.runtime.webhook('old')?.auth).toEqual({ type: 'bearer', token: { env: 'HOME' } });
  });

  it('leaves config files their full freedom', async () => {
    server = await startTestServer({
      files: {
        'rules.yaml': `rules: []
webhooks:
  - name: from-file
    url: ${receiver.url()}
    template: flat
    auth: { type: bearer, token: { env: HOME } }
    signature: { type: hmac-sha256, secret: { file: ${outside} } }
`,
      },
    });
    expect(server.runtime.webhook('from-file')?.auth).toEqual({ type: 'bearer', token: { env: 'HOME' } });
    expect((await server.call('POST', '/api/v1/reload', { token: server.tokens.admin })).status).toBe(200);
  });
});

describe('with a secrets directory and another prefix configured', () => {
  const configured = () => startTestServer({ runtime: { secrets: { dir: secretsDir, envPrefix: 'HOOKS_' } } });

  it.each([
    ['an absolute path inside it', join(secretsDir, 'chat.key')],
    ['a path relative to it', 'chat.key'],
    ['a subdirectory', 'team/ops.key'],
  ])('accepts %s', async (_what, file) => {
    server = await configured();
    const created = await post(hook({ type: 'bearer', token: { file } }));
    expect(created.status, created.text).toBe(201);
    const before = receiver.requests.length;
    const tested = await server.call('POST', '/api/v1/webhooks/chat/test', { token: server.tokens.admin });
    expect(tested.json, tested.text).toMatchObject({ ok: true });
    expect(receiver.requests).toHaveLength(before + 1);
    expect(receiver.requests.at(-1)!.headers.authorization).toMatch(/^Bearer (chat|ops)-key-from-file$/);
  });

  it.each([
    ['a path that climbs out', '../outside.key'],
    ['an absolute path elsewhere', outside],
    ['a link inside that points outside', 'escape.key'],
  ])('refuses %s', async (_what, file) => {
    server = await configured();
    const error = refusal(await post(hook({ type: 'bearer', token: { file } })));
    expect(error.details[0]).toMatchObject({ pointer: '/auth/token/file', code: 'secret-source-refused' });
    expect(error.details[0]!.message).toContain(secretsDir);
  });

  it('takes the configured prefix instead of the default', async () => {
    server = await configured();
    expect((await post(hook({ type: 'bearer', token: { env: 'HOOKS_CHAT' } }))).status).toBe(201);
    const error = refusal(await post({ ...hook({ type: 'bearer', token: { env: 'TOCSIN_SECRET_CHAT' } }), name: 'other' }));
    expect(error.details[0]!.message).toContain("'HOOKS_'");
  });
});
