/**
 * Issue 12 item 3 through the real store: `expect` placeholders and expired series across a
 * restart of the Runtime on the same SQLite file (the engine tests simulate the store).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../src/service/runtime.js';

const m = 60_000;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const RULES = `rules:
  - name: agent
    metric: agent.up
    condition: value == 0
    no_data: 10m
    expect: entity.tags.role == 'db'
  - name: cpu
    metric: cpu
    condition: value > 90
    series_ttl: 30m
`;

function setup(): { open: (at: number | (() => number)) => Runtime } {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-series-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  const open = (at: number | (() => number)) => Runtime.open({
    configDir: dir, dataFile: join(dir, 'tocsin.db'), log: pino({ level: 'silent' }), now: typeof at === 'number' ? () => at : at,
  });
  return { open };
}

describe('series lifecycle across restarts', () => {
  it('an expected entity that never reports gets its nodata on time although tocsin restarted in between', async () => {
    const { open } = setup();
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const first = open(t0);
    first.upsertEntity({ name: 'db-1', enabled: true, tags: { role: 'db' } });
    first.tick();
    await first.stop();

    // Restarted 11 minutes later: the no-data time counts from t0, not from the restart.
    const second = open(t0 + 11 * m);
    second.tick();
    expect(second.engine.alerts().map((a) => [a.seriesKey, a.state.nodata !== null])).toEqual([['entity=db-1', true]]);
    await second.stop();

    // After another restart, the entity reports under another key: the placeholder's nodata is cancelled.
    const third = open(t0 + 12 * m);
    third.ingest([{ metric: 'agent.up', entity: 'db-1', tags: { agent: 'telegraf' }, time: t0 + 12 * m, value: 1 }], 'json');
    expect(third.engine.alerts()).toEqual([]);
    const history = third.store.loadAlertStates().map((row) => row.seriesKey);
    expect(history).toEqual([]);
    await third.stop();
  });

  it('an open alert of a series silent past series_ttl is cancelled with reason expired and its state deleted', async () => {
    const { open } = setup();
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const first = open(t0);
    first.ingest([{ metric: 'cpu', entity: 'c1', tags: {}, time: t0, value: 95 }], 'json');
    expect(first.engine.alerts().map((a) => a.state.phase)).toEqual(['open']);
    await first.stop();
    // Idle time counts from the restart (the sources could not report while tocsin was down).
    let now = t0 + 10 * m;
    const second = open(() => now);
    now += 29 * m;
    second.tick();
    expect(second.engine.alerts().map((a) => a.state.phase)).toEqual(['open']);
    now += 2 * m;
    second.tick();
    expect(second.engine.alerts()).toEqual([]);
    expect(second.store.loadAlertStates()).toEqual([]);
    const cancels = second.store.listEvents({ type: 'alert.cancel' }).map((e) => e.event.data as { reason?: string; series_key?: string });
    expect(cancels.map((d) => [d.series_key, d.reason])).toEqual([['entity=c1', 'expired']]);
    await second.stop();
  });
});
