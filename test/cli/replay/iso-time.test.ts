import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../../src/cli/replay/iso-time.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Texts near the fixed form: valid ones, and every field pushed past its range now and then. */
const nearIso = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{0,12}$/)),
    t: fc.constantFrom('T', 't', ' '),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', '', '+0100', 'UTC', 'Zx'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map((f) => {
    const date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
    return `${date}${f.t}${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${f.fraction}${f.zone}`;
  });

describe('parseIsoTime: the fast ISO 8601 reader of replay', () => {
  it('agrees with Date.parse on every text it reads, and declines the rest', () => {
    fc.assert(
      fc.property(nearIso, (text) => {
        const fast = parseIsoTime(text);
        if (fast !== undefined) expect(fast).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with Date.parse on toISOString of any date of years 0–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseIsoTime(text)).toBe(ms);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads arbitrary strings without throwing, and never disagrees with Date.parse', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const fast = parseIsoTime(text);
        if (fast !== undefined) expect(fast).toBe(Date.parse(text));
      }),
    );
  });

  it.each([
    ['2026-01-05T10:20:30Z', Date.UTC(2026, 0, 5, 10, 20, 30)],
    ['2026-01-05T10:20:30.5Z', Date.UTC(2026, 0, 5, 10, 20, 30, 500)],
    ['2026-01-05T10:20:30.123999999Z', Date.UTC(2026, 0, 5, 10, 20, 30, 123)],
    ['2026-01-05T10:20:30.999999999Z', Date.UTC(2026, 0, 5, 10, 20, 30, 999)],
    ['2026-01-05T10:20:30+02:00', Date.UTC(2026, 0, 5, 8, 20, 30)],
    ['2026-01-05T10:20:30-05:30', Date.UTC(2026, 0, 5, 15, 50, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0099-12-31T23:59:59Z', Date.parse('0099-12-31T23:59:59Z')],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each([
    '2026-01-05T10:20:30', // no zone: Date.parse reads local time
    '2026-01-05 10:20:30Z',
    '2026-02-30T00:00:00Z', // V8 rolls it over into March; the fallback keeps that behaviour
    '2026-01-05T24:00:00Z',
    '2026-01-05T10:20:30.Z',
    '2026-01-05T10:20:30+0100',
    '2026-01-05',
    '+002026-01-05T10:20:30Z',
    '2026-01-05T10:20:30.0001000000Z', // ten fraction digits: V8 reads this as 1 ms
  ])('leaves %s to Date.parse', (text) => {
    expect(parseIsoTime(text)).toBeUndefined();
  });
});
