/**
 * Checked AST → a tree of closures: the first tier of evaluation. Building it costs a few
 * microseconds, where generating code costs V8 tens of microseconds to compile, so a new
 * expression is ready at once and evaluates at once; `compile` switches an expression to the
 * generated code once it has been evaluated often enough to pay for it (see index.ts).
 *
 * Semantics are those of docs/expressions.md, the same as the generated code's: reads of
 * inherited keys check ownership, a context that is not an object reads as the empty one, `&&`,
 * `||`, `?:`, `IN` and `coalesce` short-circuit, and a numeric result that is NaN is null.
 * test/parser/differential.test.ts holds both tiers to a plain reference interpreter. One thing
 * is the generated code's alone: it reads each field at most once per evaluation; the interpreter
 * reads a field each time it is used, which only a context with getters could tell apart.
 */
import type { CallNode, Node } from './ast.js';
import type { CheckedExpression, Reference } from './checker.js';
import type { Span } from './diagnostics.js';
import type { Environment, VariableDeclaration } from './environment.js';
import type { FaultMapper } from './compiler.js';
import { EMPTY, inherited, runtime, tagText, WINDOW_FUNCTIONS, type EvaluationContext, type Value } from './runtime.js';
import { BOOLEAN, NULL, NUMBER, STRING } from './types.js';

type Evaluator = (context: object) => Value;
type Reader = (context: object) => unknown;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** One step of a path: undefined unless the parent is an object; inherited keys only when own. */
function step(key: string): (object: unknown) => unknown {
  if (inherited(key)) return (object) => (isObject(object) && Object.hasOwn(object, key) ? object[key] : undefined);
  return (object) => (isObject(object) ? object[key] : undefined);
}

function pathReader(path: readonly string[]): Reader {
  const steps = path.map(step);
  if (steps.length === 1) return steps[0]!;
  if (steps.length === 2) {
    const [a, b] = steps as [(o: unknown) => unknown, (o: unknown) => unknown];
    return (c) => b(a(c));
  }
  return (c) => steps.reduce<unknown>((object, read) => read(object), c);
}

/** A variable as the language sees it: the checked value or null. */
function variableReader(variable: VariableDeclaration): Evaluator {
  const raw = pathReader(variable.path);
  if (variable.nameOfObject) {
    return (c) => {
      const x = raw(c);
      if (typeof x === 'string') return x;
      return isObject(x) && typeof x.name === 'string' ? x.name : null;
    };
  }
  if (variable.timestamp) {
    return (c) => {
      const x = raw(c);
      return typeof x === 'number' ? x : typeof x === 'string' ? runtime.parseTime(x) : null;
    };
  }
  switch (variable.type & ~NULL) {
    case NUMBER: return (c) => { const x = raw(c); return typeof x === 'number' && x === x ? x : null; };
    case STRING: return (c) => { const x = raw(c); return typeof x === 'string' ? x : null; };
    case BOOLEAN: return (c) => { const x = raw(c); return typeof x === 'boolean' ? x : null; };
    // A map used as a whole (only compared with null): the object itself.
    default: return (c) => { const x = raw(c); return x === undefined ? null : (x as Value); };
  }
}

class Interpreter {
  /** The span of the window call running now, for the fault handler; null outside window calls. */
  failingSpan: Span | null = null;
  private readonly checked: CheckedExpression;
  private readonly env: Environment;

  constructor(checked: CheckedExpression, env: Environment) {
    this.checked = checked;
    this.env = env;
  }

  node(node: Node): Evaluator {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'name':
      case 'member':
      case 'index':
        return this.reference(this.checked.references.get(node)!);
      case 'unary': {
        const operand = this.node(node.operand);
        if (node.operator === '!') return (c) => operand(c) !== true;
        return (c) => { const x = operand(c); return x === null ? null : -(x as number); };
      }
      case 'logical': {
        const left = this.node(node.left);
        const right = this.node(node.right);
        return node.operator === '&&' ? (c) => left(c) === true && right(c) === true : (c) => left(c) === true || right(c) === true;
      }
      case 'binary':
        return this.binary(node);
      case 'in': {
        const value = this.node(node.value);
        const items = node.list.map((item) => this.node(item));
        const negated = node.negated;
        return (c) => {
          const x = value(c);
          for (const item of items) if (item(c) === x) return !negated;
          return negated;
        };
      }
      case 'like': {
        const value = this.node(node.value);
        const negated = node.negated;
        const compiled = this.checked.likePatterns.get(node);
        if (compiled) return (c) => { const x = value(c); return (x !== null && compiled.test(x as string)) !== negated; };
        const pattern = this.node(node.pattern);
        return (c) => runtime.like(value(c) as string | null, pattern(c) as string | null) !== negated;
      }
      case 'between': {
        const [value, low, high] = [this.node(node.value), this.node(node.low), this.node(node.high)];
        const negated = node.negated;
        return (c) => {
          const x = value(c);
          const a = low(c);
          const b = high(c);
          return (x !== null && a !== null && b !== null && x >= a && x <= b) !== negated;
        };
      }
      case 'conditional': {
        const [test, consequent, alternate] = [this.node(node.test), this.node(node.consequent), this.node(node.alternate)];
        return (c) => (test(c) === true ? consequent(c) : alternate(c));
      }
      case 'call':
        return this.call(node);
    }
  }

  private reference(reference: Reference): Evaluator {
    if (reference.kind === 'variable') return variableReader(reference.variable);
    const map = pathReader(reference.map.path);
    if (typeof reference.key === 'string') {
      const read = step(reference.key);
      return (c) => tagText(read(map(c)));
    }
    const key = this.node(reference.key);
    return (c) => runtime.mapGet(map(c), key(c));
  }

  private binary(node: Node & { kind: 'binary' }): Evaluator {
    const left = this.node(node.left);
    const right = this.node(node.right);
    // Both sides are evaluated before either is tested, as the generated code reads them.
    const both = (op: (a: Value & {}, b: Value & {}) => Value, ifNull: Value): Evaluator => (c) => {
      const a = left(c);
      const b = right(c);
      return a === null || b === null ? ifNull : op(a, b);
    };
    switch (node.operator) {
      case '==': return (c) => left(c) === right(c);
      case '!=': return (c) => left(c) !== right(c);
      case '<': return both((a, b) => a < b, false);
      case '<=': return both((a, b) => a <= b, false);
      case '>': return both((a, b) => a > b, false);
      case '>=': return both((a, b) => a >= b, false);
      case '+': return both((a, b) => (a as number) + (b as number), null);
      case '-': return both((a, b) => (a as number) - (b as number), null);
      case '*': return both((a, b) => (a as number) * (b as number), null);
      case '/': return both((a, b) => (b === 0 ? null : (a as number) / (b as number)), null);
      case '%': return both((a, b) => (b === 0 ? null : (a as number) % (b as number)), null);
    }
  }

  private call(node: CallNode): Evaluator {
    const windowName = WINDOW_FUNCTIONS[node.callee as keyof typeof WINDOW_FUNCTIONS];
    if (windowName && this.env.function(node.callee)!.kind === 'window') return this.windowCall(node, windowName);
    const args = node.args.map((arg) => this.node(arg));
    if (node.callee === 'coalesce') {
      return (c) => {
        for (const arg of args) {
          const x = arg(c);
          if (x !== null) return x;
        }
        return null;
      };
    }
    if (node.callee === 'hour' || node.callee === 'dayOfWeek') {
      const fn = runtime[node.callee];
      const timezone = this.env.timezone;
      // Without an argument: the sample time, else the clock.
      const [argument] = args;
      const [sampleTime, clock] = [this.variable('time'), this.variable('now')];
      const time = argument ?? ((c: object) => sampleTime(c) ?? clock(c));
      return (c) => fn(time(c) as number | null, timezone);
    }
    const fn = runtime[node.callee as keyof typeof runtime] as (...values: Value[]) => Value;
    switch (args.length) {
      case 1: { const [a] = args as [Evaluator]; return (c) => fn(a(c)); }
      case 2: { const [a, b] = args as [Evaluator, Evaluator]; return (c) => fn(a(c), b(c)); }
      default: return (c) => fn(...args.map((arg) => arg(c)));
    }
  }

  private variable(name: string): Evaluator {
    return variableReader(this.env.variable(name)!);
  }

  /** Arguments in the order the generated code runs them: the window, the percentile, the range. */
  private windowCall(node: CallNode, runtimeName: (typeof WINDOW_FUNCTIONS)[keyof typeof WINDOW_FUNCTIONS]): Evaluator {
    const range = this.checked.windows.get(node)!;
    const readWindow = step('window');
    const amount: Evaluator = typeof range.amount === 'number' ? ((n) => () => n)(range.amount) : ((read) => (c: object) => read(c) ?? 0)(this.node(range.amount));
    const mode = range.mode;
    const span = node.span;
    const percentile = node.callee === 'percentile' ? this.node(node.args[0]!) : null;
    const fn = runtime[runtimeName] as (window: unknown, ...rest: Value[]) => number | null;
    return (c) => {
      const window = readWindow(c);
      const args: Value[] = percentile ? [percentile(c)] : [];
      args.push(mode, amount(c));
      this.failingSpan = span;
      const result = fn(window, ...args);
      this.failingSpan = null;
      return result;
    };
  }
}

/** The first-tier evaluator of a checked expression; faults come out as the generated code's do. */
export function interpret(checked: CheckedExpression, env: Environment, fault: FaultMapper): (context: EvaluationContext) => Value {
  const interpreter = new Interpreter(checked, env);
  const root = interpreter.node(checked.ast);
  const numeric = (checked.type & NUMBER) !== 0;
  return (context) => {
    const c = typeof context === 'object' && context !== null ? context : EMPTY;
    interpreter.failingSpan = null;
    try {
      const result = root(c);
      // NaN (overflow, then Infinity - Infinity) is not a value of the language.
      return numeric && result !== result ? null : result;
    } catch (error) {
      throw fault(error, interpreter.failingSpan);
    }
  };
}
