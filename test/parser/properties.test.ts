/**
 * SPEC §10: random input never throws anything but a DiagnosticError, and whatever compiles
 * evaluates against any context without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { print, quoteString } from '../../src/parser/ast.js';
import { ArrayWindow, compile, DiagnosticError, type CompiledExpression, type Value } from '../../src/parser/index.js';
import { parse, shape } from './helpers.js';

/** compile's contract: a compiled expression, or a DiagnosticError with at least one diagnostic. */
function compileOrDiagnose(source: string): CompiledExpression | null {
  try {
    return compile(source);
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    expect(error.diagnostics.length).toBeGreaterThan(0);
    for (const d of error.diagnostics) expect(d.line >= 1 && d.column >= 1 && d.length >= 1).toBe(true);
    return null;
  }
}

const isValue = (x: unknown): x is Value => x === null || ['number', 'string', 'boolean'].includes(typeof x);

// ---------------------------------------------------------------------------------------------
// Contexts: anything a pipeline could send, including the wrong kinds and inherited-looking keys.

const awkwardKey = fc.constantFrom('env', 'a', '', 'key-with-dash', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf');
const anyScalar = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const tagMap = fc.oneof(
  fc.dictionary(fc.oneof(awkwardKey, fc.string()), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.object()), { maxKeys: 5 }),
  anyScalar,
);
const entity = fc.oneof(
  fc.string(),
  fc.record({ name: anyScalar, label: anyScalar, enabled: anyScalar, tags: tagMap }, { requiredKeys: [] }),
  anyScalar,
);
const window = fc.oneof(
  fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 12 }).map((values) => ArrayWindow.from(values)),
  fc.array(fc.record({ time: fc.oneof(fc.integer(), fc.string()), value: anyScalar }), { maxLength: 6 }).map((s) => ArrayWindow.from(s)),
  anyScalar,
);
const context = fc.record(
  {
    value: anyScalar, text: anyScalar, tags: tagMap, entity, metric: entity, window,
    time: fc.oneof(fc.integer(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyScalar),
    now: fc.oneof(fc.integer(), anyScalar),
    repeat_count: anyScalar, open_value: anyScalar, alert_duration: anyScalar, status: anyScalar, rule: anyScalar,
  },
  { requiredKeys: [] },
);
/** Parsed from JSON, so "__proto__" is an own key. */
const jsonContext = fc.jsonValue().map((v) => JSON.parse(JSON.stringify({ tags: v, entity: { tags: v }, value: v, __proto__: v })) as object);

// ---------------------------------------------------------------------------------------------
// Well-typed random expressions: they must all compile.

const numberLiteral = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })).map((x) => `(${String(x)})`);
const stringLiteral = fc.string({ maxLength: 6 }).map(quoteString);
const windowCall = fc
  .tuple(
    fc.constantFrom('avg', 'min', 'max', 'sum', 'count', 'median', 'stdev', 'variance', 'first', 'last', 'delta', 'rate', 'wavg'),
    fc.constantFrom('', '3', "'5 minute'", '1'),
  )
  .map(([fn, range]) => `${fn}(${range})`);

const { num, str, bool } = fc.letrec((tie) => {
  const n = tie('num') as fc.Arbitrary<string>;
  const s = tie('str') as fc.Arbitrary<string>;
  const b = tie('bool') as fc.Arbitrary<string>;
  return {
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      numberLiteral,
      fc.constantFrom('value', 'repeat_count', 'open_value', 'alert_duration', 'time', 'now', 'null'),
      windowCall,
      fc.constantFrom('percentile(90)', "percentile(50, '1 hour')", 'percentile(value)'),
      fc.tuple(n, fc.constantFrom('+', '-', '*', '/', '%'), n).map(([x, op, y]) => `(${x} ${op} ${y})`),
      n.map((x) => `-${x}`),
      fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'sqrt', 'exp', 'log', 'hour', 'dayOfWeek', 'round'), n).map(([f, x]) => `${f}(${x})`),
      fc.tuple(fc.constantFrom('pow', 'round', 'log', 'coalesce'), n, n).map(([f, x, y]) => `${f}(${x}, ${y})`),
      fc.tuple(b, n, n).map(([t, x, y]) => `(${t} ? ${x} : ${y})`),
      s.map((x) => `toNumber(${x})`),
      s.map((x) => `length(${x})`),
    ),
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      stringLiteral,
      fc.constantFrom('text', 'entity', 'metric', 'entity.label', 'metric.units', 'rule', 'status', 'tags.env', "tags['__proto__']", 'tags.constructor', 'entity.tags.env', "metric.tags['a']"),
      s.map((x) => `tags[${x}]`),
      fc.tuple(s, s).map(([x, y]) => `(${x} + ${y})`),
      fc.tuple(fc.constantFrom('lower', 'upper'), s).map(([f, x]) => `${f}(${x})`),
      fc.tuple(s, s).map(([x, y]) => `coalesce(${x}, ${y})`),
      fc.tuple(b, s, s).map(([t, x, y]) => `(${t} ? ${x} : ${y})`),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('true', 'false', 'entity.enabled'),
      fc.tuple(n, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), n).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(s, fc.constantFrom('==', '<>', '<', '>='), s).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(b, fc.constantFrom('&&', '||', 'AND', 'OR'), b).map(([x, op, y]) => `(${x} ${op} ${y})`),
      b.map((x) => `NOT ${x}`),
      fc.tuple(n, fc.boolean(), fc.array(n, { minLength: 1, maxLength: 10 })).map(([x, not, items]) => `(${x} ${not ? 'NOT ' : ''}IN (${items.join(', ')}))`),
      fc.tuple(s, fc.boolean(), s).map(([x, not, p]) => `(${x} ${not ? 'NOT ' : ''}LIKE ${p})`),
      fc.tuple(n, fc.boolean(), n, n).map(([x, not, lo, hi]) => `(${x} ${not ? 'NOT ' : ''}BETWEEN ${lo} AND ${hi})`),
      fc.tuple(fc.constantFrom('contains', 'startsWith', 'endsWith'), s, s).map(([f, x, y]) => `${f}(${x}, ${y})`),
      fc.tuple(n).map(([x]) => `(${x} == null)`),
    ),
  };
});
const typedExpression = fc.oneof(num, str, bool);

// ---------------------------------------------------------------------------------------------
// Hostile text: characters of the language in random order, any Unicode, and broken valid input.

const pieces = [
  'value', 'tags', 'entity', 'metric', 'avg', 'percentile', 'round', 'coalesce', '__proto__', 'constructor',
  '.', ',', '(', ')', '[', ']', '?', ':', '!', '=', '==', '<>', '<', '>', '+', '-', '*', '/', '%', '&&', '||', '&', '|',
  'AND', 'or', 'NOT', 'IN', 'like', 'BETWEEN', 'null', 'true', '1', '2.5', '1e3', '1e999', '.5',
  "'", '"', "'a*'", '"b"', '\\', '\n', ' ', '\t', '#', '@', '`', '$', '😀', '\u2028',
];
const tokenSoup = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((p) => p.join(''));
const spacedSoup = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((p) => p.join(' '));

type Mutation = { at: number; remove: number; insert: string };
const mutate = (source: string, mutations: Mutation[]) =>
  mutations.reduce((text, m) => {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.insert + text.slice(at + m.remove);
  }, source);
const mutation = fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 2 })) });
const mutated = fc.tuple(typedExpression, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([source, ms]) => mutate(source, ms));

describe('random input never throws anything but a DiagnosticError', () => {
  it.each([
    ['language characters in random order', tokenSoup, 3000],
    ['language words separated by spaces', spacedSoup, 3000],
    ['any Unicode text', fc.string({ maxLength: 60, unit: 'binary' }), 1500],
    ['mutated valid expressions', mutated, 3000],
  ])('%s', (_, text, numRuns) => {
    fc.assert(
      fc.property(text, (source) => {
        const compiled = compileOrDiagnose(source);
        if (compiled) expect(isValue(compiled.evaluate({}))).toBe(true);
      }),
      { numRuns },
    );
  });
});

describe('well-typed random expressions compile and evaluate against any context', () => {
  it('compile without diagnostics', () => {
    fc.assert(
      fc.property(typedExpression, (source) => {
        compile(source);
      }),
      { numRuns: 1500 },
    );
  });

  it('evaluate to a plain value of the checked type, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(bool.map((s) => [s, 'boolean'] as const), num.map((s) => [s, 'number'] as const), str.map((s) => [s, 'string'] as const)), fc.array(fc.oneof(context, jsonContext), { minLength: 1, maxLength: 4 }), ([source, kind], contexts) => {
        const compiled = compile(source);
        for (const ctx of contexts) {
          const result = compiled.evaluate(ctx);
          expect(result === null || typeof result === kind).toBe(true);
          if (typeof result === 'number') expect(Number.isNaN(result)).toBe(false);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('print(parse(x)) keeps the structure of random expressions', () => {
    fc.assert(
      fc.property(typedExpression, (source) => {
        const ast = parse(source)!;
        const again = parse(print(ast))!;
        expect(shape(again)).toBe(shape(ast));
        expect(print(again)).toBe(print(ast));
      }),
      { numRuns: 1000 },
    );
  });

  it('printed expressions evaluate like the original', () => {
    fc.assert(
      fc.property(typedExpression, context, (source, ctx) => {
        const original = compile(source).evaluate(ctx);
        const reprinted = compile(print(compile(source).ast)).evaluate(ctx);
        expect(reprinted).toStrictEqual(original);
      }),
      { numRuns: 500 },
    );
  });
});
