/** Webhooks and templates managed through the API (SPEC §6, §5), stored as validated JSON bodies. */
import { StoreConflictError, type ConfigKind, type ConfigObject, type ConfigPut } from '../store.js';
import type { Row, SqliteConnection } from './connection.js';
import { integer, json, text, toJson } from './rows.js';

function isConfigKind(value: string): value is ConfigKind {
  return value === 'webhook' || value === 'template';
}

function toConfigObject(row: Row): ConfigObject {
  const kind = text(row, 'kind');
  if (!isConfigKind(kind)) throw new Error(`store: config object has unknown kind '${kind}'`);
  return {
    kind,
    name: text(row, 'name'),
    body: json(row, 'body'),
    version: integer(row, 'version'),
    createdAt: integer(row, 'created_at'),
    updatedAt: integer(row, 'updated_at'),
    updatedBy: text(row, 'updated_by'),
  };
}

export function listConfigObjects(c: SqliteConnection, kind: ConfigKind): ConfigObject[] {
  return c.all('SELECT * FROM config_objects WHERE kind = :kind ORDER BY name', { kind }).map(toConfigObject);
}

export function getConfigObject(c: SqliteConnection, kind: ConfigKind, name: string): ConfigObject | null {
  const row = c.get('SELECT * FROM config_objects WHERE kind = :kind AND name = :name', { kind, name });
  return row === undefined ? null : toConfigObject(row);
}

/** Call inside a transaction: reads the version, then writes. */
export function putConfigObject(c: SqliteConnection, put: ConfigPut): { created: boolean; object: ConfigObject } {
  const existing = getConfigObject(c, put.kind, put.name);
  const currentVersion = existing?.version ?? 0;
  if (put.expectedVersion !== undefined && put.expectedVersion !== currentVersion) {
    throw new StoreConflictError(
      existing === null
        ? `${put.kind} '${put.name}' does not exist (expected version ${put.expectedVersion})`
        : `${put.kind} '${put.name}' is at version ${currentVersion}, not ${put.expectedVersion}: ` +
          `it was changed by ${existing.updatedBy}; reload it and apply your change again`,
    );
  }
  const row = c.get(
    `INSERT INTO config_objects (kind, name, body, version, created_at, updated_at, updated_by)
     VALUES (:kind, :name, :body, 1, :at, :at, :actor)
     ON CONFLICT (kind, name) DO UPDATE SET
       body = excluded.body, version = config_objects.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
     RETURNING *`,
    { kind: put.kind, name: put.name, body: toJson(put.body), at: put.at, actor: put.actor },
  );
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  return { created: existing === null, object: toConfigObject(row) };
}

export function deleteConfigObjects(c: SqliteConnection, kind: ConfigKind, names: readonly string[]): string[] {
  return names.filter(
    (name) => c.run('DELETE FROM config_objects WHERE kind = :kind AND name = :name', { kind, name }).changes === 1,
  );
}
