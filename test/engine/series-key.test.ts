/** Issue 12 item 3: series keys are unambiguous (SPEC §4), and plain keys stay what they were. */
import { describe, expect, it } from 'vitest';
import { Engine, type SeriesRecord } from '../../src/engine/engine.js';
import { identityFromSeriesKey, seriesKeyOf } from '../../src/engine/series-key.js';
import { initialState } from '../../src/engine/state.js';
import type { AlertEventData } from '../../src/model/event.js';
import type { Sample } from '../../src/model/sample.js';
import { makeRule } from '../helpers/rules.js';

const sample = (entity: string, time: number, value: number, tags: Record<string, string> = {}): Sample => ({ metric: 'cpu', entity, time, value, tags });

describe('series keys', () => {
  it('keep the plain form for names without separators (stored keys keep working)', () => {
    expect(seriesKeyOf(null, false, 'cpu', 'c9', { env: 'prod', core: '0' })).toBe('entity=c9,core=0,env=prod');
    expect(seriesKeyOf(null, true, 'cpu', 'c9', {})).toBe('metric=cpu,entity=c9');
    expect(seriesKeyOf(['entity', 'path'], false, 'disk', 'db-1', { path: '/data' })).toBe('entity=db-1,path=/data');
  });

  it('never give an entity name and a tag the same key', () => {
    const a = seriesKeyOf(null, false, 'cpu', 'c9,env=prod', {});
    const b = seriesKeyOf(null, false, 'cpu', 'c9', { env: 'prod' });
    expect(a).not.toBe(b);
    const c = seriesKeyOf(null, false, 'cpu', 'c9', { 'env=prod,x': 'y' });
    const d = seriesKeyOf(null, false, 'cpu', 'c9', { env: 'prod,x=y' });
    expect(c).not.toBe(d);
    expect(seriesKeyOf(['entity', 'x'], false, 'cpu', 'a,x=1', {})).not.toBe(seriesKeyOf(['entity', 'x'], false, 'cpu', 'a', { x: '1' }));
    expect(seriesKeyOf(null, false, 'cpu', 'a\\', { b: '' })).not.toBe(seriesKeyOf(null, false, 'cpu', 'a\\,b=', {}));
  });

  it('read back into the identity they were made from', () => {
    const tags = { 'we,ird': 'va=l\\ue', env: 'prod' };
    const key = seriesKeyOf(null, true, 'cpu', 'c9,env=prod', tags);
    expect(identityFromSeriesKey(key)).toEqual({ metric: 'cpu', entity: 'c9,env=prod', tags });
  });

  it('a sample of entity c9 with tag env=prod does not cancel the alert of entity "c9,env=prod"', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 1' })] });
    const opened = engine.ingest([sample('c9,env=prod', 0, 5)]);
    expect(opened.events.map((e) => e.event.type)).toEqual(['alert.open']);
    const other = engine.ingest([sample('c9', 1, 0, { env: 'prod' })]);
    expect(other.events).toEqual([]);
    expect(engine.seriesCount()).toBe(2);
    expect(engine.alerts().map((a) => a.identity.entity)).toEqual(['c9,env=prod']);
  });

  it('a stored state under a key of the old ambiguous form is moved to the new key at restore', () => {
    const rule = makeRule({ condition: 'value > 1' });
    const state = { ...initialState('warning'), phase: 'open' as const, alertId: 'a-1', openTime: 0, lastNotifiedAt: 0, firing: true, lastSeenAt: 0, lastSampleTime: 0 };
    const stored: SeriesRecord = { rule: rule.name, seriesKey: 'entity=c9,env=prod', identity: { metric: 'cpu', entity: 'c9,env=prod', tags: {} }, state };
    const engine = new Engine({ clock: { mode: 'data' }, rules: [rule], states: [stored] });
    const out = engine.ingest([sample('c9,env=prod', 60_000, 0)]);
    const cancel = out.events.map((e) => e.event.data as AlertEventData);
    expect(cancel.map((d) => [d.status, d.alert_id, d.series_key])).toEqual([['cancel', 'a-1', 'entity=c9\\,env\\=prod']]);
    // The store is told to drop the old row.
    expect(out.removed).toContainEqual({ rule: rule.name, seriesKey: 'entity=c9,env=prod' });
  });
});
