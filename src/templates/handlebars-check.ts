/**
 * The checks of a Handlebars leaf (SPEC §5: "every Handlebars helper known"), on its AST with
 * positions: without an event type, structure (helpers, arity, options, blocks, partials) and
 * the plain-content ranges where #tokens live; with one, every name and field against the
 * Handlebars context of that type, following {{#with}} and {{#each}} into their contexts.
 */
import type { Problem, Span } from '../parser/diagnostics.js';
import { HELPERS, isValidTimeZone, type HelperSpec } from './helpers.js';
import * as problems from './problems.js';
import { describeShape, isContainer, type Shape } from './shape.js';

const DATA_VARIABLES = new Set(['root', 'index', 'key', 'first', 'last']);
const HELPER_NAMES = [...HELPERS.keys()];

export interface Range {
  start: number;
  end: number;
}

export interface ParsedLeaf {
  text: string;
  /** Null when the leaf has a syntax error. */
  ast: hbs.AST.Program | null;
  /** Mistakes that do not depend on the event type (syntax, helpers, arity, options). */
  problems: Problem[];
  /** Where `#tokens` are recognised: Handlebars' plain content, in order. */
  content: Range[];
  lineStarts: number[];
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetAt(lineStarts: number[], line: number, column: number, length: number): number {
  const start = lineStarts[Math.max(0, Math.min(line - 1, lineStarts.length - 1))] ?? 0;
  return Math.max(0, Math.min(start + column, length));
}

export function spanOf(leaf: { lineStarts: number[]; text: string }, node: { loc?: hbs.AST.SourceLocation }): Span {
  if (node.loc === undefined) return { start: 0, end: Math.max(1, leaf.text.length) };
  const start = offsetAt(leaf.lineStarts, node.loc.start.line, node.loc.start.column, leaf.text.length);
  const end = offsetAt(leaf.lineStarts, node.loc.end.line, node.loc.end.column, leaf.text.length);
  return { start, end: Math.max(end, start + 1) };
}

/** The structural checks; fills `leaf.problems` and `leaf.content`. Blocks may nest `maxDepth` deep (budget.ts). */
export function checkStructure(leaf: ParsedLeaf, maxDepth: number): void {
  if (leaf.ast === null) return;
  new Walker(leaf, null, leaf.problems, maxDepth).program(leaf.ast, [null]);
  leaf.content.sort((a, b) => a.start - b.start);
}

/** The type-dependent checks: names and fields against the Handlebars context of one event type. */
export function checkLeafNames(leaf: ParsedLeaf, viewFields: ReadonlyMap<string, Shape>): Problem[] {
  if (leaf.ast === null) return [];
  const found: Problem[] = [];
  const root: Shape = { kind: 'object', fields: viewFields, nullable: false };
  new Walker(leaf, root, found).program(leaf.ast, [root]);
  return found;
}

/** The context a block's body sees; null when it cannot be known (block params, each over an object). */
type Scope = Shape | null;

type CallNode = hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement;

/**
 * Walks a leaf's AST. Without a root shape it checks structure (helpers, arity, options, blocks)
 * and collects the plain-content ranges; with one it checks names and fields.
 */
class Walker {
  private readonly leaf: ParsedLeaf;
  private readonly root: Shape | null;
  private readonly out: Problem[];
  private readonly maxDepth: number;
  /** Blocks around the statement being walked. */
  private depth = 0;

  constructor(leaf: ParsedLeaf, root: Shape | null, out: Problem[], maxDepth = Infinity) {
    this.leaf = leaf;
    this.root = root;
    this.out = out;
    this.maxDepth = maxDepth;
  }

  private get checkingNames(): boolean {
    return this.root !== null;
  }

  private span(node: { loc?: hbs.AST.SourceLocation }): Span {
    return spanOf(this.leaf, node);
  }

  private report(problem: Problem): void {
    this.out.push(problem);
  }

  program(program: hbs.AST.Program | undefined, scopes: Scope[]): void {
    if (program === undefined || program === null) return;
    const childScopes = program.blockParams && program.blockParams.length > 0 ? [...scopes, null] : scopes;
    for (const statement of program.body) this.statement(statement, childScopes);
  }

  private statement(statement: hbs.AST.Statement, scopes: Scope[]): void {
    switch (statement.type) {
      case 'ContentStatement':
        if (!this.checkingNames) this.leaf.content.push(this.span(statement));
        return;
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        this.call(statement as hbs.AST.MustacheStatement, scopes, true);
        return;
      case 'BlockStatement':
        this.block(statement as hbs.AST.BlockStatement, scopes);
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement':
        if (!this.checkingNames) this.report(problems.unsupportedHandlebars('partials ({{> name}})', this.span(statement)));
        return;
      case 'Decorator':
      case 'DecoratorBlock':
        if (!this.checkingNames) this.report(problems.unsupportedHandlebars('decorators ({{* name}})', this.span(statement)));
        return;
      default:
        if (!this.checkingNames) this.report(problems.unsupportedHandlebars(`'${statement.type}' statements`, this.span(statement)));
    }
  }

  private simpleName(path: hbs.AST.PathExpression): string | null {
    return path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 && path.original === path.parts[0] ? path.parts[0]! : null;
  }

  private helperOf(node: CallNode): { name: string; spec: HelperSpec | undefined } | null {
    const path = node.path as hbs.AST.PathExpression;
    const hasArguments = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    const name = path.type === 'PathExpression' ? this.simpleName(path) : null;
    const spec = name === null ? undefined : HELPERS.get(name);
    if (!hasArguments && spec === undefined) return null;
    return { name: name ?? (path.original === undefined ? '?' : String(path.original)), spec };
  }

  private checkArguments(node: CallNode, spec: HelperSpec): void {
    const span = this.span(node);
    if (node.params.length < spec.min || node.params.length > spec.max) {
      this.report(problems.helperArity(spec.name, span, spec.min, spec.max, node.params.length, spec.signature));
    }
    for (const pair of node.hash?.pairs ?? []) {
      if (!spec.hash.includes(pair.key)) this.report(problems.unknownHelperOption(spec.name, pair.key, this.span(pair), spec.hash));
      else if (spec.name === 'formatDate' && pair.key === 'tz' && pair.value.type === 'StringLiteral') {
        const zone = (pair.value as hbs.AST.StringLiteral).value;
        if (!isValidTimeZone(zone)) this.report(problems.invalidTimeZone(zone, this.span(pair.value)));
      }
    }
  }

  /** A mustache or subexpression: a helper call or a value lookup. */
  private call(node: hbs.AST.MustacheStatement | hbs.AST.SubExpression, scopes: Scope[], printed: boolean): void {
    if (node.path.type !== 'PathExpression') {
      if (!this.checkingNames) this.report(problems.unsupportedHandlebars('literal values in place of a name ({{"text"}})', this.span(node)));
      return;
    }
    const helper = this.helperOf(node);
    if (helper === null) {
      this.path(node.path as hbs.AST.PathExpression, scopes, printed);
      return;
    }
    if (!this.checkingNames) {
      if (helper.spec === undefined) this.report(problems.unknownHelper(helper.name, this.span(node.path), HELPER_NAMES));
      else if (helper.spec.block) this.report(problems.blockHelperInline(helper.name, this.span(node.path)));
      else this.checkArguments(node, helper.spec);
    }
    this.values(node, scopes);
  }

  private values(node: CallNode, scopes: Scope[]): void {
    for (const param of node.params) this.expression(param, scopes);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value, scopes);
  }

  private expression(expression: hbs.AST.Expression, scopes: Scope[]): void {
    if (expression.type === 'SubExpression') this.call(expression as hbs.AST.SubExpression, scopes, false);
    else if (expression.type === 'PathExpression') this.path(expression as hbs.AST.PathExpression, scopes, false);
  }

  private block(node: hbs.AST.BlockStatement, scopes: Scope[]): void {
    const name = this.simpleName(node.path);
    const spec = name === null ? undefined : HELPERS.get(name);
    if (!this.checkingNames) {
      if (spec === undefined || !spec.block) {
        const shown = name ?? String(node.path.original);
        if (spec !== undefined) this.report(problems.notABlockHelper(shown, this.span(node.path), false));
        else if (node.params.length === 0 && name !== null && !/^\W/.test(name)) this.report(problems.notABlockHelper(shown, this.span(node.path), true));
        else this.report(problems.unknownHelper(shown, this.span(node.path), HELPER_NAMES.filter((n) => HELPERS.get(n)?.block)));
      } else {
        this.checkArguments(node, spec);
      }
    }
    this.values(node, scopes);
    let inner: Scope = scopes[scopes.length - 1] ?? null;
    if (name === 'each' || name === 'with') {
      const target = node.params[0];
      const shape = target !== undefined && target.type === 'PathExpression' ? this.resolve(target as hbs.AST.PathExpression, scopes) : null;
      if (name === 'each') inner = shape?.kind === 'map' ? shape.value : shape?.kind === 'array' ? shape.item : null;
      else inner = shape?.kind === 'object' || shape?.kind === 'map' ? shape : null;
    }
    const bodyScopes = name === 'each' || name === 'with' ? [...scopes, inner] : scopes;
    const depth = this.depth;
    if (depth + 1 > this.maxDepth) {
      // Reported once, at the outermost block too deep; what is inside it is not walked further.
      if (!this.checkingNames) {
        const start = this.span(node).start;
        const end = Math.max(start + 1, this.span(node.path).end);
        this.report(problems.blocksTooDeep(this.maxDepth, { start, end }));
      }
      return;
    }
    this.depth = depth + 1;
    this.program(node.program, bodyScopes);
    // `{{else if …}}` is a block inside the inverse (`chained`); it is a sibling, not one level deeper.
    this.depth = (node.inverse as { chained?: boolean } | undefined)?.chained === true ? depth : depth + 1;
    this.program(node.inverse, scopes);
    this.depth = depth;
  }

  /** The shape a path reads, or null when it cannot be known (or was reported). */
  private resolve(path: hbs.AST.PathExpression, scopes: Scope[], report = false): Shape | null {
    let parts = path.parts;
    let index = scopes.length - 1 - path.depth;
    if (path.data) {
      const head = parts[0] ?? '';
      if (!DATA_VARIABLES.has(head)) {
        if (report && !this.checkingNames) this.report(problems.unknownDataVariable(head, this.span(path)));
        return null;
      }
      if (head !== 'root') return null;
      index = 0;
      parts = parts.slice(1);
    }
    const scope = scopes[index] ?? null;
    if (scope === null) return null;
    return this.walkParts(scope, parts, path, index === 0, report && this.checkingNames);
  }

  private walkParts(scope: Shape, parts: readonly string[], path: hbs.AST.PathExpression, atRoot: boolean, report: boolean): Shape | null {
    let shape: Shape = scope;
    let walked = '';
    for (const [index, part] of parts.entries()) {
      const shown = walked === '' ? 'this' : walked;
      if (shape.kind === 'object') {
        const next = shape.fields.get(part);
        if (next === undefined) {
          if (report) {
            const names = [...shape.fields.keys()];
            this.report(index === 0 && atRoot ? problems.unknownName(part, this.span(path), [...names, ...HELPER_NAMES]) : problems.unknownField(shown, part, this.span(path), names));
          }
          return null;
        }
        shape = next;
      } else if (shape.kind === 'map') {
        shape = shape.value;
      } else if (shape.kind === 'array') {
        if (!/^\d+$/.test(part) && part !== 'length') {
          if (report) this.report(problems.noFields(shown, part, 'a list', this.span(path)));
          return null;
        }
        shape = part === 'length' ? { kind: 'scalar', types: ['number'] } : shape.item;
      } else if (shape.kind === 'scalar') {
        if (report) this.report(problems.noFields(shown, part, describeShape(shape), this.span(path)));
        return null;
      } else {
        return null;
      }
      walked = walked === '' ? part : `${walked}.${part}`;
    }
    return shape;
  }

  private path(path: hbs.AST.PathExpression, scopes: Scope[], printed: boolean): void {
    const shape = this.resolve(path, scopes, true);
    if (this.checkingNames && printed && shape !== null && isContainer(shape)) {
      this.report(problems.objectInText(path.original === '' ? 'this' : String(path.original).replace(/^this\./, ''), this.span(path)));
    }
  }
}

