/**
 * Leaves that are only text, plain mustaches (`{{upper status}}`, `{{default value "none"}}`,
 * `{{external_url}}`, `#tokens`) and {{#if}}/{{#unless}} blocks, evaluated without the Handlebars
 * runtime. Every preset leaf is like that, and for them Handlebars' fixed cost per call (~1 µs:
 * helpers wrapped, an access policy built) was most of the work. A leaf with anything else —
 * each/with, dotted paths, `this`, `@root`, other helpers — gets null here and runs through
 * Handlebars as before.
 *
 * The result is Handlebars' own, piece for piece, as its generated code computes it (see
 * `precompile` output): every piece is `value != null ? value : ""`, the pieces of a program are
 * joined with JavaScript's `+` starting from the first one (so `{{round a}}{{round b}}` adds two
 * numbers, as Handlebars does), a block's value is its branch's program's, and only the leaf's
 * result is made text with `'' +`. Names are read as its lookupProperty reads a plain object:
 * own properties only, anything else undefined. A mustache that is a name goes through its
 * `lambda` (a function value is called). tocsin's helpers read only their arguments and
 * `options.hash` (helpers.ts `helper`), so they are called with just those.
 * test/templates/handlebars-direct.test.ts compares both on generated leaves and values.
 */

import { HELPERS } from './helpers.js';

type HelperFn = (...args: unknown[]) => unknown;
type Context = Record<string, unknown>;
type Data = Record<string, string>;
type Evaluate = (context: Context, data: Data) => unknown;

export type DirectRender = (context: Context, data: Data) => string;

/**
 * tocsin's own helpers, called directly. Any other helper name (if, each, lookup, …) is still a
 * helper call to Handlebars, so a leaf naming one is left to Handlebars.
 */
const CALLABLE = new Map<string, HelperFn>();
for (const spec of HELPERS.values()) if (spec.fn !== undefined) CALLABLE.set(spec.name, spec.fn);

/** The `{{@__tN}}` references compileLeaf puts in place of #tokens, and `{{@__lb}}`/`{{@__rb}}` (braces by them). */
const TOKEN_DATA = /^__(t\d+|lb|rb)$/;

const ownValue = (obj: Context | Data, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

/** Handlebars' `container.lambda`. */
const lambda = (value: unknown, context: Context): unknown => (typeof value === 'function' ? (value as (this: Context) => unknown).call(context) : value);

/** JavaScript's `+` on any two values, as in Handlebars' generated code (numbers add, the rest concatenates). */
const plus = (a: unknown, b: unknown): unknown => (a as string) + (b as string);

/**
 * A direct render for a leaf (the AST of the source compileLeaf compiles), or null when the leaf
 * uses anything beyond text, comments, plain mustaches and {{#if}}/{{#unless}} blocks.
 */
export function directRender(ast: hbs.AST.Program): DirectRender | null {
  const evaluate = program(ast);
  return evaluate === null ? null : (context, data) => '' + (evaluate(context, data) as string);
}

/** A program's value as its generated function returns it: its pieces joined with `+` ("" when none). */
function program(node: hbs.AST.Program | undefined): Evaluate | null {
  if (node === undefined) return () => ''; // an absent branch is Handlebars' noop
  if (node.blockParams !== undefined && node.blockParams.length > 0) return null;
  const pieces: Evaluate[] = [];
  for (const statement of node.body) {
    if (statement.type === 'CommentStatement') continue;
    if (statement.type === 'ContentStatement') {
      // Handlebars emits nothing for empty text (whitespace control can empty it), so it is no piece.
      const text = (statement as hbs.AST.ContentStatement).value;
      if (text !== '') pieces.push(() => text);
      continue;
    }
    const evaluate =
      statement.type === 'MustacheStatement' ? mustache(statement as hbs.AST.MustacheStatement)
      : statement.type === 'BlockStatement' ? block(statement as hbs.AST.BlockStatement)
      : null;
    if (evaluate === null) return null;
    pieces.push((context, data) => {
      const value = evaluate(context, data);
      return value != null ? value : '';
    });
  }
  if (pieces.length === 0) return () => '';
  const [first, ...rest] = pieces as [Evaluate, ...Evaluate[]];
  if (rest.length === 0) return first;
  return (context, data) => {
    let out = first(context, data);
    for (const piece of rest) out = plus(out, piece(context, data));
    return out;
  };
}

/**
 * `{{#if x}}…{{else}}…{{/if}}` and `{{#unless x}}`, as Handlebars' built-in helpers: a function
 * is called first; false, empty text, 0, null, undefined, NaN and an empty list choose the other
 * branch; the body runs in the same context. Any other block, or one with options, is left to
 * Handlebars.
 */
function block(node: hbs.AST.BlockStatement): Evaluate | null {
  const name = plainName(node.path);
  if ((name !== 'if' && name !== 'unless') || node.params.length !== 1 || (node.hash?.pairs.length ?? 0) > 0) return null;
  const condition = expression(node.params[0]!);
  const body = program(node.program);
  const inverse = program(node.inverse);
  if (condition === null || body === null || inverse === null) return null;
  const [whenTrue, whenFalse] = name === 'if' ? [body, inverse] : [inverse, body];
  return (context, data) => {
    let value = condition(context, data);
    if (typeof value === 'function') value = (value as (this: Context) => unknown).call(context);
    const empty = !value || (Array.isArray(value) && value.length === 0);
    return empty ? whenFalse(context, data) : whenTrue(context, data);
  };
}

/** `{{name}}`, `{{@__t0}}` or `{{helper args… key=value…}}`. */
function mustache(node: hbs.AST.MustacheStatement): Evaluate | null {
  if (node.path.type !== 'PathExpression') return null;
  const path = node.path as hbs.AST.PathExpression;
  const name = plainName(path);
  if (name !== null && HELPERS.has(name)) return call(name, node);
  if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) return null;
  const read = pathValue(path);
  return read === null ? null : (context, data) => lambda(read(context, data), context);
}

/** A call of a tocsin helper (mustache or subexpression), or null when it is another helper or an argument is not simple. */
function call(name: string, node: hbs.AST.MustacheStatement | hbs.AST.SubExpression): Evaluate | null {
  const fn = CALLABLE.get(name);
  if (fn === undefined) return null;
  const params: Evaluate[] = [];
  for (const param of node.params) {
    const evaluate = expression(param);
    if (evaluate === null) return null;
    params.push(evaluate);
  }
  const keys: string[] = [];
  const values: Evaluate[] = [];
  for (const pair of node.hash?.pairs ?? []) {
    const evaluate = expression(pair.value);
    if (evaluate === null) return null;
    keys.push(pair.key);
    values.push(evaluate);
  }
  return (context, data) => {
    const args = params.map((param) => param(context, data));
    const hash: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) hash[keys[i]!] = values[i]!(context, data);
    return fn(...args, { hash });
  };
}

function expression(node: hbs.AST.Expression): Evaluate | null {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral': {
      const value = (node as hbs.AST.StringLiteral | hbs.AST.NumberLiteral | hbs.AST.BooleanLiteral).value;
      return () => value;
    }
    case 'UndefinedLiteral':
      return () => undefined;
    case 'NullLiteral':
      return () => null;
    case 'SubExpression': {
      const sub = node as hbs.AST.SubExpression;
      const name = sub.path.type === 'PathExpression' ? plainName(sub.path as hbs.AST.PathExpression) : null;
      return name !== null ? call(name, sub) : null;
    }
    case 'PathExpression':
      // A helper's name as an argument is a value lookup in Handlebars too: no special case.
      return pathValue(node as hbs.AST.PathExpression);
    default:
      return null;
  }
}

/** A plain name: `status` (or `[status]`, the same once parsed), not `this.status`, `./status`, `../status` or `a.b`. */
function plainName(path: hbs.AST.PathExpression): string | null {
  const [head] = path.parts;
  return !path.data && path.depth === 0 && path.parts.length === 1 && head !== undefined && path.original === head ? head : null;
}

/** The value of a plain name in the context, or of a #token's `@__tN`; null for any other path. */
function pathValue(path: hbs.AST.PathExpression): Evaluate | null {
  if (path.data) {
    const [head] = path.parts;
    if (path.depth !== 0 || path.parts.length !== 1 || head === undefined || !TOKEN_DATA.test(head) || path.original !== `@${head}`) return null;
    return (_context, data) => ownValue(data, head);
  }
  const name = plainName(path);
  return name === null ? null : (context) => ownValue(context, name);
}
