import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import type { SilenceInput } from '../../../src/store/store.js';
import { memoryStore } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const silence = (id: string, startsAt: number, endsAt: number, at = 0): SilenceInput => ({
  id,
  matchers: [{ name: 'entity', op: '=', value: id }],
  startsAt,
  endsAt,
  createdBy: 'alice',
  comment: `maintenance of ${id}`,
  at,
});

describe('silences', () => {
  it('creates and replaces by id, keeping the creation time', () => {
    expect(store.putSilence(silence('s1', 0, 100, 5))).toEqual({
      id: 's1',
      matchers: [{ name: 'entity', op: '=', value: 's1' }],
      startsAt: 0,
      endsAt: 100,
      createdBy: 'alice',
      comment: 'maintenance of s1',
      createdAt: 5,
      updatedAt: 5,
    });
    const extended = store.putSilence({ ...silence('s1', 0, 500, 9), comment: 'extended' });
    expect(extended).toMatchObject({ endsAt: 500, comment: 'extended', createdAt: 5, updatedAt: 9 });
    expect(store.getSilence('s1')).toEqual(extended);
    expect(store.getSilence('nope')).toBeNull();
  });

  it('lists the silences active at a time, or not yet ended', () => {
    store.putSilence(silence('past', 0, 10));
    store.putSilence(silence('now', 5, 30));
    store.putSilence(silence('future', 40, 50));
    const ids = (query: Parameters<SqliteStore['listSilences']>[0]) => store.listSilences(query).map((entry) => entry.id);
    expect(ids({ activeAt: 10 })).toEqual(['now']);
    expect(ids({ activeAt: 5 })).toEqual(['past', 'now']);
    expect(ids({ activeAt: 30 })).toEqual([]);
    expect(ids({ endingAfter: 10 })).toEqual(['now', 'future']);
    expect(ids({})).toEqual(['past', 'now', 'future']);
  });

  it('deletes by id list with an audit row only when something went', () => {
    store.putSilence(silence('s1', 0, 10));
    const audit = { now: 1, audit: [{ actor: 'alice', action: 'delete', kind: 'silence', name: 's1', at: 1 }] };
    expect(store.deleteSilences(['nope'], audit)).toEqual([]);
    expect(store.deleteSilences(['s1', 'nope'], audit)).toEqual(['s1']);
    expect(store.listSilences()).toEqual([]);
    expect(store.listAudit({})).toHaveLength(1);
  });
});

describe('acknowledgements', () => {
  it('records who acknowledged an alert, with the engine state change in the same transaction', () => {
    store.acknowledge(
      { alertId: 'A1', by: 'bob', at: 20, comment: 'looking' },
      {
        now: 20,
        upsertAlertStates: [{ rule: 'cpu', seriesKey: 's', alertId: 'A1', status: 'open', state: { acknowledged: true } }],
        history: [{ rule: 'cpu', seriesKey: 's', alertId: 'A1', type: 'acknowledged', time: 20, value: null }],
      },
    );
    store.acknowledge({ alertId: 'A1', by: 'carol', at: 30, comment: 'fixed' });
    store.acknowledge({ alertId: 'B1', by: 'bob', at: 31, comment: '' });
    expect(store.listAcknowledgements('A1')).toEqual([
      { id: 1, alertId: 'A1', by: 'bob', at: 20, comment: 'looking' },
      { id: 2, alertId: 'A1', by: 'carol', at: 30, comment: 'fixed' },
    ]);
    expect(store.getAlertStateByAlertId('A1')?.state).toEqual({ acknowledged: true });
    expect(store.listAlertHistory({ alertId: 'A1' }).map((entry) => entry.type)).toEqual(['acknowledged']);
  });
});
