/**
 * The expression language as a library: `compile` chains lex → parse → check → generate, and
 * throws one DiagnosticError holding every mistake; `check` returns the mistakes instead.
 */
import type { Node } from './ast.js';
import { checkAst, type CheckedExpression, type WindowRange } from './checker.js';
import { generate, type EvaluationContext, type Value } from './compiler.js';
import { DiagnosticError, locate, sortDiagnostics, type Diagnostic, type Problem, type SourceOrigin, type Span } from './diagnostics.js';
import { defaultEnvironment, type Environment } from './environment.js';
import { tokenize } from './lexer.js';
import { parseTokens } from './parser.js';
import type { Type } from './types.js';

export interface CompileOptions {
  /** Names and functions the expression may use; `defaultEnvironment` when absent. */
  env?: Environment;
  /** 'boolean' for conditions: anything that is not true/false is rejected when checking. */
  expect?: 'boolean' | 'any';
  /** Where the text sits in a file, so diagnostics point into the file. */
  origin?: SourceOrigin;
  /** Time zone of hour() and dayOfWeek(); overrides the environment's. */
  timezone?: string;
}

export interface CompiledExpression {
  readonly source: string;
  readonly ast: Node;
  readonly type: Type;
  /** Window functions used, with their ranges: the engine sizes windows from them. */
  readonly windowRanges: readonly WindowRange[];
  /** Evaluates against a context; a missing field is null. Throws only EvaluationError (a fault in a window implementation). */
  evaluate(context: EvaluationContext): Value;
  /** The generated JavaScript, for `tocsin eval --explain` and debugging. */
  readonly code: string;
}

/** An evaluation that failed at run time, with the position of the failing call in the source. */
export class EvaluationError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic, cause: unknown) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column} ${diagnostic.message}`, { cause });
    this.name = 'EvaluationError';
    this.diagnostic = diagnostic;
  }
}

interface Analysis {
  checked: CheckedExpression | null;
  env: Environment;
  diagnostics: Diagnostic[];
}

function analyse(source: string, options: CompileOptions): Analysis {
  let env = options.env ?? defaultEnvironment;
  if (options.timezone && options.timezone !== env.timezone) env = env.extend({ timezone: options.timezone });
  // A JavaScript caller may pass anything; it must still get a diagnostic, not a TypeError.
  const text = typeof source === 'string' ? source : '';
  const place = (problems: Problem[]) => sortDiagnostics(problems.map((p) => locate(p, text, options.origin)));
  if (typeof source !== 'string') {
    return { checked: null, env, diagnostics: place([{ code: 'empty-expression', message: 'the expression must be text', span: { start: 0, end: 1 } }]) };
  }
  const lexed = tokenize(source);
  const parsed = parseTokens(lexed.tokens, source);
  if (lexed.problems.length > 0 || !parsed.ast) {
    // A lexer error usually explains the syntax error that follows it; show the lexer's first.
    const problems = lexed.problems.length > 0 ? lexed.problems : parsed.problems;
    return { checked: null, env, diagnostics: place(problems) };
  }
  const { checked, problems } = checkAst(parsed.ast, env, { expect: options.expect ?? 'any' });
  return { checked, env, diagnostics: place(problems) };
}

/** Every mistake in the expression, sorted by position; an empty list when it is valid. */
export function check(source: string, options: CompileOptions = {}): Diagnostic[] {
  return analyse(source, options).diagnostics;
}

export function compile(source: string, options: CompileOptions = {}): CompiledExpression {
  const { checked, env, diagnostics } = analyse(source, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!checked || errors.length > 0) throw new DiagnosticError(diagnostics);
  // The generated function catches its own faults and throws what `fault` makes of them: no
  // wrapper around it, whose one call site would serve every rule of an engine.
  const fault = (error: unknown, span: Span | null): Error => {
    const message = `evaluation failed: ${error instanceof Error ? error.message : String(error)}`;
    return new EvaluationError(locate({ code: 'runtime-error', message, span: span ?? checked.ast.span }, source, options.origin), error);
  };
  const program = generate(checked, env, fault);
  return {
    source,
    ast: checked.ast,
    type: checked.type,
    windowRanges: [...checked.windows.values()],
    evaluate: program.evaluate,
    code: program.source,
  };
}

export { DiagnosticError, formatDiagnostic, formatDiagnostics, type Diagnostic, type SourceOrigin, type Span } from './diagnostics.js';
export { Environment, defaultEnvironment, DEFAULT_FUNCTIONS, DEFAULT_VARIABLES, type VariableDeclaration, type FunctionDeclaration } from './environment.js';
export { ArrayWindow, type WindowView, type WindowSample } from './window.js';
export { print, walk, type Node } from './ast.js';
export type { Value, EvaluationContext } from './compiler.js';
export type { WindowRange } from './checker.js';
export { typeName } from './types.js';
