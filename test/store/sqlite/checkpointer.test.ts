import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { START_AFTER_COMMITS } from '../../../src/store/sqlite/checkpointer.js';
import { SqliteConnection } from '../../../src/store/sqlite/connection.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(): { connection: SqliteConnection; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-checkpoint-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const connection = new SqliteConnection(path);
  connection.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  return { connection, path };
}

const insert = (connection: SqliteConnection, rows: number) =>
  connection.transaction('relaxed', () => {
    for (let i = 0; i < rows; i++) connection.run('INSERT INTO t (payload) VALUES (:payload)', { payload: 'x'.repeat(2000) });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WAL checkpoints on their own thread', () => {
  it('start only after many commits, and take over from the main connection', () => {
    const { connection } = open();
    for (let i = 1; i < START_AFTER_COMMITS; i++) insert(connection, 1);
    expect(connection.checkpointsInBackground).toBe(false);
    expect(connection.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 1000 });
    insert(connection, 1);
    expect(connection.checkpointsInBackground).toBe(true);
    expect(connection.get('PRAGMA wal_autocheckpoint')).toEqual({ wal_autocheckpoint: 0 });
    connection.close();
  });

  it('keep the WAL from growing while the main connection writes', async () => {
    const { connection, path } = open();
    for (let i = 0; i < START_AFTER_COMMITS; i++) insert(connection, 1);
    // 40 rounds of 20 commits of 10 rows of 2 KB: 16 MB through the WAL in all. Without
    // checkpoints (the main connection no longer makes them) the WAL file would hold all of it.
    let largest = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 20; i++) insert(connection, 10);
      largest = Math.max(largest, statSync(`${path}-wal`).size);
      await sleep(40);
    }
    expect(largest).toBeLessThan(8 * 1024 * 1024);
    expect(connection.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: START_AFTER_COMMITS + 40 * 20 * 10 });
    connection.close();
  });

  it('leave every committed row in the file after close', async () => {
    const { connection, path } = open();
    for (let i = 0; i < START_AFTER_COMMITS * 3; i++) insert(connection, 2);
    connection.close();
    await sleep(100);
    const reopened = new SqliteConnection(path);
    expect(reopened.get('SELECT COUNT(*) AS n FROM t')).toEqual({ n: START_AFTER_COMMITS * 3 * 2 });
    reopened.close();
  });
});
