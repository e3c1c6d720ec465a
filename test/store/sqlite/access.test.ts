import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/sqlite.js';
import { StoreConflictError, type ApiTokenInput } from '../../../src/store/store.js';
import { memoryStore } from '../helpers.js';

let store: SqliteStore;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const token = (id: string, name: string, secret: string, role = 'admin'): ApiTokenInput => ({
  id,
  name,
  role,
  tokenHash: hash(secret),
  createdAt: 10,
});

describe('API tokens', () => {
  it('finds an active token by the hash of its secret and records its use', () => {
    expect(store.createToken(token('tok_1', 'ci', 's3cret'))).toEqual({
      id: 'tok_1',
      name: 'ci',
      role: 'admin',
      tokenHash: hash('s3cret'),
      createdAt: 10,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(store.findActiveToken(hash('s3cret'))?.id).toBe('tok_1');
    expect(store.findActiveToken(hash('wrong'))).toBeNull();
    store.touchToken('tok_1', 20);
    expect(store.getToken('tok_1')?.lastUsedAt).toBe(20);
  });

  it('stops finding a revoked token, and revokes only once', () => {
    store.createToken(token('tok_1', 'ci', 's3cret'));
    expect(store.revokeToken('tok_1', 30)).toBe(true);
    expect(store.revokeToken('tok_1', 31)).toBe(false);
    expect(store.revokeToken('tok_404', 31)).toBe(false);
    expect(store.findActiveToken(hash('s3cret'))).toBeNull();
    expect(store.getToken('tok_1')?.revokedAt).toBe(30);
  });

  it('refuses a second active token with the same name, and allows it once the first is revoked', () => {
    store.createToken(token('tok_1', 'ci', 'a'));
    expect(() => store.createToken(token('tok_2', 'ci', 'b'))).toThrow(StoreConflictError);
    expect(() => store.createToken(token('tok_2', 'ci', 'b'))).toThrow(/revoke it first/);
    expect(() => store.createToken(token('tok_1', 'other', 'c'))).toThrow(/id 'tok_1' already exists/);
    store.revokeToken('tok_1', 20);
    store.createToken(token('tok_2', 'ci', 'b'));
    expect(store.listTokens().map((entry) => [entry.id, entry.revokedAt])).toEqual([
      ['tok_1', 20],
      ['tok_2', null],
    ]);
  });

  it('audits creation and revocation in the same transaction', () => {
    const audit = (action: string) => ({ now: 10, audit: [{ actor: 'cli', action, kind: 'token', name: 'ci', at: 10 }] });
    store.createToken(token('tok_1', 'ci', 'a'), audit('create'));
    expect(() => store.createToken(token('tok_2', 'ci', 'b'), audit('create'))).toThrow(StoreConflictError);
    store.revokeToken('tok_1', 20, audit('revoke'));
    store.revokeToken('tok_1', 21, audit('revoke'));
    expect(store.listAudit({ kind: 'token' }).map((entry) => entry.action)).toEqual(['revoke', 'create']);
  });
});

describe('audit log', () => {
  beforeEach(() => {
    store.appendAudit({ actor: 'alice', action: 'create', kind: 'webhook', name: 'ops', at: 1, details: { url: 'https://x' } });
    store.appendAudit({ actor: 'bob', action: 'update', kind: 'webhook', name: 'ops', at: 2 });
    store.appendAudit({ actor: 'alice', action: 'create', kind: 'template', name: 'chat', at: 3 });
  });

  const cases = [
    { name: 'everything, newest first', query: {}, ids: [3, 2, 1] },
    { name: 'by actor', query: { actor: 'alice' }, ids: [3, 1] },
    { name: 'by kind and name', query: { kind: 'webhook', name: 'ops' }, ids: [2, 1] },
    { name: 'by time range', query: { since: 2, until: 3 }, ids: [2] },
    { name: 'by page', query: { beforeId: 3, limit: 1 }, ids: [2] },
  ];
  it.each(cases)('lists $name', ({ query, ids }) => {
    expect(store.listAudit(query).map((entry) => entry.id)).toEqual(ids);
  });

  it('keeps details', () => {
    expect(store.listAudit({ beforeId: 2 })[0]).toEqual({
      id: 1,
      actor: 'alice',
      action: 'create',
      kind: 'webhook',
      name: 'ops',
      at: 1,
      details: { url: 'https://x' },
    });
  });
});
