import { describe, expect, it } from 'vitest';
import { Engine, type EngineOutput } from '../../src/engine/engine.js';
import type { Sample } from '../../src/model/sample.js';
import type { AlertEventData } from '../../src/model/event.js';
import { makeRule } from '../helpers/rules.js';

const m = 60_000;
const sample = (metric: string, entity: string, time: number, value: number | null, tags: Record<string, string> = {}): Sample => ({ metric, entity, time, value, tags });
const types = (output: EngineOutput) => output.events.map((e) => `${e.event.type}@${e.event.time.slice(11, 19)}`);

describe('routing', () => {
  it('sends a sample only to rules whose metric matches, exactly or by glob', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [
        makeRule({ name: 'cpu', metrics: ['cpu'], condition: 'value > 1' }),
        makeRule({ name: 'docker', metrics: ['docker.*'], condition: 'value > 1' }),
      ],
    });
    const out = engine.ingest([sample('cpu', 'a', 0, 5), sample('docker.mem', 'a', 0, 5), sample('disk', 'a', 0, 5)]);
    expect(out.events.map((e) => e.rule).sort()).toEqual(['cpu', 'docker']);
    expect(engine.stats.evaluations).toBe(2);
  });

  it('applies the filter before a sample enters any window', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 1', filter: "tags.env == 'prod'" })] });
    const out = engine.ingest([sample('cpu', 'a', 0, 5, { env: 'dev' }), sample('cpu', 'b', 0, 5, { env: 'prod' })]);
    expect(out.events.map((e) => (e.event.data as AlertEventData).entity.name)).toEqual(['b']);
    expect(engine.seriesCount()).toBe(1);
  });
});

describe('series keys and windows', () => {
  it('keeps one window per series: entity plus all sample tags by default', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'count() >= 2', window: { kind: 'length', size: 5 } })] });
    engine.ingest([sample('cpu', 'a', 0, 1, { core: '0' }), sample('cpu', 'a', 1, 1, { core: '1' }), sample('cpu', 'b', 2, 1, { core: '0' })]);
    expect(engine.seriesCount()).toBe(3);
    const out = engine.ingest([sample('cpu', 'a', 3, 1, { core: '0' })]);
    expect((out.events[0]!.event.data as AlertEventData).series_key).toBe('entity=a,core=0');
  });

  it('group_by chooses the key parts', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'count() >= 2', groupBy: ['entity'], window: { kind: 'length', size: 5 } })] });
    const out = engine.ingest([sample('cpu', 'a', 0, 1, { core: '0' }), sample('cpu', 'a', 1, 1, { core: '1' })]);
    expect(engine.seriesCount()).toBe(1);
    expect((out.events[0]!.event.data as AlertEventData).series_key).toBe('entity=a');
  });

  it('evaluates window functions over the series window (time window in data time)', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({ condition: "avg('5 minute') > 80", window: { kind: 'time', ms: 10 * m } })],
    });
    const out = engine.ingest([
      sample('cpu', 'a', 0, 100), sample('cpu', 'a', 1 * m, 100), sample('cpu', 'a', 6 * m, 70), sample('cpu', 'a', 7 * m, 70),
    ]);
    // At 1m avg=100 → open; at 7m the last 5 minutes hold 70,70 → avg 70 → cancel.
    expect(types(out)).toEqual(['alert.open@00:00:00', 'alert.cancel@00:06:00']);
  });
});

describe('timers in data time', () => {
  it('fires pending and keep_firing_for deadlines at their exact times, before later samples', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 0', forMs: 2 * m, keepFiringForMs: 5 * m })] });
    const out = engine.ingest([
      sample('cpu', 'c1', 0, 0), sample('cpu', 'c1', 1 * m, 5), sample('cpu', 'c1', 2 * m, 5), sample('cpu', 'c1', 3 * m, 5), sample('cpu', 'c1', 4 * m, 0),
      sample('cpu', 'c2', 20 * m, 0),
    ]);
    expect(types(out)).toEqual(['alert.open@00:03:00', 'alert.cancel@00:09:00']);
  });

  it('emits alert.nodata when a series stays silent, and data_resumed when it returns', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 100', noDataMs: 10 * m })] });
    engine.ingest([sample('cpu', 'a', 0, 1)]);
    const silent = engine.advance(15 * m);
    expect(types(silent)).toEqual(['alert.nodata@00:10:00']);
    const back = engine.ingest([sample('cpu', 'a', 16 * m, 1)]);
    expect(back.events.map((e) => (e.event.data as AlertEventData).reason)).toEqual(['data_resumed']);
  });
});

describe('overrides and severity', () => {
  it('takes the first matching override: a new severity or a disabled series', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({
        condition: 'value > 0',
        severity: 'critical',
        overrides: [
          { when: { text: "tags.env == 'staging'", origin: { file: 't' } }, severity: 'info' },
          { when: { text: "entity == 'db-7'", origin: { file: 't' } }, disabled: true },
        ],
        labels: { team: 'infra' },
      })],
    });
    const out = engine.ingest([sample('cpu', 'a', 0, 1, { env: 'staging' }), sample('cpu', 'db-7', 0, 1), sample('cpu', 'b', 0, 1)]);
    expect(out.events.map((e) => `${(e.event.data as AlertEventData).entity.name}:${e.event.severity}`)).toEqual(['a:info', 'b:critical']);
  });

  it('adds the labels of the matching override to the rule labels', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({
        condition: 'value > 0',
        labels: { team: 'infra', runbook: 'disk-full' },
        overrides: [{ when: { text: "tags.path LIKE '/var/lib/docker*'", origin: { file: 't' } }, labels: { runbook: 'docker-prune' } }],
      })],
    });
    const out = engine.ingest([sample('cpu', 'a', 0, 1, { path: '/var/lib/docker' }), sample('cpu', 'b', 0, 1, { path: '/' })]);
    expect(out.events.map((e) => (e.event.data as AlertEventData).labels)).toEqual([{ team: 'infra', runbook: 'docker-prune' }, { team: 'infra', runbook: 'disk-full' }]);
  });
});

describe('runtime errors', () => {
  it('turn into a rule.error event with the position, and never stop other rules', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({ name: 'bad', condition: "metric.tags.team == 'x'" }), makeRule({ name: 'good', metrics: ['mem'], condition: 'value > 1' })],
    });
    // Metadata whose tag read throws, as a broken metadata provider might.
    const tags = Object.defineProperty({}, 'team', { enumerable: true, get: () => { throw new Error('metadata unavailable'); } });
    engine.upsertMetric({ name: 'cpu', tags: tags as Record<string, string> });
    const out = engine.ingest([sample('cpu', 'a', 0, 5), sample('cpu', 'a', 1, 5), sample('mem', 'a', 2, 5)]);
    expect(out.events.map((e) => `${e.rule}:${e.event.type}`)).toEqual(['bad:rule.error', 'good:alert.open']);
    expect(out.events[0]!.event.data).toMatchObject({ rule: 'bad', location: 'test.yaml:1:1' });
    expect(engine.stats.evaluationErrors).toBe(2);
  });
});

describe('acknowledge, silences and reload', () => {
  it('acknowledge stops repeats', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 0', repeat: { kind: 'interval', ms: 5 * m } })] });
    const opened = engine.ingest([sample('cpu', 'a', 0, 1)]);
    const alertId = (opened.events[0]!.event.data as AlertEventData).alert_id;
    expect(engine.acknowledge(alertId).found).toBe(true);
    expect(types(engine.advance(30 * m))).toEqual([]);
  });

  it('silences mute notifications without changing state', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({ condition: 'value > 0' })],
      silences: [{ id: 's1', matchers: [{ name: 'entity', value: 'a' }], startsAt: 0, endsAt: 10 * m }],
    });
    const out = engine.ingest([sample('cpu', 'a', 0, 1), sample('cpu', 'b', 0, 1)]);
    expect(out.events.map((e) => e.mutedBy ?? 'sent')).toEqual(['silence', 'sent']);
    expect(engine.alerts()).toHaveLength(2);
  });

  it('never mutes a cancel: the receiver that got the open learns the alert is over', () => {
    const engine = new Engine({ clock: { mode: 'data' }, rules: [makeRule({ condition: 'value > 0' })] });
    engine.ingest([sample('cpu', 'a', 0, 1)]);
    engine.setSilences([{ id: 's1', matchers: [{ name: 'entity', value: 'a' }], startsAt: 0, endsAt: 10 * m }]);
    const out = engine.ingest([sample('cpu', 'a', m, 0)]);
    expect(out.events.map((e) => `${e.event.type}:${e.mutedBy ?? 'sent'}`)).toEqual(['alert.cancel:sent']);
  });

  it('reload keeps the state of unchanged rules and cancels alerts of removed ones', () => {
    const keep = makeRule({ name: 'keep', condition: 'value > 0' });
    const drop = makeRule({ name: 'drop', condition: 'value > 0' });
    const engine = new Engine({ clock: { mode: 'data' }, rules: [keep, drop] });
    engine.ingest([sample('cpu', 'a', 0, 1)]);
    const out = engine.reload([{ ...keep, file: 'moved.yaml' }]);
    expect(out.events.map((e) => `${e.rule}:${e.event.type}:${(e.event.data as AlertEventData).reason}`)).toEqual(['drop:alert.cancel:rule_removed']);
    expect(types(engine.ingest([sample('cpu', 'a', 1, 1)]))).toEqual([]);
    expect(engine.alerts().map((a) => a.rule)).toEqual(['keep']);
  });

  it('restores persisted states so an open alert is not opened twice', () => {
    const rule = makeRule({ condition: 'value > 0' });
    const first = new Engine({ clock: { mode: 'data' }, rules: [rule] });
    const out = first.ingest([sample('cpu', 'a', 0, 1)]);
    const second = new Engine({ clock: { mode: 'data' }, rules: [rule], states: out.changes });
    expect(types(second.ingest([sample('cpu', 'a', 1000, 1)]))).toEqual([]);
    expect(types(second.ingest([sample('cpu', 'a', 2000, 0)]))).toEqual(['alert.cancel@00:00:02']);
  });
});

describe('expect: entities that must report', () => {
  it('raises alert.nodata for an expected entity that never reports, and cancels it when it does', () => {
    const engine = new Engine({
      clock: { mode: 'data' },
      rules: [makeRule({ condition: 'value > 90', expect: "entity.tags.role == 'db'", noDataMs: 10 * m, groupBy: ['entity', 'path'] })],
      entities: [{ name: 'db1', enabled: true, tags: { role: 'db' } }, { name: 'web1', enabled: true, tags: { role: 'web' } }],
    });
    engine.ingest([sample('cpu', 'other', 0, 1, { path: '/' })]);
    const silent = engine.advance(12 * m);
    expect(silent.events.map((e) => `${(e.event.data as AlertEventData).entity.name}:${e.event.type}`).sort()).toEqual(['db1:alert.nodata', 'other:alert.nodata']);
    const back = engine.ingest([sample('cpu', 'db1', 13 * m, 50, { path: '/data' })]);
    expect(back.events.map((e) => `${(e.event.data as AlertEventData).entity.name}:${e.event.type}:${(e.event.data as AlertEventData).reason}`)).toEqual(['db1:alert.cancel:data_resumed']);
    expect(types(engine.advance(20 * m))).toEqual([]);
  });
});

describe('events follow their published schemas', () => {
  it('every event the example rules emit in their tests validates against schemas/events', async () => {
    const { validateEvent } = await import('../../src/templates/validate-event.js');
    const { loadRuleDirectory } = await import('../../src/engine/rules/load.js');
    const { parseSeriesNotation } = await import('../../src/engine/series-notation.js');
    const ruleSet = loadRuleDirectory('rules').ruleSet!;
    let checked = 0;
    for (const test of ruleSet.tests) {
      const entities = Object.entries(test.entities ?? {}).map(([name, e]) => ({ name, enabled: true, tags: e.tags ?? {} }));
      const engine = new Engine({ clock: { mode: 'data' }, rules: ruleSet.rules, entities });
      const { samples } = parseSeriesNotation(test.input);
      const events = [...engine.ingest(samples).events, ...engine.advance(3_600_000).events];
      for (const { event } of events) {
        expect(validateEvent(event), `${event.type} of ${test.name}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
