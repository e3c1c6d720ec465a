/**
 * A rule's window decides how many samples each series keeps; window functions only see those.
 * `avg('5 minute') > 80` with the default window `length(1)` silently averages one sample, so a
 * window function that reaches further back than the rule's window is worth a warning.
 *
 * Only literal arguments are judged: `avg(5)` against length(N), `avg('10 minute')` against
 * time(D) and against length(N) (a span cannot be served by a count of samples); a computed count,
 * or a count against a time window, depends on the data.
 */
import { formatDuration, parseDuration } from '../../model/duration.js';
import { compile, defaultEnvironment, DiagnosticError, walk, type Node } from '../../parser/index.js';
import { locate, type Diagnostic, type SourceOrigin } from '../../parser/diagnostics.js';
import type { WindowSpec } from '../rule.js';
import { windowText } from '../events.js';

type Reach = { kind: 'count'; count: number } | { kind: 'span'; ms: number };

export function windowReachWarnings(text: string, origin: SourceOrigin, window: WindowSpec, timezone: string): Diagnostic[] {
  let ast: Node;
  try {
    ast = compile(text, { origin, expect: 'boolean', timezone }).ast;
  } catch (error) {
    // The checker's errors are reported on their own; a broken expression reaches nowhere.
    if (error instanceof DiagnosticError) return [];
    throw error;
  }
  const diagnostics: Diagnostic[] = [];
  walk(ast, (node) => {
    if (node.kind !== 'call') return;
    const fn = defaultEnvironment.function(node.callee) ?? defaultEnvironment.function(node.callee.toLowerCase());
    if (fn?.kind !== 'window') return;
    const rangeArgument = fn.name === 'percentile' ? node.args[1] : node.args[0];
    const reach = rangeArgument ? reachOf(rangeArgument) : null;
    const problem = reach ? tooShort(window, reach, text.slice(node.span.start, node.span.end)) : null;
    if (problem) diagnostics.push(locate({ ...problem, code: 'window-too-short', severity: 'warning', span: node.span }, text, origin));
  });
  return diagnostics;
}

function reachOf(argument: Node): Reach | null {
  if (argument.kind !== 'literal') return null;
  if (typeof argument.value === 'number') return { kind: 'count', count: argument.value };
  if (typeof argument.value === 'string') {
    const ms = parseDuration(argument.value);
    return ms === null ? null : { kind: 'span', ms };
  }
  return null;
}

function tooShort(window: WindowSpec, reach: Reach, call: string): { message: string; hint: string } | null {
  const kept = windowText(window);
  if (window.kind === 'length' && reach.kind === 'count' && reach.count > window.size) {
    return {
      message: `${call} uses the last ${reach.count} samples, but window ${kept} keeps only ${window.size}`,
      hint: `set 'window: length(${reach.count})' on the rule`,
    };
  }
  if (reach.kind === 'span' && (window.kind === 'length' || reach.ms > window.ms)) {
    return {
      message: `${call} looks back ${formatDuration(reach.ms)}, but window ${kept} keeps ${window.kind === 'length' ? `only the last ${window.size === 1 ? 'sample' : `${window.size} samples`}` : formatDuration(window.ms)}`,
      hint: `set 'window: time(${formatDuration(reach.ms).replace(/ /g, '')})' on the rule`,
    };
  }
  return null;
}
