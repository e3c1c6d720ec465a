import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { EgressGuard, type Resolver } from '../../src/delivery/egress.js';
import { DeliveryError } from '../../src/delivery/errors.js';

describe('the default deny list (SPEC §6)', () => {
  const guard = new EgressGuard();
  it.each([
    ['169.254.169.254', false], ['169.254.0.1', false], ['0.0.0.0', false], ['0.1.2.3', false],
    ['fe80::1', false], ['fd00:ec2::254', false], ['::', false], ['100.100.100.200', false], ['192.0.0.192', false], ['168.63.129.16', false],
    ['::ffff:169.254.169.254', false], ['::ffff:a9fe:a9fe', false],
    ['127.0.0.1', true], ['10.1.2.3', true], ['93.184.216.34', true], ['::1', true], ['2001:db8::1', true], ['169.255.0.1', true],
  ])('%s allowed: %s', (address, allowed) => {
    expect(guard.check(address).allowed).toBe(allowed);
  });

  it('explains a refusal and how to allow it', () => {
    expect(guard.check('169.254.169.254', 'metadata.internal')).toEqual({
      allowed: false,
      reason: 'egress denied: metadata.internal (resolved to 169.254.169.254) is in 169.254.0.0/16 (IPv4 link-local, incl. the AWS/GCP/Azure metadata service 169.254.169.254); if this destination is intended, add it to egress.allow',
    });
  });
});

describe('configured allow and deny lists', () => {
  const guard = new EgressGuard({ deny: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'], allow: ['169.254.10.0/24'] });
  it.each([
    ['10.9.9.9', false], ['2001:db8::5', false], ['192.168.1.7', false], ['192.168.1.8', true],
    ['169.254.10.20', true], ['169.254.169.254', false],
  ])('%s allowed: %s', (address, allowed) => {
    expect(guard.check(address).allowed).toBe(allowed);
  });

  it.each(['10.0.0.0/33', 'not-an-ip', '10.0.0/8', 'fe80::/129'])('rejects the range %s with a hint', (cidr) => {
    expect(() => new EgressGuard({ deny: [cidr] })).toThrow(/not an address or CIDR range; write e\.g\./);
  });
});

describe('checked on every resolved address, at connect time', () => {
  const records: Record<string, LookupAddress[]> = {
    'receiver.test': [{ address: '127.0.0.1', family: 4 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'mixed.test': [{ address: '127.0.0.1', family: 4 }, { address: 'fe80::1', family: 6 }],
    'empty.test': [],
  };
  const resolver: Resolver = async (hostname) => records[hostname] ?? [];
  const guard = new EgressGuard({}, resolver);
  const lookup = (hostname: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
      guard.lookup(hostname, { all }, (error, address) => resolve({ error, address }));
    });

  it('passes allowed addresses through, in both lookup forms', async () => {
    expect(await lookup('receiver.test', true)).toEqual({ error: null, address: [{ address: '127.0.0.1', family: 4 }] });
    expect(await lookup('receiver.test', false)).toEqual({ error: null, address: '127.0.0.1' });
  });

  it('refuses a host name that resolves to a denied address', async () => {
    const { error } = await lookup('metadata.test', true);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).code).toBe('egress_denied');
    expect(error?.message).toContain('metadata.test (resolved to 169.254.169.254)');
  });

  it('refuses when any one of the addresses is denied', async () => {
    expect((await lookup('mixed.test', true)).error?.message).toContain('fe80::1');
  });

  it('reports a name without addresses as not found', async () => {
    expect((await lookup('empty.test', true)).error?.code).toBe('ENOTFOUND');
  });

  it('refuses literal addresses in the connector, before any socket', async () => {
    let connected = false;
    const connector = guard.wrap((_options, callback) => {
      connected = true;
      callback(new Error('should not connect'), null);
    });
    const error = await new Promise<Error | null>((resolve) => connector({ hostname: '169.254.169.254', protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
    expect(connected).toBe(false);
    expect((error as DeliveryError).code).toBe('egress_denied');
    const v6 = await new Promise<Error | null>((resolve) => connector({ hostname: '[fe80::1]', protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
    expect((v6 as DeliveryError).code).toBe('egress_denied');
  });
});

describe('IPv6 forms that embed a denied IPv4 address (issue 14 item 8)', () => {
  const guard = new EgressGuard();
  // 169.254.169.254 = a9fe:a9fe; its Teredo-obfuscated form (every bit flipped) = 5601:5601.
  it.each([
    ['NAT64 well-known prefix, hex', '64:ff9b::a9fe:a9fe'],
    ['NAT64 well-known prefix, dotted', '64:ff9b::169.254.169.254'],
    ['NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215, octets around the u byte)', '64:ff9b:1:a9fe:a9:fe00::'],
    ['IPv4-mapped, dotted', '::ffff:169.254.169.254'],
    ['IPv4-mapped, hex', '::ffff:a9fe:a9fe'],
    ['IPv4-compatible (deprecated), dotted', '::169.254.169.254'],
    ['IPv4-compatible (deprecated), hex', '::a9fe:a9fe'],
    ['IPv4-translated (SIIT)', '::ffff:0:a9fe:a9fe'],
    ['6to4', '2002:a9fe:a9fe::1'],
    ['6to4, another host of the site', '2002:a9fe:a9fe:1:2:3:4:5'],
    ['Teredo server', '2001:0:a9fe:a9fe::1'],
    ['Teredo client (obfuscated)', '2001:0:5efe:1:8000:ffff:5601:5601'],
    ['ISATAP interface identifier', '2001:db8::5efe:a9fe:a9fe'],
    ['ISATAP, universal/local bit set', '2001:db8::200:5efe:a9fe:a9fe'],
    ['the "this network" range through NAT64', '64:ff9b::1'],
    ['Alibaba metadata through 6to4', '2002:6464:64c8::'],
  ])('%s: %s is refused', (_form, address) => {
    const verdict = guard.check(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toMatch(/embeds \d+\.\d+\.\d+\.\d+/);
  });

  it('names the embedded address, the form and the range in the refusal', () => {
    expect(guard.check('64:ff9b::a9fe:a9fe')).toEqual({
      allowed: false,
      reason: 'egress denied: 64:ff9b::a9fe:a9fe embeds 169.254.169.254 (NAT64, 64:ff9b::/96), which is in 169.254.0.0/16 (IPv4 link-local, incl. the AWS/GCP/Azure metadata service 169.254.169.254); if this destination is intended, add it to egress.allow',
    });
  });

  it.each([
    ['loopback', '::1'], ['NAT64 of a public address', '64:ff9b::5db8:d822'], ['6to4 of a public address', '2002:5db8:d822::1'],
    ['a documentation address', '2001:db8::1'], ['a unique local address', 'fd12:3456::1'], ['Teredo of public addresses', '2001:0:5db8:d822::a247:27dd'],
  ])('%s (%s) is allowed', (_what, address) => {
    expect(guard.check(address).allowed).toBe(true);
  });

  it('applies configured lists to embedded addresses too', () => {
    const configured = new EgressGuard({ deny: ['10.0.0.0/8'], allow: ['169.254.10.0/24'] });
    expect(configured.check('64:ff9b::a00:1').allowed).toBe(false);
    expect(configured.check('2002:a00:1::').allowed).toBe(false);
    expect(configured.check('64:ff9b::a9fe:a14').allowed).toBe(true);
    expect(configured.check('64:ff9b::a9fe:a9fe').allowed).toBe(false);
  });

  it('refuses such literals in the connector and through a resolver', async () => {
    const connector = guard.wrap((_options, callback) => callback(new Error('should not connect'), null));
    const error = await new Promise<Error | null>((resolve) => connector({ hostname: '[64:ff9b::a9fe:a9fe]', protocol: 'http:', port: '80' }, (...args) => resolve(args[0])));
    expect((error as DeliveryError).code).toBe('egress_denied');
    const resolving = new EgressGuard({}, async () => [{ address: '2002:a9fe:a9fe::1', family: 6 }]);
    const looked = await new Promise<Error | null>((resolve) => resolving.lookup('rebind.test', { all: true }, (e) => resolve(e)));
    expect((looked as DeliveryError).code).toBe('egress_denied');
  });
});
