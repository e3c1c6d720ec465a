/**
 * The expression language as a library: `compile` chains lex → parse → check → generate, and
 * throws one DiagnosticError holding every mistake; `check` returns the mistakes instead.
 */
import type { Node } from './ast.js';
import { checkAst, type CheckedExpression, type WindowRange } from './checker.js';
import { generate, type FaultMapper, type GeneratedProgram } from './compiler.js';
import { interpret } from './interpreter.js';
import type { EvaluationContext, Value } from './runtime.js';
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
  /**
   * How `evaluate` runs: 'tiered' (default) interprets the first evaluations and switches to
   * generated code once the expression is evaluated often; 'generated' generates the code now;
   * 'interpreted' never generates (one-off evaluations, and tests of the interpreter).
   */
  evaluator?: 'tiered' | 'generated' | 'interpreted';
}

/**
 * Evaluations interpreted before a tiered expression switches to generated code. Generating costs
 * 30–70 µs (V8 compiling the source is most of it) and an interpreted evaluation 40–60 ns, so one
 * generation is worth about 1,000 interpreted evaluations (bench/expressions.js prints both).
 * Switching then spends at most twice what the better choice in hindsight would have (the
 * rent-or-buy rule): a rule evaluated a few times never pays V8 to compile it, a rule on a busy
 * metric pays once, within its first seconds.
 */
export const TIER_UP_AFTER = 1000;

export interface CompiledExpression {
  readonly source: string;
  readonly ast: Node;
  readonly type: Type;
  /** Window functions used, with their ranges: the engine sizes windows from them. */
  readonly windowRanges: readonly WindowRange[];
  /**
   * Evaluates against a context; a missing field is null. Throws only EvaluationError (a fault in
   * a window implementation). A tiered expression replaces this property with the generated
   * function when it switches: read it at each call (`expression.evaluate(context)`) to get the
   * fast tier; a reference kept from before still works, one call further away.
   */
  evaluate(context: EvaluationContext): Value;
  /** The generated JavaScript, for `tocsin eval --explain` and debugging; asking for it switches to it. */
  readonly code: string;
  /** Which evaluator `evaluate` is now. */
  readonly tier: 'interpreted' | 'generated';
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
  return new Compiled(source, checked, env, options);
}

class Compiled implements CompiledExpression {
  readonly source: string;
  readonly ast: Node;
  readonly type: Type;
  readonly windowRanges: readonly WindowRange[];
  evaluate: (context: EvaluationContext) => Value;
  #program: GeneratedProgram | null = null;
  readonly #checked: CheckedExpression;
  readonly #env: Environment;
  readonly #fault: FaultMapper;

  constructor(source: string, checked: CheckedExpression, env: Environment, options: CompileOptions) {
    this.source = source;
    this.ast = checked.ast;
    this.type = checked.type;
    this.windowRanges = [...checked.windows.values()];
    this.#checked = checked;
    this.#env = env;
    this.#fault = (error, span) => {
      const message = `evaluation failed: ${error instanceof Error ? error.message : String(error)}`;
      return new EvaluationError(locate({ code: 'runtime-error', message, span: span ?? checked.ast.span }, source, options.origin), error);
    };
    const evaluator = options.evaluator ?? 'tiered';
    if (evaluator === 'generated') {
      this.evaluate = this.#generate().evaluate;
      return;
    }
    const interpreted = interpret(checked, env, this.#fault);
    if (evaluator === 'interpreted') {
      this.evaluate = interpreted;
      return;
    }
    let current = interpreted;
    let calls = 0;
    this.evaluate = (context) => {
      if (current === interpreted && ++calls === TIER_UP_AFTER) current = this.#tierUp() ?? interpreted;
      return current(context);
    };
  }

  get tier(): 'interpreted' | 'generated' {
    return this.#program !== null && this.evaluate === this.#program.evaluate ? 'generated' : 'interpreted';
  }

  get code(): string {
    return this.#generate().source;
  }

  /**
   * The generated function, or null when V8 will not compile it (an expression near the parser's
   * depth limit may nest deeper than V8's own parser allows): the interpreter goes on, as it is
   * exact too, and an evaluation never fails for the sake of speed.
   */
  #tierUp(): ((context: EvaluationContext) => Value) | null {
    try {
      return this.#generate().evaluate;
    } catch {
      return null;
    }
  }

  #generate(): GeneratedProgram {
    if (!this.#program) {
      // The generated function catches its own faults and throws what `fault` makes of them: no
      // wrapper around it, whose one call site would serve every rule of an engine.
      this.#program = generate(this.#checked, this.#env, this.#fault);
      this.evaluate = this.#program.evaluate;
    }
    return this.#program;
  }
}

export { DiagnosticError, formatDiagnostic, formatDiagnostics, type Diagnostic, type SourceOrigin, type Span } from './diagnostics.js';
export { Environment, defaultEnvironment, DEFAULT_FUNCTIONS, DEFAULT_VARIABLES, type VariableDeclaration, type FunctionDeclaration } from './environment.js';
export { ArrayWindow, type WindowView, type WindowSample } from './window.js';
export { print, walk, type Node } from './ast.js';
export type { Value, EvaluationContext } from './runtime.js';
export type { WindowRange } from './checker.js';
export { typeName } from './types.js';
