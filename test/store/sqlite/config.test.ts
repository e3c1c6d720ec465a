import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import { StoreConflictError, type CommitBatch, type ConfigPut } from '../../../src/store/store.js';
import { alertEvent, memoryStore, notification } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const webhook = (name: string, at: number, extra: Partial<ConfigPut> = {}): ConfigPut => ({
  kind: 'webhook',
  name,
  body: { name, url: `https://example.com/${name}` },
  actor: 'alice',
  at,
  ...extra,
});

/** What the server writes with an admin change: the audit row and the config.changed notification. */
const audited = (action: string, name: string, at: number): CommitBatch => ({
  now: at,
  audit: [{ actor: 'alice', action, kind: 'webhook', name, at, details: { via: 'api' } }],
  outbox: [notification(`cfg-${action}-${name}`, 'audit-hook', null, { event: { ...alertEvent(`cfg-${action}-${name}`), type: 'config.changed' } })],
});

describe('config objects (webhooks and templates)', () => {
  it('creates, reads, lists and updates with a version that counts changes', () => {
    expect(store.putConfigObject(webhook('ops', 1))).toMatchObject({ created: true, object: { version: 1, createdAt: 1, updatedAt: 1 } });
    const updated = store.putConfigObject(webhook('ops', 2, { body: { name: 'ops', url: 'https://new' }, actor: 'bob' }));
    expect(updated).toEqual({
      created: false,
      object: { kind: 'webhook', name: 'ops', body: { name: 'ops', url: 'https://new' }, version: 2, createdAt: 1, updatedAt: 2, updatedBy: 'bob' },
    });
    store.putConfigObject(webhook('abc', 3));
    store.putConfigObject({ kind: 'template', name: 'ops', body: { text: '#rule_name' }, actor: 'alice', at: 4 });
    expect(store.listConfigObjects('webhook').map((object) => object.name)).toEqual(['abc', 'ops']);
    expect(store.getConfigObject('template', 'ops')?.body).toEqual({ text: '#rule_name' });
    expect(store.getConfigObject('template', 'missing')).toBeNull();
  });

  it('refuses a write against a stale version, naming who changed it', () => {
    store.putConfigObject(webhook('ops', 1));
    store.putConfigObject(webhook('ops', 2, { actor: 'bob' }));
    expect(() => store.putConfigObject(webhook('ops', 3, { expectedVersion: 1 }))).toThrow(StoreConflictError);
    expect(() => store.putConfigObject(webhook('ops', 3, { expectedVersion: 1 }))).toThrow(/version 2, not 1: it was changed by bob/);
    expect(() => store.putConfigObject(webhook('new', 3, { expectedVersion: 1 }))).toThrow(/does not exist/);
    expect(store.putConfigObject(webhook('ops', 3, { expectedVersion: 2 })).object.version).toBe(3);
    expect(store.putConfigObject(webhook('fresh', 3, { expectedVersion: 0 })).created).toBe(true);
  });

  it('deletes by a list of names and reports which existed', () => {
    store.putConfigObject(webhook('a', 1));
    store.putConfigObject(webhook('b', 1));
    expect(store.deleteConfigObjects('webhook', ['a', 'missing', 'b'])).toEqual(['a', 'b']);
    expect(store.listConfigObjects('webhook')).toEqual([]);
  });

  it('writes the audit row and notification with the change, and only when something changed', () => {
    store.putConfigObject(webhook('ops', 1), audited('create', 'ops', 1));
    expect(store.deleteConfigObjects('webhook', ['missing'], audited('delete', 'missing', 2))).toEqual([]);
    expect(store.deleteConfigObjects('webhook', ['ops'], audited('delete', 'ops', 3))).toEqual(['ops']);
    expect(store.listAudit({}).map((entry) => `${entry.action} ${entry.name}`)).toEqual(['delete ops', 'create ops']);
    expect(store.listOutbox({ webhook: 'audit-hook' }).map((row) => row.event.type)).toEqual(['config.changed', 'config.changed']);
  });

  it('leaves neither the change nor its audit row when the write is refused', () => {
    store.putConfigObject(webhook('ops', 1));
    expect(() => store.putConfigObject(webhook('ops', 2, { expectedVersion: 7 }), audited('update', 'ops', 2))).toThrow(StoreConflictError);
    expect(store.listAudit({})).toEqual([]);
    expect(store.outboxDepth()).toBe(0);
  });
});
