/**
 * SPEC §4: silences mute notifications of matching alerts for a time range without changing alert
 * state; they are validated (known labels, a real time range), audited and in force at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers.js';

const RULES = `
rules:
  - name: disk-full
    metric: disk
    condition: value > 95
    severity: critical
    labels: { team: storage }
webhooks:
  - name: ops
    url: http://127.0.0.1:9/ops
    template: flat
`;

interface SilenceView {
  id: string;
  status: string;
  matchers: Array<{ name: string; value: string; op: string }>;
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  warnings?: Array<{ pointer: string; message: string; hint?: string }>;
}

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': RULES } });
});
afterEach(async () => {
  await server.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

function create(body: unknown) {
  return server.call('POST', '/api/v1/silences', { token: server.tokens.operator, body });
}

async function created(body: unknown): Promise<SilenceView> {
  const response = await create(body);
  expect(response.status, response.text).toBe(201);
  return response.json as SilenceView;
}

const maintenance = { matchers: [{ name: 'entity', value: 'db-1' }], duration: '2h', comment: 'disk swap on db-1' };

describe('silence CRUD', () => {
  it('creates a silence starting now, lists it, changes it and deletes it', async () => {
    const now = server.clock.now();
    const response = await create(maintenance);
    expect(response.status).toBe(201);
    const silence = response.json as SilenceView;
    expect(response.headers.location).toBe(`/api/v1/silences/${silence.id}`);
    expect(silence).toMatchObject({
      status: 'active', matchers: [{ name: 'entity', value: 'db-1', op: '=' }], startsAt: iso(now), endsAt: iso(now + 2 * 3_600_000),
      comment: 'disk swap on db-1', createdBy: 'token:test-operator', warnings: [],
    });

    const list = await server.call('GET', '/api/v1/silences', { token: server.tokens.viewer });
    expect((list.json as { silences: SilenceView[] }).silences.map((s) => s.id)).toEqual([silence.id]);
    expect((await server.call('GET', `/api/v1/silences/${silence.id}`, { token: server.tokens.viewer })).json).toMatchObject({ id: silence.id, comment: 'disk swap on db-1' });

    const endsAt = iso(now + 30 * 60_000);
    const changed = await server.call('PUT', `/api/v1/silences/${silence.id}`, { token: server.tokens.admin, body: { ...maintenance, duration: undefined, endsAt, comment: 'shorter' } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ id: silence.id, endsAt, comment: 'shorter', createdBy: 'token:test-operator' });

    const deleted = await server.call('DELETE', '/api/v1/silences', { token: server.tokens.operator, body: { ids: [silence.id, 'no-such-silence'] } });
    expect(deleted.json).toEqual({ deleted: [silence.id], notFound: ['no-such-silence'] });
    expect((await server.call('GET', `/api/v1/silences/${silence.id}`, { token: server.tokens.viewer })).status).toBe(404);
    expect((await server.call('PUT', `/api/v1/silences/${silence.id}`, { token: server.tokens.operator, body: maintenance })).status).toBe(404);
  });

  it('tells pending, active and expired silences apart and filters by status', async () => {
    const now = server.clock.now();
    const later = await created({ ...maintenance, startsAt: now + 3_600_000 });
    const current = await created(maintenance);
    const short = await created({ ...maintenance, duration: '10m' });
    expect(later.status).toBe('pending');
    server.clock.advance(20 * 60_000);
    const statuses = async (query: string) =>
      ((await server.call('GET', `/api/v1/silences${query}`, { token: server.tokens.viewer })).json as { silences: SilenceView[] }).silences.map((s) => [s.id, s.status]);
    expect(await statuses('')).toEqual(expect.arrayContaining([[later.id, 'pending'], [current.id, 'active'], [short.id, 'expired']]));
    expect(await statuses('?status=active')).toEqual([[current.id, 'active']]);
  });

  it('keeps the start of a changed silence unless given, and expires one early with endsAt now', async () => {
    const now = server.clock.now();
    const later = await created({ ...maintenance, startsAt: now + 3_600_000 });
    const edited = await server.call('PUT', `/api/v1/silences/${later.id}`, { token: server.tokens.operator, body: { ...maintenance, comment: 'moved' } });
    expect(edited.json).toMatchObject({ status: 'pending', startsAt: iso(now + 3_600_000), endsAt: iso(now + 3 * 3_600_000) });

    const current = await created(maintenance);
    server.clock.advance(60_000);
    const expired = await server.call('PUT', `/api/v1/silences/${current.id}`, { token: server.tokens.operator, body: { ...maintenance, duration: undefined, endsAt: server.clock.now() } });
    expect(expired.status, expired.text).toBe(200);
    expect(expired.json).toMatchObject({ status: 'expired', startsAt: iso(now) });
    const past = await server.call('PUT', `/api/v1/silences/${current.id}`, { token: server.tokens.operator, body: { ...maintenance, duration: undefined, endsAt: now + 1 } });
    expect(past.status).toBe(400);
  });

  it('records every change in the audit log', async () => {
    const silence = await created(maintenance);
    await server.call('PUT', `/api/v1/silences/${silence.id}`, { token: server.tokens.admin, body: { ...maintenance, comment: 'longer' } });
    await server.call('DELETE', '/api/v1/silences', { token: server.tokens.operator, body: { ids: [silence.id, 'missing'] } });
    await server.call('DELETE', '/api/v1/silences', { token: server.tokens.operator, body: { ids: ['missing'] } });
    const audit = server.runtime.store.listAudit({ kind: 'silence' }).map((a) => [a.actor, a.action, a.name]);
    expect(audit).toEqual([
      ['token:test-operator', 'delete', silence.id],
      ['token:test-admin', 'update', silence.id],
      ['token:test-operator', 'create', silence.id],
    ]);
  });
});

describe('silence validation', () => {
  const now = Date.now();
  it.each<[string, Record<string, unknown>, string]>([
    ['no matchers', { ...maintenance, matchers: [] }, 'matchers'],
    ['an unknown label, with a suggestion', { ...maintenance, matchers: [{ name: 'entitty', value: 'db-1' }] }, "did you mean 'entity'?"],
    ['a bare tag prefix', { ...maintenance, matchers: [{ name: 'tags.', value: 'x' }] }, "unknown label 'tags.'"],
    ['an unknown operator', { ...maintenance, matchers: [{ name: 'entity', value: 'db-1', op: '~=' }] }, 'op'],
    ['a severity that does not exist', { ...maintenance, matchers: [{ name: 'severity', value: 'critcal' }] }, "did you mean 'critical'?"],
    ['matchers that match every alert', { ...maintenance, matchers: [{ name: 'entity', value: '*', op: '=~' }] }, 'match every alert'],
    ['any rule name (issue 14: passed the empty-label probe)', { ...maintenance, matchers: [{ name: 'rule', value: '?*', op: '=~' }] }, 'match every alert'],
    ['any entity and any metric', { ...maintenance, matchers: [{ name: 'entity', value: '*?', op: '=~' }, { name: 'metric', value: '?*', op: '=~' }] }, 'match every alert'],
    ['no end', { matchers: maintenance.matchers, comment: 'x' }, 'no end'],
    ['both endsAt and duration', { ...maintenance, endsAt: iso(now + 60_000) }, 'not both'],
    ['a duration that is not one', { ...maintenance, duration: '2 fortnights' }, 'not a duration'],
    ['a time that is not one', { ...maintenance, duration: undefined, endsAt: 'tomorrow' }, 'not a time'],
    ['an end before the start', { ...maintenance, duration: undefined, startsAt: iso(now + 7_200_000), endsAt: iso(now + 3_600_000) }, 'before it starts'],
    ['an end in the past', { ...maintenance, duration: undefined, startsAt: iso(now - 7_200_000), endsAt: iso(now - 3_600_000) }, 'ended already'],
    ['no comment', { matchers: maintenance.matchers, duration: '1h' }, "missing field 'comment'"],
    ['an unknown field', { ...maintenance, createdBy: 'someone else' }, "unknown field 'createdBy'"],
  ])('refuses %s with a 400', async (_case, body, message) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
    expect(server.runtime.store.listSilences()).toEqual([]);
  });

  it.each([
    ['sample tags', { name: 'tags.path', value: '/var*', op: '=~' }],
    ['entity tags', { name: 'entity.tags.env', value: 'prod' }],
    ['a rule label', { name: 'team', value: 'storage' }],
    ['the alertname alias', { name: 'alertname', value: 'disk-full' }],
    ['a negative matcher next to a positive one', { name: 'severity', value: 'info', op: '!=' }],
    ['alerts that have a tag at all', { name: 'tags.path', value: '?*', op: '=~' }],
  ])('accepts %s', async (_case, matcher) => {
    await created({ ...maintenance, matchers: [{ name: 'rule', value: 'disk-full' }, matcher] });
  });

  it('warns, without refusing, about a rule that does not exist (yet)', async () => {
    const silence = await created({ ...maintenance, matchers: [{ name: 'rule', value: 'disk-ful' }] });
    expect(silence.warnings).toEqual([expect.objectContaining({ pointer: '/matchers/0/value', hint: "did you mean 'disk-full'?" })]);
  });
});

describe('a silence mutes notifications without changing alert state', () => {
  async function sample(entity: string, value: number) {
    const response = await server.call('POST', '/api/v1/samples', { token: server.tokens.ingest, body: [{ metric: 'disk', entity, time: server.clock.now(), value }] });
    expect(response.status).toBe(200);
  }
  async function decisionFor(entity: string) {
    const alerts = (await server.call('GET', `/api/v1/alerts?entity=${entity}`, { token: server.tokens.viewer })).json as { alerts: Array<{ alertId: string; status: string }> };
    expect(alerts.alerts.map((a) => a.status)).toEqual(['open']);
    const explained = (await server.call('GET', `/api/v1/alerts/${alerts.alerts[0]!.alertId}`, { token: server.tokens.viewer })).json as {
      events: Array<{ notifications: Array<{ webhook: string; sent: boolean; reason?: string }> }>;
    };
    return explained.events[0]!.notifications[0]!;
  }

  it('mutes matching alerts only, while the silence is in force', async () => {
    const silence = await created(maintenance);
    await sample('db-1', 99);
    await sample('db-2', 99);
    expect(await decisionFor('db-1')).toEqual({ webhook: 'ops', sent: false, reason: `muted: silenced (${silence.id})`, template: null, delivery: null, attempts: [] });
    expect(await decisionFor('db-2')).toMatchObject({ webhook: 'ops', sent: true });
    const queued = server.runtime.store.listOutbox({ webhook: 'ops' }).filter((row) => row.event.type.startsWith('alert.'));
    expect(queued.map((row) => (row.event.data as { entity: { name: string } }).entity.name)).toEqual(['db-2']);

    // Once deleted, the next alert of db-1 is notified again.
    await server.call('DELETE', '/api/v1/silences', { token: server.tokens.operator, body: { ids: [silence.id] } });
    server.clock.advance(1_000);
    await sample('db-1', 10);
    server.clock.advance(1_000);
    await sample('db-1', 99);
    expect(await decisionFor('db-1')).toMatchObject({ sent: true });
  });

  it('does not mute before it starts', async () => {
    await created({ ...maintenance, startsAt: server.clock.now() + 3_600_000 });
    await sample('db-1', 99);
    expect(await decisionFor('db-1')).toMatchObject({ sent: true });
  });
});
