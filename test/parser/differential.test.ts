/**
 * Both evaluators (the generated code and the closure-tree interpreter of the first tier) against
 * a plain interpreter of docs/expressions.md. The compiler hoists null
 * checks out of arithmetic, reads fields lazily and compares raw fields with literals; each of
 * those is an equivalence argument. Here a straightforward walk over the AST, written from the
 * null rules alone (every operand evaluated, every null tested where the rule says so), must give
 * exactly the same value on random well-typed expressions and random contexts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallNode, Node } from '../../src/parser/ast.js';
import { ArrayWindow, compile, defaultEnvironment, type Value } from '../../src/parser/index.js';
import * as functions from '../../src/parser/functions.js';
import { like } from '../../src/parser/like.js';
import * as win from '../../src/parser/window.js';
import { parseDuration } from '../../src/model/duration.js';
import { MAP, NULL, NUMBER, STRING, BOOLEAN } from '../../src/parser/types.js';
import type { VariableDeclaration } from '../../src/parser/environment.js';
import { bool, edgyContext, jsonContext, num, str, typedExpression } from './arbitraries.js';

// ---------------------------------------------------------------------------------------------
// Reading the context: own properties only; anything of the wrong kind is null.

function own(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function at(context: object, path: readonly string[]): unknown {
  return path.reduce<unknown>((object, key) => own(object, key), context);
}

function tagText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  return typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
}

function readVariable(variable: VariableDeclaration, context: object): Value {
  const raw = at(context, variable.path);
  if (variable.nameOfObject) {
    if (typeof raw === 'string') return raw;
    const name = own(raw, 'name');
    return typeof name === 'string' ? name : null;
  }
  if (variable.timestamp) {
    if (typeof raw === 'number') return raw;
    if (typeof raw !== 'string') return null;
    const time = Date.parse(raw);
    return Number.isFinite(time) ? time : null;
  }
  switch (variable.type & ~NULL) {
    case NUMBER: return typeof raw === 'number' && !Number.isNaN(raw) ? raw : null;
    case STRING: return typeof raw === 'string' ? raw : null;
    case BOOLEAN: return typeof raw === 'boolean' ? raw : null;
    default: throw new Error(`no reading for ${variable.name}`);
  }
}

/** A name, member or index chain: a variable, or a set of tags (a map) to take a key from. */
type Resolved = { variable: VariableDeclaration } | { map: VariableDeclaration };

function resolve(node: Node): Resolved {
  if (node.kind === 'name') return { variable: defaultEnvironment.variable(node.name)! };
  if (node.kind !== 'member') throw new Error(`cannot resolve ${node.kind}`);
  const object = resolve(node.object);
  if ('map' in object) throw new Error('a map of maps');
  const variable = defaultEnvironment.variable(`${object.variable.name}.${node.property}`);
  return variable ? { variable } : { map: object.variable };
}

function reference(node: Node & { kind: 'name' | 'member' | 'index' }, context: object): Value {
  if (node.kind === 'index') {
    const map = resolve(node.object) as { variable: VariableDeclaration };
    const key = interpret(node.index, context);
    return typeof key === 'string' ? tagText(own(at(context, map.variable.path), key)) : null;
  }
  if (node.kind === 'member') {
    const object = resolve(node.object);
    if ('variable' in object && object.variable.type === MAP) return tagText(own(at(context, object.variable.path), node.property));
  }
  const resolved = resolve(node);
  if ('map' in resolved) throw new Error('a map used as a value');
  return readVariable(resolved.variable, context);
}

// ---------------------------------------------------------------------------------------------
// The rules of docs/expressions.md, "Null" and "Operators".

const isTrue = (x: Value) => x === true;

function interpret(node: Node, context: object): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name':
    case 'member':
    case 'index':
      return reference(node, context);
    case 'unary': {
      const x = interpret(node.operand, context);
      if (node.operator === '!') return !isTrue(x);
      return x === null ? null : -(x as number);
    }
    case 'logical': {
      const left = isTrue(interpret(node.left, context));
      const right = isTrue(interpret(node.right, context));
      return node.operator === '&&' ? left && right : left || right;
    }
    case 'binary': {
      const a = interpret(node.left, context);
      const b = interpret(node.right, context);
      switch (node.operator) {
        case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a !== null && b !== null && a < b;
        case '<=': return a !== null && b !== null && a <= b;
        case '>': return a !== null && b !== null && a > b;
        case '>=': return a !== null && b !== null && a >= b;
      }
      if (a === null || b === null) return null;
      const [x, y] = [a as number, b as number];
      switch (node.operator) {
        case '+': return typeof a === 'string' ? a + (b as string) : x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': return y === 0 ? null : x / y;
        case '%': return y === 0 ? null : x % y;
      }
      throw new Error(node.operator);
    }
    case 'in': {
      const x = interpret(node.value, context);
      const found = node.list.map((item) => interpret(item, context)).some((item) => item === x);
      return node.negated ? !found : found;
    }
    case 'like': {
      const matches = like(interpret(node.value, context) as string | null, interpret(node.pattern, context) as string | null);
      return node.negated ? !matches : matches;
    }
    case 'between': {
      const [x, low, high] = [node.value, node.low, node.high].map((n) => interpret(n, context));
      const inside = x !== null && low !== null && high !== null && x! >= low! && x! <= high!;
      return node.negated ? !inside : inside;
    }
    case 'conditional': {
      const test = isTrue(interpret(node.test, context));
      const consequent = interpret(node.consequent, context);
      const alternate = interpret(node.alternate, context);
      return test ? consequent : alternate;
    }
    case 'call':
      return call(node, context);
  }
}

const WINDOW: Record<string, (w: unknown, mode: number, amount: number) => number | null> = {
  avg: win.wAvg, min: win.wMin, max: win.wMax, sum: win.wSum, count: win.wCount, median: win.wMedian, stdev: win.wStdev,
  variance: win.wVariance, first: win.wFirst, last: win.wLast, delta: win.wDelta, rate: win.wRate, wavg: win.wWavg,
};

/** The range argument of a window function: none, a span written as text, or a count. */
function range(arg: Node | undefined, context: object): [mode: number, amount: number] {
  if (!arg) return [win.ALL, 0];
  if (arg.kind === 'literal' && typeof arg.value === 'string') return [win.SPAN, parseDuration(arg.value)!];
  return [win.LAST_N, (interpret(arg, context) as number | null) ?? 0];
}

function call(node: CallNode, context: object): Value {
  const args = node.args.map((arg) => interpret(arg, context));
  const window = own(context, 'window');
  if (node.callee === 'percentile') return win.wPercentile(window, args[0] as number | null, ...range(node.args[1], context));
  const windowFunction = WINDOW[node.callee];
  if (windowFunction) return windowFunction(window, ...range(node.args[0], context));
  if (node.callee === 'coalesce') return args.find((x) => x !== null) ?? null;
  if (node.callee === 'hour' || node.callee === 'dayOfWeek') {
    const time = args.length > 0 ? args[0]! : (interpret({ kind: 'name', name: 'time', span: node.span }, context) ?? interpret({ kind: 'name', name: 'now', span: node.span }, context));
    return functions[node.callee](time as number | null, defaultEnvironment.timezone);
  }
  const fn = functions[node.callee as keyof typeof functions] as (...a: Value[]) => Value;
  return fn(...args);
}

/**
 * The reference: the empty object stands for a context that is not an object, and a NaN result
 * (overflow to ±Infinity, then Infinity - Infinity or Infinity % x) is null.
 */
function referenceValue(ast: Node, context: unknown): Value {
  const result = interpret(ast, typeof context === 'object' && context !== null ? context : {});
  return typeof result === 'number' && Number.isNaN(result) ? null : result;
}

// ---------------------------------------------------------------------------------------------

const contexts = fc.array(fc.oneof(edgyContext, jsonContext, fc.constantFrom(null, 5, 'text')), { minLength: 1, maxLength: 6 });

describe('the generated code and the interpreter evaluate exactly like the reference interpreter', () => {
  it.each([
    ['conditions', bool, 3000],
    ['numbers', num, 2000],
    ['texts', str, 1000],
    ['anything', typedExpression, 1000],
  ])('%s', (_, expressions, numRuns) => {
    fc.assert(
      fc.property(expressions, contexts, (source, cases) => {
        const generated = compile(source, { evaluator: 'generated' });
        const interpreted = compile(source, { evaluator: 'interpreted' });
        for (const ctx of cases) {
          const expected = referenceValue(generated.ast, ctx);
          const fast = generated.evaluate(ctx as object);
          const slow = interpreted.evaluate(ctx as object);
          if (!Object.is(fast, expected) || !Object.is(slow, expected)) {
            expect.fail(`${source}\n  context ${JSON.stringify(ctx)}\n  generated ${String(fast)}, interpreter ${String(slow)}, reference ${String(expected)}\n${generated.code}`);
          }
        }
      }),
      { numRuns },
    );
  });

  it.each([
    // each optimisation at its edges
    ['value', [{ value: Number.NaN }, { value: -0 }, { value: '1' }]],
    ['-value + 1', [{ value: Number.NaN }, { value: 2 }]],
    ['value != 0', [{ value: 0 }, { value: -0 }, { value: '0' }, { value: Number.NaN }, {}]],
    ['value > 80', [{ value: 81 }, { value: '90' }, { value: Number.NaN }, { value: null }, { value: true }]],
    ['value / 0 > 1', [{ value: 5 }, { value: -5 }, { value: 0 }]],
    ['value % (value - value) < 1', [{ value: 5 }, { value: Number.POSITIVE_INFINITY }]],
    ['value / (value - 5)', [{ value: 5 }, { value: 6 }, {}]],
    ['value IN (1, null)', [{}, { value: 1 }, { value: '1' }]],
    ["tags.env IN ('a', null)", [{}, { tags: {} }, { tags: { env: 'a' } }]],
    ['abs(value - 50) * 2 + 10 > 90', [{ value: 0 }, { value: 100 }, { value: '0' }, { value: Number.NaN }, {}]],
    ['(value - value) == null', [{ value: Number.POSITIVE_INFINITY }, { value: 1 }, {}]],
    ["tags.port == '8080'", [{ tags: { port: 8080 } }, { tags: { port: '8080' } }, { tags: { port: [8080] } }]],
    ["tags.flag == 'true'", [{ tags: { flag: true } }, { tags: { flag: 'true' } }]],
    ["tags.env != 'prod'", [{ tags: { env: 'prod' } }, { tags: { env: 5 } }, { tags: {} }, { tags: 'prod' }]],
    ["tags.__proto__ == 'x'", [{ tags: JSON.parse('{"__proto__": "x"}') as object }, { tags: {} }]],
    ["entity == 'db-1'", [{ entity: 'db-1' }, { entity: { name: 'db-1' } }, { entity: { name: 5 } }]],
    ['entity.enabled', [{ entity: { enabled: true } }, { entity: { enabled: 'true' } }, { entity: 1 }]],
    ["severity IN ('critical', 'major')", [{ severity: 'major' }, { severity: 5 }, {}]],
    ['value IN (1, 2, 3, 4, 5, 6, 7, 8, 9)', [{ value: 9 }, { value: '9' }, { value: Number.NaN }, {}]],
    ['value > 1 && value < 10 || value == 20', [{ value: 5 }, { value: 20 }, { value: 'x' }]],
    ['percentile(repeat_count * 10, repeat_count)', [{ repeat_count: 2, window: ArrayWindow.from([1, 2, 3, 4]) }, {}]],
    ['(repeat_count > 0 ? value : open_value) + value > 3', [{ repeat_count: 1, value: 2 }, { open_value: 5, value: 1 }, {}]],
  ])('%s', (source, cases) => {
    for (const evaluator of ['generated', 'interpreted'] as const) {
      const compiled = compile(source, { evaluator });
      for (const ctx of cases) expect(compiled.evaluate(ctx), evaluator).toBe(referenceValue(compiled.ast, ctx));
    }
  });
});
