/**
 * Malformed input of every kind gets a clear 4xx naming the problem and changes nothing (SPEC §10,
 * issue: server "bad input tests").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const RULES = `rules:
  - name: cpu-high
    metric: cpu.usage
    condition: value > 90
`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ files: { 'rules.yaml': RULES } });
});
afterAll(() => server.close());

function unchanged() {
  return {
    samples: server.runtime.engine.stats.samples,
    series: server.runtime.engine.seriesCount(),
    entities: server.runtime.store.listEntities().length,
    events: server.runtime.store.listEvents({ limit: 1000 }).length,
    silences: server.runtime.store.listSilences().length,
  };
}

describe('bad input changes nothing', () => {
  it('malformed JSON samples: 400 naming line and column', async () => {
    const before = unchanged();
    const response = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: '[{"metric": "cpu.usage", "entity": "h1", "time": 0, "value": 95}', contentType: 'application/json' });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/line 1/);
    expect(unchanged()).toEqual(before);
  });

  it('one bad line among good line protocol: 400 naming the line and field, no sample applied', async () => {
    const before = unchanged();
    const body = 'cpu,host=h1 usage=95 1700000000000000000\ncpu,host=h2 usage=oops 1700000000000000000\ncpu,host=h3 usage=99 1700000000000000000\n';
    const response = await server.call('POST', '/api/v1/write', { token: server.tokens.ingest, body, contentType: 'text/plain' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('line 2');
    expect(response.text).toContain('usage');
    expect(unchanged()).toEqual(before);
  });

  it('an unknown field in a sample: 400 naming it', async () => {
    const before = unchanged();
    const response = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric: 'cpu.usage', entity: 'h1', time: 0, value: 95, colour: 'red' }] });
    expect(response.status).toBe(400);
    expect(response.text).toContain('colour');
    expect(unchanged()).toEqual(before);
  });

  it('an unknown field in an admin body: 400 naming it', async () => {
    const before = unchanged();
    const response = await server.call('PUT', '/api/v1/entities/h1', { token: server.tokens.ingest, body: { tags: { env: 'prod' }, colour: 'red' } });
    expect(response.status).toBe(400);
    expect(response.text).toContain("unknown field 'colour'");
    expect(unchanged()).toEqual(before);
  });

  it('malformed JSON in an admin body: 400 invalid_json', async () => {
    const before = unchanged();
    const response = await server.call('POST', '/api/v1/silences', { token: server.tokens.operator, body: '{"matchers": [', contentType: 'application/json' });
    expect(response.status).toBe(400);
    expect((response.json as { error: { code: string } }).error.code).toBe('invalid_json');
    expect(unchanged()).toEqual(before);
  });

  it.each([
    ['a __proto__ key', '{"matchers":[{"name":"entity","value":"x","__proto__":{"op":"=~"}}],"duration":"1h","comment":"c"}', '/matchers/0/__proto__'],
    ['constructor.prototype', '{"matchers":[],"comment":"c","constructor":{"prototype":{"x":1}}}', '/constructor'],
  ])('%s in an admin body: 400 with its JSON pointer, not "invalid JSON"', async (_what, body, pointer) => {
    const before = unchanged();
    const response = await server.call('POST', '/api/v1/silences', { token: server.tokens.operator, body, contentType: 'application/json' });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'forbidden_key', details: [{ pointer }] } });
    expect(unchanged()).toEqual(before);
  });

  it('an oversize body: 413', async () => {
    const before = unchanged();
    const response = await server.call('POST', '/api/v1/silences', { token: server.tokens.operator, body: JSON.stringify({ comment: 'x'.repeat(2 * 1024 * 1024) }), contentType: 'application/json' });
    expect(response.status).toBe(413);
    expect((response.json as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(unchanged()).toEqual(before);
  });

  it('a good batch after all that is applied', async () => {
    const response = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric: 'cpu.usage', entity: 'h1', time: server.clock.now(), value: 95 }] });
    expect(response.status).toBe(200);
    expect(server.runtime.engine.stats.samples).toBe(1);
    expect(server.runtime.engine.alerts()).toHaveLength(1);
  });
});
