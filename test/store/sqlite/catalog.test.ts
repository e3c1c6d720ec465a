import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import { memoryStore } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

describe('entities', () => {
  it('upserts, gets, lists and deletes, leaving absent optional fields absent', () => {
    store.upsertEntities(
      [
        { name: 'web-1', label: 'Web 1', enabled: true, tags: { env: 'prod' } },
        { name: 'db-1', enabled: false, tags: {} },
      ],
      10,
    );
    expect(store.getEntity('db-1')).toEqual({ name: 'db-1', enabled: false, tags: {}, updatedAt: 10 });
    store.upsertEntities([{ name: 'web-1', enabled: false, tags: { env: 'staging' } }], 20);
    expect(store.getEntity('web-1')).toEqual({ name: 'web-1', enabled: false, tags: { env: 'staging' }, updatedAt: 20 });
    expect(store.listEntities().map((entity) => entity.name)).toEqual(['db-1', 'web-1']);
    expect(store.deleteEntities(['db-1', 'nope'])).toEqual(['db-1']);
    expect(store.getEntity('db-1')).toBeNull();
  });
});

describe('metric metadata', () => {
  it('upserts, gets and lists', () => {
    store.upsertMetrics([{ name: 'cpu.busy', label: 'CPU busy', units: '%', description: 'busy time', tags: { source: 'collectd' } }, { name: 'mem' }], 5);
    expect(store.getMetric('cpu.busy')).toEqual({
      name: 'cpu.busy',
      label: 'CPU busy',
      units: '%',
      description: 'busy time',
      tags: { source: 'collectd' },
      updatedAt: 5,
    });
    expect(store.getMetric('mem')).toEqual({ name: 'mem', updatedAt: 5 });
    store.upsertMetrics([{ name: 'mem', units: 'bytes' }], 6);
    expect(store.listMetrics().map((metric) => [metric.name, metric.units])).toEqual([
      ['cpu.busy', '%'],
      ['mem', 'bytes'],
    ]);
    expect(store.getMetric('nope')).toBeNull();
  });
});

describe('window snapshots', () => {
  it('saves in batches, replaces per series and loads them all', () => {
    store.saveWindowSnapshots(
      [
        { rule: 'cpu', seriesKey: 'a', data: { times: [1, 2], values: [3, 4] } },
        { rule: 'cpu', seriesKey: 'b', data: { times: [], values: [] } },
      ],
      100,
    );
    store.saveWindowSnapshots([{ rule: 'cpu', seriesKey: 'a', data: { times: [2], values: [4] } }], 200);
    expect(store.loadWindowSnapshots()).toEqual([
      { rule: 'cpu', seriesKey: 'a', data: { times: [2], values: [4] }, savedAt: 200 },
      { rule: 'cpu', seriesKey: 'b', data: { times: [], values: [] }, savedAt: 100 },
    ]);
  });

  it('drops series missing from a full (shutdown) snapshot, and deletes by key', () => {
    store.saveWindowSnapshots([{ rule: 'cpu', seriesKey: 'a', data: 1 }, { rule: 'cpu', seriesKey: 'b', data: 2 }], 1);
    store.saveWindowSnapshots([{ rule: 'disk', seriesKey: 'c', data: 3 }], 2, { replaceAll: true });
    expect(store.loadWindowSnapshots().map((snapshot) => snapshot.seriesKey)).toEqual(['c']);
    store.deleteWindowSnapshots([{ rule: 'disk', seriesKey: 'c' }]);
    expect(store.loadWindowSnapshots()).toEqual([]);
  });
});
