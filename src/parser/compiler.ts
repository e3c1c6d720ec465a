/**
 * Checked AST → a JavaScript function. Code is generated from the AST only (every string that
 * reaches the generated source is a JSON-quoted literal or a name the generator made), then turned
 * into a function once with `new Function`. Generation beat a closure tree by 4–10× on evaluation
 * in our measurements (docs/decisions.md), and evaluation is the hot path of the engine.
 *
 * Shape of the generated code: every value the expression reads from the context is read once,
 * up front, through a type guard (a tag that is not text, an inherited `constructor`, a missing
 * field: all become null). Operators then work on plain locals, with null checks only where the
 * checker says a side can be null.
 */
import type { CallNode, Node } from './ast.js';
import type { CheckedExpression, Reference } from './checker.js';
import type { Span } from './diagnostics.js';
import type { Environment, VariableDeclaration } from './environment.js';
import * as functions from './functions.js';
import { like } from './like.js';
import * as win from './window.js';
import { BOOLEAN, NULL, NUMBER, STRING, type Type } from './types.js';

export type Value = number | string | boolean | null;
export type EvaluationContext = object;

/** Raised when evaluation fails in a way the checker could not foresee; carries the span of the failing call. */
export class EvaluationFault extends Error {
  readonly span: Span | null;
  constructor(cause: unknown, span: Span | null) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'EvaluationFault';
    this.span = span;
  }
}

const WINDOW_FUNCTIONS: Record<string, string> = {
  avg: 'wAvg', min: 'wMin', max: 'wMax', sum: 'wSum', count: 'wCount', median: 'wMedian',
  stdev: 'wStdev', variance: 'wVariance', first: 'wFirst', last: 'wLast', delta: 'wDelta',
  rate: 'wRate', wavg: 'wWavg', percentile: 'wPercentile',
};

const runtime = {
  ...functions,
  ...win,
  like,
  parseTime: (text: string): number | null => {
    const t = Date.parse(text);
    return Number.isFinite(t) ? t : null;
  },
  mapGet: (map: unknown, key: unknown): string | null => {
    if (typeof map !== 'object' || map === null || typeof key !== 'string' || !Object.hasOwn(map, key)) return null;
    return tagText((map as Record<string, unknown>)[key]);
  },
  tagText,
};

function tagText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return null;
}

const EMPTY = Object.freeze({});
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Keys that a plain object inherits; reading them must check ownership. */
function inherited(key: string): boolean {
  return key === '__proto__' || key in Object.prototype;
}

interface Expr {
  code: string;
  /** A local or a literal: safe to repeat without a temporary. */
  simple: boolean;
}

export interface GeneratedProgram {
  source: string;
  evaluate: (context: EvaluationContext) => Value;
}

export function generate(checked: CheckedExpression, env: Environment): GeneratedProgram {
  const generator = new Generator(checked, env);
  const result = generator.expression(checked.ast);
  const source = generator.assemble(result);
  // The factory receives the runtime and the constants; nothing from the user's text is executed.
  const factory = new Function('R', 'K', 'hasOwn', 'EMPTY', 'fault', source) as (
    r: typeof runtime, k: unknown[], h: typeof Object.hasOwn, e: object, f: (e: unknown, s: number) => Error,
  ) => (c: EvaluationContext) => Value;
  const spans = generator.spans;
  const fault = (error: unknown, index: number) => new EvaluationFault(error, spans[index] ?? null);
  return { source, evaluate: factory(runtime, generator.constants, Object.hasOwn, EMPTY, fault) };
}

class Generator {
  readonly spans: Span[] = [];
  readonly constants: unknown[] = [];
  private readonly reads: string[] = [];
  private readonly locals = new Map<string, string>();
  private readonly runtimeNames = new Set<string>();
  private temps = 0;
  private next = 0;
  private usesSpans = false;

  private readonly checked: CheckedExpression;
  private readonly env: Environment;
  constructor(checked: CheckedExpression, env: Environment) {
    this.checked = checked;
    this.env = env;
  }

  assemble(result: Expr): string {
    const imports = [...this.runtimeNames].map((name) => `const R_${name} = R.${name};`);
    const constants = this.constants.map((_, i) => `const K${i} = K[${i}];`);
    const temps = this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};` : '';
    const body = [...this.reads, `return ${result.code};`];
    const guarded = this.usesSpans
      ? ['let s = -1;', 'try {', ...body, '} catch (e) { throw fault(e, s); }']
      : body;
    return [
      "'use strict';",
      ...imports,
      ...constants,
      'return function evaluate(c) {',
      "if (typeof c !== 'object' || c === null) c = EMPTY;",
      temps,
      ...guarded,
      '};',
    ].join('\n');
  }

  private fn(name: string): string {
    this.runtimeNames.add(name);
    return `R_${name}`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `K${this.constants.length - 1}`;
  }

  private temp(): string {
    return `t${this.temps++}`;
  }

  private local(key: string, init: (name: string) => string): string {
    const existing = this.locals.get(key);
    if (existing) return existing;
    const name = `v${this.next++}`;
    this.reads.push(`const ${name} = ${init(name)};`);
    this.locals.set(key, name);
    return name;
  }

  private property(object: string, key: string): string {
    if (inherited(key)) return `(hasOwn(${object}, ${JSON.stringify(key)}) ? ${object}[${JSON.stringify(key)}] : undefined)`;
    return IDENTIFIER.test(key) ? `${object}.${key}` : `${object}[${JSON.stringify(key)}]`;
  }

  /** The object at a context path, or undefined when any step is missing or not an object. */
  private objectAt(path: readonly string[]): string {
    if (path.length === 0) return 'c';
    return this.local(`object:${path.join('\u0000')}`, () => {
      const parent = this.objectAt(path.slice(0, -1));
      const read = this.property(parent, path[path.length - 1]!);
      return parent === 'c' ? read : `typeof ${parent} === 'object' && ${parent} !== null ? ${read} : undefined`;
    });
  }

  private variable(variable: VariableDeclaration): string {
    return this.local(`variable:${variable.name}`, () => {
      const raw = this.local(`raw:${variable.name}`, () => {
        const parent = this.objectAt(variable.path.slice(0, -1));
        const read = this.property(parent, variable.path[variable.path.length - 1]!);
        return parent === 'c' ? read : `typeof ${parent} === 'object' && ${parent} !== null ? ${read} : undefined`;
      });
      if (variable.nameOfObject) {
        return `typeof ${raw} === 'string' ? ${raw} : typeof ${raw} === 'object' && ${raw} !== null && typeof ${raw}.name === 'string' ? ${raw}.name : null`;
      }
      if (variable.timestamp) {
        return `typeof ${raw} === 'number' ? ${raw} : typeof ${raw} === 'string' ? ${this.fn('parseTime')}(${raw}) : null`;
      }
      const base = variable.type & ~NULL;
      if (base === NUMBER) return `typeof ${raw} === 'number' && ${raw} === ${raw} ? ${raw} : null`;
      if (base === STRING) return `typeof ${raw} === 'string' ? ${raw} : null`;
      if (base === BOOLEAN) return `typeof ${raw} === 'boolean' ? ${raw} : null`;
      return `${raw} === undefined ? null : ${raw}`;
    });
  }

  private reference(reference: Reference): Expr {
    if (reference.kind === 'variable') return { code: this.variable(reference.variable), simple: true };
    const map = this.objectAt(reference.map.path);
    if (typeof reference.key === 'string') {
      const key = reference.key;
      const name = this.local(`key:${reference.map.name}\u0000${key}`, () => {
        const raw = this.local(`rawkey:${reference.map.name}\u0000${key}`, () =>
          `typeof ${map} === 'object' && ${map} !== null ? ${this.property(map, key)} : undefined`);
        return `typeof ${raw} === 'string' ? ${raw} : ${this.fn('tagText')}(${raw})`;
      });
      return { code: name, simple: true };
    }
    const key = this.expression(reference.key);
    return { code: `${this.fn('mapGet')}(${map}, ${key.code})`, simple: false };
  }

  private typeOf(node: Node): Type {
    return this.checked.types.get(node)!;
  }

  private nullable(node: Node): boolean {
    return (this.typeOf(node) & NULL) !== 0;
  }

  /** Binds a non-simple operand to a temporary so it can be used more than once. */
  private bind(expr: Expr): { setup: string; use: string } {
    if (expr.simple) return { setup: '', use: expr.code };
    const t = this.temp();
    return { setup: `(${t} = ${expr.code}), `, use: t };
  }

  /** JavaScript `true` exactly when the operand is true (null and false are both false). */
  private truth(node: Node): string {
    const expr = this.expression(node);
    return this.typeOf(node) === BOOLEAN ? expr.code : `${expr.code} === true`;
  }

  expression(node: Node): Expr {
    switch (node.kind) {
      case 'literal':
        return { code: node.value === null ? 'null' : typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value), simple: true };
      case 'name':
      case 'member':
      case 'index':
        return this.reference(this.checked.references.get(node)!);
      case 'unary': {
        if (node.operator === '!') return { code: `!(${this.truth(node.operand)})`, simple: false };
        const operand = this.expression(node.operand);
        if (!this.nullable(node.operand)) return { code: `(-${operand.code})`, simple: false };
        const x = this.bind(operand);
        return { code: `(${x.setup}${x.use} === null ? null : -${x.use})`, simple: false };
      }
      case 'logical': {
        const op = node.operator === '&&' ? '&&' : '||';
        return { code: `(${this.truth(node.left)} ${op} ${this.truth(node.right)})`, simple: false };
      }
      case 'binary':
        return this.binary(node);
      case 'in': {
        const value = this.bind(this.expression(node.value));
        const literals = node.list.every((item) => item.kind === 'literal');
        let test: string;
        if (literals && node.list.length > 8) {
          const set = this.constant(new Set(node.list.map((item) => (item as { value: unknown }).value)));
          test = `${set}.has(${value.use})`;
        } else {
          test = node.list.map((item) => `${value.use} === ${this.expression(item).code}`).join(' || ');
        }
        const code = `(${value.setup}${test})`;
        return { code: node.negated ? `!${code}` : code, simple: false };
      }
      case 'like': {
        const compiled = this.checked.likePatterns.get(node);
        let test: string;
        if (compiled) {
          const value = this.bind(this.expression(node.value));
          test = `(${value.setup}${value.use} !== null && ${this.constant(compiled)}.test(${value.use}))`;
        } else {
          test = `${this.fn('like')}(${this.expression(node.value).code}, ${this.expression(node.pattern).code})`;
        }
        return { code: node.negated ? `!${test}` : test, simple: false };
      }
      case 'between': {
        const value = this.bind(this.expression(node.value));
        const low = this.bind(this.expression(node.low));
        const high = this.bind(this.expression(node.high));
        const checks = [
          this.nullable(node.value) ? `${value.use} !== null` : '',
          this.nullable(node.low) ? `${low.use} !== null` : '',
          this.nullable(node.high) ? `${high.use} !== null` : '',
          `${value.use} >= ${low.use}`,
          `${value.use} <= ${high.use}`,
        ].filter(Boolean);
        const code = `(${value.setup}${low.setup}${high.setup}${checks.join(' && ')})`;
        return { code: node.negated ? `!${code}` : code, simple: false };
      }
      case 'conditional':
        return {
          code: `(${this.truth(node.test)} ? ${this.expression(node.consequent).code} : ${this.expression(node.alternate).code})`,
          simple: false,
        };
      case 'call':
        return this.call(node);
    }
  }

  private binary(node: Node & { kind: 'binary' }): Expr {
    const op = node.operator;
    const left = this.expression(node.left);
    const right = this.expression(node.right);
    if (op === '==' || op === '!=') {
      return { code: `(${left.code} ${op === '==' ? '===' : '!=='} ${right.code})`, simple: false };
    }
    const division = op === '/' || op === '%';
    const leftNullable = this.nullable(node.left);
    const rightNullable = this.nullable(node.right);
    const a = leftNullable ? this.bind(left) : { setup: '', use: left.code };
    // The divisor is used twice (the zero test and the division), so it always gets a temporary.
    const b = rightNullable || division ? this.bind(right) : { setup: '', use: right.code };
    const nullChecks = [leftNullable ? `${a.use} === null` : '', rightNullable ? `${b.use} === null` : ''].filter(Boolean);
    const setup = a.setup + b.setup;
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const guards = nullChecks.map((check) => check.replace('===', '!==')).concat(`${a.use} ${op} ${b.use}`);
      return { code: `(${setup}${guards.join(' && ')})`, simple: false };
    }
    const operation = division ? `(${b.use} === 0 ? null : ${a.use} ${op} ${b.use})` : `(${a.use} ${op} ${b.use})`;
    if (nullChecks.length === 0) return { code: setup ? `(${setup}${operation})` : operation, simple: false };
    return { code: `(${setup}${nullChecks.join(' || ')} ? null : ${operation})`, simple: false };
  }

  private call(node: CallNode): Expr {
    const windowName = WINDOW_FUNCTIONS[node.callee];
    const fn = this.env.function(node.callee)!;
    if (fn.kind === 'window' && windowName) {
      const range = this.checked.windows.get(node)!;
      const window = this.local('window', () => this.property('c', 'window'));
      const amount = typeof range.amount === 'number' ? String(range.amount) : `${this.expression(range.amount).code} ?? 0`;
      const args = node.callee === 'percentile'
        ? [window, this.expression(node.args[0]!).code, String(range.mode), amount]
        : [window, String(range.mode), amount];
      this.usesSpans = true;
      this.spans.push(node.span);
      return { code: `(s = ${this.spans.length - 1}, ${this.fn(windowName)}(${args.join(', ')}))`, simple: false };
    }
    if (node.callee === 'coalesce') {
      // Generated values are never undefined, so `??` is exactly "first non-null", short-circuits,
      // and stays a flat chain: nested `?:` per argument overflowed V8's parser at a few thousand.
      const parts = node.args.map((arg) => {
        const part = this.expression(arg);
        return part.simple ? part.code : `(${part.code})`;
      });
      return { code: parts.length === 1 ? parts[0]! : `(${parts.join(' ?? ')})`, simple: false };
    }
    const args = node.args.map((arg) => this.expression(arg).code);
    if (node.callee === 'hour' || node.callee === 'dayOfWeek') {
      if (args.length === 0) {
        const time = this.variable(this.env.variable('time')!);
        const now = this.variable(this.env.variable('now')!);
        args.push(`${time} !== null ? ${time} : ${now}`);
      }
      args.push(JSON.stringify(this.env.timezone));
    }
    return { code: `${this.fn(node.callee)}(${args.join(', ')})`, simple: false };
  }
}
