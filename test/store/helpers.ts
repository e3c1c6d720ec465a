/** Shared builders for the store tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TocsinEvent } from '../../src/model/event.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { DeliveryAttemptInput, OutboxInput } from '../../src/store/store.js';

export function memoryStore(): SqliteStore {
  return new SqliteStore(':memory:', { now: () => 0 });
}

/** A fresh directory under the OS temp dir, and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function alertEvent(id: string, alertId: string | null = null, type: TocsinEvent['type'] = 'alert.open'): TocsinEvent {
  return {
    id,
    type,
    version: 1,
    time: '2024-05-01T12:00:00.000Z',
    severity: 'warning',
    data: alertId === null ? {} : { alert_id: alertId },
  };
}

/** An outbox row for `webhook`, ordered by `key` (null = unordered). */
export function notification(eventId: string, webhook: string, key: string | null, extra: Partial<OutboxInput> = {}): OutboxInput {
  return { event: alertEvent(eventId, key), webhook, template: null, orderingKey: key, ...extra };
}

export function attemptLog(outboxId: number | null, eventId: string, webhook: string, time: number, ok: boolean): DeliveryAttemptInput {
  return {
    outboxId,
    eventId,
    webhook,
    time,
    statusCode: ok ? 200 : 503,
    latencyMs: 12.5,
    responseHeaders: { 'content-type': 'text/plain' },
    responseBody: ok ? 'ok' : 'unavailable',
    error: ok ? null : 'HTTP 503',
    ok,
  };
}
