/**
 * The cost of one iteration of each {{#each}} block of a leaf, found once on its AST (budget.ts):
 * the expressions of its body that run once per iteration, nested {{#if}}/{{#with}} bodies
 * included, nested {{#each}} bodies not (their own iterations count them). The {{#each}} helper
 * finds its block by the `loc` Handlebars passes it, so blocks are keyed by line and column in
 * the source that was compiled.
 */
import type { Span } from '../parser/diagnostics.js';
import { HEAVY_CALL_WEIGHT, type BlockCost } from './budget.js';

/** Helpers that cost far more than a lookup (luxon formatting). */
const HEAVY = new Set(['formatDate', 'duration']);

export const locKey = (line: number, column: number): string => `${line}:${column}`;

/**
 * Every {{#each}} of `ast` by the position of its start; `spanOf` turns a node's location into a
 * span in the leaf text (for the diagnostic when the budget runs out there).
 */
export function eachCosts(
  ast: hbs.AST.Program,
  spanOf: (loc: hbs.AST.SourceLocation, end: hbs.AST.SourceLocation) => Span,
): Map<string, BlockCost> {
  const costs = new Map<string, BlockCost>();
  const visitProgram = (program: hbs.AST.Program | undefined | null): number => {
    if (program === undefined || program === null) return 0;
    let weight = 0;
    for (const statement of program.body) weight += visitStatement(statement);
    return weight;
  };
  const visitStatement = (statement: hbs.AST.Statement): number => {
    switch (statement.type) {
      case 'MustacheStatement':
        return call(statement as hbs.AST.MustacheStatement);
      case 'BlockStatement': {
        const block = statement as hbs.AST.BlockStatement;
        const own = call(block);
        const body = visitProgram(block.program) + visitProgram(block.inverse);
        const path = block.path as hbs.AST.PathExpression;
        if (path.type === 'PathExpression' && path.original === 'each' && block.loc !== undefined) {
          const key = locKey(block.loc.start.line, block.loc.start.column);
          costs.set(key, { weight: 1 + body, span: spanOf(block.loc, path.loc) });
          // The loop's body is paid per iteration; the enclosing body pays for starting the loop.
          return own;
        }
        return own + body;
      }
      default:
        return statement.type === 'ContentStatement' ? 1 : 0;
    }
  };
  const call = (node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression): number => {
    const path = node.path as hbs.AST.PathExpression;
    let weight = path.type === 'PathExpression' && HEAVY.has(path.original) ? HEAVY_CALL_WEIGHT : 1;
    for (const param of node.params) weight += expression(param);
    for (const pair of node.hash?.pairs ?? []) weight += expression(pair.value);
    return weight;
  };
  const expression = (node: hbs.AST.Expression): number =>
    node.type === 'SubExpression' ? call(node as hbs.AST.SubExpression) : 1;
  visitProgram(ast);
  return costs;
}
