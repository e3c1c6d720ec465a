/**
 * What a Handlebars leaf needs, found once on its AST so a render builds and passes no more:
 *
 * - `contextReads`: the top-level names of its context it reads (`{{upper status}}` reads
 *   `status`), or null when it may read the context as a whole (`this`, `@root`, `../`, block
 *   params). The full context of an alert holds ~50 values, some costly (the fingerprint hashes,
 *   the labels map is built); a leaf that reads two of them gets a context of those two.
 * - `pathNames`: every name in its paths, a superset of the helpers it may call. Handlebars wraps
 *   every helper it is given on every render call, so a leaf is given only its own.
 *
 * Both err on the side of more: a name that might be read or called is included.
 */

import { HELPERS } from './helpers.js';

/** Null: the leaf may read its context as a whole, so it needs all of it. */
export function contextReads(ast: hbs.AST.Program): ReadonlySet<string> | null {
  const reads = new ContextReads();
  reads.program(ast, true);
  return reads.whole ? null : reads.names;
}

class ContextReads {
  readonly names = new Set<string>();
  whole = false;

  /** `atRoot`: the program's context is the leaf's context (not an {{#each}} item or {{#with}} value). */
  program(program: hbs.AST.Program | undefined | null, atRoot: boolean): void {
    if (program === undefined || program === null) return;
    // Block params (`as |item|`) shadow names: not worth following, read everything.
    if (program.blockParams !== undefined && program.blockParams.length > 0) this.whole = true;
    for (const statement of program.body) this.statement(statement, atRoot);
  }

  private statement(statement: hbs.AST.Statement, atRoot: boolean): void {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        this.call(statement as hbs.AST.MustacheStatement, atRoot);
        return;
      case 'BlockStatement': {
        const block = statement as hbs.AST.BlockStatement;
        this.call(block, atRoot);
        // each and with render their body in a value computed from their parameters (read above);
        // any other block (if, unless) is taken to keep the context.
        const name = block.path.type === 'PathExpression' ? block.path.original : '';
        const newContext = name === 'each' || name === 'with';
        this.program(block.program, atRoot && !newContext);
        this.program(block.inverse, atRoot);
        return;
      }
      default:
        // Partials, decorators: rejected by the checker; if one ever gets here, assume the worst.
        this.whole = true;
    }
  }

  private call(node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression, atRoot: boolean): void {
    // `{{status}}` is a read; a known helper's name is always a call (knownHelpers), never a read.
    const path = node.path as hbs.AST.PathExpression;
    const helperCall = path.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1 && HELPERS.has(path.original);
    if (!helperCall) this.expression(node.path, atRoot);
    for (const param of node.params) this.expression(param, atRoot);
    for (const pair of node.hash?.pairs ?? []) this.expression(pair.value, atRoot);
  }

  private expression(expression: hbs.AST.Expression, atRoot: boolean): void {
    switch (expression.type) {
      case 'PathExpression':
        this.path(expression as hbs.AST.PathExpression, atRoot);
        return;
      case 'SubExpression':
        this.call(expression as hbs.AST.SubExpression, atRoot);
        return;
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
      case 'UndefinedLiteral':
      case 'NullLiteral':
        return;
      default:
        this.whole = true;
    }
  }

  private path(path: hbs.AST.PathExpression, atRoot: boolean): void {
    const [head, next] = path.parts;
    if (path.data) {
      // @root is the whole context (at any depth); @index, @key, @first, @last, @__tN are not.
      if (head === 'root') {
        if (next === undefined) this.whole = true;
        else this.names.add(next);
      }
      return;
    }
    // `../name` may climb to the context from anywhere: not followed.
    if (path.depth > 0) this.whole = true;
    else if (!atRoot) return;
    else if (head === undefined) this.whole = true;
    else this.names.add(head);
  }
}

/** Every name in any path of the leaf: a superset of the helpers it can call. */
export function pathNames(ast: hbs.AST.Program): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'PathExpression') for (const part of (node as hbs.AST.PathExpression).parts) names.add(part);
    for (const key of Object.keys(record)) if (key !== 'loc') visit(record[key]);
  };
  visit(ast);
  return names;
}
