import { describe, expect, it } from 'vitest';
import { maskUrl, maskWebhook, restoreMaskedSecrets } from '../../src/delivery/masking.js';
import { parseWebhook } from '../../src/delivery/webhook.js';
import { makeWebhook } from './helpers/fakes.js';

describe('secrets are never returned', () => {
  const webhook = makeWebhook({
    auth: { type: 'basic', user: 'bob', password: 'hunter2' },
    signature: { type: 'hmac-sha256', secret: { env: 'HOOK_KEY' } },
  });

  it('masks secret values and keeps env/file references', () => {
    const masked = maskWebhook(webhook);
    expect(masked.auth).toEqual({ type: 'basic', user: 'bob', password: { value: '********' } });
    expect(masked.signature).toEqual({ type: 'hmac-sha256', secret: { env: 'HOOK_KEY' } });
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(masked).not.toHaveProperty('timing');
  });

  it('masks every auth type', () => {
    for (const auth of [
      { type: 'bearer', token: 'tok-123' },
      { type: 'api_key', header: 'X-API-Key', value: 'key-123' },
    ]) {
      expect(JSON.stringify(maskWebhook(makeWebhook({ auth })))).not.toMatch(/tok-123|key-123/);
    }
  });

  it('keeps the stored secret when an update sends the mask back', () => {
    const edited = { ...maskWebhook(webhook), description: 'edited' };
    const restored = restoreMaskedSecrets(edited, webhook);
    const result = parseWebhook(restored);
    expect(result.ok && result.webhook.auth).toEqual({ type: 'basic', user: 'bob', password: { value: 'hunter2' } });
    expect(result.ok && result.webhook.description).toBe('edited');
  });

  it('takes a new secret when one is given', () => {
    const edited = { ...maskWebhook(webhook), auth: { type: 'basic', user: 'bob', password: 'new-pw' } };
    const result = parseWebhook(restoreMaskedSecrets(edited, webhook));
    expect(result.ok && result.webhook.auth).toEqual({ type: 'basic', user: 'bob', password: { value: 'new-pw' } });
  });
});

describe('URL credentials and header values (issue 14 item 4)', () => {
  it.each([
    ['https://chat.example.com/hooks/abc', 'https://chat.example.com/hooks/abc'],
    ['https://x.example/h?token=abc&team=infra', 'https://x.example/h?token=********&team=********'],
    ['https://x.example/h?abc123', 'https://x.example/h?********'],
    ['https://x.example/h?a=1&&b', 'https://x.example/h?a=********&&********'],
    ['https://x.example/h#frag-secret', 'https://x.example/h#********'],
    ['https://x.example/h?k=v#f', 'https://x.example/h?k=********#********'],
    ['https://bot:pa55@x.example/h', 'https://********@x.example/h'],
    ['http://127.1:8080/hook?sig=x', 'http://127.1:8080/hook?sig=********'],
    ['not a url', '********'],
  ])('maskUrl(%s) = %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });

  const webhook = makeWebhook({ url: 'https://x.example/h?token=abc123&team=infra', headers: { 'X-Auth': 'header-secret', 'X-Team': 'infra' } });

  it('masks them unless revealed', () => {
    expect(maskWebhook(webhook)).toMatchObject({ url: 'https://x.example/h?token=********&team=********', headers: { 'X-Auth': '********', 'X-Team': '********' } });
    expect(maskWebhook(webhook, { reveal: true })).toMatchObject({ url: webhook.url, headers: webhook.headers });
  });

  it.each([
    ['the masked URL as shown', 'https://x.example/h?token=********&team=********', 'https://x.example/h?token=abc123&team=infra'],
    ['a new path with the masked query', 'https://x.example/other?token=********&team=********', 'https://x.example/other?token=abc123&team=infra'],
    ['a new query', 'https://x.example/h?token=new', 'https://x.example/h?token=new'],
    ['a changed masked query (nothing stored behind it)', 'https://x.example/h?token=********', 'https://x.example/h?token=********'],
  ])('restores %s', (_what, url, restored) => {
    expect((restoreMaskedSecrets({ ...maskWebhook(webhook), url }, webhook) as { url: string }).url).toBe(restored);
  });

  it('restores masked header values by name, in any case, and keeps new ones', () => {
    const edited = { ...maskWebhook(webhook), headers: { 'x-auth': '********', 'X-Team': 'storage', 'X-New': '********' } };
    expect((restoreMaskedSecrets(edited, webhook) as { headers: Record<string, string> }).headers).toEqual({ 'x-auth': 'header-secret', 'X-Team': 'storage', 'X-New': '********' });
  });
});
