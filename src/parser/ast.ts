/**
 * The expression AST: a discriminated union on `kind`. Every node carries the span of source text it
 * came from, so the checker and the compiled code can point back into the rule.
 * Nodes are never mutated after parsing; the checker keeps its findings in side tables.
 */
import type { Span } from './diagnostics.js';

export type Node =
  | LiteralNode
  | NameNode
  | MemberNode
  | IndexNode
  | UnaryNode
  | BinaryNode
  | LogicalNode
  | InNode
  | LikeNode
  | BetweenNode
  | ConditionalNode
  | CallNode;

export type LiteralValue = number | string | boolean | null;

export interface LiteralNode { kind: 'literal'; value: LiteralValue; span: Span }
/** A bare identifier: `value`, `entity`, `tags`. */
export interface NameNode { kind: 'name'; name: string; span: Span }
/** `object.property` */
export interface MemberNode { kind: 'member'; object: Node; property: string; propertySpan: Span; span: Span }
/** `object['key']` or `object[expression]` */
export interface IndexNode { kind: 'index'; object: Node; index: Node; span: Span }
export interface UnaryNode { kind: 'unary'; operator: '-' | '!'; operand: Node; span: Span }
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=';
export interface BinaryNode { kind: 'binary'; operator: BinaryOperator; left: Node; right: Node; operatorSpan: Span; span: Span }
export interface LogicalNode { kind: 'logical'; operator: '&&' | '||'; left: Node; right: Node; operatorSpan: Span; span: Span }
export interface InNode { kind: 'in'; negated: boolean; value: Node; list: Node[]; span: Span }
export interface LikeNode { kind: 'like'; negated: boolean; value: Node; pattern: Node; span: Span }
export interface BetweenNode { kind: 'between'; negated: boolean; value: Node; low: Node; high: Node; span: Span }
export interface ConditionalNode { kind: 'conditional'; test: Node; consequent: Node; alternate: Node; span: Span }
export interface CallNode { kind: 'call'; callee: string; calleeSpan: Span; args: Node[]; span: Span }

/** The direct children of a node, in source order. */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'literal':
    case 'name':
      return [];
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'unary':
      return [node.operand];
    case 'binary':
    case 'logical':
      return [node.left, node.right];
    case 'in':
      return [node.value, ...node.list];
    case 'like':
      return [node.value, node.pattern];
    case 'between':
      return [node.value, node.low, node.high];
    case 'conditional':
      return [node.test, node.consequent, node.alternate];
    case 'call':
      return node.args;
  }
}

/** Depth-first, parents before children. */
export function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const child of children(node)) walk(child, visit);
}

/**
 * The first node found more than `limit` levels below the root, or null. Iterative, because the
 * tree it guards against is too deep for recursion.
 */
export function nodeDeeperThan(root: Node, limit: number): Node | null {
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > limit) return item.node;
    for (const child of children(item.node)) stack.push({ node: child, depth: item.depth + 1 });
  }
  return null;
}

const PRECEDENCE: Record<string, number> = {
  conditional: 1, '||': 2, '&&': 3, '!': 4,
  '==': 5, '!=': 5, '<': 5, '<=': 5, '>': 5, '>=': 5,
  in: 6, like: 6, between: 6,
  '+': 7, '-': 7, '*': 8, '/': 8, '%': 8, neg: 9, postfix: 10,
};

function precedenceOf(node: Node): number {
  switch (node.kind) {
    case 'conditional': return PRECEDENCE.conditional!;
    case 'logical':
    case 'binary': return PRECEDENCE[node.operator]!;
    case 'unary': return node.operator === '!' ? PRECEDENCE['!']! : PRECEDENCE.neg!;
    case 'in':
    case 'like':
    case 'between': return PRECEDENCE[node.kind]!;
    default: return PRECEDENCE.postfix!;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/**
 * Prints a node back to source text with the fewest parentheses that keep its meaning, so
 * `parse(print(ast))` has the same shape as `ast` (the round-trip tests rely on it).
 */
export function print(node: Node): string {
  const wrap = (child: Node, minimum: number) => {
    const text = print(child);
    return precedenceOf(child) < minimum ? `(${text})` : text;
  };
  switch (node.kind) {
    case 'literal':
      if (node.value === null) return 'null';
      if (typeof node.value === 'string') return quoteString(node.value);
      // `1e999` parses to Infinity, which would print as a name.
      if (typeof node.value === 'number' && !Number.isFinite(node.value)) return '1e999';
      return String(node.value);
    case 'name':
      return node.name;
    case 'member':
      return `${wrap(node.object, PRECEDENCE.postfix!)}.${node.property}`;
    case 'index':
      return `${wrap(node.object, PRECEDENCE.postfix!)}[${print(node.index)}]`;
    case 'unary':
      return node.operator === '!'
        ? `!${wrap(node.operand, PRECEDENCE['!']!)}`
        : `-${wrap(node.operand, PRECEDENCE.neg!)}`;
    case 'binary':
    case 'logical': {
      const p = PRECEDENCE[node.operator]!;
      // Left-associative: the right side needs parentheses at equal precedence.
      return `${wrap(node.left, p)} ${node.operator} ${wrap(node.right, p + 1)}`;
    }
    case 'in':
      return `${wrap(node.value, PRECEDENCE.in! + 1)} ${node.negated ? 'NOT IN' : 'IN'} (${node.list.map(print).join(', ')})`;
    case 'like':
      return `${wrap(node.value, PRECEDENCE.like! + 1)} ${node.negated ? 'NOT LIKE' : 'LIKE'} ${wrap(node.pattern, PRECEDENCE.like! + 1)}`;
    case 'between':
      return `${wrap(node.value, PRECEDENCE.between! + 1)} ${node.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${wrap(node.low, PRECEDENCE.between! + 1)} AND ${wrap(node.high, PRECEDENCE.between! + 1)}`;
    case 'conditional':
      return `${wrap(node.test, PRECEDENCE.conditional! + 1)} ? ${print(node.consequent)} : ${print(node.alternate)}`;
    case 'call':
      return `${node.callee}(${node.args.map(print).join(', ')})`;
  }
}

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}
