/**
 * The body of `POST /api/v1/samples` (SPEC §7): a JSON array of samples, or NDJSON (one sample per
 * line). Each sample is checked by `normalizeSample` (SPEC §1 shape, unknown fields rejected); the
 * batch is validated whole, and every bad item is reported by its array index or its line.
 */
import { normalizeSample, type Sample } from '../../model/sample.js';
import { lineAndColumn } from '../../parser/diagnostics.js';
import { ErrorList, type IngestError, type IngestResult } from './errors.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { resolveLimits, type IngestLimits } from './limits.js';
import { checkSampleShape, jsonTimeProblem, judgeTime, type SampleProblem } from './sample-limits.js';

export type SamplesBodyFormat = 'json-array' | 'ndjson';

export interface SamplesBodyOptions {
  limits?: Partial<IngestLimits>;
  /**
   * The server's clock (epoch ms) when the request arrived: sample times are checked against it
   * (max_sample_age, max_sample_future). Without it, times are not checked (a library caller
   * parsing historical data).
   */
  now?: number;
}

const NDJSON_MEDIA_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

const SAMPLE_SHAPE = 'a sample is {"metric": "cpu.busy", "entity": "web1", "time": "2024-05-01T12:00:00Z" or epoch ms, "value": 1.5 or null, "tags"?: {…}, "text"?: "…"}';

/**
 * NDJSON when the Content-Type says so; otherwise decided by the body: a JSON array starts with
 * `[`, anything else is read as NDJSON (so a single sample object posted as application/json works).
 */
export function samplesBodyFormat(body: string, contentType: string): SamplesBodyFormat {
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (NDJSON_MEDIA_TYPES.has(mediaType)) return 'ndjson';
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code === 32 || code === 9 || code === 10 || code === 13 || code === 0xfeff) continue;
    return code === 91 /* [ */ ? 'json-array' : 'ndjson';
  }
  return 'ndjson';
}

/** Parses a whole batch: all its samples, or every bad item and no samples. */
export function parseSamplesBody(body: string, contentType: string, options: SamplesBodyOptions = {}): IngestResult {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  const limits = resolveLimits(options.limits);
  const check = (item: unknown) => checkItem(item, limits, options.now);
  return samplesBodyFormat(text, contentType) === 'ndjson'
    ? parseNdjson(text, limits, check)
    : parseJsonArray(text, limits, check);
}

type ItemProblem = Omit<IngestError, 'line' | 'index'>;
const ONE_PER_ITEM = 'send one sample object per item (a JSON array body is itself the list)';
type ItemResult = { ok: true; sample: Sample } | { ok: false; problem: ItemProblem; path: string[] };

/** RFC 6901: `~` and `/` inside a key are escaped. */
function pointerOf(path: readonly string[]): string {
  return path.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** One item: the SPEC §1 shape (normalizeSample), then the ingestion limits and the time span. */
function checkItem(item: unknown, limits: IngestLimits, now: number | undefined): ItemResult {
  const result = normalizeSample(item);
  if (!result.ok) {
    const field = result.field;
    const problem: ItemProblem = { code: 'invalid-sample', message: result.message };
    if (field !== '') problem.field = field;
    else problem.hint = Array.isArray(item) ? ONE_PER_ITEM : SAMPLE_SHAPE;
    // normalizeSample names a tag 'tags.<key>' (an unknown top-level field is named as it is).
    const isTag = field.startsWith('tags.') && !Object.hasOwn(item as object, field);
    return { ok: false, problem, path: field === '' ? [] : isTag ? ['tags', field.slice(5)] : [field] };
  }
  const sample = result.sample;
  let found: SampleProblem | null = checkSampleShape(sample, limits);
  if (found === null && now !== undefined) {
    const verdict = judgeTime(sample.time, now, limits);
    if (verdict !== 'ok') found = jsonTimeProblem((item as { time: unknown }).time, sample.time, verdict, now, limits);
  }
  if (found === null) return { ok: true, sample };
  const field = found.path[0] === 'tags' && found.path.length > 1 ? `tags.${found.path[1]}` : found.path.join('.');
  const problem: ItemProblem = { code: found.code, field, message: found.message, hint: found.hint };
  return { ok: false, problem, path: found.path };
}

function jsonSyntaxError(text: string, thrown: unknown): { offset: number; message: string } {
  const located = findJsonSyntaxError(text);
  if (located !== null) return located;
  // The recogniser found nothing JSON.parse objects to (it should not happen): keep V8's words.
  return { offset: 0, message: thrown instanceof Error ? thrown.message : String(thrown) };
}

function parseJsonArray(text: string, limits: IngestLimits, check: (item: unknown) => ItemResult): IngestResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (thrown) {
    const problem = jsonSyntaxError(text, thrown);
    const { line, column } = lineAndColumn(text, problem.offset);
    return {
      ok: false,
      errors: [{ code: 'json-syntax', line, column, message: `the body is not valid JSON: ${problem.message}`, hint: 'send a JSON array of samples, or NDJSON with one sample per line' }],
    };
  }
  if (!Array.isArray(parsed)) {
    return { ok: false, errors: [{ code: 'json-syntax', line: 1, column: 1, message: 'the body is not a JSON array', hint: SAMPLE_SHAPE }] };
  }
  if (parsed.length > limits.maxBatchLines) {
    return {
      ok: false,
      errors: [{ code: 'too-many-lines', index: limits.maxBatchLines, message: `the batch has ${parsed.length} samples; the limit is ${limits.maxBatchLines}`, hint: 'send smaller batches' }],
    };
  }
  const errors = new ErrorList(limits.maxErrors);
  const samples: Sample[] = [];
  for (let index = 0; index < parsed.length; index++) {
    const item: unknown = parsed[index];
    const result = check(item);
    if (!result.ok) errors.add({ index, ...result.problem, pointer: pointerOf([String(index), ...result.path]) });
    else if (errors.isEmpty) samples.push(result.sample);
  }
  return errors.isEmpty ? { ok: true, samples } : { ok: false, errors: errors.result() };
}

function parseNdjson(text: string, limits: IngestLimits, check: (item: unknown) => ItemResult): IngestResult {
  const errors = new ErrorList(limits.maxErrors);
  const samples: Sample[] = [];
  let line = 0;
  let items = 0;
  let start = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    const lineStart = start;
    start = next;
    if (isBlank(text, lineStart, end)) continue;
    if (++items > limits.maxBatchLines) {
      errors.add({ code: 'too-many-lines', line, message: `the batch has more than ${limits.maxBatchLines} lines`, hint: 'send smaller batches' });
      break;
    }
    if (end - lineStart > limits.maxLineLength) {
      errors.add({ code: 'line-too-long', line, message: `the line is ${end - lineStart} characters long; the limit is ${limits.maxLineLength}`, hint: 'send long texts in smaller samples' });
      continue;
    }
    const lineText = text.slice(lineStart, end);
    let item: unknown;
    try {
      item = JSON.parse(lineText);
    } catch (thrown) {
      const problem = jsonSyntaxError(lineText, thrown);
      errors.add({ code: 'json-syntax', line, column: problem.offset + 1, message: `not valid JSON: ${problem.message}`, hint: 'NDJSON has exactly one JSON object per line' });
      continue;
    }
    const result = check(item);
    if (result.ok) {
      if (errors.isEmpty) samples.push(result.sample);
    } else {
      const error: IngestError = { line, ...result.problem };
      if (result.path.length > 0) error.pointer = pointerOf(result.path);
      errors.add(error);
    }
  }
  return errors.isEmpty ? { ok: true, samples } : { ok: false, errors: errors.result() };
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}
