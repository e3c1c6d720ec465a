import { describe, expect, it } from 'vitest';
import { maskWebhook, restoreMaskedSecrets } from '../../src/delivery/masking.js';
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
