/** Turns the store's persisted alert states back into the engine's series records at start. */
import type { SeriesRecord } from '../engine/engine.js';
import type { SeriesIdentity } from '../engine/events.js';
import type { AlertState } from '../engine/state.js';
import type { StoredAlertState } from '../store/store.js';

interface PersistedSeries {
  identity: SeriesIdentity;
  state: AlertState;
}

function isPersistedSeries(value: unknown): value is PersistedSeries {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record.identity === 'object' && record.identity !== null && typeof record.state === 'object' && record.state !== null;
}

/** Rows written by the pipeline; rows in another shape (a future format) are skipped, not guessed at. */
export function restoreSeries(rows: readonly StoredAlertState[]): SeriesRecord[] {
  const records: SeriesRecord[] = [];
  for (const row of rows) {
    if (!isPersistedSeries(row.state)) continue;
    records.push({ rule: row.rule, seriesKey: row.seriesKey, identity: row.state.identity, state: row.state.state });
  }
  return records;
}
