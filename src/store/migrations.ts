/**
 * The schema, as numbered migrations. Each one runs in its own transaction together with the row
 * that records it in `schema_version`, so a crash mid-migration leaves the previous version intact
 * and the next start simply runs it again. Never edit a released migration: append a new one.
 *
 * The SQL stays close to what PostgreSQL accepts (SPEC §9): times are integer epoch ms, JSON is text,
 * upserts use `ON CONFLICT … DO UPDATE`, partial indexes use plain `WHERE` clauses. The SQLite-only
 * spellings are `INTEGER PRIMARY KEY AUTOINCREMENT` (PostgreSQL: `BIGINT GENERATED ALWAYS AS IDENTITY`)
 * and `REAL` (`DOUBLE PRECISION`).
 */
import type { DatabaseSync } from 'node:sqlite';
import { StoreVersionError } from './store.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE alert_states (
        rule TEXT NOT NULL,
        series_key TEXT NOT NULL,
        alert_id TEXT,
        status TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (rule, series_key)
      );
      CREATE INDEX alert_states_alert_id ON alert_states (alert_id);
      CREATE INDEX alert_states_status ON alert_states (status);

      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT,
        rule TEXT NOT NULL,
        series_key TEXT NOT NULL,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        value REAL,
        details TEXT
      );
      CREATE INDEX alert_history_alert_id ON alert_history (alert_id, id);
      CREATE INDEX alert_history_rule_time ON alert_history (rule, time);
      CREATE INDEX alert_history_time ON alert_history (time);

      CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        alert_id TEXT,
        rule TEXT,
        series_key TEXT,
        event TEXT NOT NULL,
        details TEXT,
        recorded_at INTEGER NOT NULL
      );
      CREATE INDEX events_alert_id ON events (alert_id, time);
      CREATE INDEX events_time ON events (time);

      -- AUTOINCREMENT: ids are never reused, even after pruning the newest rows, because the id is
      -- the delivery order within an ordering key and delivery_attempts refer to it.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        event TEXT NOT NULL,
        webhook TEXT NOT NULL,
        template TEXT,
        ordering_key TEXT,
        alert_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'inflight', 'done', 'failed', 'discarded', 'dropped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        lease_until INTEGER,
        last_error TEXT,
        updated_at INTEGER NOT NULL
      );
      -- Only partial indexes over unfinished rows serve delivery: they stay small however long the
      -- history grows, and with no index on status itself the planner cannot prefer a scan of it.
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX outbox_due_by_webhook ON outbox (webhook, next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX outbox_pending_by_webhook ON outbox (webhook, id) WHERE status = 'pending';
      CREATE INDEX outbox_leased ON outbox (lease_until, webhook) WHERE status = 'inflight';
      CREATE INDEX outbox_unfinished_by_key ON outbox (webhook, ordering_key, id) WHERE status IN ('pending', 'inflight');
      -- An event is queued once per webhook: a sample re-sent after a crash re-derives the same
      -- deterministic event id, and the insert then keeps the row that is already there.
      CREATE UNIQUE INDEX outbox_event_webhook ON outbox (event_id, webhook);
      CREATE INDEX outbox_alert_id ON outbox (alert_id);

      -- No foreign key to outbox: attempts outlive pruned outbox rows, and webhook tests have none.
      CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        outbox_id INTEGER,
        event_id TEXT NOT NULL,
        alert_id TEXT,
        webhook TEXT NOT NULL,
        time INTEGER NOT NULL,
        status_code INTEGER,
        latency_ms REAL NOT NULL,
        response_headers TEXT,
        response_body TEXT,
        error TEXT,
        ok INTEGER NOT NULL
      );
      CREATE INDEX delivery_attempts_webhook ON delivery_attempts (webhook, id);
      CREATE INDEX delivery_attempts_event_id ON delivery_attempts (event_id);
      CREATE INDEX delivery_attempts_alert_id ON delivery_attempts (alert_id);
      CREATE INDEX delivery_attempts_outbox_id ON delivery_attempts (outbox_id);
      CREATE INDEX delivery_attempts_time ON delivery_attempts (time);

      CREATE TABLE webhook_counts_minute (
        webhook TEXT NOT NULL,
        minute INTEGER NOT NULL,
        successes INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (webhook, minute)
      );
      CREATE INDEX webhook_counts_minute_minute ON webhook_counts_minute (minute);

      CREATE TABLE webhook_totals (
        webhook TEXT PRIMARY KEY,
        successes INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        last_success_at INTEGER,
        last_failure_at INTEGER
      );

      CREATE TABLE config_objects (
        kind TEXT NOT NULL CHECK (kind IN ('webhook', 'template')),
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (kind, name)
      );

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );
      -- A name may be reused once the token that had it is revoked.
      CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        at INTEGER NOT NULL,
        details TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_kind_name ON audit_log (kind, name, id);

      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX silences_ends_at ON silences (ends_at);

      CREATE TABLE acknowledgements (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL,
        by TEXT NOT NULL,
        at INTEGER NOT NULL,
        comment TEXT NOT NULL
      );
      CREATE INDEX acknowledgements_alert_id ON acknowledgements (alert_id, id);

      CREATE TABLE entities (
        name TEXT PRIMARY KEY,
        label TEXT,
        enabled INTEGER NOT NULL,
        tags TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE metrics (
        name TEXT PRIMARY KEY,
        label TEXT,
        units TEXT,
        description TEXT,
        tags TEXT,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE window_snapshots (
        rule TEXT NOT NULL,
        series_key TEXT NOT NULL,
        data TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (rule, series_key)
      );
    `,
  },
  {
    version: 2,
    name: 'attempt log found by event and alert through the outbox',
    sql: `
      -- Event and alert ids are random within a millisecond: each attempt added a page to two
      -- B-trees at random places, the larger part of what a settlement wrote (docs/decisions.md).
      -- Queued attempts are found through their outbox row, which outlives them (both are kept 7
      -- days, the outbox row counted from its last change); attempts of webhook tests have no
      -- outbox row and keep an index of their own, which stays tiny.
      DROP INDEX delivery_attempts_event_id;
      DROP INDEX delivery_attempts_alert_id;
      CREATE INDEX delivery_attempts_unqueued_event_id ON delivery_attempts (event_id) WHERE outbox_id IS NULL;
    `,
  },
  {
    version: 3,
    name: 'outbox usage per webhook, kept by triggers',
    sql: `
      -- Unfinished (pending + inflight) rows and their event bytes per webhook, for the outbox
      -- budget (SPEC §6). Ingestion reads it on every batch, so counting the partial indexes (which
      -- grow with the backlog) would cost most when the server is already in trouble. Triggers keep
      -- it exact whatever statement moves a row: claims, settlements, drops, retries, pruning.
      CREATE TABLE outbox_usage (
        webhook TEXT PRIMARY KEY,
        rows INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
      INSERT INTO outbox_usage (webhook, rows, bytes)
        SELECT webhook, COUNT(*), SUM(octet_length(event)) FROM outbox
        WHERE status IN ('pending', 'inflight') GROUP BY webhook;
      CREATE TRIGGER outbox_usage_insert AFTER INSERT ON outbox
        WHEN NEW.status IN ('pending', 'inflight')
      BEGIN
        INSERT INTO outbox_usage (webhook, rows, bytes) VALUES (NEW.webhook, 1, octet_length(NEW.event))
          ON CONFLICT (webhook) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes;
      END;
      CREATE TRIGGER outbox_usage_requeue AFTER UPDATE OF status ON outbox
        WHEN OLD.status NOT IN ('pending', 'inflight') AND NEW.status IN ('pending', 'inflight')
      BEGIN
        INSERT INTO outbox_usage (webhook, rows, bytes) VALUES (NEW.webhook, 1, octet_length(NEW.event))
          ON CONFLICT (webhook) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes;
      END;
      CREATE TRIGGER outbox_usage_finish AFTER UPDATE OF status ON outbox
        WHEN OLD.status IN ('pending', 'inflight') AND NEW.status NOT IN ('pending', 'inflight')
      BEGIN
        UPDATE outbox_usage SET rows = rows - 1, bytes = bytes - octet_length(OLD.event) WHERE webhook = OLD.webhook;
      END;
      CREATE TRIGGER outbox_usage_delete AFTER DELETE ON outbox
        WHEN OLD.status IN ('pending', 'inflight')
      BEGIN
        UPDATE outbox_usage SET rows = rows - 1, bytes = bytes - octet_length(OLD.event) WHERE webhook = OLD.webhook;
      END;
    `,
  },
  {
    version: 4,
    name: 'outbox: settlement fence apart from attempts; alert notifications ordered per series',
    sql: `
      -- attempts counted claims and doubled as the settlement fence, so a manual retry (attempts
      -- reset to 0) could let a stale settlement through. The fence is now its own counter that
      -- only grows (every claim and every release bumps it); attempts counts requests sent.
      ALTER TABLE outbox ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
      UPDATE outbox SET fence = attempts;
      -- The ordering key of alert notifications was the alert id (one episode); it is the series
      -- (rule + series key, src/service/notify.ts seriesOrderingKey), so the cancel of one episode
      -- and the open of the next are never in flight together. Unfinished rows get the new key so
      -- a backlog queued before the upgrade is ordered the same way.
      UPDATE outbox
      SET ordering_key = json_array(json_extract(event, '$.data.rule'), json_extract(event, '$.data.series_key'))
      WHERE status IN ('pending', 'inflight') AND ordering_key IS NOT NULL
        AND json_extract(event, '$.type') LIKE 'alert.%'
        AND json_type(event, '$.data.rule') = 'text' AND json_type(event, '$.data.series_key') = 'text';
      -- head = 1: no earlier unfinished row of the same (webhook, ordering key). A series can queue
      -- dozens of rows behind its head; without the flag every claim walked past all of them.
      ALTER TABLE outbox ADD COLUMN head INTEGER NOT NULL DEFAULT 1;
      UPDATE outbox SET head = CASE WHEN ordering_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM outbox earlier
          WHERE earlier.webhook = outbox.webhook AND earlier.ordering_key = outbox.ordering_key
            AND earlier.id < outbox.id AND earlier.status IN ('pending', 'inflight')) THEN 1 ELSE 0 END
      WHERE status IN ('pending', 'inflight');
      -- They replace the indexes of all due rows, which only the claim and nextDueAt read: one more
      -- index per pending row would cost every claim and settlement a B-tree write.
      DROP INDEX outbox_due;
      DROP INDEX outbox_due_by_webhook;
      CREATE INDEX outbox_due_heads ON outbox (next_attempt_at, id) WHERE status = 'pending' AND head = 1;
      CREATE INDEX outbox_due_heads_by_webhook ON outbox (webhook, next_attempt_at, id)
        WHERE status = 'pending' AND head = 1;
    `,
  },
];

const VERSION_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`;

/** The version the database is at (0 for a new file). */
export function schemaVersion(db: DatabaseSync): number {
  db.exec(VERSION_TABLE);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get();
  const version = row?.['version'];
  return typeof version === 'number' ? version : 0;
}

/**
 * Brings the database to the newest version; returns the versions applied. `appliedAt` is the only
 * clock reading and is informational.
 */
export function migrate(db: DatabaseSync, appliedAt: number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = schemaVersion(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new StoreVersionError(
      `the database is at schema version ${current}, but this tocsin knows versions up to ${newest}: ` +
        'it was written by a newer release; upgrade tocsin or point --data at another file',
    );
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    // IMMEDIATE takes the write lock up front: two processes opening a new file at once wait for
    // each other (busy_timeout) instead of both migrating; the loser then sees the version and skips.
    db.exec('BEGIN IMMEDIATE');
    try {
      if (schemaVersion(db) < migration.version) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, appliedAt);
        applied.push(migration.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return applied;
}
