/**
 * End to end: the real worker and undici sender against receivers on 127.0.0.1. Every auth type
 * arrives as the receiver expects it, and every signature verifies with code written here,
 * independently of src/ (for Standard Webhooks: the `standardwebhooks` reference library).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testWebhook } from '../../src/delivery/test.js';
import { presetTemplate } from '../../src/templates/presets/index.js';
import { createRenderer } from '../../src/templates/render.js';
import { deliver, sender } from '../delivery/helpers/e2e.js';
import { makeEvent, makeWebhook } from '../delivery/helpers/fakes.js';
import { Receiver, type ReceivedRequest } from '../delivery/helpers/receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.http(() => ({ status: 204 }));
});
afterAll(async () => {
  await receiver.close();
});

async function receive(options: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<ReceivedRequest> {
  const before = receiver.requests.length;
  const webhook = makeWebhook({ url: receiver.url(), template: 'slack', ...options });
  const { outbox } = await deliver(webhook, [{ event: makeEvent() }], { secrets: { env: secrets } });
  expect(outbox.statuses()).toEqual(['done']);
  expect(receiver.requests).toHaveLength(before + 1);
  const request = receiver.requests[before];
  if (request === undefined) throw new Error('no request received');
  return request;
}

describe('the request every receiver gets', () => {
  it('is a POST with content type, user agent, idempotency headers and custom headers', async () => {
    const request = await receive({ headers: { 'X-Team': 'infra' } });
    const body = JSON.parse(request.body) as { id: string };
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request.headers['user-agent']).toBe('tocsin/0.1.0');
    expect(request.headers['webhook-id']).toBe(body.id);
    expect(request.headers['idempotency-key']).toBe(body.id);
    expect(request.headers['x-team']).toBe('infra');
    expect(request.headers.authorization).toBeUndefined();
  });
});

describe('auth (SPEC §6)', () => {
  it('basic', async () => {
    const request = await receive({ auth: { type: 'basic', user: 'bob', password: 'hunter2' } });
    const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(encoded ?? '', 'base64').toString()).toBe('bob:hunter2');
  });

  it('bearer, token from the environment', async () => {
    const request = await receive({ auth: { type: 'bearer', token: { env: 'E2E_TOKEN' } } }, { E2E_TOKEN: 'tok-from-env' });
    expect(request.headers.authorization).toBe('Bearer tok-from-env');
  });

  it('api_key in the configured header', async () => {
    const request = await receive({ auth: { type: 'api_key', header: 'X-API-Key', value: 'k-123' } });
    expect(request.headers['x-api-key']).toBe('k-123');
    expect(request.headers.authorization).toBeUndefined();
  });
});

const hmac = (algorithm: string, key: string | Buffer, data: string, encoding: 'hex' | 'base64') => createHmac(algorithm, key).update(data).digest(encoding);
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The receiver side of Axibase form signing: parameters sorted by name, URL-encoded, joined with '&'. */
function axibaseFormPayload(body: string): string {
  const pairs = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new URLSearchParams(pairs).toString();
}

describe('signatures verify on the receiver', () => {
  it('axibase over a JSON body', async () => {
    const request = await receive({ signature: { type: 'axibase', secret: 'axi-secret' } });
    expect(request.headers['x-axi-signature']).toBe(`sha1=${hmac('sha1', 'axi-secret', request.body, 'hex')}`);
  });

  it('axibase over a form body: the sorted, encoded parameters', async () => {
    const request = await receive({ content_type: 'form', signature: { type: 'axibase', secret: 'axi-secret' } });
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(axibaseFormPayload(request.body)).not.toBe(request.body);
    expect(request.headers['x-axi-signature']).toBe(`sha1=${hmac('sha1', 'axi-secret', axibaseFormPayload(request.body), 'hex')}`);
  });

  it('hmac-sha256 in X-Signature, base64', async () => {
    const request = await receive({ signature: { type: 'hmac-sha256', secret: { env: 'SIGNING_KEY' } } }, { SIGNING_KEY: 'stalwart-key' });
    expect(same(String(request.headers['x-signature']), hmac('sha256', 'stalwart-key', request.body, 'base64'))).toBe(true);
  });

  it('standard-webhooks, verified by the reference library', async () => {
    const secret = `whsec_${Buffer.from('tocsin e2e signing key 32 bytes!').toString('base64')}`;
    const request = await receive({ signature: { type: 'standard-webhooks', secret } });
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(new StandardWebhook(secret).verify(request.body, headers)).toEqual(JSON.parse(request.body));
    const otherKey = `whsec_${Buffer.from('another key of thirty-two bytes!').toString('base64')}`;
    expect(() => new StandardWebhook(otherKey).verify(request.body, headers)).toThrow();
    expect(() => new StandardWebhook(secret).verify(`${request.body} `, headers)).toThrow();
  });
});

describe('with the real templates renderer', () => {
  const renderer = createRenderer({ get: presetTemplate });

  async function send(options: Record<string, unknown>): Promise<ReceivedRequest> {
    const before = receiver.requests.length;
    const http = sender();
    const result = await testWebhook(makeWebhook({ url: receiver.url(), ...options }), { renderer, sender: http });
    await http.close();
    expect(result).toMatchObject({ ok: true, error: null });
    const request = receiver.requests[before];
    if (request === undefined) throw new Error('no request received');
    return request;
  }

  it('sends the events preset envelope by default', async () => {
    const request = await send({});
    const body = JSON.parse(request.body) as { events: Array<{ id: string; type: string }> };
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ id: request.headers['webhook-id'], type: 'webhook.test' });
  });

  it('signs a form body so the receiver recipe verifies it', async () => {
    const request = await send({ template: 'flat', content_type: 'form', signature: { type: 'axibase', secret: 'axi-secret' } });
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['x-axi-signature']).toBe(`sha1=${hmac('sha1', 'axi-secret', axibaseFormPayload(request.body), 'hex')}`);
  });
});
