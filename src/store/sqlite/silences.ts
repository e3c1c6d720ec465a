/** Silences and acknowledgements (SPEC §4): recorded decisions that mute or stop notifications. */
import type { Acknowledgement, AcknowledgementInput, Silence, SilenceInput, SilenceQuery } from '../store.js';
import type { Row, SqliteConnection } from './connection.js';
import { integer, json, text, toJson, where } from './rows.js';

function toSilence(row: Row): Silence {
  return {
    id: text(row, 'id'),
    matchers: json(row, 'matchers'),
    startsAt: integer(row, 'starts_at'),
    endsAt: integer(row, 'ends_at'),
    createdBy: text(row, 'created_by'),
    comment: text(row, 'comment'),
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
  };
}

export function putSilence(c: SqliteConnection, silence: SilenceInput): Silence {
  const row = c.get(
    `INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
     VALUES (:id, :matchers, :startsAt, :endsAt, :createdBy, :comment, :at, :at)
     ON CONFLICT (id) DO UPDATE SET
       matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
       comment = excluded.comment, updated_at = excluded.updated_at
     RETURNING *`,
    {
      id: silence.id,
      matchers: toJson(silence.matchers),
      startsAt: silence.startsAt,
      endsAt: silence.endsAt,
      createdBy: silence.createdBy,
      comment: silence.comment,
      at: silence.at,
    },
  );
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  return toSilence(row);
}

export function getSilence(c: SqliteConnection, id: string): Silence | null {
  const row = c.get('SELECT * FROM silences WHERE id = :id', { id });
  return row === undefined ? null : toSilence(row);
}

export function listSilences(c: SqliteConnection, query: SilenceQuery = {}): Silence[] {
  const clause = where([
    ['starts_at <= :activeAt', 'activeAt', query.activeAt],
    ['ends_at > :activeAt', 'activeAt', query.activeAt],
    ['ends_at > :endingAfter', 'endingAfter', query.endingAfter],
  ]);
  return c.all(`SELECT * FROM silences ${clause.sql} ORDER BY starts_at, id`, clause.parameters).map(toSilence);
}

export function deleteSilences(c: SqliteConnection, ids: readonly string[]): string[] {
  return ids.filter((id) => c.run('DELETE FROM silences WHERE id = :id', { id }).changes === 1);
}

function toAcknowledgement(row: Row): Acknowledgement {
  return {
    id: integer(row, 'id'),
    alertId: text(row, 'alert_id'),
    by: text(row, 'by'),
    at: integer(row, 'at'),
    comment: text(row, 'comment'),
  };
}

export function insertAcknowledgement(c: SqliteConnection, ack: AcknowledgementInput): Acknowledgement {
  const row = c.get(
    'INSERT INTO acknowledgements (alert_id, by, at, comment) VALUES (:alertId, :by, :at, :comment) RETURNING *',
    { alertId: ack.alertId, by: ack.by, at: ack.at, comment: ack.comment },
  );
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  return toAcknowledgement(row);
}

export function listAcknowledgements(c: SqliteConnection, alertId: string): Acknowledgement[] {
  return c.all('SELECT * FROM acknowledgements WHERE alert_id = :alertId ORDER BY id', { alertId }).map(toAcknowledgement);
}
