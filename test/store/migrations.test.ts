import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { StoreVersionError } from '../../src/store/store.js';
import { tempDir } from './helpers.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const newest = MIGRATIONS.at(-1)!.version;

describe('migrations', () => {
  it('are numbered 1, 2, 3, … without gaps', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  });

  it('bring a new file to the newest version and record each one', () => {
    const db = new DatabaseSync(':memory:');
    expect(migrate(db, 42)).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect(db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all()).toEqual(
      MIGRATIONS.map((migration) => ({ version: migration.version, applied_at: 42 })),
    );
    db.close();
  });

  it('apply nothing on reopen and keep the data', () => {
    const path = join(dir.dir, 'tocsin.db');
    const first = new SqliteStore(path);
    first.putConfigObject({ kind: 'template', name: 't', body: { a: 1 }, actor: 'x', at: 1 });
    first.close();

    const db = new DatabaseSync(path);
    expect(migrate(db, 2)).toEqual([]);
    expect(schemaVersion(db)).toBe(newest);
    db.close();

    const second = new SqliteStore(path);
    expect(second.getConfigObject('template', 't')?.body).toEqual({ a: 1 });
    second.close();
  });

  it('refuse a file written by a newer tocsin, saying what to do', () => {
    const path = join(dir.dir, 'tocsin.db');
    new SqliteStore(path).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(newest + 1, 'from the future', 0);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(StoreVersionError);
    expect(() => new SqliteStore(path)).toThrow(/schema version \d+, but this tocsin knows versions up to \d+.*upgrade tocsin/);
  });

  it('roll a failing migration back completely, keeping the version before it', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, 0);
    const broken = [...MIGRATIONS, { version: newest + 1, name: 'broken', sql: 'CREATE TABLE half_done (a); INSERT INTO no_such_table VALUES (1);' }];
    expect(() => migrate(db, 0, broken)).toThrow(/no_such_table/);
    expect(schemaVersion(db)).toBe(newest);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).get()).toBeUndefined();
    expect(db.isTransaction).toBe(false);
    db.close();
  });
});

describe('migration 4: outbox fence, and alert notifications ordered per series', () => {
  it('moves unfinished alert rows to the series key, keeps the fence past attempts, and marks the heads', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, 0, MIGRATIONS.slice(0, 2));
    const event = (id: string, alertId: string) =>
      JSON.stringify({ id, type: 'alert.open', data: { alert_id: alertId, rule: 'hot', series_key: 'entity=web-1' } });
    const insert = db.prepare(`INSERT INTO outbox (event_id, event, webhook, ordering_key, alert_id, status, attempts, next_attempt_at, created_at, queued_at, updated_at)
                               VALUES (?, ?, 'chat', ?, ?, ?, ?, 0, 0, 0, 0)`);
    insert.run('old', event('old', 'ep1'), 'ep1', 'ep1', 'done', 1);
    insert.run('cancel-ep1', event('cancel-ep1', 'ep1'), 'ep1', 'ep1', 'inflight', 3);
    insert.run('open-ep2', event('open-ep2', 'ep2'), 'ep2', 'ep2', 'pending', 0);
    insert.run('test', JSON.stringify({ id: 'test', type: 'webhook.test', data: {} }), null, null, 'pending', 0);
    migrate(db, 0);
    const rows = db.prepare('SELECT event_id, ordering_key, fence, head FROM outbox ORDER BY id').all();
    const series = JSON.stringify(['hot', 'entity=web-1']);
    expect(rows).toEqual([
      { event_id: 'old', ordering_key: 'ep1', fence: 1, head: 1 },
      { event_id: 'cancel-ep1', ordering_key: series, fence: 3, head: 1 },
      // The next episode's open now waits for the previous episode's cancel.
      { event_id: 'open-ep2', ordering_key: series, fence: 0, head: 0 },
      { event_id: 'test', ordering_key: null, fence: 0, head: 1 },
    ]);
    db.close();
  });
});
