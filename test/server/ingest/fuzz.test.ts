/**
 * Issue 14 item 9, the ingestion doors: whatever a client sends (random bytes, random lines built
 * from the characters that matter to the grammar, valid batches with random edits), the decoders
 * return samples that respect every limit, or positioned errors of bounded size; they never throw.
 * The same holds through the real fastify server: the answer is 2xx or 4xx, never 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../../src/server/ingest/errors.js';
import { DEFAULT_INGEST_LIMITS } from '../../../src/server/ingest/limits.js';
import { parseLineProtocol } from '../../../src/server/ingest/line-protocol.js';
import { PRECISIONS } from '../../../src/server/ingest/line-protocol-numbers.js';
import { parseSamplesBody } from '../../../src/server/ingest/samples-body.js';
import { startTestServer, type TestServer } from '../helpers.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const NOW_NS = `${NOW}000000`;
const limits = DEFAULT_INGEST_LIMITS;

/** Samples within every limit, or errors that say where; both bounded by the input. */
function expectWellFormed(result: IngestResult, body: string): void {
  const lines = body.split('\n').length;
  if (result.ok) {
    for (const sample of result.samples) {
      expect(sample.metric.length).toBeGreaterThan(0);
      expect(sample.metric.length).toBeLessThanOrEqual(limits.maxMetricNameLength);
      expect(sample.entity.length).toBeGreaterThan(0);
      expect(sample.entity.length).toBeLessThanOrEqual(limits.maxEntityNameLength);
      const keys = Object.keys(sample.tags);
      expect(keys.length).toBeLessThanOrEqual(limits.maxTagsPerSample);
      for (const key of keys) {
        expect(key.length).toBeLessThanOrEqual(limits.maxTagKeyLength);
        expect(sample.tags[key]!.length).toBeLessThanOrEqual(limits.maxTagValueLength);
      }
      expect(sample.time).toBeGreaterThanOrEqual(NOW - limits.maxSampleAgeMs);
      expect(sample.time).toBeLessThanOrEqual(NOW + limits.maxSampleFutureMs);
      if (sample.value !== null) expect(Number.isFinite(sample.value)).toBe(true);
    }
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(limits.maxErrors + 1);
  for (const error of result.errors) {
    // Positioned: a line of the body or an item of the array.
    expect(error.line !== undefined || error.index !== undefined, JSON.stringify(error)).toBe(true);
    if (error.line !== undefined) {
      expect(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines).toBe(true);
    }
    if (error.column !== undefined) expect(error.column).toBeGreaterThanOrEqual(1);
    expect(typeof error.message).toBe('string');
    // User text is quoted clipped: an error never echoes a huge input back.
    expect(error.message.length).toBeLessThan(600);
    expect((error.hint ?? '').length).toBeLessThan(600);
  }
}

// Characters that steer the grammars: separators, escapes, quotes, digits, signs, units, unicode.
const LP_CHARS = [...'abcxyz,= \\"\t\r#.-+eE019iuTtFf', 'é', '💥', '\u0000', '\u007f', '\ufeff'];
const JSON_CHARS = [
  ...'{}[]:,"\\ \t\r0123456789.-+eEtrufalsn', 'metric', 'entity', 'time', 'value', 'tags', 'text', 'null', '💥',
];

const lpLine = fc.array(fc.constantFrom(...LP_CHARS), { maxLength: 60 }).map((chars) => chars.join(''));
const lpBody = fc.array(lpLine, { maxLength: 12 }).map((lines) => lines.join('\n'));
const jsonBody = fc.array(fc.constantFrom(...JSON_CHARS), { maxLength: 200 }).map((chars) => chars.join(''));
const randomBytes = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8'));
const randomText = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), randomBytes);
const json = (value: unknown) => JSON.stringify(value);
const lines = (values: unknown[]) => values.map(json).join('\n');

/** Random edits of a valid body: insert, delete or replace characters anywhere. */
function mutated(valid: string, alphabet: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...alphabet));
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let text = valid;
    for (const [at, kind, char] of edits) {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      if (kind === 'insert') text = text.slice(0, i) + char + text.slice(i);
      else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1);
      else text = text.slice(0, i) + char + text.slice(i + 1);
    }
    return text;
  });
}

const VALID_LP = [
  `cpu,host=web-1,cpu=cpu-total usage_active=12.5,usage_idle=87.5 ${NOW_NS}`,
  `docker.container,entity=web-1,host=node-3 down=1i ${NOW_NS}`,
  `svc,host=web-1 ok=true,state="degraded, \\"badly\\"" ${NOW_NS}`,
  'mem,host=db\\ 1 used=5u',
].join('\n');

const validSample = (i: number) =>
  ({ metric: `disk.used_${i}`, entity: 'db-1', tags: { path: `/d${i}` }, time: NOW - i * 1000, value: i });
const VALID_ARRAY = JSON.stringify([validSample(1), validSample(2), { ...validSample(3), value: null, text: 'down' }]);
const VALID_NDJSON = lines([validSample(1), validSample(2), { ...validSample(3), time: new Date(NOW).toISOString() }]);

const precision = fc.constantFrom(...PRECISIONS);
const contentType = fc.constantFrom(
  'application/json', 'application/x-ndjson', 'text/plain', '', 'application/json; charset=utf-8',
);

describe('line protocol decoder on any input', () => {
  it.each([
    ['random text', randomText],
    ['random lines of grammar characters', lpBody],
    ['valid batches with random edits', mutated(VALID_LP, LP_CHARS)],
  ] as const)('%s: samples within the limits or positioned errors, never an exception', (_name, bodies) => {
    fc.assert(fc.property(bodies, precision, (body, p) => {
      expectWellFormed(parseLineProtocol(body, { now: NOW, precision: p }), body);
    }), { numRuns: 400 });
  });

  it('over-long names and many tags are errors, not samples', () => {
    const long = fc.record({ measurement: fc.nat(300), host: fc.nat(300), tagValue: fc.nat(1100), tags: fc.nat(70) });
    fc.assert(fc.property(long, ({ measurement, host, tagValue, tags }) => {
      const extra = Array.from({ length: tags }, (_, i) => `,t${i}=v`).join('');
      const [m, h, v] = [measurement, host, tagValue].map((n, i) => 'mhv'[i]!.repeat(n + 1));
      const body = `${m},host=${h},k=${v}${extra} x=1`;
      expectWellFormed(parseLineProtocol(body, { now: NOW }), body);
    }), { numRuns: 100 });
  });
});

describe('JSON and NDJSON decoder on any input', () => {
  it.each([
    ['random text', randomText],
    ['random strings of JSON characters', jsonBody],
    ['random JSON values', fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value))],
    ['random JSON values as NDJSON lines', fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }).map(lines)],
    ['valid arrays with random edits', mutated(VALID_ARRAY, JSON_CHARS)],
    ['valid NDJSON with random edits', mutated(VALID_NDJSON, JSON_CHARS)],
  ] as const)('%s: samples within the limits or positioned errors, never an exception', (_name, bodies) => {
    fc.assert(fc.property(bodies, contentType, (body, type) => {
      expectWellFormed(parseSamplesBody(body, type, { now: NOW }), body);
    }), { numRuns: 400 });
  });

  it('samples with random field values: accepted only when every field is valid', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 300 }), fc.double(), fc.integer(), fc.constant(null), fc.boolean(),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const name = fc.oneof(fc.string({ maxLength: 300 }), anyValue);
    const tags = fc.dictionary(fc.string({ maxLength: 200 }), fc.string({ maxLength: 1100 }), { maxKeys: 70 });
    const sample = fc.record({
      metric: name, entity: name,
      time: fc.oneof(fc.integer({ min: NOW - 2 * 365 * 86_400_000, max: NOW + 3_600_000 }), fc.double(), anyValue),
      value: anyValue, tags: fc.oneof(tags, anyValue),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(sample, { maxLength: 5 }), contentType, (items, type) => {
      const body = type === 'application/x-ndjson' ? lines(items) : json(items);
      expectWellFormed(parseSamplesBody(body, type, { now: NOW }), body);
    }), { numRuns: 400 });
  });
});

describe('ingestion through the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ startAt: NOW });
  });
  afterAll(() => server.close());

  it('any body to any ingestion route is answered 2xx or 4xx, never 5xx', async () => {
    const request = fc.oneof(
      fc.record({
        url: fc.constant('/api/v1/samples'),
        body: fc.oneof(randomText, jsonBody, mutated(VALID_ARRAY, JSON_CHARS), mutated(VALID_NDJSON, JSON_CHARS)),
        type: contentType,
      }),
      fc.record({
        url: fc.oneof(
          fc.constant('/api/v1/write'),
          fc.constantFrom(...PRECISIONS, 'h', '', '%zz').map((p) => `/api/v1/write?precision=${p}`),
        ),
        body: fc.oneof(randomText, lpBody, mutated(VALID_LP, LP_CHARS)),
        type: fc.constantFrom('text/plain', 'application/octet-stream', ''),
      }),
      fc.record({
        url: fc.string({ maxLength: 300 }).map((name) => `/api/v1/entities/${encodeURIComponent(name)}`),
        body: fc.oneof(randomText, fc.jsonValue({ maxDepth: 3 }).map(json)),
        type: fc.constant('application/json'),
      }),
    );
    await fc.assert(fc.asyncProperty(request, async ({ url, body, type }) => {
      const method = url.startsWith('/api/v1/entities/') ? 'PUT' : 'POST';
      const headers = { authorization: `Bearer ${server.tokens.ingest}`, ...(type ? { 'content-type': type } : {}) };
      const response = await server.app.inject({ method, url, headers, payload: body });
      const shown = `${method} ${url} ${json(body).slice(0, 200)} → ${response.body.slice(0, 300)}`;
      expect(response.statusCode, shown).toBeLessThan(500);
      expect(response.statusCode).toBeGreaterThanOrEqual(200);
    }), { numRuns: 300 });
  });
});
