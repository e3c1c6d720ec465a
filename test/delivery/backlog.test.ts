/** The backlog rules and the budget (SPEC §6) as pure functions: time-stepped tables. */
import { describe, expect, it } from 'vitest';
import {
  backlogEvent, backlogStep, budgetState, ROW_OVERHEAD_BYTES, type BacklogState,
} from '../../src/delivery/backlog.js';
import { validateEvent } from '../../src/templates/validate-event.js';

const hook = (depth: number, limit = 10, lossy = false) => ({ webhook: 'chat', depth, limit, lossy });

describe('backlogStep', () => {
  it('a webhook is backlogged from its limit until half of it, one change each way', () => {
    // depth per step → status change expected (null: none)
    const steps: Array<[number, number, string | null]> = [
      [0, 9, null],
      [1, 10, 'backlogged'],
      [2, 500, null],
      [3, 9, null], // under the limit, not yet half of it
      [4, 6, null],
      [5, 10, null], // back at the limit: still the same backlog
      [6, 5, 'drained'],
      [7, 9, null],
      [8, 12, 'backlogged'],
    ];
    let state: BacklogState = new Map();
    const seen: Array<[number, string, number]> = [];
    for (const [time, depth, expected] of steps) {
      const { state: next, changes } = backlogStep(state, [hook(depth)], time);
      expect(changes.map((c) => c.status), `at ${time}`).toEqual(expected === null ? [] : [expected]);
      for (const change of changes) seen.push([time, change.status, change.since]);
      state = next;
    }
    // A drain carries when its backlog began.
    expect(seen).toEqual([[1, 'backlogged', 1], [6, 'drained', 1], [8, 'backlogged', 8]]);
  });

  it('a deleted webhook that was backlogged drains with the limit it had', () => {
    const state: BacklogState = new Map([['gone', { since: 5, limit: 3, lossy: true }]]);
    const { state: next, changes } = backlogStep(state, [hook(0)], 9);
    expect(changes).toEqual([{ webhook: 'gone', status: 'drained', depth: 0, limit: 3, lossy: true, since: 5 }]);
    expect(next.size).toBe(0);
  });

  it('a changed limit applies to the running backlog', () => {
    let { state } = backlogStep(new Map(), [hook(10, 10)], 0);
    const raised = backlogStep(state, [hook(60, 100)], 1);
    expect(raised.changes).toEqual([]);
    expect(raised.state.get('chat')).toEqual({ since: 0, limit: 100, lossy: false });
    const drained = backlogStep(raised.state, [hook(50, 100)], 2);
    expect(drained.changes).toMatchObject([{ status: 'drained', limit: 100, since: 0 }]);
  });
});

describe('budgetState', () => {
  it('counts every webhook, each row as its event bytes plus the row overhead, full at the budget', () => {
    const usage = [{ webhook: 'a', rows: 2, eventBytes: 1000 }, { webhook: 'b', rows: 1, eventBytes: 500 }];
    const used = 1500 + 3 * ROW_OVERHEAD_BYTES;
    expect(budgetState(usage, used + 1)).toEqual({ usedBytes: used, budgetBytes: used + 1, rows: 3, full: false });
    expect(budgetState(usage, used).full).toBe(true);
    expect(budgetState([], 1).full).toBe(false);
  });
});

describe('backlogEvent', () => {
  const budget = budgetState([{ webhook: 'chat', rows: 12, eventBytes: 12_000 }], 2 ** 30);
  it('is a valid delivery.backlog event with a stable id', () => {
    const change = { webhook: 'chat', status: 'backlogged' as const, depth: 12, limit: 10, lossy: false, since: 1_000 };
    const event = backlogEvent(change, budget, 1_000);
    expect(validateEvent(event)).toEqual([]);
    expect(backlogEvent(change, budget, 1_000).id).toBe(event.id);
    expect(event.data.message).toBe(
      'webhook chat has 12 notifications waiting (its outbox_limit is 10): ' +
        'its receiver is down or slower than the events for it; ' +
        'they keep being stored until the outbox budget (1 GiB, 0% used) is reached, then ingestion is refused. ' +
        "See GET /api/v1/webhooks/chat/deliveries for the receiver's answers.",
    );
    const lossy = backlogEvent({ ...change, lossy: true }, budget, 1_000);
    expect(lossy.data.message).toContain('as a lossy webhook it now drops its oldest notifications (each reported as');
  });

  it('says how long a drained backlog lasted', () => {
    const change = { webhook: 'chat', status: 'drained' as const, depth: 5, limit: 10, lossy: false, since: 1_000 };
    const event = backlogEvent(change, budget, 3_901_000);
    expect(validateEvent(event)).toEqual([]);
    expect(event.data).toMatchObject({ status: 'drained', backlog_seconds: 3900, since: '1970-01-01T00:00:01.000Z' });
    expect(event.data.message).toBe(
      'webhook chat is no longer backlogged: 5 notifications waiting (its outbox_limit is 10), after 1h 5m.',
    );
  });
});
