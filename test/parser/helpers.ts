/** Small helpers shared by the expression-language tests. */
import { ArrayWindow, check, compile, DiagnosticError, formatDiagnostics, type CompiledExpression, type CompileOptions, type Node, type Value } from '../../src/parser/index.js';
import { tokenize } from '../../src/parser/lexer.js';
import { parseTokens } from '../../src/parser/parser.js';

type Outcome = { value: Value } | { error: Error };

function outcome(evaluate: () => Value): Outcome {
  try {
    return { value: evaluate() };
  } catch (error) {
    return { error: error as Error };
  }
}

const describeOutcome = (o: Outcome) => ('error' in o ? `throws ${o.error.name}: ${o.error.message}` : `gives ${String(o.value)}`);

/**
 * The expression compiled for both evaluators: `evaluate` runs the generated code and the
 * interpreter on the context and fails the test unless they give the same value, or throw the
 * same error at the same place. Every test that evaluates through it tests both tiers.
 */
export function compileBoth(source: string, options: CompileOptions = {}): CompiledExpression {
  const generated = compile(source, { ...options, evaluator: 'generated' });
  const interpreted = compile(source, { ...options, evaluator: 'interpreted' });
  return {
    source, ast: generated.ast, type: generated.type, windowRanges: generated.windowRanges, code: generated.code, tier: 'generated',
    evaluate(context) {
      const fast = outcome(() => generated.evaluate(context));
      const slow = outcome(() => interpreted.evaluate(context));
      const agree = 'error' in fast
        ? 'error' in slow && fast.error.constructor === slow.error.constructor && fast.error.message === slow.error.message
        : 'value' in slow && Object.is(fast.value, slow.value);
      if (!agree) throw new Error(`the tiers disagree on ${source}: generated code ${describeOutcome(fast)}, interpreter ${describeOutcome(slow)}`);
      if ('error' in fast) throw fast.error;
      return fast.value;
    },
  };
}

/** Compiles and evaluates (both tiers); a `window` given as an array becomes an ArrayWindow (times 0, 1000, 2000 … ms). */
export function evaluate(source: string, context: Record<string, unknown> = {}, options: CompileOptions = {}): Value {
  const window = Array.isArray(context.window) ? ArrayWindow.from(context.window) : context.window;
  return compileBoth(source, options).evaluate({ ...context, window });
}

/** The codes of the diagnostics of `source`, in order. */
export function codes(source: string, options: CompileOptions = {}): string[] {
  return check(source, options).map((d) => d.code);
}

/** The whole printed diagnostics, as a user sees them. */
export function printed(source: string, options: CompileOptions = {}): string {
  return formatDiagnostics(check(source, options));
}

/** What compile throws, which must be a DiagnosticError. */
export function compileError(source: string, options: CompileOptions = {}): DiagnosticError {
  try {
    compile(source, options);
  } catch (error) {
    if (error instanceof DiagnosticError) return error;
    throw error;
  }
  throw new Error(`expected ${source} not to compile`);
}

/** The AST without checking, or null on a syntax error. */
export function parse(source: string): Node | null {
  const { tokens, problems } = tokenize(source);
  if (problems.length > 0) return null;
  return parseTokens(tokens, source).ast;
}

/** The AST as fully parenthesised text, so that a test can read the grouping the parser chose. */
export function shape(node: Node): string {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? `'${node.value}'` : String(node.value);
    case 'name':
      return node.name;
    case 'member':
      return `${shape(node.object)}.${node.property}`;
    case 'index':
      return `${shape(node.object)}[${shape(node.index)}]`;
    case 'unary':
      return `(${node.operator}${shape(node.operand)})`;
    case 'binary':
    case 'logical':
      return `(${shape(node.left)} ${node.operator} ${shape(node.right)})`;
    case 'in':
      return `(${shape(node.value)} ${node.negated ? 'NOT IN' : 'IN'} [${node.list.map(shape).join(', ')}])`;
    case 'like':
      return `(${shape(node.value)} ${node.negated ? 'NOT LIKE' : 'LIKE'} ${shape(node.pattern)})`;
    case 'between':
      return `(${shape(node.value)} ${node.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${shape(node.low)} AND ${shape(node.high)})`;
    case 'conditional':
      return `(${shape(node.test)} ? ${shape(node.consequent)} : ${shape(node.alternate)})`;
    case 'call':
      return `${node.callee}(${node.args.map(shape).join(', ')})`;
  }
}

export function shapeOf(source: string): string {
  const ast = parse(source);
  if (!ast) throw new Error(`${source} does not parse`);
  return shape(ast);
}
