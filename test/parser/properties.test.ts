/**
 * SPEC §10: random input never throws anything but a DiagnosticError, and whatever compiles
 * evaluates against any context without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { print } from '../../src/parser/ast.js';
import { compile, DiagnosticError, type CompiledExpression, type Value } from '../../src/parser/index.js';
import { bool, context, jsonContext, num, str, typedExpression } from './arbitraries.js';
import { compileBoth, parse, shape } from './helpers.js';

/** compile's contract: a compiled expression, or a DiagnosticError with at least one diagnostic. */
function compileOrDiagnose(source: string): CompiledExpression | null {
  try {
    return compileBoth(source);
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    expect(error.diagnostics.length).toBeGreaterThan(0);
    for (const d of error.diagnostics) expect(d.line >= 1 && d.column >= 1 && d.length >= 1).toBe(true);
    return null;
  }
}

const isValue = (x: unknown): x is Value => x === null || ['number', 'string', 'boolean'].includes(typeof x);

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
        const compiled = compileBoth(source);
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
        const original = compileBoth(source).evaluate(ctx);
        const reprinted = compileBoth(print(compileBoth(source).ast)).evaluate(ctx);
        expect(reprinted).toStrictEqual(original);
      }),
      { numRuns: 500 },
    );
  });
});
