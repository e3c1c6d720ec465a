/**
 * Template diagnostics as ranges of the editor's text. The API reports 1-based line and column
 * (and sometimes a length) into the exact text the editor sent; the editor marks those characters.
 */
export interface TemplateDiagnostic {
  line: number;
  column: number;
  length?: number;
  message: string;
  hint?: string;
  code?: string;
  severity?: string;
}

export interface Range {
  start: number;
  end: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function fromEntry(entry: unknown): TemplateDiagnostic | null {
  if (!isObject(entry) || typeof entry.message !== 'string') return null;
  const line = typeof entry.line === 'number' ? entry.line : 1;
  const column = typeof entry.column === 'number' ? entry.column : 1;
  const diagnostic: TemplateDiagnostic = { line, column, message: entry.message };
  if (typeof entry.length === 'number') diagnostic.length = entry.length;
  if (typeof entry.hint === 'string') diagnostic.hint = entry.hint;
  if (typeof entry.code === 'string') diagnostic.code = entry.code;
  if (typeof entry.severity === 'string') diagnostic.severity = entry.severity;
  return diagnostic;
}

/** Diagnostics from wherever a response carries them: a list, `{diagnostics}`, or an error's details. */
export function templateDiagnostics(source: unknown): TemplateDiagnostic[] {
  if (Array.isArray(source)) return source.map(fromEntry).filter((d): d is TemplateDiagnostic => d !== null);
  if (!isObject(source)) return [];
  if (Array.isArray(source.diagnostics)) return templateDiagnostics(source.diagnostics);
  if (isObject(source.error)) return templateDiagnostics(source.error.details);
  if (isObject(source.details) || Array.isArray(source.details)) return templateDiagnostics(source.details);
  return [];
}

/** Offset of a 1-based line and column, clamped into the text. */
export function offsetAt(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const end = lineEnd === -1 ? text.length : lineEnd;
  return Math.min(offset + Math.max(column - 1, 0), end);
}

/** 1-based line and column of an offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

/**
 * The characters a diagnostic covers: its length when given, else the word (a `#token` or a name)
 * starting there, else one character, so every diagnostic has something to underline.
 */
export function diagnosticRange(text: string, diagnostic: TemplateDiagnostic): Range {
  const start = offsetAt(text, diagnostic.line, diagnostic.column);
  if (diagnostic.length !== undefined && diagnostic.length > 0) return { start, end: Math.min(text.length, start + diagnostic.length) };
  const word = /^#?[A-Za-z0-9_.-]+/.exec(text.slice(start));
  const length = word ? word[0].length : 1;
  return { start, end: Math.min(text.length, Math.max(start + length, start + 1)) };
}

/** Sorted, non-overlapping ranges (overlaps merged) for painting marks into a mirror of the text. */
export function mergedRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end > r.start).slice().sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else out.push({ ...range });
  }
  return out;
}
