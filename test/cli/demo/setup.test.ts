import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { demoWebhooksFile, EXAMPLE_RULES_DIR, prepareConfig } from '../../../src/cli/demo/setup.js';
import { signatureIsValid, type ReceivedRequest } from '../../../src/cli/demo/receiver.js';
import { loadConfiguration } from '../../../src/service/config.js';

const example = readFileSync(join(EXAMPLE_RULES_DIR, 'webhooks.yaml'), 'utf8');
const fixedRandom = (size: number) => Buffer.alloc(size, 7);

describe('the demo webhooks file', () => {
  const { text, webhooks } = demoWebhooksFile(example, 'http://127.0.0.1:4000', fixedRandom);
  const written = (parse(text) as { webhooks: Array<Record<string, unknown>> }).webhooks;

  it('keeps the example webhooks, pointed at the receiver, enabled and signed', () => {
    const exampleNames = (parse(example) as { webhooks: Array<{ name: string }> }).webhooks.map((w) => w.name);
    expect(written.map((w) => w.name)).toEqual(exampleNames);
    for (const webhook of written) {
      expect(webhook.url).toBe(`http://127.0.0.1:4000/hooks/${String(webhook.name)}`);
      expect(webhook.enabled).toBeUndefined();
      expect(webhook.signature).toMatchObject({ type: expect.stringMatching(/^(hmac-sha256|standard-webhooks)$/) });
    }
    expect(new Set(webhooks.map((w) => w.signature)).size).toBe(Math.min(2, webhooks.length));
  });

  it('gives the PagerDuty preset the routing key it needs', () => {
    for (const webhook of written.filter((w) => w.template === 'pagerduty')) expect(webhook.params).toEqual({ routing_key: 'demo-routing-key' });
  });

  it('refuses an example without webhooks', () => {
    expect(() => demoWebhooksFile('webhooks: []\n', 'http://127.0.0.1:1')).toThrow(/declares no webhooks/);
  });
});

describe('prepareConfig', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a config directory that loads without errors', () => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-demo-setup-'));
    prepareConfig(join(dir, 'rules'), 'http://127.0.0.1:4000');
    const loaded = loadConfiguration(join(dir, 'rules'), null);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect([...loaded.config.webhooks.values()].every((w) => w.enabled && w.url.startsWith('http://127.0.0.1:4000/hooks/'))).toBe(true);
  });
});

describe('signatureIsValid (checked here with independent HMAC code)', () => {
  const body = '{"text":"hello"}';
  const request = (headers: Record<string, string>, text = body): ReceivedRequest => ({ method: 'POST', path: '/hooks/x', headers, body: text });
  const hmac = { name: 'x', path: '/hooks/x', template: 'flat', signature: 'hmac-sha256' as const, secret: 's3cret' };
  const key = Buffer.alloc(24, 1);
  const standard = { ...hmac, signature: 'standard-webhooks' as const, secret: `whsec_${key.toString('base64')}` };
  const standardHeaders = (text: string) => ({
    'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000',
    'webhook-signature': `v1,${createHmac('sha256', key).update(`msg_1.1700000000.${text}`).digest('base64')}`,
  });

  it.each([
    ['hmac-sha256, right signature', hmac, request({ 'x-signature': createHmac('sha256', 's3cret').update(body).digest('base64') }), true],
    ['hmac-sha256, body changed', hmac, request({ 'x-signature': createHmac('sha256', 's3cret').update(body).digest('base64') }, '{"text":"bye"}'), false],
    ['hmac-sha256, no header', hmac, request({}), false],
    ['standard-webhooks, right signature', standard, request(standardHeaders(body)), true],
    ['standard-webhooks, one of several signatures', standard, request({ ...standardHeaders(body), 'webhook-signature': `v1,bogus ${standardHeaders(body)['webhook-signature']}` }), true],
    ['standard-webhooks, body changed', standard, request(standardHeaders(body), '{}'), false],
  ])('%s', (_name, webhook, received, valid) => {
    expect(signatureIsValid(received, webhook)).toBe(valid);
  });
});
