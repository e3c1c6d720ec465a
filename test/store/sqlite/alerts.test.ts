import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import type { CommitBatch } from '../../../src/store/store.js';
import { alertEvent, memoryStore, notification } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const openBatch = (now: number, seriesKey: string, alertId: string): CommitBatch => ({
  now,
  upsertAlertStates: [{ rule: 'cpu', seriesKey, alertId, status: 'open', state: { openValue: 95, repeatCount: 0 } }],
  history: [{ rule: 'cpu', seriesKey, alertId, type: 'open', time: now, value: 95, details: { condition: 'value > 90' } }],
  events: [{ event: alertEvent(`${alertId}-open`, alertId), alertId, rule: 'cpu', seriesKey, details: { chat: 'queued' } }],
  outbox: [notification(`${alertId}-open`, 'chat', alertId)],
});

describe('commit: a transition and its notifications are one transaction', () => {
  it('writes state, history, event and outbox rows together', () => {
    const result = store.commit(openBatch(1_000, 'host=a', 'A1'));
    expect(result.outboxIds).toHaveLength(1);
    expect(store.loadAlertStates()).toEqual([
      { rule: 'cpu', seriesKey: 'host=a', alertId: 'A1', status: 'open', state: { openValue: 95, repeatCount: 0 }, updatedAt: 1_000 },
    ]);
    expect(store.listAlertHistory({ alertId: 'A1' })).toHaveLength(1);
    expect(store.getEvent('A1-open')).toMatchObject({ alertId: 'A1', rule: 'cpu', time: Date.parse('2024-05-01T12:00:00Z'), recordedAt: 1_000 });
    expect(store.outboxDepth('chat')).toBe(1);
  });

  it('writes nothing at all when any part of the batch fails', () => {
    store.commit(openBatch(1_000, 'host=a', 'A1'));
    const broken = openBatch(2_000, 'host=b', 'B1');
    // A bad event time fails the events insert after the state upsert and history insert ran.
    broken.events = [{ event: { ...alertEvent('B1-open', 'B1'), time: 'yesterday' }, alertId: 'B1', rule: 'cpu', seriesKey: 'host=b' }];
    expect(() => store.commit(broken)).toThrow(/invalid time 'yesterday'/);
    expect(store.loadAlertStates().map((state) => state.seriesKey)).toEqual(['host=a']);
    expect(store.listAlertHistory({})).toHaveLength(1);
    expect(store.outboxDepth()).toBe(1);
    // The connection is usable afterwards.
    store.commit(openBatch(3_000, 'host=c', 'C1'));
    expect(store.outboxDepth()).toBe(2);
  });

  it('replaces a state on upsert and removes it on delete', () => {
    store.commit(openBatch(1_000, 'host=a', 'A1'));
    store.commit({ now: 2_000, upsertAlertStates: [{ rule: 'cpu', seriesKey: 'host=a', alertId: 'A1', status: 'cancelled', state: { n: 2 } }] });
    expect(store.getAlertStateByAlertId('A1')).toMatchObject({ status: 'cancelled', state: { n: 2 }, updatedAt: 2_000 });
    store.commit({ now: 3_000, deleteAlertStates: [{ rule: 'cpu', seriesKey: 'host=a' }] });
    expect(store.loadAlertStates()).toEqual([]);
    expect(store.getAlertStateByAlertId('A1')).toBeNull();
  });

  it('keeps the first record when an event id is committed twice', () => {
    store.commit({ now: 1, events: [{ event: alertEvent('E'), alertId: null, rule: 'r', seriesKey: null, details: 'first' }] });
    store.commit({ now: 2, events: [{ event: alertEvent('E'), alertId: null, rule: 'r', seriesKey: null, details: 'second' }] });
    expect(store.getEvent('E')?.details).toBe('first');
  });
});

describe('alert states', () => {
  it('lists states by status and rule', () => {
    store.commit({
      now: 1,
      upsertAlertStates: [
        { rule: 'cpu', seriesKey: 'a', alertId: 'A', status: 'open', state: {} },
        { rule: 'cpu', seriesKey: 'b', alertId: null, status: 'pending', state: {} },
        { rule: 'disk', seriesKey: 'a', alertId: 'D', status: 'open', state: {} },
      ],
    });
    expect(store.listAlertStates({ status: 'open' }).map((state) => state.alertId)).toEqual(['A', 'D']);
    expect(store.listAlertStates({ rule: 'cpu' }).map((state) => state.seriesKey)).toEqual(['a', 'b']);
    expect(store.listAlertStates()).toHaveLength(3);
  });
});

describe('alert history', () => {
  beforeEach(() => {
    const entry = (rule: string, alertId: string, type: string, time: number) => ({
      rule,
      seriesKey: 's',
      alertId,
      type,
      time,
      value: time / 1000,
    });
    store.commit({
      now: 0,
      history: [entry('cpu', 'A', 'pending', 1_000), entry('cpu', 'A', 'open', 2_000), entry('disk', 'B', 'open', 3_000), entry('cpu', 'A', 'cancel', 4_000)],
    });
  });

  const cases = [
    { name: 'by alert, newest first', query: { alertId: 'A' }, types: ['cancel', 'open', 'pending'] },
    { name: 'by rule', query: { rule: 'disk' }, types: ['open'] },
    { name: 'by time range [since, until)', query: { since: 2_000, until: 4_000 }, types: ['open', 'open'] },
    { name: 'with a limit', query: { limit: 1 }, types: ['cancel'] },
    { name: 'after a paging cursor', query: { beforeId: 3 }, types: ['open', 'pending'] },
  ];
  it.each(cases)('is queryable $name', ({ query, types }) => {
    expect(store.listAlertHistory(query).map((entry) => entry.type)).toEqual(types);
  });

  it('keeps value and details', () => {
    store.commit({ now: 0, history: [{ rule: 'r', seriesKey: 's', alertId: 'Z', type: 'open', time: 1, value: 2.5, details: { why: ['x'] } }] });
    expect(store.listAlertHistory({ alertId: 'Z' })[0]).toMatchObject({ value: 2.5, details: { why: ['x'] } });
  });

  it('stores a non-finite value as null instead of failing the batch', () => {
    store.commit({ now: 0, history: [{ rule: 'r', seriesKey: 's', alertId: 'N', type: 'open', time: 1, value: Number.POSITIVE_INFINITY }] });
    expect(store.listAlertHistory({ alertId: 'N' })[0]?.value).toBeNull();
  });
});

describe('events log', () => {
  it('lists events by alert, rule, type and time, newest first', () => {
    const at = (id: string, iso: string, alertId: string | null, type: 'alert.open' | 'rule.error' = 'alert.open') => ({
      event: { ...alertEvent(id, alertId, type), time: iso },
      alertId,
      rule: alertId === null ? 'broken' : 'cpu',
      seriesKey: null,
    });
    store.commit({
      now: 0,
      events: [
        at('e1', '2024-01-01T00:00:01Z', 'A'),
        at('e2', '2024-01-01T00:00:02Z', 'B'),
        at('e3', '2024-01-01T00:00:03Z', null, 'rule.error'),
      ],
    });
    expect(store.listEvents({}).map((entry) => entry.event.id)).toEqual(['e3', 'e2', 'e1']);
    expect(store.listEvents({ alertId: 'A' }).map((entry) => entry.event.id)).toEqual(['e1']);
    expect(store.listEvents({ type: 'rule.error' }).map((entry) => entry.rule)).toEqual(['broken']);
    expect(store.listEvents({ since: Date.parse('2024-01-01T00:00:02Z') }).map((entry) => entry.event.id)).toEqual(['e3', 'e2']);
    expect(store.getEvent('nope')).toBeNull();
  });
});
