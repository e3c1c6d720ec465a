/** Entities and metric metadata (SPEC §1), and the engine's window snapshots (SPEC §4). */
import type { Entity, MetricMetadata, Tags } from '../../model/sample.js';
import type { AlertKey, EpochMs, StoredEntity, StoredMetricMetadata, WindowSnapshot } from '../store.js';
import type { Row, SqliteConnection } from './connection.js';
import { bool, integer, json, text, textOrNull, toJson, toJsonOrNull } from './rows.js';

/** Optional text fields come back absent, not null, to match the model types (`label?: string`). */
function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: string });
}

export function upsertEntities(c: SqliteConnection, entities: readonly Entity[], at: EpochMs): void {
  for (const entity of entities) {
    c.run(
      `INSERT INTO entities (name, label, enabled, tags, updated_at) VALUES (:name, :label, :enabled, :tags, :at)
       ON CONFLICT (name) DO UPDATE SET
         label = excluded.label, enabled = excluded.enabled, tags = excluded.tags, updated_at = excluded.updated_at`,
      { name: entity.name, label: entity.label ?? null, enabled: entity.enabled ? 1 : 0, tags: toJson(entity.tags ?? {}), at },
    );
  }
}

function toEntity(row: Row): StoredEntity {
  return {
    name: text(row, 'name'),
    ...optional('label', textOrNull(row, 'label')),
    enabled: bool(row, 'enabled'),
    // Written by upsertEntities from Tags.
    tags: json(row, 'tags') as Tags,
    updatedAt: integer(row, 'updated_at'),
  };
}

export function getEntity(c: SqliteConnection, name: string): StoredEntity | null {
  const row = c.get('SELECT * FROM entities WHERE name = :name', { name });
  return row === undefined ? null : toEntity(row);
}

export function listEntities(c: SqliteConnection): StoredEntity[] {
  return c.all('SELECT * FROM entities ORDER BY name').map(toEntity);
}

export function deleteEntities(c: SqliteConnection, names: readonly string[]): string[] {
  return names.filter((name) => c.run('DELETE FROM entities WHERE name = :name', { name }).changes === 1);
}

export function upsertMetrics(c: SqliteConnection, metrics: readonly MetricMetadata[], at: EpochMs): void {
  for (const metric of metrics) {
    c.run(
      `INSERT INTO metrics (name, label, units, description, tags, updated_at)
       VALUES (:name, :label, :units, :description, :tags, :at)
       ON CONFLICT (name) DO UPDATE SET
         label = excluded.label, units = excluded.units, description = excluded.description,
         tags = excluded.tags, updated_at = excluded.updated_at`,
      {
        name: metric.name,
        label: metric.label ?? null,
        units: metric.units ?? null,
        description: metric.description ?? null,
        tags: toJsonOrNull(metric.tags),
        at,
      },
    );
  }
}

function toMetric(row: Row): StoredMetricMetadata {
  const tags = json(row, 'tags');
  return {
    name: text(row, 'name'),
    ...optional('label', textOrNull(row, 'label')),
    ...optional('units', textOrNull(row, 'units')),
    ...optional('description', textOrNull(row, 'description')),
    // Written by upsertMetrics from Tags.
    ...(tags === null ? {} : { tags: tags as Tags }),
    updatedAt: integer(row, 'updated_at'),
  };
}

export function getMetric(c: SqliteConnection, name: string): StoredMetricMetadata | null {
  const row = c.get('SELECT * FROM metrics WHERE name = :name', { name });
  return row === undefined ? null : toMetric(row);
}

export function listMetrics(c: SqliteConnection): StoredMetricMetadata[] {
  return c.all('SELECT * FROM metrics ORDER BY name').map(toMetric);
}

export function saveWindowSnapshots(
  c: SqliteConnection,
  snapshots: ReadonlyArray<AlertKey & { data: unknown }>,
  at: EpochMs,
  replaceAll: boolean,
): void {
  if (replaceAll) c.run('DELETE FROM window_snapshots');
  for (const snapshot of snapshots) {
    c.run(
      `INSERT INTO window_snapshots (rule, series_key, data, saved_at) VALUES (:rule, :seriesKey, :data, :at)
       ON CONFLICT (rule, series_key) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at`,
      { rule: snapshot.rule, seriesKey: snapshot.seriesKey, data: toJson(snapshot.data), at },
    );
  }
}

export function loadWindowSnapshots(c: SqliteConnection): WindowSnapshot[] {
  return c.all('SELECT * FROM window_snapshots ORDER BY rule, series_key').map((row) => ({
    rule: text(row, 'rule'),
    seriesKey: text(row, 'series_key'),
    data: json(row, 'data'),
    savedAt: integer(row, 'saved_at'),
  }));
}

export function deleteWindowSnapshots(c: SqliteConnection, keys: readonly AlertKey[]): void {
  for (const key of keys) {
    c.run('DELETE FROM window_snapshots WHERE rule = :rule AND series_key = :seriesKey', { rule: key.rule, seriesKey: key.seriesKey });
  }
}
