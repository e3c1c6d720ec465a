import { describe, expect, it } from 'vitest';
import { round } from '../../src/parser/functions.js';
import { codes, evaluate } from './helpers.js';

type Case = [source: string, expected: unknown, context?: Record<string, unknown>];

const table = (cases: Case[]) =>
  it.each(cases)('%s → %j', (source, expected, context = {}) => {
    expect(evaluate(source, context)).toBe(expected);
  });

describe('abs floor ceil sqrt exp', () => {
  table([
    ['abs(-3)', 3], ['abs(2.5)', 2.5], ['abs(value)', null],
    ['floor(1.7)', 1], ['floor(-1.5)', -2], ['floor(value)', null],
    ['ceil(1.2)', 2], ['ceil(-1.5)', -1], ['ceil(value)', null],
    ['sqrt(16)', 4], ['sqrt(2)', Math.SQRT2], ['sqrt(-1)', null], ['sqrt(value)', null],
    ['exp(0)', 1], ['exp(1)', Math.E], ['exp(1000)', null], ['exp(value)', null],
  ]);
});

describe('round(x[, digits]): half away from zero', () => {
  table([
    ['round(2.5)', 3], ['round(-2.5)', -3], ['round(2.4)', 2], ['round(-0.5)', -1],
    ['round(1.005, 2)', 1.01], ['round(2.345, 2)', 2.35], ['round(8.325, 2)', 8.33], ['round(1.45, 1)', 1.5],
    ['round(1234.5, -2)', 1200], ['round(1250, -2)', 1300],
    ['round(2.5, 0.7)', 3],
    ['round(value)', null], ['round(1.5, value)', null],
    ['round(1e308, 2)', 1e308],
  ]);

  // Regression: a number whose text has an exponent (1e-7) was shifted as "1e-7e2" → NaN and
  // came back unrounded.
  it.each([
    [1e-7, 2, 0],
    [1.5e-7, 7, 2e-7],
    [-1.5e-7, 7, -2e-7],
    [1.23e-10, 12, 1.23e-10],
    [1.25e-10, 11, 1.3e-10],
    [1e21 + 0.5, 0, 1e21],
  ])('round(%d, %d) = %d', (x, digits, expected) => {
    expect(round(x, digits)).toBe(expected);
  });

  it('never returns -0', () => {
    expect(Object.is(round(-0.4), 0)).toBe(true);
    expect(Object.is(round(-0.001, 2), 0)).toBe(true);
  });
});

describe('log(x[, base]) and pow(x, y)', () => {
  table([
    ['log(1)', 0], ['log(exp(2))', 2], ['log(100, 10)', 2], ['log(8, 2)', 3],
    ['log(0)', null], ['log(-1)', null], ['log(8, 1)', null], ['log(8, value)', null], ['log(value)', null],
    ['pow(2, 10)', 1024], ['pow(2, -1)', 0.5], ['pow(9, 0.5)', 3],
    ['pow(-8, 1 / 3)', null], ['pow(10, 400)', null], ['pow(value, 2)', null], ['pow(2, value)', null],
  ]);
});

describe('coalesce(a, b, …): the first argument that is not null', () => {
  table([
    ["coalesce(tags.env, 'none')", 'none'],
    ["coalesce(tags.env, 'none')", 'prod', { tags: { env: 'prod' } }],
    ["coalesce(tags.a, tags.b, 'z')", 'B', { tags: { b: 'B' } }],
    ['coalesce(value, 0)', 0],
    ['coalesce(value, 0)', 3, { value: 3 }],
    ['coalesce(value)', null],
    ['coalesce(null, null)', null],
    ['coalesce(entity.enabled, true)', false, { entity: { enabled: false } }],
    ['coalesce(value, open_value, -1) + 1', 8, { open_value: 7 }],
  ]);

  it('its type is not nullable when a later argument is not', () => {
    expect(codes("coalesce(tags.env, 'none')", { expect: 'boolean' })).toEqual(['not-boolean']);
    expect(codes("coalesce(tags.env, 'x') == 'x'", { expect: 'boolean' })).toEqual([]);
  });
});

describe('lower upper contains startsWith endsWith length', () => {
  table([
    ["lower('AbC')", 'abc'], ["upper('abc')", 'ABC'], ['lower(text)', null], ['upper(text)', null],
    ["contains('abc', 'b')", true], ["contains('abc', 'B')", false], ["contains('abc', '')", true],
    ["contains(text, 'b')", false], ["contains('abc', text)", false],
    ["startsWith('abc', 'ab')", true], ["startsWith('abc', 'bc')", false], ["startsWith(text, 'a')", false],
    ["endsWith('abc', 'bc')", true], ["endsWith('abc', 'ab')", false], ["endsWith(text, 'c')", false],
    ["length('hello')", 5], ["length('')", 0], ["length('héllo')", 5], ["length('😀')", 1], ['length(text)', null],
    ["lower(entity.tags.env) == 'prod'", true, { entity: { tags: { env: 'PROD' } } }],
  ]);
});

describe('toNumber(x)', () => {
  table([
    ["toNumber('12.5')", 12.5], ["toNumber(' 3 ')", 3], ["toNumber('-1e3')", -1000], ["toNumber('+.5')", 0.5],
    ["toNumber('abc')", null], ["toNumber('')", null], ["toNumber('0x10')", null], ["toNumber('1,5')", null],
    ["toNumber('Infinity')", null], ["toNumber('1e999')", null],
    ['toNumber(7)', 7], ['toNumber(true)', 1], ['toNumber(false)', 0], ['toNumber(null)', null],
    ['toNumber(tags.port) > 1024', true, { tags: { port: '8080' } }],
  ]);
});

describe("hour() and dayOfWeek() in the rule's time zone", () => {
  // 2024-03-01 was a Friday; 23:30 UTC is already Saturday in Berlin (UTC+1 in winter).
  const friday = Date.UTC(2024, 2, 1, 23, 30);

  it.each([
    ['hour()', { time: friday }, 'UTC', 23],
    ['hour()', { time: friday }, 'Europe/Berlin', 0],
    ['hour()', { time: friday }, 'America/New_York', 18],
    ['dayOfWeek()', { time: friday }, 'UTC', 5],
    ['dayOfWeek()', { time: friday }, 'Europe/Berlin', 6],
    ['hour()', { time: '2024-03-01T09:15:00Z' }, 'UTC', 9],
    // without a sample time, the engine clock
    ['hour()', { now: Date.UTC(2024, 2, 3, 7) }, 'UTC', 7],
    ['dayOfWeek()', { now: Date.UTC(2024, 2, 3, 7) }, 'UTC', 7],
    ['hour()', {}, 'UTC', null],
    ['hour(open_value)', { open_value: Date.UTC(2024, 0, 1, 13) }, 'UTC', 13],
    ['hour(value)', {}, 'UTC', null],
    ['hour(1e20)', {}, 'UTC', null],
  ])('%s with %j in %s → %j', (source, context, timezone, expected) => {
    expect(evaluate(source, context, { timezone })).toBe(expected);
  });

  it('an unknown time zone gives null rather than a wrong hour', () => {
    expect(evaluate('hour()', { time: friday }, { timezone: 'Mars/Olympus' })).toBe(null);
  });
});

describe('function calls are checked', () => {
  it.each([
    ['round()', 'wrong-arity'],
    ['round(1, 2, 3)', 'wrong-arity'],
    ['pow(2)', 'wrong-arity'],
    ['abs(1, 2)', 'wrong-arity'],
    ['coalesce()', 'wrong-arity'],
    ["abs('x')", 'argument-type'],
    ['lower(1)', 'argument-type'],
    ["hour('noon')", 'argument-type'],
    ['contains(tags.x, 1)', 'argument-type'],
    ["coalesce(1, 'a')", 'type-mismatch'],
    ['absolute(1)', 'unknown-function'],
    ['abs', 'function-without-call'],
    ['value(1)', 'not-a-function'],
  ])('%s → %s', (source, code) => {
    expect(codes(source)).toEqual([code]);
  });
});
