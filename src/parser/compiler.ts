/**
 * Checked AST → a JavaScript function. Code is generated from the AST only (every string that
 * reaches the generated source is a JSON-quoted literal or a name the generator made), then turned
 * into a function once with `new Function`. Generated code beat a closure tree by 1.9–8.6× on
 * evaluation when that was decided (docs/decisions.md; the decisions below widened the gap), and
 * evaluation is the hot path of the engine.
 *
 * The generator is a few decisions, each made once per node:
 *
 * 1. Reads are lazy and cached. A field is read where it is first needed and kept in a local for
 *    the rest of the evaluation, so `value > 80 && tags.env == 'prod'` never touches the tags of
 *    a sample below 80, and a field used twice is read once (`Reads` below).
 * 2. Null checks are hoisted out of arithmetic. Where the null rules allow it (an arithmetic chain
 *    feeding a comparison, a function that is null exactly when its argument is), a number is
 *    compiled as "guards, then plain arithmetic": `typeof v0 === 'number' && … && Math.abs(v0 -
 *    50) * 2 > 90`. No intermediate `number | null` is boxed and checked again (`Strict` below).
 * 3. A field compared with a literal skips its type guard when that cannot change the answer:
 *    `severity == 'critical'` compares the raw field, as no non-text equals a text (`rawComparable`).
 * 4. The generated function maps its own faults (try/catch inside, with the span of the failing
 *    window call), so `compile` hands it out as `evaluate` without a shared wrapper, whose call
 *    site would go megamorphic once an engine holds many rules.
 *
 * Semantics are those of docs/expressions.md; test/parser/differential.test.ts checks the
 * generated code against a plain interpreter of those rules on random expressions and contexts.
 * Only the order of work differs: what sits behind a short-circuit (the right side of a decided
 * `&&`, the branch of `?:` not taken) is not read or called at all, so a failing getter or window
 * implementation there goes unnoticed.
 */
import type { CallNode, LiteralValue, Node } from './ast.js';
import type { CheckedExpression, Reference } from './checker.js';
import type { Span } from './diagnostics.js';
import type { Environment, VariableDeclaration } from './environment.js';
import { EMPTY, inherited, runtime, textOfNumberOrBoolean, WINDOW_FUNCTIONS, type EvaluationContext, type Value } from './runtime.js';
import { BOOLEAN, NULL, NUMBER, STRING, type Type } from './types.js';

export type { EvaluationContext, Value } from './runtime.js';

/** Turns an exception thrown during evaluation into the error `evaluate` throws; `span` is the failing call's, when known. */
export type FaultMapper = (error: unknown, span: Span | null) => Error;


const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
/** What `typeof` says of a value of a scalar type. */
const TYPEOF: Record<Type, string> = { [NUMBER]: 'number', [STRING]: 'string', [BOOLEAN]: 'boolean' };

/** Functions that are null exactly when their argument is null: inlined as `Math.f` behind the argument's guards. */
const MATH_INLINE: Record<string, string> = { abs: 'Math.abs', floor: 'Math.floor', ceil: 'Math.ceil' };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** A local, or a literal the generator wrote: repeating it costs nothing and runs nothing. */
const SIMPLE = /^(?:[A-Za-z_$][A-Za-z0-9_$]*|[0-9][0-9.e+-]*|"(?:[^"\\]|\\.)*")$/;

/**
 * Whether a context that is not an object could still give something for this top-level key:
 * `'abc'.length`, `(5).toFixed`, a function's `name`. Only then does the generated code test the
 * context up front (see `assemble`).
 */
function readableOnNonObject(key: string): boolean {
  return /^\d+$/.test(key) || key === 'prototype' || [String, Number, Boolean, Symbol, BigInt, Function].some((type) => key in type.prototype);
}


/**
 * Code in two parts: `effects` run first, in order, every time (reads into locals, calls into
 * temporaries), then `code` gives the value. What reads and `strict` hand out has pure code (a
 * local, a literal, arithmetic on them): it may be repeated or skipped freely.
 */
interface Fragment {
  effects: string[];
  code: string;
}

/**
 * A number or text in "guarded" form: after the effects, the value is null exactly when one of
 * the `guards` (pure tests, run left to right) is false; when they all hold, `code` is the value
 * and is never null. `value + 1 > 2` becomes `effects, guards && code + 1 > 2` with no boxing.
 */
interface Strict extends Fragment {
  guards: string[];
}

/** `(e1, e2, code)`: the effects, then the code's value. */
function sequence({ effects, code }: Fragment): string {
  return effects.length === 0 ? code : `(${effects.join(', ')}, ${code})`;
}

/** The same for code of any precedence (`a && b`): always parenthesised. */
function group(effects: readonly string[], code: string): string {
  return `(${[...effects, code].join(', ')})`;
}

/** The language value of a strict form: `guards ? code : null`. */
function nullable(strict: Strict): string {
  // `x !== null ? x : null` is x.
  if (strict.guards.length === 0 || (strict.guards.length === 1 && strict.guards[0] === `${strict.code} !== null`)) return sequence(strict);
  return group(strict.effects, `${strict.guards.join(' && ')} ? ${strict.code} : null`);
}

/** The guards of all operands, in order; a test already made (the same local twice) is not repeated. */
function allGuards(...operands: Strict[]): string[] {
  const guards: string[] = [];
  for (const operand of operands) for (const guard of operand.guards) if (!guards.includes(guard)) guards.push(guard);
  return guards;
}

function literalCode(value: LiteralValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export interface GeneratedProgram {
  source: string;
  evaluate: (context: EvaluationContext) => Value;
}

export function generate(checked: CheckedExpression, env: Environment, fault: FaultMapper): GeneratedProgram {
  const generator = new Generator(checked, env);
  const body = generator.value(checked.ast);
  const source = generator.assemble(body);
  // The factory receives the runtime and the constants; nothing from the user's text is executed.
  const factory = new Function('R', 'K', 'hasOwn', 'EMPTY', 'fault', source) as (
    r: typeof runtime, k: unknown[], h: typeof Object.hasOwn, e: object, f: (e: unknown, s: number) => Error,
  ) => (c: EvaluationContext) => Value;
  const spans = generator.spans;
  const placed = (error: unknown, index: number) => fault(error, spans[index] ?? null);
  return { source, evaluate: factory(runtime, generator.constants, Object.hasOwn, EMPTY, placed) };
}

class Generator {
  readonly spans: Span[] = [];
  readonly constants: unknown[] = [];
  /** Cache key of a read → its local (`v3`). A key in here may have been read on some path. */
  private readonly locals = new Map<string, string>();
  /** Cache keys certainly read by the time the code being generated runs, and the order they became so. */
  private readonly definite = new Set<string>();
  private readonly trail: string[] = [];
  private readonly runtimeNames = new Set<string>();
  private readonly declared: string[] = [];
  /** Whether some top-level key could be read from a non-object context (`readableOnNonObject`). */
  private testContextFirst = false;

  private readonly checked: CheckedExpression;
  private readonly env: Environment;
  constructor(checked: CheckedExpression, env: Environment) {
    this.checked = checked;
    this.env = env;
  }

  /**
   * The factory body. The function is returned in parentheses, which makes V8 compile it with the
   * factory instead of pre-parsing it now and parsing it again on the first call.
   *
   * A context that is not an object reads as the empty one. Testing that up front costs as much
   * as the rest of a short condition, so it is done only when a key could be read from a string
   * or number (`testContextFirst`). Otherwise a null or undefined context throws at the first
   * read and is answered in the catch (nothing else can throw there, as nothing was read), and
   * any other non-object reads undefined everywhere, as the empty context does.
   */
  assemble(body: string): string {
    const imports = [...this.runtimeNames].map((name) => `const R_${name} = R.${name};`);
    const constants = this.constants.map((_, i) => `const K${i} = K[${i}];`);
    const usesSpans = this.spans.length > 0;
    const locals = usesSpans ? [...this.declared, 's = -1'] : this.declared;
    return [
      "'use strict';",
      ...imports,
      ...constants,
      'return (function evaluate(c) {',
      ...(this.testContextFirst ? ["if (typeof c !== 'object' || c === null) c = EMPTY;"] : []),
      ...(locals.length > 0 ? [`let ${locals.join(', ')};`] : []),
      // Arithmetic can overflow to ±Infinity and then make NaN (Infinity - Infinity); NaN is not a
      // value of the language, so a numeric result that is NaN comes out as null.
      (this.checked.type & NUMBER) !== 0
        ? `try { const r = ${body}; return r === r ? r : null; } catch (e) { if (c == null) return evaluate(EMPTY); throw fault(e, ${usesSpans ? 's' : '-1'}); }`
        : `try { return ${body}; } catch (e) { if (c == null) return evaluate(EMPTY); throw fault(e, ${usesSpans ? 's' : '-1'}); }`,
      '});',
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

  /** A fresh local for one intermediate result. */
  private temp(): string {
    const name = `t${this.declared.length}`;
    this.declared.push(name);
    return name;
  }

  private typeOf(node: Node): Type {
    return this.checked.types.get(node)!;
  }

  private nullable(node: Node): boolean {
    return (this.typeOf(node) & NULL) !== 0;
  }

  /**
   * Generates code that runs only on some evaluations (the right side of `&&`, a branch of `?:`):
   * reads made there are not certain afterwards.
   */
  private conditionally<T>(generate: () => T): T {
    const mark = this.trail.length;
    const result = generate();
    while (this.trail.length > mark) this.definite.delete(this.trail.pop()!);
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Reads. Code is generated in evaluation order, so "certain" is known while generating: a
  // read is certain after its first unconditional use, and only `conditionally` forgets.

  /**
   * A value cached in a local for the whole evaluation. The first use assigns it; a use that is
   * certain to run after one reads the local; a use that may run without one (the earlier read
   * sat in a branch) assigns it unless it is already set.
   */
  private cached(key: string, init: () => Fragment): Fragment {
    const existing = this.locals.get(key);
    if (existing && this.definite.has(key)) return { effects: [], code: existing };
    const local = existing ?? `v${this.declared.length}`;
    if (!existing) {
      this.declared.push(local);
      this.locals.set(key, local);
    }
    const read = init();
    const assign = `${local} = ${read.code}`;
    const effect = existing
      ? `${local} !== undefined || (${[...read.effects, assign].join(', ')})`
      : [...read.effects, assign].join(', ');
    this.definite.add(key);
    this.trail.push(key);
    return { effects: [effect], code: local };
  }

  private property(object: string, key: string): string {
    if (inherited(key)) return `(hasOwn(${object}, ${JSON.stringify(key)}) ? ${object}[${JSON.stringify(key)}] : undefined)`;
    return IDENTIFIER.test(key) ? `${object}.${key}` : `${object}[${JSON.stringify(key)}]`;
  }

  /** The raw value at a context path: undefined when any step is missing or not an object. */
  private rawAt(path: readonly string[]): Fragment {
    if (path.length === 0) return { effects: [], code: 'c' };
    return this.cached(`path:${path.join('\u0000')}`, () => {
      const parent = this.rawAt(path.slice(0, -1));
      const key = path[path.length - 1]!;
      if (parent.code === 'c' && readableOnNonObject(key)) this.testContextFirst = true;
      const read = this.property(parent.code, key);
      // `p &&` leaves out null (the only object that is falsy) and costs less source than `p !== null`.
      const code = parent.code === 'c' ? read : `(${parent.code} && typeof ${parent.code} === 'object' ? ${read} : undefined)`;
      return { effects: parent.effects, code };
    });
  }

  /** A variable whose raw value needs more than a type test: a name or `{name}`, a time as number or text. */
  private converted(variable: VariableDeclaration): Fragment {
    return this.cached(`variable:${variable.name}`, () => {
      const { effects, code: raw } = this.rawAt(variable.path);
      if (variable.nameOfObject) {
        return { effects, code: `(typeof ${raw} === 'string' ? ${raw} : typeof ${raw} === 'object' && ${raw} !== null && typeof ${raw}.name === 'string' ? ${raw}.name : null)` };
      }
      return { effects, code: `(typeof ${raw} === 'number' ? ${raw} : typeof ${raw} === 'string' ? ${this.fn('parseTime')}(${raw}) : null)` };
    });
  }

  /** A tag (`tags.env`, `entity.tags['x']`) as text. */
  private tag(path: readonly string[]): Fragment {
    return this.cached(`tag:${path.join('\u0000')}`, () => {
      const { effects, code: raw } = this.rawAt(path);
      return { effects, code: `(typeof ${raw} === 'string' ? ${raw} : ${this.fn('tagText')}(${raw}))` };
    });
  }

  /**
   * A read in guarded form: the raw value behind type tests where that is all the check is. The
   * check turns NaN into null, except for an ordering (see `strict`).
   */
  private readStrict(reference: Reference, ordering = false): Strict {
    if (reference.kind === 'map-key') {
      if (typeof reference.key !== 'string') return this.leaf(this.mapGet(reference.map, reference.key), true);
      const text = this.tag([...reference.map.path, reference.key]);
      return { ...text, guards: [`${text.code} !== null`] };
    }
    const variable = reference.variable;
    if (variable.nameOfObject || variable.timestamp) {
      const value = this.converted(variable);
      return { ...value, guards: [`${value.code} !== null`] };
    }
    const raw = this.rawAt(variable.path);
    const r = raw.code;
    switch (variable.type & ~NULL) {
      case NUMBER: return { ...raw, guards: ordering ? [`typeof ${r} === 'number'`] : [`typeof ${r} === 'number'`, `${r} === ${r}`] };
      case STRING: return { ...raw, guards: [`typeof ${r} === 'string'`] };
      case BOOLEAN: return { ...raw, guards: [`typeof ${r} === 'boolean'`] };
      default: return this.leaf(group(raw.effects, `${r} === undefined ? null : ${r}`), true);
    }
  }

  private mapGet(map: VariableDeclaration, key: Node): string {
    const object = this.rawAt(map.path);
    return group(object.effects, `${this.fn('mapGet')}(${object.code}, ${this.value(key)})`);
  }

  /**
   * Whether `===` against these literals may test the raw field instead of its checked value.
   * The check turns every other kind into null, and no other kind (nor null) equals a non-null
   * literal of the field's kind, so both answer alike. A null literal is of no kind (`x == null`
   * keeps the check: a missing field is null, not undefined). Not for tags, whose check also
   * turns numbers and booleans into text, unless no literal could be such a text; not for names
   * and times, whose check converts.
   */
  private rawComparable(reference: Reference, literals: readonly LiteralValue[]): boolean {
    if (reference.kind === 'map-key') {
      return typeof reference.key === 'string' && literals.every((l) => typeof l === 'string' && !textOfNumberOrBoolean(l));
    }
    const { variable } = reference;
    if (variable.nameOfObject || variable.timestamp) return false;
    const kind = TYPEOF[variable.type & ~NULL];
    return kind !== undefined && literals.every((literal) => typeof literal === kind);
  }

  /** The raw field behind a reference node, when it may be compared with these literals directly. */
  private rawFor(node: Node, literals: readonly LiteralValue[]): Fragment | null {
    const reference = this.checked.references.get(node);
    if (!reference || !this.rawComparable(reference, literals)) return null;
    const path = reference.kind === 'variable' ? reference.variable.path : [...reference.map.path, reference.key as string];
    return this.rawAt(path);
  }

  // -------------------------------------------------------------------------------------------
  // Values.

  /** JavaScript `true` exactly when the operand is true (null and false are both false). */
  private truth(node: Node): string {
    const raw = this.rawFor(node, [true]);
    if (raw) return group(raw.effects, `${raw.code} === true`);
    const code = this.value(node);
    return this.typeOf(node) === BOOLEAN ? code : `(${code} === true)`;
  }

  /** Code that evaluates to the node's value in the language (never undefined). */
  value(node: Node): string {
    switch (node.kind) {
      case 'literal':
        return literalCode(node.value);
      case 'name':
      case 'member':
      case 'index': {
        const reference = this.checked.references.get(node)!;
        if (reference.kind === 'map-key' && typeof reference.key !== 'string') return this.mapGet(reference.map, reference.key);
        return nullable(this.readStrict(reference));
      }
      case 'unary':
        return node.operator === '!' ? `!${this.truth(node.operand)}` : nullable(this.strict(node));
      case 'logical': {
        const left = this.truth(node.left);
        const right = this.conditionally(() => this.truth(node.right));
        return `(${left} ${node.operator === '&&' ? '&&' : '||'} ${right})`;
      }
      case 'binary':
        if (node.operator === '==' || node.operator === '!=') return this.equality(node);
        if (node.operator === '<' || node.operator === '<=' || node.operator === '>' || node.operator === '>=') return this.ordering(node);
        return nullable(this.strict(node));
      case 'in':
        return this.membership(node);
      case 'like':
        return this.like(node);
      case 'between':
        return this.between(node);
      case 'conditional': {
        const test = this.truth(node.test);
        const consequent = this.conditionally(() => this.value(node.consequent));
        const alternate = this.conditionally(() => this.value(node.alternate));
        return `(${test} ? ${consequent} : ${alternate})`;
      }
      case 'call':
        return MATH_INLINE[node.callee] ? nullable(this.strict(node)) : this.call(node);
    }
  }

  /**
   * A number or text node in guarded form; anything without a cheaper form is computed into a
   * temporary. For an `ordering` (the value only feeds `<`, `>=`, BETWEEN …), a NaN read need
   * not become null: arithmetic keeps it NaN and NaN compares false, exactly as null does.
   */
  private strict(node: Node, ordering = false): Strict {
    switch (node.kind) {
      case 'literal':
        return node.value === null ? { effects: [], guards: ['false'], code: 'null' } : { effects: [], guards: [], code: literalCode(node.value) };
      case 'name':
      case 'member':
      case 'index':
        return this.readStrict(this.checked.references.get(node)!, ordering);
      case 'unary': {
        if (node.operator === '!') break;
        const operand = this.strict(node.operand, ordering);
        return { ...operand, code: `(-${operand.code})` };
      }
      case 'binary':
        if (ARITHMETIC.has(node.operator)) return this.arithmetic(node, ordering);
        break;
      case 'call': {
        const math = MATH_INLINE[node.callee];
        if (!math) break;
        const operand = this.strict(node.args[0]!, ordering);
        return { ...operand, code: `${math}(${operand.code})` };
      }
    }
    return this.leaf(this.value(node), this.nullable(node));
  }

  /** Any value as a strict form: computed once into a temporary, null-tested when it can be null. */
  private leaf(code: string, canBeNull: boolean): Strict {
    if (!canBeNull && SIMPLE.test(code)) return { effects: [], guards: [], code };
    const t = this.temp();
    return { effects: [`${t} = ${code}`], guards: canBeNull ? [`${t} !== null`] : [], code: t };
  }

  /**
   * `a op b`: null when either side is null (the guards of both), and for `/` and `%` also when
   * the divisor is 0: a literal divisor is decided now, any other is tested once.
   */
  private arithmetic(node: Node & { kind: 'binary' }, ordering: boolean): Strict {
    const left = this.strict(node.left, ordering);
    const right = this.strict(node.right, ordering);
    const guards = allGuards(left, right);
    let divisor = right.code;
    if (node.operator === '/' || node.operator === '%') {
      const literal = node.right.kind === 'literal' ? node.right.value : undefined;
      if (literal === 0) guards.push('false');
      else if (typeof literal !== 'number') {
        if (SIMPLE.test(divisor)) guards.push(`${divisor} !== 0`);
        else {
          const t = this.temp();
          guards.push(`(${t} = ${divisor}) !== 0`);
          divisor = t;
        }
      }
    }
    return { effects: [...left.effects, ...right.effects], guards, code: `(${left.code} ${node.operator} ${divisor})` };
  }

  /** `< <= > >=`: false when either side is null, so both sides stay in guarded form. */
  private ordering(node: Node & { kind: 'binary' }): string {
    const left = this.strict(node.left, true);
    const right = this.strict(node.right, true);
    const test = [...allGuards(left, right), `${left.code} ${node.operator} ${right.code}`];
    return group([...left.effects, ...right.effects], test.join(' && '));
  }

  /** `== !=`: the values compared with `===` (null == null); a field against a literal compares the raw field. */
  private equality(node: Node & { kind: 'binary' }): string {
    const op = node.operator === '==' ? '===' : '!==';
    for (const [field, other] of [[node.left, node.right], [node.right, node.left]] as const) {
      if (other.kind !== 'literal') continue;
      const raw = this.rawFor(field, [other.value]);
      if (raw) return group(raw.effects, `${raw.code} ${op} ${literalCode(other.value)}`);
    }
    const left = this.value(node.left);
    return `(${left} ${op} ${this.value(node.right)})`;
  }

  private membership(node: Node & { kind: 'in' }): string {
    const literals = node.list.every((item) => item.kind === 'literal') ? node.list.map((item) => (item as { value: LiteralValue }).value) : null;
    const raw = literals && this.rawFor(node.value, literals);
    const value = raw ?? this.leaf(this.value(node.value), false);
    let test: string;
    if (literals && literals.length > 8) {
      test = `${this.constant(new Set(literals))}.has(${value.code})`;
    } else {
      // Items after the first are compared only when the earlier ones did not match.
      const [first, ...rest] = node.list.map((item, i) => {
        const compare = () => `${value.code} === ${this.value(item)}`;
        return i === 0 ? compare() : this.conditionally(compare);
      });
      test = [first, ...rest].join(' || ');
    }
    const code = group(value.effects, test);
    return node.negated ? `!${code}` : code;
  }

  private like(node: Node & { kind: 'like' }): string {
    const compiled = this.checked.likePatterns.get(node);
    let test: string;
    if (compiled) {
      const value = this.leaf(this.value(node.value), false);
      test = group(value.effects, `${value.code} !== null && ${this.constant(compiled)}.test(${value.code})`);
    } else {
      const value = this.value(node.value);
      test = `${this.fn('like')}(${value}, ${this.value(node.pattern)})`;
    }
    return node.negated ? `!${test}` : test;
  }

  /** `x BETWEEN low AND high`: false when any of them is null; x is computed once. */
  private between(node: Node & { kind: 'between' }): string {
    const value = this.strict(node.value, true);
    const low = this.strict(node.low, true);
    const high = this.strict(node.high, true);
    let first = value.code;
    let again = value.code;
    if (!SIMPLE.test(value.code)) {
      again = this.temp();
      first = `(${again} = ${value.code})`;
    }
    const test = [...allGuards(value, low, high), `${first} >= ${low.code}`, `${again} <= ${high.code}`];
    const code = group([...value.effects, ...low.effects, ...high.effects], test.join(' && '));
    return node.negated ? `!${code}` : code;
  }

  private call(node: CallNode): string {
    const windowName = WINDOW_FUNCTIONS[node.callee as keyof typeof WINDOW_FUNCTIONS];
    const fn = this.env.function(node.callee)!;
    if (fn.kind === 'window' && windowName) return this.windowCall(node, windowName);
    if (node.callee === 'coalesce') {
      // Generated values are never undefined, so `??` is exactly "first non-null", short-circuits,
      // and stays a flat chain: nested `?:` per argument overflowed V8's parser at a few thousand.
      const [first, ...rest] = node.args.map((arg, i) => (i === 0 ? this.value(arg) : this.conditionally(() => this.value(arg))));
      return rest.length === 0 ? first! : `(${[first, ...rest].join(' ?? ')})`;
    }
    const args = node.args.map((arg) => this.value(arg));
    if (node.callee === 'hour' || node.callee === 'dayOfWeek') {
      if (args.length === 0) {
        // The sample time, else the clock.
        const variable = (name: string) => nullable(this.readStrict({ kind: 'variable', variable: this.env.variable(name)! }));
        const time = variable('time');
        args.push(`${time} ?? ${this.conditionally(() => variable('now'))}`);
      }
      args.push(JSON.stringify(this.env.timezone));
    }
    return `${this.fn(node.callee)}(${args.join(', ')})`;
  }

  /**
   * `(args…, s = i, t = wAvg(window, mode, amount), s = -1, t)`: `s` tells the fault handler which
   * call failed, so it is set after the arguments (which may hold window calls of their own) and
   * cleared after the call (a later read may fail too, and that is not this call's fault).
   */
  private windowCall(node: CallNode, runtimeName: string): string {
    const range = this.checked.windows.get(node)!;
    const pure = (code: string): Fragment => ({ effects: [], code });
    // Arguments are generated in the order they run: the window, the percentile, the range.
    const args = [this.rawAt(['window'])];
    if (node.callee === 'percentile') args.push(this.leaf(this.value(node.args[0]!), false));
    args.push(pure(String(range.mode)));
    args.push(typeof range.amount === 'number' ? pure(String(range.amount)) : this.leaf(`(${this.value(range.amount)} ?? 0)`, false));
    this.spans.push(node.span);
    const result = this.temp();
    const call = `${result} = ${this.fn(runtimeName)}(${args.map((arg) => arg.code).join(', ')})`;
    return sequence({ effects: [...args.flatMap((arg) => arg.effects), `s = ${this.spans.length - 1}`, call, 's = -1'], code: result });
  }
}
