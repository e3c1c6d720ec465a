/**
 * End to end: TLS checks (on by default, allow_invalid_certs, ca_file) against an HTTPS receiver
 * with a self-signed certificate, and the egress guard at connect time, with a resolver injected
 * so test host names resolve the way an attacker's DNS would.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/delivery/egress.js';
import { testWebhook } from '../../src/delivery/test.js';
import { deliver, sender } from '../delivery/helpers/e2e.js';
import { FakeRenderer, makeEvent, makeWebhook } from '../delivery/helpers/fakes.js';
import { Receiver, TEST_CERT_PATH } from '../delivery/helpers/receiver.js';

let https: Receiver;
let http: Receiver;
beforeAll(async () => {
  https = await Receiver.https(() => ({ status: 200, body: 'ok' }));
  http = await Receiver.http(() => ({ status: 200, body: 'ok' }));
});
afterAll(async () => {
  await https.close();
  await http.close();
});

const renderer = new FakeRenderer();

async function attempt(options: Record<string, unknown>, egress: Parameters<typeof sender>[0] = {}) {
  const http = sender(egress);
  try {
    return await testWebhook(makeWebhook(options), { renderer, sender: http });
  } finally {
    await http.close();
  }
}

describe('TLS (SPEC §6)', () => {
  it('refuses a self-signed certificate by default, with a hint', async () => {
    const before = https.requests.length;
    const result = await attempt({ url: https.url() });
    expect(result.ok).toBe(false);
    expect(result.statusCode).toBeNull();
    expect(result.error?.code).toBe('tls');
    expect(result.error?.message).toContain('ca_file');
    expect(https.requests).toHaveLength(before);
  });

  it('fails such a notification at once instead of retrying it', async () => {
    const { outbox, sink } = await deliver(makeWebhook({ url: https.url() }), [{ event: makeEvent() }]);
    expect(outbox.statuses()).toEqual(['failed']);
    expect(outbox.logs).toHaveLength(1);
    expect(sink.events).toHaveLength(1);
  });

  it('accepts it with allow_invalid_certs', async () => {
    const result = await attempt({ url: https.url(), allow_invalid_certs: true });
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseBody: 'ok', error: null });
  });

  it('accepts it when ca_file trusts it', async () => {
    const result = await attempt({ url: https.url(), ca_file: TEST_CERT_PATH });
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('reports an unreadable ca_file as tls_config', async () => {
    const result = await attempt({ url: https.url(), ca_file: '/nonexistent/ca.pem' });
    expect(result.error?.code).toBe('tls_config');
  });
});

describe('egress guard at connect time (SPEC §6)', () => {
  const records: Record<string, LookupAddress[]> = {
    'receiver.test': [{ address: '127.0.0.1', family: 4 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'rebind.test': [{ address: '127.0.0.1', family: 4 }, { address: '169.254.169.254', family: 4 }],
  };
  const resolver: Resolver = async (hostname) => records[hostname] ?? [];

  it('connects through the guard: a test host name resolving to 127.0.0.1 is reached (HTTP and HTTPS)', async () => {
    const plain = await attempt({ url: http.url('/hook', 'receiver.test') }, { resolver });
    expect(plain).toMatchObject({ ok: true, statusCode: 200 });
    expect(http.requests.at(-1)?.headers.host).toBe(`receiver.test:${http.port}`);
    const secure = await attempt({ url: https.url('/hook', 'receiver.test'), ca_file: TEST_CERT_PATH }, { resolver });
    expect(secure).toMatchObject({ ok: true, statusCode: 200 });
  });

  it.each([
    ['a host name resolving to the metadata address', 'metadata.test', 'metadata.test (resolved to 169.254.169.254)'],
    ['a host name with one link-local address among others', 'rebind.test', 'rebind.test (resolved to 169.254.169.254)'],
  ])('refuses %s, like the literal address', async (_title, host, reason) => {
    const before = http.requests.length;
    const result = await attempt({ url: `http://${host}:${http.port}/hook` }, { resolver });
    expect(result.error?.code).toBe('egress_denied');
    expect(result.error?.message).toContain(reason);
    expect(http.requests).toHaveLength(before);
  });

  it('refuses a literal link-local address', async () => {
    const result = await attempt({ url: 'http://169.254.169.254/latest/meta-data/' });
    expect(result.error).toMatchObject({ code: 'egress_denied' });
  });

  it('refuses an HTTPS host resolving to a denied address before any handshake', async () => {
    const result = await attempt({ url: `https://metadata.test:${https.port}/hook`, allow_invalid_certs: true }, { resolver });
    expect(result.error?.code).toBe('egress_denied');
  });

  it('applies a configured deny list, and does not retry a refused destination', async () => {
    const before = http.requests.length;
    const { outbox } = await deliver(makeWebhook({ url: http.url() }), [{ event: makeEvent() }], { egress: { deny: ['127.0.0.0/8'] } });
    expect(outbox.statuses()).toEqual(['failed']);
    expect(outbox.logs.map((log) => log.error?.split(':')[0])).toEqual(['egress_denied']);
    expect(http.requests).toHaveLength(before);
  });
});
