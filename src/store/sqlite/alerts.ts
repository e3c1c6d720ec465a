/** Alert states, alert history and the events log (SPEC §4). */
import type { TocsinEvent } from '../../model/event.js';
import type {
  AlertHistoryEntry,
  AlertHistoryInput,
  AlertHistoryQuery,
  AlertKey,
  AlertStateInput,
  EpochMs,
  EventLogEntry,
  EventLogInput,
  EventLogQuery,
  StoredAlertState,
} from '../store.js';
import type { Row, SqliteConnection } from './connection.js';
import { clampLimit, integer, json, realOrNull, text, textOrNull, toJson, toJsonOrNull, where } from './rows.js';

const UPSERT_STATE = `
  INSERT INTO alert_states (rule, series_key, alert_id, status, state, updated_at)
  VALUES (:rule, :seriesKey, :alertId, :status, :state, :now)
  ON CONFLICT (rule, series_key) DO UPDATE SET
    alert_id = excluded.alert_id, status = excluded.status, state = excluded.state, updated_at = excluded.updated_at`;

export function upsertAlertState(c: SqliteConnection, input: AlertStateInput, now: EpochMs): void {
  c.run(UPSERT_STATE, {
    rule: input.rule,
    seriesKey: input.seriesKey,
    alertId: input.alertId,
    status: input.status,
    state: toJson(input.state),
    now,
  });
}

export function deleteAlertState(c: SqliteConnection, key: AlertKey): void {
  c.run('DELETE FROM alert_states WHERE rule = :rule AND series_key = :seriesKey', {
    rule: key.rule,
    seriesKey: key.seriesKey,
  });
}

function toAlertState(row: Row): StoredAlertState {
  return {
    rule: text(row, 'rule'),
    seriesKey: text(row, 'series_key'),
    alertId: textOrNull(row, 'alert_id'),
    status: text(row, 'status'),
    state: json(row, 'state'),
    updatedAt: integer(row, 'updated_at'),
  };
}

export function loadAlertStates(c: SqliteConnection): StoredAlertState[] {
  return c.all('SELECT * FROM alert_states ORDER BY rule, series_key').map(toAlertState);
}

export function listAlertStates(c: SqliteConnection, filter: { status?: string; rule?: string } = {}): StoredAlertState[] {
  const clause = where([
    ['status = :status', 'status', filter.status],
    ['rule = :rule', 'rule', filter.rule],
  ]);
  return c.all(`SELECT * FROM alert_states ${clause.sql} ORDER BY rule, series_key`, clause.parameters).map(toAlertState);
}

export function getAlertStateByAlertId(c: SqliteConnection, alertId: string): StoredAlertState | null {
  const row = c.get('SELECT * FROM alert_states WHERE alert_id = :alertId', { alertId });
  return row === undefined ? null : toAlertState(row);
}

export function insertHistory(c: SqliteConnection, entry: AlertHistoryInput): void {
  c.run(
    `INSERT INTO alert_history (alert_id, rule, series_key, type, time, value, details)
     VALUES (:alertId, :rule, :seriesKey, :type, :time, :value, :details)`,
    {
      alertId: entry.alertId,
      rule: entry.rule,
      seriesKey: entry.seriesKey,
      type: entry.type,
      time: entry.time,
      value: finiteOrNull(entry.value),
      details: toJsonOrNull(entry.details),
    },
  );
}

/** SQLite stores NaN as NULL anyway; ±Infinity would come back as a REAL that JSON cannot carry. */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

export function listAlertHistory(c: SqliteConnection, query: AlertHistoryQuery): AlertHistoryEntry[] {
  const clause = where([
    ['alert_id = :alertId', 'alertId', query.alertId],
    ['rule = :rule', 'rule', query.rule],
    ['series_key = :seriesKey', 'seriesKey', query.seriesKey],
    ['time >= :since', 'since', query.since],
    ['time < :until', 'until', query.until],
    ['id < :beforeId', 'beforeId', query.beforeId],
  ]);
  const rows = c.all(`SELECT * FROM alert_history ${clause.sql} ORDER BY id DESC LIMIT :limit`, {
    ...clause.parameters,
    limit: clampLimit(query.limit),
  });
  return rows.map((row) => ({
    id: integer(row, 'id'),
    alertId: textOrNull(row, 'alert_id'),
    rule: text(row, 'rule'),
    seriesKey: text(row, 'series_key'),
    type: text(row, 'type'),
    time: integer(row, 'time'),
    value: realOrNull(row, 'value'),
    details: json(row, 'details'),
  }));
}

export function insertEvent(c: SqliteConnection, entry: EventLogInput, now: EpochMs): void {
  const time = Date.parse(entry.event.time);
  if (Number.isNaN(time)) throw new Error(`store: event ${entry.event.id} has an invalid time '${entry.event.time}'`);
  // An event id is an idempotency key: recording the same event twice keeps the first record.
  c.run(
    `INSERT INTO events (event_id, type, time, alert_id, rule, series_key, event, details, recorded_at)
     VALUES (:eventId, :type, :time, :alertId, :rule, :seriesKey, :event, :details, :now)
     ON CONFLICT (event_id) DO NOTHING`,
    {
      eventId: entry.event.id,
      type: entry.event.type,
      time,
      alertId: entry.alertId,
      rule: entry.rule,
      seriesKey: entry.seriesKey,
      event: JSON.stringify(entry.event),
      details: toJsonOrNull(entry.details),
      now,
    },
  );
}

function toEventLogEntry(row: Row): EventLogEntry {
  return {
    // Written by insertEvent from a TocsinEvent; the store is its only writer.
    event: json(row, 'event') as TocsinEvent,
    alertId: textOrNull(row, 'alert_id'),
    rule: textOrNull(row, 'rule'),
    seriesKey: textOrNull(row, 'series_key'),
    details: json(row, 'details'),
    time: integer(row, 'time'),
    recordedAt: integer(row, 'recorded_at'),
  };
}

export function getEvent(c: SqliteConnection, eventId: string): EventLogEntry | null {
  const row = c.get('SELECT * FROM events WHERE event_id = :eventId', { eventId });
  return row === undefined ? null : toEventLogEntry(row);
}

export function listEvents(c: SqliteConnection, query: EventLogQuery): EventLogEntry[] {
  const clause = where([
    ['alert_id = :alertId', 'alertId', query.alertId],
    ['rule = :rule', 'rule', query.rule],
    ['type = :type', 'type', query.type],
    ['time >= :since', 'since', query.since],
    ['time < :until', 'until', query.until],
  ]);
  const rows = c.all(`SELECT * FROM events ${clause.sql} ORDER BY time DESC, event_id DESC LIMIT :limit`, {
    ...clause.parameters,
    limit: clampLimit(query.limit),
  });
  return rows.map(toEventLogEntry);
}
