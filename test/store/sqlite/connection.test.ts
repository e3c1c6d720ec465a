import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConnection } from '../../../src/store/sqlite/connection.js';
import { tempDir } from '../helpers.js';

let dir: { dir: string; cleanup: () => void };
const open: SqliteConnection[] = [];
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
  dir.cleanup();
});

function connect(options: ConstructorParameters<typeof SqliteConnection>[1] = {}, name = 'data/nested/tocsin.db'): SqliteConnection {
  const connection = new SqliteConnection(join(dir.dir, name), options);
  open.push(connection);
  connection.db.exec('CREATE TABLE IF NOT EXISTS t (v INTEGER)');
  return connection;
}

const pragma = (connection: SqliteConnection, name: string): unknown => Object.values(connection.db.prepare(`PRAGMA ${name}`).get() ?? {})[0];

describe('SQLite connection settings', () => {
  it('creates the parent directory and uses WAL with foreign keys on', () => {
    const connection = connect();
    expect(existsSync(join(dir.dir, 'data/nested/tocsin.db'))).toBe(true);
    expect(pragma(connection, 'journal_mode')).toBe('wal');
    expect(pragma(connection, 'foreign_keys')).toBe(1);
    expect(pragma(connection, 'busy_timeout')).toBe(5_000);
    expect(pragma(connect({ busyTimeoutMs: 250 }, 'other.db'), 'busy_timeout')).toBe(250);
  });

  // synchronous: 2 = FULL, 1 = NORMAL.
  const cases = [
    { durability: 'full', kind: 'durable', synchronous: 2 },
    { durability: 'full', kind: 'relaxed', synchronous: 1 },
    { durability: 'normal', kind: 'durable', synchronous: 1 },
    { durability: 'normal', kind: 'relaxed', synchronous: 1 },
  ] as const;
  it.each(cases)('commits a $kind transaction with durability $durability at synchronous=$synchronous', ({ durability, kind, synchronous }) => {
    const connection = connect({ durability });
    connection.transaction(kind, () => connection.run('INSERT INTO t (v) VALUES (1)'));
    expect(pragma(connection, 'synchronous')).toBe(synchronous);
  });

  it('makes nested transactions part of the outer one: an inner failure rolls back everything', () => {
    const connection = connect();
    expect(() =>
      connection.transaction('durable', () => {
        connection.run('INSERT INTO t (v) VALUES (1)');
        connection.transaction('relaxed', () => {
          connection.run('INSERT INTO t (v) VALUES (2)');
          throw new Error('inner');
        });
      }),
    ).toThrow('inner');
    expect(connection.all('SELECT v FROM t')).toEqual([]);
    connection.transaction('durable', () => connection.run('INSERT INTO t (v) VALUES (3)'));
    expect(connection.all('SELECT v FROM t')).toEqual([{ v: 3 }]);
  });

  it('lets a second connection to the same file read committed data (another process, e.g. the CLI)', () => {
    const writer = connect();
    const reader = connect();
    writer.transaction('durable', () => writer.run('INSERT INTO t (v) VALUES (7)'));
    expect(reader.all('SELECT v FROM t')).toEqual([{ v: 7 }]);
  });
});
