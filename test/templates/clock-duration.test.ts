import fc from 'fast-check';
import { Duration, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOCK_LIMIT_MS, clockDuration, parseClockFormat } from '../../src/templates/clock-duration.js';
import { duration } from '../../src/templates/helpers.js';

/** What the duration helper wrote before: luxon, always. */
const luxon = (ms: number, format: string) => Duration.fromMillis(ms).toFormat(format);

/** Every clock format: dd, hh, mm, ss (each at most once, largest first) joined by ':'. */
const TOKENS = ['dd', 'hh', 'mm', 'ss'];
const CLOCK_FORMATS = Array.from({ length: 15 }, (_, mask) => TOKENS.filter((_, i) => ((mask + 1) >> (3 - i)) & 1).join(':'));

describe('clock formats', () => {
  it('are the 15 ordered combinations of dd, hh, mm and ss', () => {
    expect(CLOCK_FORMATS).toHaveLength(15);
    expect(CLOCK_FORMATS).toContain('dd:hh:mm:ss');
    expect(CLOCK_FORMATS).toContain('hh:mm:ss');
    for (const format of CLOCK_FORMATS) expect(parseClockFormat(format), format).not.toBeNull();
  });

  it.each(['', ':', 'hh:dd', 'ss:mm', 'hh:hh', 'h:mm', 'hhh:mm', 'dd:hh:mm:ss:SSS', 'hh mm', "hh'h'", 'HH:mm', 'd', 'w:dd'])('%j is not one (luxon writes it)', (format) => {
    expect(parseClockFormat(format)).toBeNull();
    expect(clockDuration(1000, format)).toBeNull();
  });
});

describe('clockDuration writes what luxon writes', () => {
  it.each([
    [0, 'dd:hh:mm:ss', '00:00:00:00'],
    [999, 'dd:hh:mm:ss', '00:00:00:00'],
    [1000, 'dd:hh:mm:ss', '00:00:00:01'],
    [59_999, 'hh:mm:ss', '00:00:59'],
    [3_599_999, 'dd:hh:mm:ss', '00:00:59:59'],
    [86_399_999, 'dd:hh:mm:ss', '00:23:59:59'],
    [86_400_000, 'dd:hh:mm:ss', '01:00:00:00'],
    [86_400_000, 'hh:mm:ss', '24:00:00'],
    [8_640_000_000, 'dd:hh:mm:ss', '100:00:00:00'],
    [93_784_000, 'mm', '1563'],
    [93_784_000, 'dd:ss', '01:7384'],
    [CLOCK_LIMIT_MS - 1, 'dd:hh:mm:ss', '11574074:01:46:39'],
  ])('%d ms as %s → %s', (ms, format, expected) => {
    expect(clockDuration(ms, format)).toBe(expected);
    expect(luxon(ms, format)).toBe(expected);
  });

  it('for every clock format and whole milliseconds from 0 to the limit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLOCK_FORMATS), fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: CLOCK_LIMIT_MS - 1 })), (format, ms) => {
        expect(clockDuration(ms, format)).toBe(luxon(ms, format));
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes negative zero (Math.round(-0.4)) as zero, as luxon does', () => {
    expect(clockDuration(-0, 'hh:mm:ss')).toBe('00:00:00');
    expect(luxon(-0, 'hh:mm:ss')).toBe('00:00:00');
  });

  it.each([
    ['negative', -1500],
    ['a fraction', 1500.5],
    ['the limit', CLOCK_LIMIT_MS],
    ['beyond the limit', 1e20],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('leaves %s to luxon', (_, ms) => {
    expect(clockDuration(ms, 'hh:mm:ss')).toBeNull();
  });
});

describe('the duration helper with a format is unchanged (hand-written or luxon)', () => {
  const FORMATS = [...CLOCK_FORMATS, 'h:m:s', 'hh:mm:ss.SSS', "d 'days' h 'hours'", 'y M w d', 'S'];
  it('for seconds and milliseconds of any sign and size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ min: -1e13, max: 1e13, noNaN: true }), fc.constantFrom(0, -0, 0.4, -0.4, 0.5, -0.5, 86_400, 1e12, 1e15)),
        fc.constantFrom(undefined, 'ms'),
        (format, value, unit) => {
          const ms = unit === 'ms' ? value : value * 1000;
          expect(duration(value, format, unit)).toBe(luxon(Math.round(ms), format));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('when luxon would not write ASCII digits', () => {
  const saved = Settings.defaultNumberingSystem;
  afterEach(() => {
    Settings.defaultNumberingSystem = saved;
  });

  it('the duration helper leaves the format to luxon', () => {
    Settings.defaultNumberingSystem = 'arab';
    expect(clockDuration(93_784_000, 'dd:hh:mm:ss')).toBeNull();
    expect(duration(93_784, 'dd:hh:mm:ss')).toBe(luxon(93_784_000, 'dd:hh:mm:ss'));
    expect(duration(93_784, 'dd:hh:mm:ss')).not.toBe('01:02:03:04');
    Settings.defaultNumberingSystem = saved;
    expect(clockDuration(93_784_000, 'dd:hh:mm:ss')).toBe('01:02:03:04');
  });
});
