/**
 * The series notation of rule-file `tests:` (SPEC §3), modelled on promtool's input series:
 *
 *     docker.cpu.busy{entity=c1,status=running} 0@0s 5@60s 5@120s 0@240s
 *     cpu{entity=h1} 1+0x6 _ 2-1x2 null 'down'x2
 *
 * One series per line: a metric name, labels in `{}` (`entity` names the entity, the others become
 * sample tags; values bare or quoted), then terms separated by spaces. Each term takes the next
 * step(s) of the series, `interval` apart (default 1m, as promtool's `evaluation_interval`):
 *
 *     a          one sample                    `_`     no sample for one step (promtool's missing)
 *     a+bxn      a, a+b, … a+n·b (n+1 samples)  `_xn`   no samples for n steps
 *     a-bxn      a, a−b, … a−n·b               `stale` treated as `_` (tocsin has no stale markers)
 *     axn        a repeated n+1 times          `null`  a sample without a number (also `nullxn`)
 *     'text'     a sample with text and no number (also `'text'xn`)
 *
 * Any term may end in `@<duration>` (tocsin's addition): its first sample sits at that time after
 * the start, and the following terms continue one interval later. Numbers follow Prometheus:
 * `1e3`, `.5`, `Inf`, `-Inf`. `#` starts a comment. Blank lines are ignored.
 *
 * Mistakes come back as positioned diagnostics (all of them), never as an exception.
 */
import { parseDuration } from '../model/duration.js';
import type { Sample, Tags } from '../model/sample.js';
import { locate, type Diagnostic, type Problem, type SourceOrigin } from '../parser/diagnostics.js';

export const DEFAULT_SERIES_INTERVAL_MS = 60_000;
export const DEFAULT_TEST_ENTITY = 'test';
/** Guards against `1x999999999` filling memory from a typo. */
export const MAX_SERIES_SAMPLES = 1_000_000;

export interface SeriesNotationOptions {
  /** Time between consecutive steps, in ms; default 1 minute. */
  interval?: number;
  /** Epoch ms of the test's time 0; default 0. */
  start?: number;
  /** Entity of a series without `entity=`; default 'test'. null makes `entity=` required. */
  defaultEntity?: string | null;
  /**
   * 'time' (default): all series merged by sample time, ties in the order written, as a feed would
   * deliver them. 'written': line by line, term by term, so a test can feed samples out of order.
   */
  order?: 'time' | 'written';
  /** Where the text sits in a file (a YAML block), so diagnostics point into the file. */
  origin?: SourceOrigin;
}

export interface SeriesNotationResult {
  samples: Sample[];
  /** Every mistake, in text order; samples are only meaningful when this is empty. */
  diagnostics: Diagnostic[];
}

const SERIES_HINT = "write one series per line: metric{entity=NAME,tag=value} followed by values, e.g. cpu{entity=h1} 1 2 3";
const TERM_HINT = "a value is a number (1, -2.5, 1e3, Inf), a+bxN, a-bxN, axN, '_' (no sample), 'null' or a quoted text, optionally followed by @<time> such as @90s";

export function parseSeriesNotation(text: string, options: SeriesNotationOptions = {}): SeriesNotationResult {
  const context: LineContext = {
    text,
    interval: options.interval ?? DEFAULT_SERIES_INTERVAL_MS,
    start: options.start ?? 0,
    defaultEntity: options.defaultEntity === undefined ? DEFAULT_TEST_ENTITY : options.defaultEntity,
    samples: [],
    problems: [],
  };
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const contentEnd = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    parseLine(context, lineStart, contentEnd);
    if (context.samples.length > MAX_SERIES_SAMPLES) {
      context.problems.push({
        code: 'series-too-long',
        message: `the input expands to more than ${MAX_SERIES_SAMPLES} samples`,
        span: { start: lineStart, end: contentEnd },
        hint: 'use fewer or shorter series; a test rarely needs more than a few hundred samples',
      });
      break;
    }
    lineStart = lineEnd + 1;
  }
  const samples = options.order === 'written' ? context.samples : [...context.samples].sort((a, b) => a.time - b.time);
  return { samples, diagnostics: context.problems.map((problem) => locate(problem, text, options.origin)) };
}

/**
 * A test expectation's `at:` time: durations joined by `+`, e.g. `180s`, `240s+5m`, `1h30m`, `0`.
 * Returns milliseconds after the test start.
 */
export function parseTestTime(text: string, origin?: SourceOrigin): { ok: true; ms: number } | { ok: false; diagnostic: Diagnostic } {
  let total = 0;
  let offset = 0;
  for (const part of text.split('+')) {
    const leading = part.length - part.trimStart().length;
    const term = part.trim();
    const ms = term === '0' ? 0 : parseDuration(term);
    if (ms === null || term === '') {
      const start = offset + leading;
      const problem: Problem = {
        code: 'test-time',
        message: term === '' ? 'missing duration in the time' : `'${term}' is not a duration`,
        span: { start, end: start + Math.max(1, term.length) },
        hint: /^\d+(\.\d+)?$/.test(term)
          ? `add a unit, e.g. '${term}s' or '${term}m'`
          : "write the time after the test start as a duration such as 180s, 5m or 1h30m; add durations with '+', e.g. 240s+5m",
      };
      return { ok: false, diagnostic: locate(problem, text, origin) };
    }
    total += ms;
    offset += part.length + 1;
  }
  return { ok: true, ms: total };
}

// ---- one line ---------------------------------------------------------------------------------------

interface LineContext {
  readonly text: string;
  readonly interval: number;
  readonly start: number;
  readonly defaultEntity: string | null;
  readonly samples: Sample[];
  readonly problems: Problem[];
}

const METRIC = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const LABEL_KEY = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const BARE_LABEL_VALUE = /[^\s,}"'=]+/y;
const NUMBER = /[+-]?(?:inf(?:inity)?|nan|(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)/iy;
const UNSIGNED = /(?:inf(?:inity)?|(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)/iy;
const COUNT = /\d+/y;
const KEYWORD = /null|stale|_/iy;

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/** Matches a sticky regex at `pos` (before `end`); the matched text or null. */
function matchAt(regex: RegExp, text: string, pos: number, end: number): string | null {
  regex.lastIndex = pos;
  const match = regex.exec(text);
  return match && pos + match[0].length <= end ? match[0] : null;
}

function parseLine(context: LineContext, lineStart: number, lineEnd: number): void {
  const { text } = context;
  let pos = lineStart;
  while (pos < lineEnd && isSpace(text.charCodeAt(pos))) pos++;
  if (pos === lineEnd || text[pos] === '#') return;

  const problem = (code: string, message: string, start: number, end: number, hint?: string) => {
    context.problems.push(hint === undefined ? { code, message, span: { start, end } } : { code, message, span: { start, end }, hint });
  };

  const metric = matchAt(METRIC, text, pos, lineEnd);
  if (metric === null) {
    problem('series-metric', 'expected a metric name at the start of the series', pos, pos + 1, SERIES_HINT);
    return;
  }
  const metricStart = pos;
  pos += metric.length;

  const labels = new Map<string, string>();
  if (text[pos] === '{') {
    const closed = parseLabels(context, pos, lineEnd, labels);
    if (closed === null) return;
    pos = closed;
  }
  if (pos < lineEnd && !isSpace(text.charCodeAt(pos))) {
    problem('series-metric', `unexpected '${text[pos]}' after the series name`, pos, pos + 1, 'separate the values from the series with a space, e.g. cpu{entity=h1} 1 2 3');
    return;
  }

  const entity = labels.get('entity') ?? context.defaultEntity;
  if (entity === null || entity === '') {
    problem('series-entity', entity === '' ? 'the entity name is empty' : 'the series names no entity', metricStart, pos, 'add entity=NAME inside the braces, e.g. cpu{entity=h1}');
    return;
  }
  labels.delete('entity');
  const tags: Tags = Object.fromEntries(labels);

  const series: SeriesTarget = { metric, entity, tags };
  let cursor = 0;
  let terms = 0;
  while (true) {
    while (pos < lineEnd && isSpace(text.charCodeAt(pos))) pos++;
    if (pos >= lineEnd || text[pos] === '#') break;
    terms++;
    const next = parseTerm(context, series, pos, lineEnd, cursor);
    pos = next.pos;
    cursor = next.cursor;
    if (context.samples.length > MAX_SERIES_SAMPLES) return;
  }
  if (terms === 0) problem('series-empty', `the series '${metric}' has no values`, metricStart, pos, SERIES_HINT);
}

/** Reads `{k=v, …}` starting at the `{`; the offset after `}`, or null after reporting a problem. */
function parseLabels(context: LineContext, open: number, lineEnd: number, labels: Map<string, string>): number | null {
  const { text } = context;
  const fail = (code: string, message: string, start: number, end: number, hint: string): null => {
    context.problems.push({ code, message, span: { start, end: Math.max(end, start + 1) }, hint });
    return null;
  };
  const labelHint = "write labels as {entity=h1, key=value} or with quoted values {key=\"a value\"}";
  let pos = open + 1;
  const skip = () => {
    while (pos < lineEnd && isSpace(text.charCodeAt(pos))) pos++;
  };
  while (true) {
    skip();
    if (pos >= lineEnd) return fail('series-label', "'{' is never closed", open, open + 1, "end the labels with '}'");
    if (text[pos] === '}') return pos + 1;
    const key = matchAt(LABEL_KEY, text, pos, lineEnd);
    if (key === null) return fail('series-label', `expected a label name, found '${text[pos]}'`, pos, pos + 1, labelHint);
    const keyStart = pos;
    pos += key.length;
    skip();
    if (text[pos] !== '=') {
      const found = pos < lineEnd ? `'${text[pos]}'` : 'the end of the line';
      const hint = text.startsWith('!=', pos) || text.startsWith('=~', pos) ? "series labels are values, not matchers: use '='" : labelHint;
      return fail('series-label', `expected '=' after the label '${key}', found ${found}`, pos, pos + 1, hint);
    }
    pos++;
    skip();
    let value: string;
    const quote = text[pos];
    if (quote === '"' || quote === "'") {
      const read = readQuoted(text, pos, lineEnd);
      if (read === null) return fail('series-label', 'the quoted label value is never closed', pos, lineEnd, `end it with ${quote}`);
      value = read.value;
      pos = read.end;
    } else {
      const bare = matchAt(BARE_LABEL_VALUE, text, pos, lineEnd);
      if (bare === null) return fail('series-label', `expected a value for the label '${key}'`, pos, pos + 1, labelHint);
      value = bare;
      pos += bare.length;
    }
    if (labels.has(key)) return fail('series-duplicate-label', `the label '${key}' is given twice`, keyStart, keyStart + key.length, 'give each label once');
    labels.set(key, value);
    skip();
    if (text[pos] === ',') pos++;
    else if (text[pos] !== '}') {
      const found = pos < lineEnd ? `'${text[pos]}'` : 'the end of the line';
      return fail('series-label', `expected ',' or '}' after the label '${key}', found ${found}`, pos, pos + 1, labelHint);
    }
  }
}

/** A quoted string at `pos` ('…' or "…", backslash escapes); null when it is not closed on the line. */
function readQuoted(text: string, pos: number, lineEnd: number): { value: string; end: number } | null {
  const quote = text[pos];
  let value = '';
  for (let i = pos + 1; i < lineEnd; i++) {
    const c = text[i]!;
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\' && i + 1 < lineEnd) {
      const e = text[++i]!;
      value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
    } else value += c;
  }
  return null;
}

interface SeriesTarget {
  metric: string;
  entity: string;
  tags: Tags;
}

type TermValue = { kind: 'missing' } | { kind: 'number'; first: number; step: number } | { kind: 'null' } | { kind: 'text'; text: string };

/**
 * Parses one term at `pos`, emits its samples, and returns where the next term starts and the
 * step cursor (ms after the start) for the next term. On a mistake it reports it and skips the term.
 */
function parseTerm(context: LineContext, series: SeriesTarget, pos: number, lineEnd: number, cursor: number): { pos: number; cursor: number } {
  const { text } = context;
  const termStart = pos;
  let termEnd = pos;
  while (termEnd < lineEnd && !isSpace(text.charCodeAt(termEnd))) termEnd++;
  const skipTerm = (code: string, message: string, start: number, end: number, hint: string = TERM_HINT) => {
    context.problems.push({ code, message, span: { start, end: Math.max(end, start + 1) }, hint });
    // A quoted text may contain spaces: skip to the end of the term it started.
    return { pos: Math.max(termEnd, end), cursor };
  };

  let value: TermValue;
  const quote = text[pos];
  const keyword = matchAt(KEYWORD, text, pos, termEnd);
  const afterKeyword = keyword === null ? '' : text.slice(pos + keyword.length, termEnd);
  if (quote === '"' || quote === "'") {
    const read = readQuoted(text, pos, lineEnd);
    if (read === null) return skipTerm('series-value', 'the quoted text is never closed', pos, lineEnd, `end it with ${quote}`);
    value = { kind: 'text', text: read.value };
    pos = read.end;
    // The text may hold spaces: the term ends at the first space after the closing quote.
    termEnd = pos;
    while (termEnd < lineEnd && !isSpace(text.charCodeAt(termEnd))) termEnd++;
  } else if (keyword !== null && (afterKeyword === '' || afterKeyword[0] === '@' || /^x\d/.test(afterKeyword))) {
    value = keyword.toLowerCase() === 'null' ? { kind: 'null' } : { kind: 'missing' };
    pos += keyword.length;
  } else {
    const number = matchAt(NUMBER, text, pos, lineEnd);
    if (number === null) return skipTerm('series-value', `'${text.slice(termStart, termEnd)}' is not a value`, termStart, termEnd);
    const first = toNumber(number);
    if (Number.isNaN(first)) {
      return skipTerm('series-value', 'NaN is not a sample value in tocsin', pos, pos + number.length, "write 'null' for a sample without a number, or '_' for no sample");
    }
    pos += number.length;
    let step = 0;
    const sign = text[pos];
    if (sign === '+' || sign === '-') {
      const increment = matchAt(UNSIGNED, text, pos + 1, lineEnd);
      if (increment === null) return skipTerm('series-value', `expected a number after '${sign}'`, pos + 1, pos + 2, "write a+bxN, e.g. 1+2x5 for 1 3 5 7 9 11");
      step = (sign === '-' ? -1 : 1) * toNumber(increment);
      pos += 1 + increment.length;
      if (text[pos] !== 'x') {
        return skipTerm('series-value', `'${text.slice(termStart, pos)}' needs a count`, termStart, pos, `write ${text.slice(termStart, pos)}xN for N more samples, each ${sign === '-' ? 'decreasing' : 'increasing'} by ${increment}`);
      }
    }
    value = { kind: 'number', first, step };
  }

  let count = 1;
  if (text[pos] === 'x') {
    const digits = matchAt(COUNT, text, pos + 1, lineEnd);
    if (digits === null) return skipTerm('series-count', "expected a count after 'x'", pos + 1, pos + 2, "write the number of repetitions after 'x', e.g. 1x5");
    const n = Number(digits);
    if (n > MAX_SERIES_SAMPLES) return skipTerm('series-count', `${digits} repetitions are too many`, pos + 1, pos + 1 + digits.length, `use at most ${MAX_SERIES_SAMPLES}`);
    // promtool: 'axn' is n + 1 samples (a, then n more), but '_xn' is n missing steps.
    count = value.kind === 'missing' ? n : n + 1;
    pos += 1 + digits.length;
  }

  if (text[pos] === '@') {
    const timeText = text.slice(pos + 1, termEnd);
    const ms = /^\d+(\.\d+)?$/.test(timeText) && Number(timeText) === 0 ? 0 : parseDuration(timeText);
    if (ms === null || timeText === '') {
      return skipTerm('series-time', timeText === '' ? "expected a time after '@'" : `'${timeText}' is not a duration`, pos + 1, Math.max(termEnd, pos + 2), 'write the time after the test start as a duration, e.g. 0@0s 5@90s or 1x3@5m');
    }
    cursor = ms;
    pos = termEnd;
  }

  if (pos < termEnd) {
    return skipTerm('series-value', `'${text.slice(termStart, termEnd)}' is not a value: unexpected '${text.slice(pos, termEnd)}'`, pos, termEnd);
  }

  for (let i = 0; i < count; i++) {
    if (value.kind !== 'missing') context.samples.push(makeSample(context, series, cursor, value, i));
    cursor += context.interval;
    if (context.samples.length > MAX_SERIES_SAMPLES) break;
  }
  return { pos: termEnd, cursor };
}

function toNumber(text: string): number {
  const lower = text.toLowerCase().replace('infinity', 'inf');
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  return Number(text);
}

function makeSample(context: LineContext, series: SeriesTarget, cursor: number, value: TermValue, index: number): Sample {
  const sample: Sample = { metric: series.metric, entity: series.entity, tags: series.tags, time: context.start + cursor, value: null };
  if (value.kind === 'number') sample.value = value.first + index * value.step;
  else if (value.kind === 'text') sample.text = value.text;
  return sample;
}
