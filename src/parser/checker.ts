/**
 * Names, types and arity, before anything runs. The checker never mutates the AST: what it learns
 * (the type of every node, what each name refers to, the range of each window function) goes into
 * side tables that the compiler reads. Every mistake is collected; a node that already produced an
 * error has the ERROR type, which silences follow-on errors about the same text.
 */
import type { CallNode, IndexNode, LikeNode, MemberNode, NameNode, Node } from './ast.js';
import { print } from './ast.js';
import * as problems from './problems.js';
import type { Problem } from './diagnostics.js';
import type { Environment, FunctionDeclaration, VariableDeclaration } from './environment.js';
import { compileLike, type LikePattern } from './like.js';
import { parseDuration } from '../model/duration.js';
import { ALL, LAST_N, SPAN } from './window.js';
import { BOOLEAN, MAP, NULL, NUMBER, STRING, nonNull, type Type } from './types.js';

/** Set on nodes whose error was reported; operators over them stay quiet. */
export const ERROR: Type = 1 << 30;

/** What a name, member or index expression reads. */
export type Reference =
  | { kind: 'variable'; variable: VariableDeclaration }
  /** One key of a map: `tags.env`, `entity.tags['the-key']`, or `tags[expr]` with a computed key. */
  | { kind: 'map-key'; map: VariableDeclaration; key: string | Node };

export interface WindowRange {
  mode: typeof ALL | typeof LAST_N | typeof SPAN;
  /** Milliseconds for SPAN, a count for LAST_N; a node when the count is computed. */
  amount: number | Node;
}

export interface CheckedExpression {
  ast: Node;
  type: Type;
  types: Map<Node, Type>;
  references: Map<Node, Reference>;
  windows: Map<CallNode, WindowRange>;
  likePatterns: Map<LikeNode, LikePattern>;
}

export interface CheckOptions {
  /** 'boolean' for rule conditions and filters: the result must be true or false. */
  expect?: 'boolean' | 'any';
}

export function checkAst(ast: Node, env: Environment, options: CheckOptions = {}): { checked: CheckedExpression; problems: Problem[] } {
  const checker = new Checker(env);
  const type = checker.visit(ast);
  if (options.expect === 'boolean' && !(type & ERROR) && nonNull(type) !== BOOLEAN && type !== NULL) {
    checker.report(problems.notBoolean(ast, type));
  }
  return {
    checked: { ast, type, types: checker.types, references: checker.references, windows: checker.windows, likePatterns: checker.likePatterns },
    problems: checker.problems,
  };
}

const rootName = (name: string) => !name.includes('.');

class Checker {
  readonly types = new Map<Node, Type>();
  readonly references = new Map<Node, Reference>();
  readonly windows = new Map<CallNode, WindowRange>();
  readonly likePatterns = new Map<LikeNode, LikePattern>();
  readonly problems: Problem[] = [];

  private readonly env: Environment;
  constructor(env: Environment) {
    this.env = env;
  }

  report(problem: Problem): Type {
    this.problems.push(problem);
    return ERROR;
  }

  visit(node: Node): Type {
    const type = this.typeOf(node);
    this.types.set(node, type);
    return type;
  }

  private typeOf(node: Node): Type {
    switch (node.kind) {
      case 'literal':
        if (node.value === null) return NULL;
        if (typeof node.value === 'number') {
          return Number.isFinite(node.value) ? NUMBER : this.report(problems.numberTooLarge(node));
        }
        return typeof node.value === 'string' ? STRING : BOOLEAN;
      case 'name':
      case 'member':
      case 'index': {
        const type = this.reference(node);
        if (type === MAP) return this.report(problems.mapAsValue(node));
        return type;
      }
      case 'unary': {
        const operand = this.visit(node.operand);
        if (operand & ERROR) return ERROR;
        if (node.operator === '-') {
          if (nonNull(operand) & ~NUMBER) return this.report(problems.operandType(node, '-', 'a number', operand, node.operand));
          return operand;
        }
        if (nonNull(operand) & ~BOOLEAN) return this.report(problems.operandType(node, 'NOT', 'true or false', operand, node.operand));
        return BOOLEAN;
      }
      case 'logical': {
        const left = this.visit(node.left);
        const right = this.visit(node.right);
        const name = node.operator;
        if (!(left & ERROR) && nonNull(left) & ~BOOLEAN) this.report(problems.operandType(node, name, 'true or false', left, node.left));
        if (!(right & ERROR) && nonNull(right) & ~BOOLEAN) this.report(problems.operandType(node, name, 'true or false', right, node.right));
        return BOOLEAN;
      }
      case 'binary':
        return this.binary(node);
      case 'in': {
        const value = this.visit(node.value);
        for (const item of node.list) {
          const itemType = this.visit(item);
          if (!(value & ERROR) && !(itemType & ERROR) && !comparable(value, itemType)) {
            this.report(problems.incomparable(item, 'IN', value, itemType));
          }
        }
        return BOOLEAN;
      }
      case 'like': {
        const value = this.visit(node.value);
        const pattern = this.visit(node.pattern);
        if (!(value & ERROR) && nonNull(value) & ~STRING) this.report(problems.operandType(node.value, 'LIKE', 'text', value, node.value));
        if (!(pattern & ERROR) && nonNull(pattern) & ~STRING) this.report(problems.operandType(node.pattern, 'LIKE', 'a text pattern', pattern, node.pattern));
        if (node.pattern.kind === 'literal' && typeof node.pattern.value === 'string') {
          this.likePatterns.set(node, compileLike(node.pattern.value));
        }
        return BOOLEAN;
      }
      case 'between': {
        const types = [this.visit(node.value), this.visit(node.low), this.visit(node.high)];
        if (types.some((t) => t & ERROR)) return BOOLEAN;
        const kinds = types.map(nonNull).filter((t) => t !== 0);
        const ordered = kinds.every((t) => t === NUMBER) || kinds.every((t) => t === STRING);
        if (!ordered) this.report(problems.betweenTypes(node, types as [Type, Type, Type]));
        return BOOLEAN;
      }
      case 'conditional': {
        const test = this.visit(node.test);
        const consequent = this.visit(node.consequent);
        const alternate = this.visit(node.alternate);
        if (!(test & ERROR) && nonNull(test) & ~BOOLEAN) this.report(problems.operandType(node.test, '?:', 'true or false', test, node.test));
        if ((consequent | alternate) & ERROR) return ERROR;
        const a = nonNull(consequent);
        const b = nonNull(alternate);
        if (a !== 0 && b !== 0 && a !== b) return this.report(problems.branchTypes(node, consequent, alternate));
        return consequent | alternate;
      }
      case 'call':
        return this.call(node);
    }
  }

  private binary(node: Node & { kind: 'binary' }): Type {
    const left = this.visit(node.left);
    const right = this.visit(node.right);
    const op = node.operator;
    const isComparison = op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
    if ((left | right) & ERROR) return isComparison ? BOOLEAN : ERROR;
    if (op === '==' || op === '!=') {
      if (!comparable(left, right)) return this.report(problems.incomparable(node, op, left, right));
      return BOOLEAN;
    }
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const a = nonNull(left);
      const b = nonNull(right);
      if ((a !== 0 && a !== NUMBER && a !== STRING) || (b !== 0 && b !== NUMBER && b !== STRING) || (a !== 0 && b !== 0 && a !== b)) {
        return this.report(problems.incomparable(node, op, left, right));
      }
      return BOOLEAN;
    }
    // Arithmetic; `+` also joins two strings.
    const a = nonNull(left);
    const b = nonNull(right);
    const allowed = op === '+' ? [NUMBER, STRING] : [NUMBER];
    const operandOk = (t: Type) => t === 0 || allowed.includes(t);
    if (!operandOk(a)) return this.report(problems.operandType(node.left, op, op === '+' ? 'numbers or texts' : 'numbers', left, node.left));
    if (!operandOk(b)) return this.report(problems.operandType(node.right, op, op === '+' ? 'numbers or texts' : 'numbers', right, node.right));
    if (a !== 0 && b !== 0 && a !== b) return this.report(problems.incomparable(node, op, left, right));
    const base = a || b || NUMBER;
    const nullable = (left | right) & NULL || op === '/' || op === '%' ? NULL : 0;
    return base | nullable;
  }

  /** Resolves a name/member/index chain to a variable or map key; returns the type it reads. */
  private reference(node: NameNode | MemberNode | IndexNode): Type {
    if (node.kind === 'name') {
      const variable = this.env.variable(node.name);
      if (!variable) {
        if (this.env.function(node.name)) return this.report(problems.functionWithoutCall(node));
        const known = this.env.variableNames().filter(rootName);
        return this.report(problems.unknownName(node, known));
      }
      this.references.set(node, { kind: 'variable', variable });
      return variable.type;
    }
    if (node.object.kind !== 'name' && node.object.kind !== 'member' && node.object.kind !== 'index') {
      this.visit(node.object);
      return this.report(problems.fieldOfNonName(node));
    }
    const objectType = this.reference(node.object);
    this.types.set(node.object, objectType);
    if (objectType & ERROR) return ERROR;
    const object = this.references.get(node.object)!;
    if (node.kind === 'index') {
      const keyType = this.visit(node.index);
      if (keyType & ERROR) return ERROR;
      if (object.kind !== 'variable' || object.variable.type !== MAP) return this.report(problems.indexOfNonMap(node, print(node.object)));
      if (nonNull(keyType) & ~STRING) return this.report(problems.operandType(node.index, '[…]', 'a text key', keyType, node.index));
      const key = node.index.kind === 'literal' && typeof node.index.value === 'string' ? node.index.value : node.index;
      this.references.set(node, { kind: 'map-key', map: object.variable, key });
      return STRING | NULL;
    }
    if (object.kind === 'variable' && object.variable.type === MAP) {
      this.references.set(node, { kind: 'map-key', map: object.variable, key: node.property });
      return STRING | NULL;
    }
    if (object.kind === 'variable') {
      const variable = this.env.variable(`${object.variable.name}.${node.property}`);
      if (variable) {
        this.references.set(node, { kind: 'variable', variable });
        return variable.type;
      }
      const fields = this.env.fieldsOf(object.variable.name);
      if (fields.length > 0) return this.report(problems.unknownField(node, object.variable.name, fields));
    }
    return this.report(problems.noFields(node, print(node.object), this.types.get(node.object) ?? 0));
  }

  private call(node: CallNode): Type {
    const fn = this.env.function(node.callee);
    const argTypes = node.args.map((arg) => this.visit(arg));
    if (!fn) {
      if (this.env.variable(node.callee)) return this.report(problems.callOfVariable(node));
      return this.report(problems.unknownFunction(node, this.env.functionNames()));
    }
    const overload = fn.overloads.find((o) => {
      const max = o.variadic ? Infinity : o.params.length;
      const min = o.params.length - (o.optional ?? 0);
      return node.args.length >= min && node.args.length <= max;
    });
    if (!overload) return this.report(problems.wrongArity(node, fn));
    let failed = false;
    node.args.forEach((arg, i) => {
      const argType = argTypes[i]!;
      if (argType & ERROR) {
        failed = true;
        return;
      }
      const param = overload.params[Math.min(i, overload.params.length - 1)]!;
      if (nonNull(argType) & ~param) {
        this.report(problems.argumentType(arg, fn, i, param, argType));
        failed = true;
      }
    });
    if (failed) return ERROR;
    if (fn.kind === 'window') return this.windowCall(node, fn, overload.result);
    if (fn.name === 'coalesce') {
      const kinds = new Set(argTypes.map(nonNull).filter((t) => t !== 0));
      if (kinds.size > 1) return this.report(problems.coalesceTypes(node, argTypes));
      const base = [...kinds][0] ?? 0;
      const anyNonNull = argTypes.some((t) => !(t & NULL));
      return base | (anyNonNull ? 0 : NULL);
    }
    return overload.result;
  }

  private windowCall(node: CallNode, fn: FunctionDeclaration, result: Type): Type {
    let args = node.args;
    if (fn.name === 'percentile') {
      const p = args[0]!;
      const value = constantNumber(p);
      if (typeof value === 'number' && !(value >= 0 && value <= 100)) return this.report(problems.percentileOutOfRange(p));
      args = args.slice(1);
    }
    const rangeArg = args[0];
    if (!rangeArg) {
      this.windows.set(node, { mode: ALL, amount: 0 });
      return result;
    }
    const rangeType = this.types.get(rangeArg)!;
    if (nonNull(rangeType) === STRING) {
      if (rangeArg.kind !== 'literal' || typeof rangeArg.value !== 'string') return this.report(problems.spanNotLiteral(rangeArg, fn.name));
      const ms = parseDuration(rangeArg.value);
      if (ms === null || ms <= 0) return this.report(problems.invalidDuration(rangeArg, rangeArg.value, ms !== null));
      this.windows.set(node, { mode: SPAN, amount: ms });
      return result;
    }
    const n = constantNumber(rangeArg);
    if (n !== undefined) {
      if (n === null || !Number.isInteger(n) || n < 1) return this.report(problems.invalidCount(rangeArg, fn.name));
      this.windows.set(node, { mode: LAST_N, amount: n });
      return result;
    }
    this.windows.set(node, { mode: LAST_N, amount: rangeArg });
    return result;
  }
}

/**
 * The value of a number written in the text, `-5` included (a minus applied to a literal), or of
 * a `null` literal; undefined when the argument is computed. Lets `avg(-1)` be rejected when
 * checking instead of silently reading nothing.
 */
function constantNumber(node: Node): number | null | undefined {
  if (node.kind === 'literal') return typeof node.value === 'number' || node.value === null ? node.value : undefined;
  if (node.kind === 'unary' && node.operator === '-') {
    const operand = constantNumber(node.operand);
    return typeof operand === 'number' ? -operand : undefined;
  }
  return undefined;
}

function comparable(a: Type, b: Type): boolean {
  const x = nonNull(a);
  const y = nonNull(b);
  return x === 0 || y === 0 || (x & y) !== 0;
}
