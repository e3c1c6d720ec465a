import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/delivery/errors.js';
import { createSecretResolver } from '../../src/delivery/secrets.js';
import { axibaseSignature, hmacSha256Signature, signatureHeaders, standardWebhooksKey, standardWebhooksSignature } from '../../src/delivery/signing.js';
import { makeWebhook } from './helpers/fakes.js';

const resolve = createSecretResolver({ env: {} });

describe('axibase: x-axi-signature: sha1=<lowercase hex HMAC-SHA1>', () => {
  it('matches the RFC 2202 HMAC-SHA1 test vector', () => {
    expect(axibaseSignature('Jefe', 'what do ya want for nothing?')).toBe('sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  });

  it('signs the canonical parameter string for form bodies, not the raw body', () => {
    const webhook = makeWebhook({ content_type: 'form', signature: { type: 'axibase', secret: 'k' } });
    const headers = signatureHeaders(webhook.signature, { body: 'b=2&a=1', axibasePayload: 'a=1&b=2', messageId: 'm', timestampSec: 1 }, resolve);
    expect(headers).toEqual({ 'x-axi-signature': axibaseSignature('k', 'a=1&b=2') });
    expect(headers['x-axi-signature']).not.toBe(axibaseSignature('k', 'b=2&a=1'));
  });
});

describe('hmac-sha256: X-Signature: <base64 HMAC-SHA256> (Stalwart seed)', () => {
  it('matches the RFC 4231 test case 2', () => {
    const hex = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(hmacSha256Signature('Jefe', 'what do ya want for nothing?')).toBe(Buffer.from(hex, 'hex').toString('base64'));
  });
});

describe('standard-webhooks: webhook-id, webhook-timestamp, webhook-signature v1', () => {
  const secret = `whsec_${Buffer.from('a 32-byte key for the unit tests').toString('base64')}`;
  const body = '{"events":[{"id":"e1"}]}';

  it('produces what the standardwebhooks reference library produces', () => {
    const reference = new StandardWebhook(secret).sign('msg_1', new Date(1_700_000_000_000), body);
    expect(standardWebhooksSignature(secret, 'msg_1', 1_700_000_000, body)).toBe(reference);
  });

  it('accepts the secret with or without the whsec_ prefix', () => {
    expect(standardWebhooksKey(secret)).toEqual(standardWebhooksKey(secret.slice('whsec_'.length)));
  });

  it('signs id.timestamp.body with the decoded key bytes', () => {
    const key = standardWebhooksKey(secret);
    const expected = createHmac('sha256', key).update(`msg_2.1700000001.${body}`).digest('base64');
    const webhook = makeWebhook({ signature: { type: 'standard-webhooks', secret } });
    expect(signatureHeaders(webhook.signature, { body, axibasePayload: body, messageId: 'msg_2', timestampSec: 1_700_000_001 }, resolve)).toEqual({
      'webhook-timestamp': '1700000001',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('refuses a secret that is not base64 (read from env or file at send time)', () => {
    expect(() => standardWebhooksKey('whsec_!!!')).toThrow(DeliveryError);
  });
});

describe('no signature', () => {
  it('adds no header', () => {
    expect(signatureHeaders({ type: 'none' }, { body: 'x', axibasePayload: 'x', messageId: 'm', timestampSec: 1 }, resolve)).toEqual({});
  });
});
