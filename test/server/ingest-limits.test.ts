/**
 * Issue 14 items 3 and 7 through the real server: the lengths of names and tags, the number of tags
 * and the time span of samples are limited at every ingestion door (JSON/NDJSON, line protocol,
 * entity and metric metadata). A batch over a limit is a 400 naming the line or JSON pointer, the
 * field and the limit, and nothing of it is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/server/limits.js';
import { startTestServer, type ApiResponse, type TestServer } from './helpers.js';

const START = Date.parse('2026-12-07T12:00:00Z');
const DAY = 86_400_000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ startAt: START });
});
afterAll(() => server.close());

function state() {
  return {
    samples: server.runtime.engine.stats.samples,
    entities: server.runtime.store.listEntities().map((e) => e.name).sort(),
  };
}

interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: Array<Record<string, unknown>> };
}
/** An asymmetric matcher for a string property inside toEqual. */
const has = (text: string) => expect.stringContaining(text) as unknown;
const errorOf = (response: ApiResponse) => (response.json as ErrorBody).error;

const write = (body: string, query = '') =>
  server.call('POST', `/api/v1/write${query}`, { token: server.tokens.ingest, body, contentType: 'text/plain' });
const post = (body: unknown, contentType?: string) =>
  server.call('POST', '/api/v1/samples', {
    token: server.tokens.ingest, body, ...(contentType ? { contentType } : {}),
  });
const put = (url: string, body: unknown) => server.call('PUT', url, { token: server.tokens.ingest, body });

/** A sample that is fine on its own, at the server's clock. */
const good = (extra: Record<string, unknown> = {}) =>
  ({ metric: 'cpu.busy', entity: 'web-1', time: server.clock.now(), value: 1, ...extra });

const manyTags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`t${i}`, 'v']));

const lineTags = (count: number) => Object.keys(manyTags(count)).map((k) => `${k}=v`).join(',');
const [METRIC, ENTITY, TAG_VALUE] = ['max_metric_name_length', 'max_entity_name_length', 'max_tag_value_length'];

describe('length and count limits at ingest (issue 14 item 3)', () => {
  const lineCases: Array<[string, string, string, string]> = [
    ['a measurement longer than the metric limit', `${'m'.repeat(256)},host=h1 x=1`, 'measurement', METRIC],
    ['a field that makes measurement.field too long', `cpu,host=h1 ${'f'.repeat(252)}=1`, 'f'.repeat(252), METRIC],
    ['an entity name (host) too long', `cpu,host=${'h'.repeat(256)} x=1`, 'tags.host', 'max_entity_name_length'],
    ['an entity name (entity tag) too long', `cpu,entity=${'e'.repeat(256)},host=h1 x=1`, 'tags.entity', ENTITY],
    ['a tag key too long', `cpu,host=h1,${'k'.repeat(129)}=v x=1`, 'tags.', 'max_tag_key_length'],
    ['a tag value too long', `cpu,host=h1,dc=${'v'.repeat(1025)} x=1`, 'tags.dc', 'max_tag_value_length'],
    ['host kept as a tag with a value too long', `cpu,entity=db1,host=${'h'.repeat(1025)} x=1`, 'tags.host', TAG_VALUE],
    ['65 tags', `cpu,host=h1,${lineTags(65)} x=1`, 'tags', 'max_tags_per_sample'],
  ];

  it.each(lineCases)('line protocol, %s: 400 naming the line, field and limit; nothing applied', async (...test) => {
    const [, line, field, limit] = test;
    const before = state();
    const response = await write(`cpu,host=h1 usage=1\n${line}\ncpu,host=h2 usage=2\n`);
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.message).toContain('line 2');
    expect(error.message).toContain(limit);
    const expected = { line: 2, field: has(field), hint: has(`--limit ${limit}=`) };
    expect(error.details).toEqual([expect.objectContaining(expected)]);
    expect(state()).toEqual(before);
  });

  it('line protocol exactly at the limits is accepted', async () => {
    const measurement = 'm'.repeat(251);
    const tags = Object.keys(manyTags(63)).map((k) => `${k}=v`).join(',');
    const line = `${measurement},host=${'h'.repeat(255)},${tags},${'k'.repeat(128)}=${'v'.repeat(1024)} abc=1`;
    const response = await write(line);
    expect(response.text).toBe('');
    expect(response.status).toBe(204);
  });

  const jsonCases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a metric name too long', { metric: 'm'.repeat(256) }, '/1/metric', 'max_metric_name_length'],
    ['an entity name too long', { entity: 'e'.repeat(256) }, '/1/entity', 'max_entity_name_length'],
    ['a tag key too long', { tags: { ['k'.repeat(129)]: 'v' } }, `/1/tags/${'k'.repeat(129)}`, 'max_tag_key_length'],
    ['a tag value too long', { tags: { 'dc/zone': 'v'.repeat(1025) } }, '/1/tags/dc~1zone', 'max_tag_value_length'],
    ['65 tags', { tags: manyTags(65) }, '/1/tags', 'max_tags_per_sample'],
  ];

  it.each(jsonCases)('JSON array, %s: 400 naming the JSON pointer and limit; nothing applied', async (...test) => {
    const [, extra, pointer, limit] = test;
    const before = state();
    const response = await post([good(), good(extra), good({ entity: 'web-2' })]);
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.message).toContain(`item 1`);
    expect(error.message).toContain(limit);
    expect(error.details).toEqual([expect.objectContaining({ index: 1, pointer })]);
    expect(state()).toEqual(before);
  });

  it('NDJSON names the line and the pointer inside it', async () => {
    const before = state();
    const body = [good(), good({ tags: { dc: 'v'.repeat(1025) } })].map((s) => JSON.stringify(s)).join('\n');
    const response = await post(body, 'application/x-ndjson');
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain("line 2, field 'tags.dc', at /tags/dc");
    expect(state()).toEqual(before);
  });

  it('PUT /api/v1/entities/:name: a name, tag or tag count over the limits is a 400 and stores nothing', async () => {
    const before = state();
    const longName = await put(`/api/v1/entities/${'e'.repeat(256)}`, {});
    expect(longName.status).toBe(400);
    expect(errorOf(longName).message).toContain('max_entity_name_length');
    const longTag = await put('/api/v1/entities/db-1', { tags: { env: 'x'.repeat(1025) } });
    expect(longTag.status).toBe(400);
    expect(errorOf(longTag).message).toMatch(/body\/tags\/env: .*max_tag_value_length/);
    const tooMany = await put('/api/v1/entities/db-1', { tags: manyTags(65) });
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany).message).toContain('max_tags_per_sample');
    expect(state()).toEqual(before);
    const fine = await put(`/api/v1/entities/${'e'.repeat(255)}`, { tags: manyTags(64) });
    expect(fine.status).toBe(200);
  });

  it('PUT /api/v1/metrics/:name: a name over the metric limit is a 400', async () => {
    const response = await put(`/api/v1/metrics/${'m'.repeat(256)}`, { units: '%' });
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain('max_metric_name_length');
  });

  it('the limits are settings: a server with smaller ones refuses what the defaults allow', async () => {
    const limits = { ...DEFAULT_LIMITS, max_tags_per_sample: 2, max_entity_name_length: 8 };
    const small = await startTestServer({ startAt: START, limits });
    try {
      const body = 'cpu,host=h1,a=1,b=2,c=3 x=1';
      const options = { token: small.tokens.ingest, body, contentType: 'text/plain' };
      const response = await small.call('POST', '/api/v1/write', options);
      expect(response.status).toBe(400);
      expect(errorOf(response).message).toContain('the sample has 3 tags; the limit is 2');
      const entity = await small.call('PUT', '/api/v1/entities/nine-char', { token: small.tokens.ingest, body: {} });
      expect(entity.status).toBe(400);
    } finally {
      await small.close();
    }
  });
});

describe('sample times outside max_sample_age and max_sample_future (issue 14 item 7)', () => {
  it('line protocol in seconds without ?precision=s: 400 naming the line, how it was read, and the fix', async () => {
    const before = state();
    const seconds = Math.floor(server.clock.now() / 1000);
    const ns = `${seconds}000000000`;
    const body = `cpu,host=h1 usage=1 ${ns}\ncpu,host=h1 usage=2 ${ns}\ncpu,host=h1 usage=3 ${seconds}\n`;
    const response = await write(body);
    expect(response.status).toBe(400);
    const error = errorOf(response);
    const read = new Date(Math.floor(seconds / 1e6)).toISOString();
    expect(error.message).toContain(
      `line 3, column 21, field 'timestamp': timestamp ${seconds} read as nanoseconds is ${read}, `
        + 'older than max_sample_age 365d',
    );
    const expected = { code: 'too-old', line: 3, hint: has('did you mean ?precision=s?') };
    expect(error.details).toEqual([expect.objectContaining(expected)]);
    expect(state()).toEqual(before);
    // The same line with the precision it needs is accepted.
    const fixed = await write(`cpu,host=h1 usage=3 ${seconds}`, '?precision=s');
    expect(fixed.status).toBe(204);
  });

  it('line protocol in milliseconds with ?precision=s: 400 suggesting ?precision=ms', async () => {
    const before = state();
    const response = await write(`cpu,host=h1 usage=1 ${server.clock.now()}`, '?precision=s');
    expect(response.status).toBe(400);
    const hint = has('did you mean ?precision=ms?');
    expect(errorOf(response).details).toEqual([expect.objectContaining({ line: 1, field: 'timestamp', hint })]);
    expect(state()).toEqual(before);
  });

  it('line protocol an hour ahead of the server clock: 400 naming max_sample_future', async () => {
    const before = state();
    const response = await write(`cpu,host=h1 usage=1 ${Math.floor(server.clock.now() / 1000) + 3600}`, '?precision=s');
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.message).toContain("line 1, column 21, field 'timestamp'");
    expect(error.message).toContain('more than max_sample_future 10m ahead of the server\'s clock');
    const expected = { code: 'in-future', hint: has("check the sender's clock") };
    expect(error.details).toEqual([expect.objectContaining(expected)]);
    expect(state()).toEqual(before);
  });

  it('accepts times up to the bounds and refuses them just beyond', async () => {
    const now = server.clock.now();
    expect((await post([good({ time: now - 365 * DAY }), good({ time: now + 10 * 60_000 })])).status).toBe(200);
    expect((await post([good({ time: now - 365 * DAY - 1 })])).status).toBe(400);
    expect((await post([good({ time: now + 10 * 60_000 + 1 })])).status).toBe(400);
  });

  it('JSON with epoch seconds: 400 naming the JSON pointer and field, with the unit mistake spelled out', async () => {
    const before = state();
    const seconds = Math.floor(server.clock.now() / 1000);
    const response = await post([good(), good({ time: seconds })]);
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.message).toContain(`item 1, field 'time', at /1/time: time ${seconds} (epoch milliseconds) is `);
    expect(error.message).toContain(new Date(seconds).toISOString());
    expect(error.message).toContain('older than max_sample_age 365d');
    const expected = { code: 'too-old', index: 1, pointer: '/1/time', hint: has('epoch seconds') };
    expect(error.details).toEqual([expect.objectContaining(expected)]);
    expect(state()).toEqual(before);
  });

  it('JSON with an ISO time two years ago or an hour ahead: 400', async () => {
    const before = state();
    const old = await post([good({ time: new Date(server.clock.now() - 730 * DAY).toISOString() })]);
    expect(old.status).toBe(400);
    expect(errorOf(old).message).toContain('older than max_sample_age');
    const later = new Date(server.clock.now() + 3_600_000).toISOString();
    const ahead = await post(`${JSON.stringify(good({ time: later }))}\n`, 'application/x-ndjson');
    expect(ahead.status).toBe(400);
    expect(errorOf(ahead).message).toContain("line 1, field 'time', at /time");
    expect(state()).toEqual(before);
  });

  it('judges times by the server clock (injected), not the wall clock', async () => {
    const clocked = await startTestServer({ startAt: START, limits: { ...DEFAULT_LIMITS, max_sample_age: 3_600_000 } });
    try {
      const sample = [{ metric: 'cpu.busy', entity: 'web-1', time: START - 1_800_000, value: 1 }];
      const send = () => clocked.call('POST', '/api/v1/samples', { token: clocked.tokens.ingest, body: sample });
      expect((await send()).status).toBe(200);
      clocked.clock.advance(3_600_000);
      const late = await send();
      expect(late.status).toBe(400);
      expect(errorOf(late).message).toContain('older than max_sample_age 1h');
    } finally {
      await clocked.close();
    }
  });
});
