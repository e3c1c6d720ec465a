import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/model/event.js';
import { findDuplicateWebhooks, parseWebhook, parseWebhooks } from '../../src/delivery/webhook.js';
import { makeWebhook } from './helpers/fakes.js';

const minimal = { name: 'ops-chat', url: 'https://chat.example.com/hooks/abc' };

function problemsOf(input: Record<string, unknown>): Array<{ code: string; pointer: string; message: string; hint?: string }> {
  const result = parseWebhook({ ...minimal, ...input });
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('webhook options and their defaults (SPEC §6)', () => {
  it('fills every default from the schema', () => {
    const result = parseWebhook(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { timing, ...webhook } = result.webhook;
    expect(webhook).toEqual({
      name: 'ops-chat',
      url: 'https://chat.example.com/hooks/abc',
      description: '',
      enabled: true,
      events: ['*'],
      events_policy: 'include',
      min_severity: 'info',
      rules: ['*'],
      template: 'events',
      content_type: 'json',
      headers: {},
      params: {},
      auth: { type: 'none' },
      signature: { type: 'none' },
      timeout: '30s',
      batch: null,
      discard_after: '5m',
      lossy: false,
      outbox_limit: 10000,
      allow_invalid_certs: false,
      ca_file: null,
      concurrency: 16,
      retry: { initial: '1s', max: '1m' },
    });
    expect(timing).toEqual({ timeoutMs: 30_000, batchMs: 0, discardAfterMs: 300_000, retryInitialMs: 1_000, retryMaxMs: 60_000 });
  });

  it('takes the full example of the SPEC', () => {
    const result = parseWebhook(
      {
        ...minimal,
        description: 'Ops channel',
        events: ['alert.open', 'alert.cancel'],
        events_policy: 'include',
        min_severity: 'warning',
        rules: ['*'],
        template: 'chat-alert',
        content_type: 'json',
        headers: { 'X-Team': 'infra' },
        auth: { type: 'bearer', token: { env: 'CHAT_TOKEN' } },
        signature: { type: 'standard-webhooks', secret: { file: 'secrets/chat.key' } },
        timeout: '30s',
        batch: '1s',
        discard_after: '5m',
        lossy: false,
        allow_invalid_certs: false,
      },
      { baseDir: '/etc/tocsin' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.webhook.auth).toEqual({ type: 'bearer', token: { env: 'CHAT_TOKEN' } });
    // Relative secret files are resolved against the config file's directory.
    expect(result.webhook.signature).toEqual({ type: 'standard-webhooks', secret: { file: '/etc/tocsin/secrets/chat.key' } });
    expect(result.webhook.timing.batchMs).toBe(1000);
  });

  it('accepts a secret as a plain string, {value}, {env} or {file}', () => {
    for (const [secret, expected] of [
      ['s3cret', { value: 's3cret' }],
      [{ value: 's3cret' }, { value: 's3cret' }],
      [{ env: 'HOOK_SECRET' }, { env: 'HOOK_SECRET' }],
      [{ file: '/run/secrets/hook' }, { file: '/run/secrets/hook' }],
    ] as const) {
      const webhook = makeWebhook({ signature: { type: 'hmac-sha256', secret } });
      expect(webhook.signature).toEqual({ type: 'hmac-sha256', secret: expected });
    }
  });

  it('keeps the event type list of the schema in step with the model', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/webhooks.schema.json', import.meta.url), 'utf8')) as {
      definitions: { eventSelector: { enum: string[] } };
    };
    expect(schema.definitions.eventSelector.enum).toEqual(['*', ...EVENT_TYPES]);
  });
});

describe('webhook validation reports each mistake where it is', () => {
  it.each([
    ['an unknown option, with a suggestion', { timout: '5s' }, 'unknown-option', '/timout', "did you mean 'timeout'?"],
    ['an unknown event type', { events: ['alert.opn'] }, 'invalid-value', '/events/0', "did you mean 'alert.open'?"],
    ['a duration without a unit', { timeout: '30' }, 'invalid-duration', '/timeout', undefined],
    ['a duration with an unknown unit', { discard_after: '5 parsecs' }, 'invalid-duration', '/discard_after', undefined],
    ['a zero timeout', { timeout: '0s' }, 'invalid-duration', '/timeout', undefined],
    ['a URL that is not one', { url: 'chat.example.com/hook' }, 'invalid-url', '/url', undefined],
    ['a URL with another scheme', { url: 'ftp://example.com/x' }, 'invalid-url', '/url', undefined],
    ['credentials inside the URL', { url: 'https://bob:pw@example.com/x' }, 'credentials-in-url', '/url', undefined],
    ['a header tocsin sets itself', { headers: { 'Content-Type': 'text/plain' } }, 'reserved-header', '/headers/Content-Type', undefined],
    ['a header that fights the auth', { auth: { type: 'bearer', token: 't' }, headers: { Authorization: 'x' } }, 'reserved-header', '/headers/Authorization', undefined],
    ['a header name with a space', { headers: { 'X Team': 'a' } }, 'invalid-header-name', '/headers/X Team', undefined],
    ['a header value with a newline', { headers: { 'X-Team': 'a\nb' } }, 'invalid-header-value', '/headers/X-Team', undefined],
    ['batch with a form body', { batch: '1s', content_type: 'form' }, 'batch-needs-json', '/batch', undefined],
    ['basic auth without password', { auth: { type: 'basic', user: 'bob' } }, 'missing-option', '/auth/password', undefined],
    ['an option of another auth type', { auth: { type: 'bearer', token: 't', user: 'bob' } }, 'option-not-applicable', '/auth/user', undefined],
    ['an unknown auth type', { auth: { type: 'oauth' } }, 'invalid-value', '/auth/type', undefined],
    ['a signature without secret', { signature: { type: 'axibase' } }, 'missing-option', '/signature/secret', undefined],
    ['a secret with two sources', { signature: { type: 'axibase', secret: { env: 'A', file: 'b' } } }, 'invalid-secret', '/signature/secret', undefined],
    ['a Standard Webhooks secret that is not base64', { signature: { type: 'standard-webhooks', secret: 'not base64!' } }, 'invalid-secret', '/signature/secret', undefined],
    ['a bad webhook name', { name: 'ops chat' }, 'invalid-name', '/name', undefined],
    ['a concurrency of zero', { concurrency: 0 }, 'invalid-value', '/concurrency', undefined],
  ])('%s', (_title, input, code, pointer, hint) => {
    const problems = problemsOf(input);
    const found = problems.find((problem) => problem.code === code && problem.pointer === pointer);
    expect(found, JSON.stringify(problems)).toBeDefined();
    if (hint !== undefined) expect(found?.hint).toBe(hint);
  });

  it.each([
    ['a token over 255 bytes', { type: 'bearer', token: 'x'.repeat(256) }, '/auth/token'],
    ['a non-ASCII password', { type: 'basic', user: 'bob', password: 'pässword' }, '/auth/password'],
    ['a control character in an API key', { type: 'api_key', header: 'X-API-Key', value: { value: 'a\tb' } }, '/auth/value/value'],
    ['a colon in a basic user', { type: 'basic', user: 'bo:b', password: 'pw' }, '/auth/user'],
  ])('rejects auth values outside the Elastio limits: %s', (_title, auth, pointer) => {
    const problems = problemsOf({ auth });
    expect(problems.map((problem) => [problem.code, problem.pointer])).toContainEqual(['invalid-auth-value', pointer]);
  });

  it('accepts auth values of exactly 255 ASCII bytes', () => {
    expect(parseWebhook({ ...minimal, auth: { type: 'bearer', token: 'x'.repeat(255) } }).ok).toBe(true);
  });

  it('reports every mistake at once, not only the first', () => {
    const problems = problemsOf({ timout: '5s', events: ['nope'], auth: { type: 'basic' } });
    expect(problems.map((problem) => problem.pointer).sort()).toEqual(['/auth/password', '/auth/user', '/events/0', '/timout']);
  });

  it('warns when retry.initial is above retry.max', () => {
    const result = parseWebhook({ ...minimal, retry: { initial: '2m', max: '1m' } });
    expect(result.ok && result.warnings.map((warning) => warning.code)).toEqual(['retry-initial-above-max']);
  });
});

describe('a list of webhooks', () => {
  it('requires unique names and points at the second definition', () => {
    const { webhooks, problems } = parseWebhooks([minimal, { ...minimal, url: 'https://other.example.com/' }]);
    expect(webhooks.map((webhook) => webhook.name)).toEqual(['ops-chat']);
    expect(problems).toMatchObject([{ severity: 'error', code: 'duplicate-name', pointer: '/webhooks/1/name' }]);
  });

  it('prefixes pointers with the position in the list', () => {
    const { problems } = parseWebhooks([minimal, { name: 'b', url: 'https://b.example.com', timout: '1s' }]);
    expect(problems.map((problem) => problem.pointer)).toEqual(['/webhooks/1/timout']);
  });

  it('warns about two webhooks with the same url, events and template (Portal seed)', () => {
    const { problems } = parseWebhooks([
      { name: 'a', url: 'https://x.example.com/hook', events: ['alert.open', 'alert.cancel'] },
      { name: 'b', url: 'https://x.example.com/hook', events: ['alert.cancel', 'alert.open'] },
      { name: 'c', url: 'https://x.example.com/hook', events: ['alert.open'] },
    ]);
    expect(problems).toMatchObject([{ severity: 'warning', code: 'duplicate-webhook', pointer: '/webhooks/1' }]);
    expect(problems[0]?.message).toContain("'a' and 'b'");
  });

  it('does not warn when the template differs', () => {
    const a = makeWebhook({ name: 'a', template: 'slack' });
    const b = makeWebhook({ name: 'b', template: 'flat' });
    expect(findDuplicateWebhooks([a, b])).toEqual([]);
  });
});
