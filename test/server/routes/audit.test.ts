/**
 * SPEC §7: every admin change is audited (who, what, when); admins read the log newest first,
 * filtered and paged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  kind: string;
  name: string;
  details: unknown;
}

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': 'rules:\n  - name: disk-full\n    metric: disk\n    condition: value > 95\n' } });
});
afterEach(async () => {
  await server.close();
});

async function audit(query = ''): Promise<{ audit: AuditRow[]; nextBefore: number | null }> {
  const response = await server.call('GET', `/api/v1/audit${query}`, { token: server.tokens.admin });
  expect(response.status, response.text).toBe(200);
  return response.json as { audit: AuditRow[]; nextBefore: number | null };
}

/** Three changes by two people, a minute apart: a silence, a reload, the silence deleted. */
async function makeChanges(): Promise<{ start: number; silenceId: string }> {
  const start = server.clock.now();
  server.clock.advance(60_000);
  const silence = await server.call('POST', '/api/v1/silences', { token: server.tokens.operator, body: { matchers: [{ name: 'entity', value: 'db-1' }], duration: '1h', comment: 'maintenance' } });
  const silenceId = (silence.json as { id: string }).id;
  server.clock.advance(60_000);
  expect((await server.call('POST', '/api/v1/reload', { token: server.tokens.admin })).status).toBe(200);
  server.clock.advance(60_000);
  await server.call('DELETE', '/api/v1/silences', { token: server.tokens.operator, body: { ids: [silenceId] } });
  return { start, silenceId };
}

const withoutTokens = (rows: AuditRow[]) => rows.filter((row) => row.kind !== 'token');

describe('GET /api/v1/audit', () => {
  it('lists who changed what and when, newest first', async () => {
    const { start, silenceId } = await makeChanges();
    const rows = withoutTokens((await audit()).audit);
    expect(rows.map((r) => [r.at, r.actor, r.action, r.kind, r.name])).toEqual([
      [new Date(start + 180_000).toISOString(), 'token:test-operator', 'delete', 'silence', silenceId],
      [new Date(start + 120_000).toISOString(), 'token:test-admin', 'reload', 'rules', server.configDir],
      [new Date(start + 60_000).toISOString(), 'token:test-operator', 'create', 'silence', silenceId],
    ]);
    expect(rows[2]!.details).toMatchObject({ comment: 'maintenance', matchers: [{ name: 'entity', value: 'db-1', op: '=' }] });
  });

  it('filters by actor, kind, name and time', async () => {
    const { start, silenceId } = await makeChanges();
    const cases: Array<[string, string[]]> = [
      ['?actor=token:test-admin', ['reload']],
      ['?kind=silence', ['delete', 'create']],
      [`?name=${silenceId}`, ['delete', 'create']],
      [`?since=${start + 90_000}`, ['delete', 'reload']],
      [`?until=${new Date(start + 90_000).toISOString()}&kind=silence`, ['create']],
      ['?since=30s', ['delete']], // a duration ago
    ];
    for (const [query, actions] of cases) expect(withoutTokens((await audit(query)).audit).map((r) => r.action), query).toEqual(actions);
  });

  it('pages with limit and before without skipping or repeating a row', async () => {
    await makeChanges();
    const all = (await audit()).audit.map((r) => r.id);
    const seen: number[] = [];
    let query = '?limit=2';
    for (;;) {
      const page = await audit(query);
      seen.push(...page.audit.map((r) => r.id));
      if (page.nextBefore === null) break;
      query = `?limit=2&before=${page.nextBefore}`;
    }
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(4);
  });

  it.each([['?limit=0'], ['?limit=1001'], ['?before=-1'], ['?since=last-week'], ['?who=me']])('refuses %s with a 400', async (query) => {
    const response = await server.call('GET', `/api/v1/audit${query}`, { token: server.tokens.admin });
    expect(response.status).toBe(400);
  });

  it('is for admins only', async () => {
    for (const role of ['operator', 'viewer', 'ingest'] as const) {
      expect((await server.call('GET', '/api/v1/audit', { token: server.tokens[role] })).status, role).toBe(403);
    }
  });
});
