/**
 * `tocsin eval '<expr>' [--context '<json>' | --context file.json]`: compile and evaluate one
 * expression, print the result as JSON. Handy for trying the language and for scripts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ArrayWindow, compile, DiagnosticError, EvaluationError, formatDiagnostics, formatDiagnostic } from '../../parser/index.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';

export interface EvalOptions {
  context?: string;
  timezone?: string;
  explain?: boolean;
}

export function readContext(argument: string | undefined): { context: Record<string, unknown> } | { error: string } {
  if (argument === undefined) return { context: {} };
  const trimmed = argument.trim();
  let text = argument;
  let where = '--context';
  if (!trimmed.startsWith('{')) {
    if (!existsSync(argument)) {
      return { error: `--context: '${argument}' is neither a JSON object nor a file\n  hint: pass JSON such as --context '{"value": 3}' or a path to a .json file` };
    }
    text = readFileSync(argument, 'utf8');
    where = argument;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `${where}: invalid JSON: ${(error as Error).message}\n  hint: property names and strings need double quotes: {"value": 3, "entity": {"tags": {"env": "prod"}}}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: `${where}: the context must be a JSON object such as {"value": 3}` };
  }
  const context = parsed as Record<string, unknown>;
  // A window given as a JSON array (numbers or {time, value}) becomes a real window.
  if (Array.isArray(context.window)) context.window = ArrayWindow.from(context.window);
  return { context };
}

export function runEval(expression: string, options: EvalOptions, out: Output): number {
  const read = readContext(options.context);
  if ('error' in read) {
    out.stderr(`error: ${read.error}\n`);
    return EXIT_USAGE;
  }
  try {
    const compiled = compile(expression, options.timezone ? { timezone: options.timezone } : {});
    if (options.explain) out.stderr(`${compiled.code}\n`);
    out.stdout(`${JSON.stringify(compiled.evaluate(read.context))}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DiagnosticError) {
      out.stderr(`${formatDiagnostics(error.diagnostics)}\n`);
      return EXIT_FINDINGS;
    }
    if (error instanceof EvaluationError) {
      out.stderr(`${formatDiagnostic(error.diagnostic)}\n`);
      return EXIT_FINDINGS;
    }
    throw error;
  }
}
