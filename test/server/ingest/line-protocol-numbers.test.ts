import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultTime,
  parseFloatToken,
  parseIntegerToken,
  parsePrecision,
  parseUnsignedToken,
  timestampToMillis,
  type Precision,
} from '../../../src/server/ingest/line-protocol-numbers.js';

/** Each function reads a range of a larger text; surround the token so ranges are really used. */
const inText = <T>(parse: (text: string, start: number, end: number) => T, token: string): T =>
  parse(`<<${token}>>`, 2, 2 + token.length);

describe('float tokens', () => {
  it('agree with Number() on every double JavaScript prints', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(inText(parseFloatToken, String(x))).toBe(Number(String(x)));
    }));
  });

  it('agree with Number() on decimal texts of up to 20 digits', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 10 });
    fc.assert(fc.property(fc.boolean(), digits, digits, (negative, whole, fraction) => {
      const text = `${negative ? '-' : ''}${whole}.${fraction}`;
      expect(inText(parseFloatToken, text)).toBe(Number(text));
    }));
  });

  it.each(['', '-', '.', '-.', 'e5', '1e', '1e+', '1x', '+1', '1.5.5', '0x10', 'Infinity'])('rejects %j', (token) => {
    expect(inText(parseFloatToken, token)).toBeNaN();
  });

  it('reports an overflowing exponent as Infinity', () => {
    expect(inText(parseFloatToken, '1e400')).toBe(Infinity);
    expect(inText(parseFloatToken, '-1e400')).toBe(-Infinity);
  });
});

describe('integer and unsigned tokens', () => {
  it.each([
    ['0', 0], ['-0', 0], ['42', 42], ['-42', -42], ['000123', 123],
    ['9007199254740993', Number('9007199254740993')],
    ['9223372036854775807', Number('9223372036854775807')],
    ['-9223372036854775808', Number('-9223372036854775808')],
  ])('integer %s', (token, value) => {
    expect(inText(parseIntegerToken, token)).toBe(value);
  });

  it('range-checks integers at int64', () => {
    expect(inText(parseIntegerToken, '9223372036854775808')).toBe(Infinity);
    expect(inText(parseIntegerToken, '-9223372036854775809')).toBe(-Infinity);
    expect(inText(parseIntegerToken, '00009223372036854775807')).toBe(Number('9223372036854775807'));
  });

  it.each(['', '-', '1.0', '1e3', ' 1', '--1'])('rejects integer %j', (token) => {
    expect(inText(parseIntegerToken, token)).toBeNaN();
  });

  it('range-checks unsigned values at uint64 and rejects signs', () => {
    expect(inText(parseUnsignedToken, '18446744073709551615')).toBe(Number('18446744073709551615'));
    expect(inText(parseUnsignedToken, '18446744073709551616')).toBe(Infinity);
    expect(inText(parseUnsignedToken, '-1')).toBeNaN();
  });
});

describe('timestamps', () => {
  const stamp = (token: string, precision: Precision): number => timestampToMillis(`<<${token}>>`, 2, 2 + token.length, precision);
  const cases: [Precision, bigint][] = [['ns', 1_000_000n], ['us', 1_000n], ['ms', 1n]];

  it.each(cases)('%s: floor division by the unit, exact for the whole int64 nanosecond range', (precision, perMilli) => {
    const max = 9_223_372_036_854_775_806n / (1_000_000n / perMilli);
    fc.assert(fc.property(fc.bigInt({ min: -max, max }), (value) => {
      const quotient = value / perMilli;
      const floored = value < 0n && value % perMilli !== 0n ? quotient - 1n : quotient;
      expect(stamp(String(value), precision)).toBe(Number(floored));
    }));
  });

  it('s: multiplies by 1000', () => {
    expect(stamp('1700000000', 's')).toBe(1_700_000_000_000);
    expect(stamp('-1', 's')).toBe(-1000);
  });

  it('rejects what is not an integer and flags what is out of range', () => {
    expect(stamp('17e8', 'ns')).toBeNaN();
    expect(stamp('', 'ns')).toBeNaN();
    expect(stamp('-', 'ns')).toBeNaN();
    expect(stamp('9223372036854775807', 'ns')).toBe(Infinity);
    expect(stamp('-9223372036855', 'ms')).toBe(-Infinity);
    expect(stamp('-9223372036854', 'ms')).toBe(-9223372036854);
  });

  it('stamps lines without a timestamp with now, truncated to whole seconds for precision s', () => {
    expect(defaultTime(1_700_000_000_999, 'ns')).toBe(1_700_000_000_999);
    expect(defaultTime(1_700_000_000_999, 's')).toBe(1_700_000_000_000);
  });
});

describe('the precision parameter', () => {
  it.each([
    ['ns', 'ns'], ['n', 'ns'], ['us', 'us'], ['u', 'us'], ['ms', 'ms'], ['s', 's'],
    ['m', null], ['h', null], ['NS', null], ['', null],
  ])('%j → %j', (text, precision) => {
    expect(parsePrecision(text)).toBe(precision);
  });
});
