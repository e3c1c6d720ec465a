import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate, formatDateWithLuxon } from '../../src/templates/helpers.js';
import { canonicalUtc, formatUtc, splitFormat } from '../../src/templates/utc-date.js';

/** formatDate through luxon alone, as it was before the hand-written path. */
const luxonFormatDate = formatDateWithLuxon;

const luxonUtc = (text: string, format: string) => DateTime.fromISO(text, { zone: 'utc' }).setZone('UTC').setLocale('en-US').toFormat(format);

const FIRST = Date.UTC(1000, 0, 1);
const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Any time Date#toISOString writes with four year digits, as text. */
const canonicalTime = fc.integer({ min: FIRST, max: LAST }).map((ms) => new Date(ms).toISOString());

const HAND_WRITTEN = ['yyyy', 'y', 'M', 'MM', 'L', 'LL', 'MMM', 'LLL', 'MMMM', 'LLLL', 'd', 'dd', 'EEE', 'ccc', 'EEEE', 'cccc', 'H', 'HH', 'h', 'hh', 'a', 'm', 'mm', 's', 'ss', 'SSS', 'z', 'ZZZZ', 'ZZ'];
const SEPARATORS = [' ', ':', '-', '/', ', ', '.', "'T'", "'UTC'", "'o''clock'", "''", ' \t', '|', '–', '年'];

describe('canonicalUtc reads the times Date#toISOString writes', () => {
  it.each([
    ['2026-03-14T09:26:53.000Z', { year: 2026, month: 3, day: 14, hour: 9, minute: 26, second: 53, millisecond: 0, weekday: 6 }],
    ['2024-02-29T23:59:59.999Z', { year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999, weekday: 4 }],
    ['2000-02-29T00:00:00.000Z', { year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0, millisecond: 0, weekday: 2 }],
    ['1000-01-01T00:00:00.000Z', { year: 1000, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, weekday: 3 }],
    ['9999-12-31T23:59:59.999Z', { year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999, weekday: 5 }],
  ])('%s', (text, fields) => {
    expect(canonicalUtc(text)).toEqual({ ...fields, ms: Date.parse(text) });
  });

  it.each([
    ['not a leap year', '2026-02-29T00:00:00.000Z'],
    ['a century that is no leap year', '1900-02-29T00:00:00.000Z'],
    ['month 13', '2026-13-01T00:00:00.000Z'],
    ['day 0', '2026-03-00T00:00:00.000Z'],
    ['April 31', '2026-04-31T00:00:00.000Z'],
    ['hour 24', '2026-03-14T24:00:00.000Z'],
    ['a leap second', '2026-03-14T23:59:60.000Z'],
    ['no milliseconds', '2026-03-14T09:26:53Z'],
    ['microseconds', '2026-03-14T09:26:53.000000Z'],
    ['an offset', '2026-03-14T10:26:53.000+01:00'],
    ['a lower-case z', '2026-03-14T09:26:53.000z'],
    ['a space for T', '2026-03-14 09:26:53.000Z'],
    ['a year before 1000', '0999-12-31T23:59:59.999Z'],
    ['a six-digit year', '+010000-01-01T00:00:00.000Z'],
    ['a date only', '2026-03-14'],
    ['empty text', ''],
  ])('leaves %s to luxon', (_, text) => {
    expect(canonicalUtc(text)).toBeNull();
  });

  it('with the fields and weekday luxon reads, for every such time', () => {
    fc.assert(
      fc.property(canonicalTime, (text) => {
        const dt = DateTime.fromISO(text, { zone: 'utc' });
        expect(canonicalUtc(text)).toEqual({ ms: dt.toMillis(), year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second, millisecond: dt.millisecond, weekday: dt.weekday });
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('splitFormat splits a format as luxon does', () => {
  it.each([
    ['yyyy-LL-dd', [['yyyy', false], ['-', false], ['LL', false], ['-', false], ['dd', false]]],
    ["HH:mm 'UTC'", [['HH', false], [':', false], ['mm', false], [' ', true], ['UTC', true]]],
    // As in luxon, '' is a quote only on its own: inside quoted text it just ends and reopens it.
    ["h 'o''clock'", [['h', false], [' ', true], ['o', true], ['clock', true]]],
    ["''", [["'", true]]],
    ["'open", [['open', true]]],
    ['', []],
  ] as const)('%j', (format, splits) => {
    expect(splitFormat(format)).toEqual(splits.map(([val, literal]) => ({ literal, val })));
  });
});

describe('formatUtc writes what luxon writes in UTC for en-US', () => {
  it.each([
    ["yyyy-LL-dd HH:mm:ss 'UTC'", '2026-03-14 09:26:53 UTC'],
    ['EEE MMM dd HH:mm:ss ZZZZ yyyy', 'Sat Mar 14 09:26:53 UTC 2026'],
    ['cccc, d LLLL y h:mm a', 'Saturday, 14 March 2026 9:26 AM'],
    ['MM/dd/yyyy hh:mm:ss.SSS ZZ z', '03/14/2026 09:26:53.000 +00:00 UTC'],
  ])('%s → %s', (format, expected) => {
    const text = '2026-03-14T09:26:53.000Z';
    expect(formatUtc(canonicalUtc(text)!, format)).toBe(expected);
    expect(luxonUtc(text, format)).toBe(expected);
  });

  it('for every time and any format of the hand-written tokens', () => {
    const format = fc.array(fc.tuple(fc.constantFrom(...HAND_WRITTEN), fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength: 8 }).map((parts) => parts.map(([token, separator]) => token + separator).join(''));
    fc.assert(
      fc.property(canonicalTime, format, (text, fmt) => {
        expect(formatUtc(canonicalUtc(text)!, fmt)).toBe(luxonUtc(text, fmt));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each(['D', 'DD', 'T', 'tt', 'f', 'W', 'kkkk', 'o', 'q', 'G', 'X', 'x', 'Z', 'ZZZ', 'ZZZZZ', 'yy', 'yyyyy', 'S', 'uu', 'E', 'c', 'ddd', 'HHH', 'MMMMM', 'b'])('leaves %j to luxon', (token) => {
    expect(formatUtc(canonicalUtc('2026-03-14T09:26:53.000Z')!, `yyyy ${token}`)).toBeNull();
  });

  it('is luxon whenever it writes anything, for arbitrary formats', () => {
    const format = fc.string({ unit: fc.constantFrom(...'yMLdEcHhamsSzZDTWkoqGXxbu \':-/.,年'.split('')), maxLength: 14 });
    fc.assert(
      fc.property(canonicalTime, format, (text, fmt) => {
        const mine = formatUtc(canonicalUtc(text)!, fmt);
        if (mine !== null) expect(mine).toBe(luxonUtc(text, fmt));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the formatDate helper is unchanged', () => {
  const times = fc.oneof(
    canonicalTime,
    // Around the 2026 DST changes in Europe and the US, and the Lord Howe half-hour shift.
    fc.integer({ min: Date.UTC(2026, 2, 8, 0), max: Date.UTC(2026, 2, 8, 12) }).map((ms) => new Date(ms).toISOString()),
    fc.integer({ min: Date.UTC(2026, 2, 28, 22), max: Date.UTC(2026, 2, 29, 4) }).map((ms) => new Date(ms).toISOString()),
    fc.integer({ min: Date.UTC(2026, 9, 24, 22), max: Date.UTC(2026, 9, 25, 4) }).map((ms) => new Date(ms).toISOString()),
    fc.integer({ min: Date.UTC(2026, 3, 4, 12), max: Date.UTC(2026, 3, 4, 18) }).map((ms) => new Date(ms).toISOString()),
    fc.constantFrom('2026-03-14T09:26:53Z', '2026-03-14T10:26:53.5+01:00', '2026-03-14', '2026-02-29T00:00:00.000Z', '0999-01-01T00:00:00.000Z', 'soon', ''),
    fc.integer({ min: FIRST, max: LAST }),
  );
  const formats = fc.oneof(
    fc.constantFrom(undefined, null, 'iso', 'rfc2822', 'http', 'millis', 'seconds', '', 42, "yyyy-LL-dd HH:mm:ss 'UTC'", 'EEE MMM dd HH:mm:ss ZZZZ yyyy', 'yyyy-LL-dd HH:mm ZZZZ', 'ZZZZZ', 'DDD t', 'kkkk-WW'),
    fc.array(fc.constantFrom(...HAND_WRITTEN), { minLength: 1, maxLength: 5 }).map((tokens) => tokens.join(' ')),
  );
  const zones = fc.constantFrom(undefined, null, '', 'UTC', 'utc', 'Etc/UTC', 'GMT', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Mars/Olympus', 7);
  const locales = fc.constantFrom(undefined, null, '', 'en-US', 'en', 'en-GB', 'de', 'fr-FR', 'ar-EG', 'ja-JP-u-ca-japanese');

  it('for times, formats, time zones (across DST changes) and locales', () => {
    fc.assert(
      fc.property(times, formats, zones, locales, (value, format, tz, locale) => {
        expect(formatDate(value, format, tz, locale)).toBe(luxonFormatDate(value, format, tz, locale));
      }),
      { numRuns: 20_000 },
    );
  });

  describe('when luxon defaults change how en-US is written', () => {
    const numbering = Settings.defaultNumberingSystem;
    const calendar = Settings.defaultOutputCalendar;
    afterEach(() => {
      Settings.defaultNumberingSystem = numbering;
      Settings.defaultOutputCalendar = calendar;
    });

    it.each([
      ['Arabic-Indic digits', () => (Settings.defaultNumberingSystem = 'arab')],
      ['the Islamic calendar', () => (Settings.defaultOutputCalendar = 'islamic')],
    ])('with %s it leaves the format to luxon', (_, change) => {
      const text = '2026-03-14T09:26:53.000Z';
      const format = "yyyy-LL-dd HH:mm:ss 'UTC' EEE MMM";
      change();
      expect(formatDate(text, format)).toBe(luxonFormatDate(text, format));
      expect(formatDate(text, format)).not.toBe('2026-03-14 09:26:53 UTC Sat Mar');
    });
  });
});
