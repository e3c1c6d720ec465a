/**
 * Deterministic identifiers. An alert's id comes from its rule, series and open time; an event's id
 * from the alert id and the event's sequence number. Replaying the same data, or re-evaluating after
 * a crash, yields the same ids, so receivers can drop duplicates by `webhook-id`.
 *
 * The layout is UUIDv7 (RFC 9562): the first 48 bits are the time in milliseconds, so ids sort by
 * time in databases and logs; the "random" bits are taken from a SHA-256 of the identity instead of
 * a random source.
 */
import { createHash } from 'node:crypto';

export function deterministicUuidV7(timeMs: number, identity: string): string {
  const hash = createHash('sha256').update(identity).digest();
  const bytes = Buffer.alloc(16);
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `generation` counts the alerts a series has had, so two alerts that start in the same
 * millisecond (open, cancel and open again within one batch) still get different ids.
 */
export function alertIdFor(rule: string, seriesKey: string, openedAt: number, kind: 'alert' | 'nodata', generation = 0): string {
  return deterministicUuidV7(openedAt, `${kind}\u0000${rule}\u0000${seriesKey}\u0000${openedAt}\u0000${generation}`);
}

export function eventIdFor(alertId: string, sequence: number, timeMs: number): string {
  return deterministicUuidV7(timeMs, `event\u0000${alertId}\u0000${sequence}`);
}
