import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifySqliteError, StoreUnavailableError } from '../../../src/store/errors.js';
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

describe('failures of the medium are a StoreUnavailableError (SPEC §4, issue 12 item 2)', () => {
  it('a full database (SQLITE_FULL) rolls back the whole transaction and says what to do', () => {
    const connection = connect();
    connection.transaction('durable', () => connection.run('INSERT INTO t (v) VALUES (1)'));
    // max_page_count makes SQLite answer exactly as on a full disk: SQLITE_FULL, "database or disk is full".
    const pages = pragma(connection, 'page_count') as number;
    connection.db.exec(`PRAGMA max_page_count = ${pages}`);
    let caught: unknown;
    try {
      connection.transaction('durable', () => {
        connection.run('INSERT INTO t (v) VALUES (2)');
        for (let i = 0; i < 200; i++) connection.run(`INSERT INTO t (v) VALUES (${i + 3})`);
        connection.db.exec('CREATE TABLE grow (x TEXT)');
        for (let i = 0; i < 200; i++) connection.db.prepare('INSERT INTO grow (x) VALUES (?)').run('x'.repeat(4000));
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreUnavailableError);
    const error = caught as StoreUnavailableError;
    expect(error.reason).toBe('disk_full');
    expect(error.message).toBe(
      'the disk holding the data file is full (SQLite: database or disk is full); nothing of this change was stored',
    );
    expect(error.hint).toMatch(/^free space on the data file's filesystem/);
    expect((error.cause as { errcode?: number }).errcode).toBe(13);
    expect(connection.all('SELECT v FROM t')).toEqual([{ v: 1 }]);
    // Space again: the connection is usable and the same transaction goes through.
    connection.db.exec('PRAGMA max_page_count = 1073741823');
    connection.transaction('durable', () => connection.run('INSERT INTO t (v) VALUES (2)'));
    expect(connection.all('SELECT v FROM t ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it('a lock held by another process past the busy timeout is "busy"; other errors pass unchanged', () => {
    const first = connect({ busyTimeoutMs: 10 }, 'shared.db');
    const second = connect({ busyTimeoutMs: 10 }, 'shared.db');
    first.db.exec('BEGIN IMMEDIATE');
    try {
      expect(() => second.transaction('durable', () => second.run('INSERT INTO t (v) VALUES (1)'))).toThrow(
        expect.objectContaining({ name: 'StoreUnavailableError', reason: 'busy' }),
      );
    } finally {
      first.db.exec('ROLLBACK');
    }
    const missingTable = () => second.transaction('durable', () => second.run('INSERT INTO missing (v) VALUES (1)'));
    expect(missingTable).toThrow(/no such table: missing/);
    expect(missingTable).not.toThrow(StoreUnavailableError);
  });

  it('maps SQLite result codes by their primary code', () => {
    const sqliteError = (errcode: number, message: string) =>
      Object.assign(new Error(message), { code: 'ERR_SQLITE_ERROR', errcode, errstr: message });
    expect(classifySqliteError(sqliteError(13, 'database or disk is full'))).toMatchObject({ reason: 'disk_full' });
    // SQLITE_IOERR_WRITE (778) and SQLITE_IOERR_FSYNC (1034) are extended codes of SQLITE_IOERR (10).
    expect(classifySqliteError(sqliteError(778, 'disk I/O error'))).toMatchObject({ reason: 'io_error' });
    expect(classifySqliteError(sqliteError(1034, 'disk I/O error'))).toMatchObject({ reason: 'io_error' });
    expect(classifySqliteError(sqliteError(5, 'database is locked'))).toMatchObject({ reason: 'busy' });
    const constraint = sqliteError(19, 'UNIQUE constraint failed: t.v');
    expect(classifySqliteError(constraint)).toBe(constraint);
    const plain = new TypeError('x');
    expect(classifySqliteError(plain)).toBe(plain);
  });
});
