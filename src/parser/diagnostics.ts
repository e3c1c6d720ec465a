/**
 * One diagnostic type for every user mistake tocsin reports (expressions, rule files, templates),
 * and one formatter that prints it compiler-style:
 *
 *   rules/docker.yaml:12:27 error: unknown function 'avgg' (did you mean 'avg'?)
 *      condition: value > avgg(5) * 2
 *                         ^^^^
 *
 * Codes are stable and documented in docs/expressions.md; tests and tools may rely on them.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier, e.g. `unknown-function`. */
  code: string;
  message: string;
  file: string;
  /** 1-based line and column of the first character the diagnostic points at. */
  line: number;
  column: number;
  /** Characters to underline (at least 1). */
  length: number;
  /** How to fix it, when there is something useful to say. */
  hint?: string;
  /** The text of the line, so the diagnostic can be printed without the file. */
  sourceLine?: string;
}

/** Where an expression's text sits in a larger file (a YAML rule), so positions point into the file. */
export interface SourceOrigin {
  file: string;
  /** The whole file text; when absent, the expression text itself is the file. */
  text?: string;
  /** Maps an offset inside the expression to an offset inside `text` (identity by default). */
  mapOffset?: (offset: number) => number;
}

export interface Span {
  start: number;
  end: number;
}

/** Thrown by `compile` when the source has mistakes; holds all of them, sorted by position. */
export class DiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number; sourceLine: string } {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const sourceLine = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  return { line, column: clamped - lineStart + 1, sourceLine };
}

/** A problem found at `span` of an expression, before it is placed in its file. */
export interface Problem {
  code: string;
  message: string;
  span: Span;
  hint?: string;
  severity?: Severity;
}

export function locate(problem: Problem, source: string, origin?: SourceOrigin): Diagnostic {
  const fileText = origin?.text ?? source;
  const map = origin?.mapOffset ?? ((offset: number) => offset);
  const start = map(problem.span.start);
  const end = Math.max(start + 1, map(Math.max(problem.span.start, problem.span.end - 1)) + 1);
  const { line, column, sourceLine } = lineAndColumn(fileText, start);
  const diagnostic: Diagnostic = {
    severity: problem.severity ?? 'error',
    code: problem.code,
    message: problem.message,
    file: origin?.file ?? '<expression>',
    line,
    column,
    length: Math.max(1, Math.min(end - start, sourceLine.length - column + 1)),
    sourceLine,
  };
  if (problem.hint !== undefined) diagnostic.hint = problem.hint;
  return diagnostic;
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** The one place diagnostics become text. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column} ${d.severity}: ${d.message}`;
  if (d.sourceLine === undefined) return d.hint ? `${head}\n  hint: ${d.hint}` : head;
  // Tabs would shift the caret; show them as single spaces in both lines.
  const shown = d.sourceLine.replace(/\t/g, ' ');
  const caret = ' '.repeat(Math.max(0, d.column - 1)) + '^'.repeat(Math.max(1, d.length));
  const lines = [head, `  ${shown}`, `  ${caret}`];
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n\n');
}

/** Closest candidate by edit distance, for "did you mean …" hints; null when nothing is close. */
export function closest(word: string, candidates: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return best !== null && bestDistance <= allowed ? best : null;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}
