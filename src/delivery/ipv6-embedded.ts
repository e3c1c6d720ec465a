/**
 * IPv4 addresses carried inside IPv6 addresses. A deny list of IPv4 ranges is only as good as its
 * view of these: `64:ff9b::a9fe:a9fe` is 169.254.169.254 to a host behind a NAT64 gateway, and
 * 6to4, Teredo, ISATAP and the mapped/compatible forms reach an IPv4 host the same way. The egress
 * guard checks every IPv4 address found here against its IPv4 ranges (issue 14 item 8).
 */
import { isIP } from 'node:net';

export interface EmbeddedIpv4 {
  ipv4: string;
  /** The form that carries it, as shown in a refusal: `NAT64, 64:ff9b::/96`. */
  form: string;
}

/** The 16 bytes of an IPv6 address (zone index ignored), or null when it is not one. */
export function ipv6Bytes(text: string): Uint8Array | null {
  const address = text.split('%')[0] ?? '';
  if (isIP(address) !== 6) return null;
  const groups: number[] = [];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      if (!piece.includes('.')) return [Number.parseInt(piece, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = address.split('::');
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  groups.push(...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back);
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[2 * index] = group >> 8;
    bytes[2 * index + 1] = group & 0xff;
  });
  return bytes;
}

const quad = (bytes: Uint8Array, at: readonly number[]): string => at.map((index) => bytes[index] ?? 0).join('.');
const zero = (bytes: Uint8Array, from: number, to: number): boolean =>
  bytes.subarray(from, to).every((byte) => byte === 0);
const word = (bytes: Uint8Array, at: number): number => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);

/** Where RFC 6052 puts the IPv4 address for each prefix length (bits 64–71, the "u" octet, are skipped). */
const RFC6052_LAYOUTS: ReadonlyArray<readonly [number, readonly number[]]> = [
  [48, [6, 7, 9, 10]], [56, [7, 9, 10, 11]], [64, [9, 10, 11, 12]], [96, [12, 13, 14, 15]],
];

/** Every IPv4 address `address` carries, with the form that carries it; empty for plain IPv6 or IPv4. */
export function embeddedIpv4(address: string): EmbeddedIpv4[] {
  const bytes = ipv6Bytes(address);
  if (bytes === null) return [];
  const found: EmbeddedIpv4[] = [];
  const last = quad(bytes, [12, 13, 14, 15]);
  if (zero(bytes, 0, 10) && word(bytes, 10) === 0xffff) found.push({ ipv4: last, form: 'IPv4-mapped, ::ffff:0:0/96' });
  if (zero(bytes, 0, 8) && word(bytes, 8) === 0xffff && word(bytes, 10) === 0) {
    found.push({ ipv4: last, form: 'IPv4-translated, ::ffff:0:0:0/96' });
  }
  // :: and ::1 are the unspecified and loopback addresses, not 0.0.0.0 and 0.0.0.1.
  if (zero(bytes, 0, 12) && !zero(bytes, 12, 15)) found.push({ ipv4: last, form: 'IPv4-compatible, ::/96' });
  if (word(bytes, 0) === 0x64 && word(bytes, 2) === 0xff9b) {
    if (zero(bytes, 4, 12)) found.push({ ipv4: last, form: 'NAT64, 64:ff9b::/96' });
    // The local-use prefix may be split further by the operator; every RFC 6052 layout is checked.
    if (word(bytes, 4) === 1) {
      for (const [length, at] of RFC6052_LAYOUTS) {
        found.push({ ipv4: quad(bytes, at), form: `NAT64 local use, 64:ff9b:1::/48 as a /${length}` });
      }
    }
  }
  if (word(bytes, 0) === 0x2002) found.push({ ipv4: quad(bytes, [2, 3, 4, 5]), form: '6to4, 2002::/16' });
  if (word(bytes, 0) === 0x2001 && word(bytes, 2) === 0) {
    found.push({ ipv4: quad(bytes, [4, 5, 6, 7]), form: 'Teredo server, 2001::/32' });
    // Teredo stores the client's address with every bit flipped.
    const client = [12, 13, 14, 15].map((index) => (bytes[index] ?? 0) ^ 0xff).join('.');
    found.push({ ipv4: client, form: 'Teredo client, 2001::/32' });
  }
  // ISATAP: an interface identifier of 0000:5efe or 0200:5efe (the universal/local bit) and the IPv4 address.
  if ((word(bytes, 8) & 0xfdff) === 0 && word(bytes, 10) === 0x5efe) {
    found.push({ ipv4: last, form: 'ISATAP interface identifier ::5efe:0:0/96' });
  }
  return found;
}
