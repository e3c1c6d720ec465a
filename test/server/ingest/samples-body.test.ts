import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/sample.js';
import type { IngestError } from '../../../src/server/ingest/errors.js';
import { parseSamplesBody, samplesBodyFormat } from '../../../src/server/ingest/samples-body.js';

const JSON_TYPE = 'application/json';
const NDJSON_TYPE = 'application/x-ndjson';
const TIME = '2024-05-01T12:00:00.000Z';
const MS = Date.parse(TIME);

const good = (value: number | null, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ metric: 'cpu.busy', entity: 'web1', time: TIME, value, ...extra });
const normalized = (value: number | null, extra: Partial<Sample> = {}): Sample =>
  ({ metric: 'cpu.busy', entity: 'web1', tags: {}, time: MS, value, ...extra });

function samples(body: string, contentType: string): Sample[] {
  const result = parseSamplesBody(body, contentType);
  if (!result.ok) throw new Error(`expected samples, got errors:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.samples;
}

function errors(body: string, contentType: string, limits?: Parameters<typeof parseSamplesBody>[2]): IngestError[] {
  const result = parseSamplesBody(body, contentType, limits);
  if (result.ok) throw new Error(`expected errors, got samples:\n${JSON.stringify(result.samples, null, 2)}`);
  return result.errors;
}

const ndjson = (...items: unknown[]): string => items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n');

describe('choosing JSON array or NDJSON', () => {
  it.each([
    ['[{"a":1}]', 'application/json', 'json-array'],
    ['  \n [ ]', 'application/json; charset=utf-8', 'json-array'],
    ['{"a":1}\n{"a":2}', 'application/json', 'ndjson'],
    ['{"a":1}', '', 'ndjson'],
    ['[{"a":1}]', 'application/x-ndjson', 'ndjson'],
    ['x', 'Application/X-NDJSON; charset=utf-8', 'ndjson'],
    ['{}', 'application/jsonl', 'ndjson'],
    ['', 'application/json', 'ndjson'],
  ] as const)('%j as %j → %s', (body, contentType, format) => {
    expect(samplesBodyFormat(body, contentType)).toBe(format);
  });
});

describe('a JSON array of samples (SPEC §1)', () => {
  it('normalises every item: time to epoch ms, tags always present, text kept', () => {
    const body = JSON.stringify([
      good(1.5),
      good(null, { text: 'down', tags: { dc: 'eu' } }),
      { metric: 'mem.used', entity: 'db1', time: 1_700_000_000_000, value: 0 },
    ]);
    expect(samples(body, JSON_TYPE)).toEqual([
      normalized(1.5),
      normalized(null, { text: 'down', tags: { dc: 'eu' } }),
      { metric: 'mem.used', entity: 'db1', tags: {}, time: 1_700_000_000_000, value: 0 },
    ]);
  });

  it('accepts an empty array', () => {
    expect(samples('[]', JSON_TYPE)).toEqual([]);
  });

  it('reports every bad item by index and field, and returns no samples', () => {
    const body = JSON.stringify([good(1), { ...good(1), value: 'high' }, good(2), { ...good(3), colour: 'red' }, good(4, { tags: { dc: 5 } }), 'text']);
    expect(errors(body, JSON_TYPE)).toEqual([
      { code: 'invalid-sample', index: 1, field: 'value', pointer: '/1/value', message: 'value must be a finite number or null' },
      { code: 'invalid-sample', index: 3, field: 'colour', pointer: '/3/colour', message: "unknown field 'colour' (fields are metric, entity, tags, time, value, text)" },
      { code: 'invalid-sample', index: 4, field: 'tags.dc', pointer: '/4/tags/dc', message: "tag 'dc' must be a string" },
      {
        code: 'invalid-sample', index: 5, pointer: '/5', message: 'a sample must be an object {metric, entity, time, value}',
        hint: expect.stringContaining('a sample is {"metric"') as unknown as string,
      },
    ]);
  });

  it('gives the line and column of a JSON syntax error', () => {
    const body = '[\n  {"metric": "m", "entity": "e", "time": 1, "value": 1},\n  {"metric": "m", "entity": "e", "time": 1, "value": 1,}\n]';
    expect(errors(body, JSON_TYPE)).toEqual([{
      code: 'json-syntax', line: 3, column: 56,
      message: "the body is not valid JSON: expected a property name in double quotes but found '}'",
      hint: 'send a JSON array of samples, or NDJSON with one sample per line',
    }]);
  });

  it('points at an array nested inside the body array', () => {
    expect(errors('[[{"metric":"m"}]]', JSON_TYPE)).toMatchObject([{ index: 0, hint: 'send one sample object per item (a JSON array body is itself the list)' }]);
  });

  it('limits the number of items', () => {
    const body = JSON.stringify([good(1), good(2), good(3)]);
    expect(errors(body, JSON_TYPE, { limits: { maxBatchLines: 2 } })).toMatchObject([{ code: 'too-many-lines', message: 'the batch has 3 samples; the limit is 2' }]);
    expect(samples(body, JSON_TYPE)).toHaveLength(3);
  });

  it('lists at most maxErrors problems', () => {
    const body = JSON.stringify(Array.from({ length: 5 }, () => ({})));
    expect(errors(body, JSON_TYPE, { limits: { maxErrors: 2 } }).map((e) => [e.code, e.index])).toEqual([
      ['invalid-sample', 0], ['invalid-sample', 1], ['too-many-errors', 2],
    ]);
  });
});

describe('NDJSON, one sample per line', () => {
  it('reads every line, skipping blank ones, with Windows line endings too', () => {
    const body = `${ndjson(good(1), '', '   ', good(2))}\r\n${JSON.stringify(good(3))}\r\n`;
    expect(samples(body, NDJSON_TYPE).map((s) => s.value)).toEqual([1, 2, 3]);
  });

  it('reads a single object posted as application/json', () => {
    expect(samples(JSON.stringify(good(7)), JSON_TYPE)).toEqual([normalized(7)]);
  });

  it('returns no samples for an empty body', () => {
    expect(samples('', NDJSON_TYPE)).toEqual([]);
    expect(samples('\n\n', NDJSON_TYPE)).toEqual([]);
  });

  it('reports every bad line by line number, column and field, and returns no samples', () => {
    const body = ndjson(good(1), '', good(1, { time: 'yesterday' }), '{"metric": "m",', good(2), { ...good(3), entity: '' });
    expect(errors(body, NDJSON_TYPE)).toEqual([
      { code: 'invalid-sample', line: 3, field: 'time', pointer: '/time', message: "time 'yesterday' is not an ISO 8601 date-time" },
      {
        code: 'json-syntax', line: 4, column: 16, message: "not valid JSON: expected a property name in double quotes but found the end of the input",
        hint: 'NDJSON has exactly one JSON object per line',
      },
      { code: 'invalid-sample', line: 6, field: 'entity', pointer: '/entity', message: 'entity must be a non-empty string' },
    ]);
  });

  it('rejects a JSON array line in an NDJSON body with a hint', () => {
    expect(errors(JSON.stringify([good(1)]), NDJSON_TYPE)).toMatchObject([{ line: 1, hint: 'send one sample object per item (a JSON array body is itself the list)' }]);
  });

  it('limits the number of lines and their length', () => {
    const body = ndjson(good(1), good(2), good(3));
    expect(errors(body, NDJSON_TYPE, { limits: { maxBatchLines: 2 } })).toMatchObject([{ code: 'too-many-lines', line: 3 }]);
    expect(errors(body, NDJSON_TYPE, { limits: { maxLineLength: 20 } }).map((e) => [e.code, e.line])).toEqual([
      ['line-too-long', 1], ['line-too-long', 2], ['line-too-long', 3],
    ]);
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(samples(`\ufeff${JSON.stringify(good(1))}`, NDJSON_TYPE)).toEqual([normalized(1)]);
    expect(samples(`\ufeff${JSON.stringify([good(1)])}`, JSON_TYPE)).toEqual([normalized(1)]);
  });
});

describe('robustness', () => {
  it('never throws, whatever the body and content type', () => {
    const body = fc.oneof(fc.string(), fc.json(), fc.array(fc.json()).map((lines) => lines.join('\n')), fc.string({ unit: 'binary' }));
    fc.assert(fc.property(body, fc.constantFrom(JSON_TYPE, NDJSON_TYPE, '', 'text/plain'), (text, contentType) => {
      const result = parseSamplesBody(text, contentType);
      if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
    }), { numRuns: 2000 });
  });

  it('accepts every valid sample in both formats, with the same result', () => {
    const tagText = fc.string({ maxLength: 8 });
    const sample = fc.record({
      metric: fc.string({ minLength: 1, maxLength: 10 }),
      entity: fc.string({ minLength: 1, maxLength: 10 }),
      tags: fc.dictionary(tagText.filter((key) => key !== '__proto__'), tagText, { maxKeys: 3 }),
      time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)), fc.constant(null)),
    });
    fc.assert(fc.property(fc.array(sample, { maxLength: 5 }), (list) => {
      expect(samples(JSON.stringify(list), JSON_TYPE)).toEqual(list);
      expect(samples(list.map((item) => JSON.stringify(item)).join('\n'), NDJSON_TYPE)).toEqual(list);
    }));
  });
});
