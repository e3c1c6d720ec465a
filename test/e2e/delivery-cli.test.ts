/**
 * End to end: the webhook test (library function and `tocsin webhook test NAME`) sends a
 * webhook.test event through the real path — template, auth, signature — and reports the answer.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runWebhookTest } from '../../src/cli/commands/webhook-test.js';
import type { Output } from '../../src/cli/io.js';
import type { AttemptResult } from '../../src/delivery/attempt.js';
import { testWebhook } from '../../src/delivery/test.js';
import { sender } from '../delivery/helpers/e2e.js';
import { FakeRenderer, makeWebhook } from '../delivery/helpers/fakes.js';
import { Receiver } from '../delivery/helpers/receiver.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function capture(): Output & { out: string; err: string } {
  const output = {
    out: '',
    err: '',
    stdout: (text: string) => {
      output.out += text;
    },
    stderr: (text: string) => {
      output.err += text;
    },
  };
  return output;
}

const renderer = new FakeRenderer();

describe('testWebhook', () => {
  it('sends webhook.test through template, auth and signature, and returns the response', async () => {
    receiver = await Receiver.http(() => ({ status: 201, headers: { 'x-request-id': 'r-1' }, body: 'created' }));
    const webhook = makeWebhook({
      url: receiver.url(),
      template: 'slack',
      enabled: false,
      auth: { type: 'bearer', token: 't-1' },
      signature: { type: 'hmac-sha256', secret: 'k' },
    });
    const http = sender();
    const result = await testWebhook(webhook, { renderer, sender: http });
    await http.close();
    const request = receiver.requests[0];
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ template: 'slack', type: 'webhook.test', severity: 'info', data: { webhook: 'hook' } });
    expect(request?.headers.authorization).toBe('Bearer t-1');
    expect(request?.headers['x-signature']).toBe(createHmac('sha256', 'k').update(request?.body ?? '').digest('base64'));
    expect(result).toMatchObject({ ok: true, statusCode: 201, responseBody: 'created', error: null, webhook: 'hook' });
    expect(result.responseHeaders['x-request-id']).toBe('r-1');
    expect(result.messageId).toBe(request?.headers['webhook-id']);
  });

  it('keeps the first 4 KiB of a long response', async () => {
    receiver = await Receiver.http(() => ({ status: 500, body: 'x'.repeat(10_000) }));
    const http = sender();
    const result = await testWebhook(makeWebhook({ url: receiver.url() }), { renderer, sender: http });
    await http.close();
    expect(result.responseBody).toHaveLength(4096);
    expect(result.responseTruncated).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('reports a template failure without sending', async () => {
    receiver = await Receiver.http();
    const http = sender();
    const result = await testWebhook(makeWebhook({ url: receiver.url(), template: 'broken' }), { renderer, sender: http });
    await http.close();
    expect(result.error?.code).toBe('render_failed');
    expect(receiver.requests).toEqual([]);
  });
});

describe('tocsin webhook test NAME', () => {
  it('prints status, latency, headers and body; exit 0 on a 2xx', async () => {
    receiver = await Receiver.http(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'thanks' }));
    const output = capture();
    const code = await runWebhookTest('ops-chat', { loadWebhooks: () => [makeWebhook({ name: 'ops-chat', url: receiver?.url() })], renderer }, output);
    expect(code).toBe(0);
    expect(output.out).toMatch(new RegExp(`^POST ${receiver.url()} {2}\\(webhook ops-chat, event [0-9a-f-]{36}\\)\\nHTTP 200 in \\d+ ms\\n`));
    expect(output.out).toContain('content-type: text/plain');
    expect(output.out).toMatch(/\n\nthanks\n$/);
  });

  it('exits 1 on a non-2xx answer and says it counts as a failure', async () => {
    receiver = await Receiver.http(() => ({ status: 401 }));
    const output = capture();
    const code = await runWebhookTest('ops-chat', { loadWebhooks: () => [makeWebhook({ name: 'ops-chat', url: receiver?.url() })], renderer }, output);
    expect(code).toBe(1);
    expect(output.out).toContain('HTTP 401');
    expect(output.out).toContain('not a 2xx');
  });

  it('exits 1 with the error code when nothing answers', async () => {
    const closed = await Receiver.http();
    const url = closed.url();
    await closed.close();
    const output = capture();
    const code = await runWebhookTest('ops-chat', { loadWebhooks: () => [makeWebhook({ name: 'ops-chat', url })], renderer }, output);
    expect(code).toBe(1);
    expect(output.out).toMatch(/failed after \d+ ms: connection_refused: /);
  });

  it('prints the attempt as JSON with --json', async () => {
    receiver = await Receiver.http(() => ({ status: 204 }));
    const output = capture();
    const code = await runWebhookTest('ops-chat', { loadWebhooks: () => [makeWebhook({ name: 'ops-chat', url: receiver?.url() })], renderer, json: true }, output);
    expect(code).toBe(0);
    expect(JSON.parse(output.out) as AttemptResult).toMatchObject({ webhook: 'ops-chat', statusCode: 204, ok: true, error: null });
  });

  it('exits 2 for an unknown name, with a suggestion', async () => {
    const output = capture();
    const code = await runWebhookTest('opschat', { loadWebhooks: () => [makeWebhook({ name: 'ops-chat' })], renderer }, output);
    expect(code).toBe(2);
    expect(output.err).toBe("error: no webhook named 'opschat'\n  hint: did you mean 'ops-chat'?\n");
  });
});
