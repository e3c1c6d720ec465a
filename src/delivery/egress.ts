/**
 * The egress guard (SPEC §6): webhooks must not become a way to reach the host's link-local
 * network or a cloud metadata service. The check runs at connect time, on the very addresses the
 * socket is about to use (a `lookup` handed to undici's connector), so a host name that resolves
 * to 169.254.169.254 — at configuration time or by DNS rebinding later — is refused exactly like
 * the literal address.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { buildConnector } from 'undici';
import { DeliveryError } from './errors.js';
import { embeddedIpv4 } from './ipv6-embedded.js';

export interface EgressPolicy {
  /** CIDRs (or single addresses) refused in addition to the defaults. */
  deny?: string[];
  /** CIDRs allowed even though a deny entry covers them (e.g. one internal 169.254.x service). */
  allow?: string[];
}

/** Refused unless allowed: link-local, "this network", and the metadata services of the large clouds. */
export const DEFAULT_DENY: ReadonlyArray<{ cidr: string; why: string }> = [
  { cidr: '0.0.0.0/8', why: '"this network"; 0.0.0.0 reaches the local host' },
  { cidr: '169.254.0.0/16', why: 'IPv4 link-local, incl. the AWS/GCP/Azure metadata service 169.254.169.254' },
  { cidr: 'fe80::/10', why: 'IPv6 link-local' },
  { cidr: '::/128', why: 'the unspecified IPv6 address reaches the local host' },
  { cidr: 'fd00:ec2::254/128', why: 'AWS metadata service (IPv6)' },
  { cidr: '100.100.100.200/32', why: 'Alibaba Cloud metadata service' },
  { cidr: '168.63.129.16/32', why: 'Azure platform endpoint (WireServer)' },
  { cidr: '192.0.0.192/32', why: 'Oracle Cloud metadata service' },
];

/** Resolves a host name to every address (the `all: true` form of dns.lookup). */
export type Resolver = (hostname: string, family?: number) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname, family) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family: family ?? 0 }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

interface Range {
  cidr: string;
  why: string;
  list: BlockList;
}

function parseRange(cidr: string, why: string): Range {
  const [address = '', prefixText] = cidr.trim().split('/');
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(`egress: '${cidr}' is not an address or CIDR range; write e.g. 10.0.0.0/8, 169.254.169.254 or fd00::/8`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return { cidr, why, list };
}

function matches(range: Range, address: string): boolean {
  // BlockList also matches IPv4-mapped IPv6 addresses (::ffff:169.254.169.254) against IPv4 ranges.
  return range.list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

export type EgressVerdict = { allowed: true } | { allowed: false; reason: string };

export class EgressGuard {
  readonly #deny: Range[];
  readonly #allow: Range[];
  readonly #resolve: Resolver;

  constructor(policy: EgressPolicy = {}, resolve: Resolver = systemResolver) {
    this.#deny = [
      ...DEFAULT_DENY.map(({ cidr, why }) => parseRange(cidr, why)),
      ...(policy.deny ?? []).map((cidr) => parseRange(cidr, 'configured egress.deny')),
    ];
    this.#allow = (policy.allow ?? []).map((cidr) => parseRange(cidr, 'configured egress.allow'));
    this.#resolve = resolve;
  }

  check(address: string, hostname: string = address): EgressVerdict {
    if (this.#allowed(address)) return { allowed: true };
    const target = hostname === address ? address : `${hostname} (resolved to ${address})`;
    const refuse = (what: string, range: Range): EgressVerdict => ({
      allowed: false,
      reason: `egress denied: ${what} is in ${range.cidr} (${range.why}); `
        + 'if this destination is intended, add it to egress.allow',
    });
    // NAT64, 6to4, Teredo… reach the IPv4 host they carry, so that host is what the lists judge.
    for (const { ipv4, form } of embeddedIpv4(address)) {
      if (this.#allowed(ipv4)) continue;
      const denied = this.#denied(ipv4);
      if (denied !== undefined) return refuse(`${target} embeds ${ipv4} (${form}), which`, denied);
    }
    const denied = this.#denied(address);
    return denied === undefined ? { allowed: true } : refuse(target, denied);
  }

  #allowed(address: string): boolean {
    return this.#allow.some((range) => matches(range, address));
  }

  #denied(address: string): Range | undefined {
    return this.#deny.find((range) => matches(range, address));
  }

  /** A `net.connect` lookup that resolves, then refuses the connection if any address is denied. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.#resolve(hostname, options.family === 4 || options.family === 6 ? options.family : undefined).then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        // Every address is checked, not only the first: the socket may fall back to any of them.
        for (const { address } of addresses) {
          const verdict = this.check(address, hostname);
          if (!verdict.allowed) {
            callback(new DeliveryError('egress_denied', verdict.reason), '', 0);
            return;
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  /** Wraps an undici connector: literal IP hosts never go through lookup, so they are checked here. */
  wrap(connector: buildConnector.connector): buildConnector.connector {
    return (options, callback) => {
      const host = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname;
      if (isIP(host) !== 0) {
        const verdict = this.check(host);
        if (!verdict.allowed) {
          const error = new DeliveryError('egress_denied', verdict.reason);
          process.nextTick(() => callback(error, null));
          return;
        }
      }
      return connector(options, callback);
    };
  }
}
