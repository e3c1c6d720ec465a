/**
 * One node:sqlite connection with the settings tocsin relies on, a prepared-statement cache and
 * transactions. Everything SQLite-specific about connection handling lives here.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { classifySqliteError } from '../errors.js';
import { Checkpointer, START_AFTER_COMMITS } from './checkpointer.js';

/**
 * How hard a commit tries to survive power loss.
 *
 * - `full` (default): `synchronous=FULL` for every transaction that creates or changes something a
 *   user or the engine relies on (alert state + outbox, config, tokens, silences): the WAL is fsynced
 *   at commit, so a committed notification survives an OS crash or power cut, not only kill -9. The
 *   cost (one fsync per commit, ~0.2 ms on an SSD) is paid per engine batch, not per sample.
 *   Delivery bookkeeping (claims, outcomes, attempt logs, counters) commits with `synchronous=NORMAL`:
 *   losing the last of those to a power cut only re-sends a notification with the same event id
 *   (at-least-once, receivers dedupe on webhook-id), never loses one; and the next FULL commit
 *   fsyncs their WAL frames too. That keeps 5 000+ deliveries/s possible.
 * - `normal`: every transaction uses NORMAL. Still crash-safe against a killed process (WAL), but
 *   the last transactions may roll back after power loss. For disposable data (tests, demos, replay).
 */
export type Durability = 'full' | 'normal';

/** Whether a transaction must survive power loss (`durable`) or may be lost as explained above. */
export type CommitKind = 'durable' | 'relaxed';

export interface ConnectionOptions {
  durability?: Durability;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

export type Row = Record<string, unknown>;
export type Parameters = Record<string, string | number | null>;

export class SqliteConnection {
  readonly db: DatabaseSync;
  private readonly durability: Durability;
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;
  private closed = false;
  private synchronous: 'FULL' | 'NORMAL' | null = null;
  private readonly path: string;
  private commits = 0;
  /** Set once checkpoints run on their own thread (see checkpointer.ts). */
  private checkpointer: Checkpointer | null = null;

  constructor(path: string, options: ConnectionOptions = {}) {
    this.path = path;
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    this.durability = options.durability ?? 'full';
    // Options and properties newer than Node 22.13 (`timeout`, `isTransaction`, `isOpen`) are avoided
    // so the store runs on every Node the package supports: busy_timeout is a pragma, the rest is tracked here.
    this.db = new DatabaseSync(path, {
      enableForeignKeyConstraints: true,
      // "double-quoted strings are identifiers" only: a typo'd column name must be an error, not a string.
      enableDoubleQuotedStringLiterals: false,
    });
    // WAL: readers never block the writer, and a commit appends to one file (no rollback journal).
    this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    this.db.exec('PRAGMA journal_mode = WAL');
    // Keep the WAL from staying huge after a burst (bytes; checkpoints truncate it back to this).
    this.db.exec('PRAGMA journal_size_limit = 67108864');
    this.db.exec('PRAGMA foreign_keys = ON');
    this.setSynchronous('FULL');
  }

  /** The cached prepared statement for this SQL. Callers build SQL only from constant fragments. */
  statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, parameters: Parameters = {}): { changes: number } {
    const result = this.statement(sql).run(parameters);
    return { changes: Number(result.changes) };
  }

  get(sql: string, parameters: Parameters = {}): Row | undefined {
    return this.statement(sql).get(parameters);
  }

  all(sql: string, parameters: Parameters = {}): Row[] {
    return this.statement(sql).all(parameters);
  }

  /**
   * Runs `body` in one write transaction; nested calls join the outer one. BEGIN IMMEDIATE takes the
   * write lock at the start, so two writers queue on busy_timeout instead of one failing with
   * SQLITE_BUSY when it upgrades a read lock.
   *
   * A failure of the medium (disk full, I/O error, lock timeout) comes out as a
   * StoreUnavailableError: nothing of the transaction was written and the same call may succeed
   * later (SQLite has already rolled the transaction back on SQLITE_FULL and SQLITE_IOERR).
   */
  transaction<T>(kind: CommitKind, body: () => T): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return body();
      } finally {
        this.depth--;
      }
    }
    try {
      this.setSynchronous(kind === 'durable' && this.durability === 'full' ? 'FULL' : 'NORMAL');
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw classifySqliteError(error);
    }
    this.depth = 1;
    try {
      const result = body();
      this.db.exec('COMMIT');
      this.afterCommit();
      return result;
    } catch (error) {
      // COMMIT may itself have failed after ending the transaction; ROLLBACK then has nothing to undo.
      try {
        this.db.exec('ROLLBACK');
      } catch {
        /* no transaction open */
      }
      throw classifySqliteError(error);
    } finally {
      this.depth = 0;
    }
  }

  /** Whether checkpoints run on their own thread now. */
  get checkpointsInBackground(): boolean {
    return this.checkpointer !== null;
  }

  private afterCommit(): void {
    if (this.checkpointer !== null) {
      this.checkpointer.committed();
      return;
    }
    // A file other connections can open: not ':memory:' nor a 'file:' URI (which may be in memory).
    if (++this.commits === START_AFTER_COMMITS && this.path !== ':memory:' && !this.path.startsWith('file:')) this.checkpointInBackground();
  }

  private checkpointInBackground(): void {
    try {
      this.checkpointer = new Checkpointer(this.path, () => {
        // The thread is gone: checkpoint here again, as SQLite does by default.
        this.checkpointer = null;
        if (!this.closed) this.db.exec('PRAGMA wal_autocheckpoint = 1000');
      });
      this.db.exec('PRAGMA wal_autocheckpoint = 0');
    } catch {
      this.checkpointer = null;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.checkpointer?.close();
    this.checkpointer = null;
    this.statements.clear();
    this.db.close();
  }

  private setSynchronous(level: 'FULL' | 'NORMAL'): void {
    if (this.synchronous === level) return;
    // Only changed between transactions; SQLite reads it at commit time.
    this.db.exec(`PRAGMA synchronous = ${level}`);
    this.synchronous = level;
  }
}
