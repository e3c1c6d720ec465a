import { describe, expect, it } from 'vitest';
import { alertEvent } from '../../src/engine/events.js';
import type { RuleDefinition } from '../../src/engine/rule.js';
import type { Transition } from '../../src/engine/state.js';
import { ALERT_EVENT_TYPES, EVENT_TYPES, type EventType, type TocsinEvent } from '../../src/model/event.js';
import { eventSchema, sampleEvent } from '../../src/templates/schemas.js';
import { validateEvent } from '../../src/templates/validate-event.js';
import { describeShape } from '../../src/templates/shape.js';
import { expandedMessage, PREVIEW_SETTINGS, variablesFor } from '../../src/templates/variables.js';

const valueOf = (type: EventType, name: string, event: TocsinEvent = sampleEvent(type)) =>
  variablesFor(type).get(name)?.get({ event, settings: PREVIEW_SETTINGS });

describe('event schemas (SPEC §1)', () => {
  it.each(EVENT_TYPES)('the sample %s event validates against its schema', (type) => {
    expect(validateEvent(sampleEvent(type))).toEqual([]);
  });

  it.each(EVENT_TYPES)('%s: the schema fixes type and version', (type) => {
    const wrongType = { ...sampleEvent(type), type: type === 'alert.open' ? 'alert.cancel' : 'alert.open' };
    expect(validateEvent(wrongType)).not.toEqual([]);
    expect(validateEvent({ ...sampleEvent(type), version: 2 })).toContain('version must be equal to constant');
  });

  it('rejects what the engine must never send', () => {
    const event = sampleEvent('alert.open') as TocsinEvent<Record<string, unknown>>;
    expect(validateEvent({ ...event, data: { ...event.data, value: 'high' } })).toContain('data.value must be number,null');
    expect(validateEvent({ ...event, time: '2026-03-14 09:26' })).toEqual(expect.arrayContaining([expect.stringMatching(/^time must match pattern/)]));
    expect(validateEvent({ ...event, extra: 1 })).toContain("the event must NOT have additional properties 'extra'");
    const cancel = sampleEvent('alert.cancel') as TocsinEvent<Record<string, unknown>>;
    const { reason: _reason, ...withoutReason } = cancel.data;
    expect(validateEvent({ ...cancel, data: withoutReason })).toContain("data must have required property 'reason'");
  });

  it('the five alert schemas describe the same data, apart from status and the reason of a cancel', () => {
    const strip = (type: EventType) => {
      const data = structuredClone(eventSchema(type).properties!.data!);
      delete data.properties!.status;
      delete data.properties!.reason;
      data.required = data.required!.filter((name) => name !== 'reason' && name !== 'status');
      return data;
    };
    for (const type of ALERT_EVENT_TYPES) expect(strip(type)).toEqual(strip('alert.open'));
  });

  it('accepts what the engine emits', () => {
    const rule: RuleDefinition = {
      name: 'cpu-high', file: 'rules/cpu.yaml', line: 1, metrics: ['cpu'], condition: { text: 'value > 5', origin: { file: 'rules/cpu.yaml' } },
      groupBy: null, window: { kind: 'time', ms: 300_000 }, forMs: 0, keepFiringForMs: 0, repeat: { kind: 'none' }, noDataMs: null, seriesTtlMs: 3_600_000, maxSeries: 100_000,
      flapping: null, schedule: null, severity: 'major', overrides: [], labels: { team: 'infra' }, notify: [], message: 'hot #entity', timezone: 'UTC', enabled: true,
    };
    const transitions: Transition[] = [
      { type: 'alert.open', eventId: 'e1', alertId: 'a1', time: 1_000, before: 'pending', value: 9, openValue: 9, openTime: 1_000, repeatCount: 0, severity: 'major' },
      { type: 'alert.cancel', eventId: 'e2', alertId: 'a1', time: 61_000, before: 'open', value: 3, openValue: 9, openTime: 1_000, repeatCount: 2, severity: 'major', reason: 'condition_false' },
    ];
    for (const transition of transitions) {
      const event = alertEvent(transition, rule, 'cpu|h1|core=0', { metric: 'cpu', entity: 'h1', tags: { core: '0' } }, { name: 'h1', enabled: true, tags: {} }, undefined);
      expect(validateEvent(event)).toEqual([]);
    }
  });
});

describe('variables per event type', () => {
  it.each([
    ['alert.open', 'event_type', 'alert.open'],
    ['alert.open', 'event_id', '019ce9a4-6a48-7d21-8b6e-0f4c2a9e5b11'],
    ['alert.open', 'timestamp', '2026-03-14T09:26:53.000Z'],
    ['alert.open', 'timestamp_ms', Date.parse('2026-03-14T09:26:53.000Z')],
    ['alert.open', 'rule', 'docker-tcp-check'],
    ['alert.open', 'rule_name', 'docker-tcp-check'],
    ['alert.open', 'alert_name', 'docker-tcp-check'],
    ['alert.open', 'alert_start', '2026-03-14T09:26:53.000Z'],
    ['alert.open', 'alert_element', 'db-test-db2'],
    ['alert.open', 'entity', 'db-test-db2'],
    ['alert.open', 'entity.label', 'DB2 test container'],
    ['alert.open', 'metric', 'docker.tcp-connect-status'],
    ['alert.open', 'value', 1],
    ['alert.open', 'entity.enabled', true],
    ['alert.open', 'labels', { team: 'infra', runbook: 'https://runbooks.example.com/docker-tcp' }],
    ['alert.open', 'organization_name', 'Acme Corp'],
    ['alert.nodata', 'value', null],
    ['alert.open', 'reason', undefined],
    ['alert.cancel', 'reason', 'condition_false'],
    ['rule.error', 'rule_name', 'disk-growth'],
    ['rule.error', 'error', 'percentile(p) needs p between 0 and 100, got 120'],
    ['config.changed', 'change_summary', 'url changed'],
    ['delivery.failed', 'failed_event_id', '019ce9a4-6a48-7d21-8b6e-0f4c2a9e5b11'],
    ['delivery.failed', 'event_id', '019ce9b0-77c0-7d3b-8e5f-5a9c2d1e4b88'],
    ['delivery.failed', 'last_status', 503],
    ['webhook.test', 'webhook', 'ops-chat'],
  ] as const)('%s: #%s is %j', (type, name, expected) => {
    expect(valueOf(type, name)).toEqual(expected);
  });

  it.each([
    ['rule.error', 'value'],
    ['rule.error', 'entity'],
    ['webhook.test', 'rule_name'],
    ['config.changed', 'alert_labels'],
    ['alert.open', 'error'],
  ] as const)('%s has no #%s', (type, name) => {
    expect(variablesFor(type).get(name)).toBeUndefined();
  });

  it('takes types from the schema', () => {
    const table = variablesFor('alert.open');
    expect(describeShape(table.get('value')!.shape)).toBe('number | null');
    expect(describeShape(table.get('entity.tags')!.shape)).toBe('map of string');
    expect(describeShape(table.get('reason')!.shape)).toBe('string | null');
    expect(table.get('tags')!.isMap).toBe(true);
    expect(table.get('entity')!.isMap).toBe(false);
  });

  it('every variable of every type has a description and reads the sample without throwing', () => {
    for (const type of EVENT_TYPES) {
      for (const variable of variablesFor(type).variables) {
        expect(variable.description, `${type} #${variable.name}`).not.toBe('');
        expect(() => variable.get({ event: sampleEvent(type), settings: {} })).not.toThrow();
      }
    }
  });

  it('a malformed event reads as nulls, never as an exception', () => {
    const broken = { id: 'x', type: 'alert.open', version: 1, time: 'never', severity: 'info', data: null } as unknown as TocsinEvent;
    for (const variable of variablesFor('alert.open').variables) {
      expect(() => variable.get({ event: broken, settings: {} })).not.toThrow();
    }
    expect(valueOf('alert.open', 'entity.tags', broken)).toBeUndefined();
    expect(valueOf('alert.open', 'timestamp_ms', broken)).toBeNull();
  });
});

describe('the rule message has its own #variables expanded', () => {
  it('expands known names and leaves unknown ones as written', () => {
    const event = sampleEvent('alert.open') as TocsinEvent<Record<string, unknown>>;
    event.data.message = 'value #value on #entity.tags.env, ##literal, #unknown_name, #message';
    expect(expandedMessage({ event, settings: {} })).toBe('value 1 on prod, #literal, #unknown_name, #message');
  });

  it('#data carries the expanded message too', () => {
    const data = valueOf('alert.open', 'data') as Record<string, unknown>;
    expect(data.message).toBe('TCP check failed on db-test-db2 (port 50000)');
    expect((sampleEvent('alert.open').data as Record<string, unknown>).message).toBe('TCP check failed on #entity (port #tags.port)');
  });
});

describe('the same message text expands per event type (resolved once per type and text)', () => {
  it.each([
    ['alert.open', { message: '#webhook / #entity / #value' }, '#webhook / db-test-db2 / 1'],
    ['webhook.test', { message: '#webhook / #entity / #value' }, 'ops-chat / #entity / #value'],
    ['alert.open', { message: '#webhook / #entity / #value', value: 7 }, '#webhook / db-test-db2 / 7'],
  ] as const)('%s %j → %s', (type, data, expected) => {
    const event = sampleEvent(type);
    expect(expandedMessage({ event: { ...event, data: { ...event.data, ...data } }, settings: {} })).toBe(expected);
  });
});

describe('viewReading: the Handlebars context of a leaf that reads only some names', () => {
  it.each(EVENT_TYPES.map((type) => [type]))('%s: the same values as the whole view, and nothing else', (type) => {
    const table = variablesFor(type);
    const event = sampleEvent(type);
    const whole = table.view({ event, settings: PREVIEW_SETTINGS });
    const names = new Set([...table.viewFields.keys()].filter((_, i) => i % 3 === 0));
    names.add('no_such_field');
    const part = table.viewReading(names)({ event, settings: PREVIEW_SETTINGS });
    expect(Object.keys(part)).toEqual(Object.keys(whole).filter((key) => names.has(key)));
    for (const key of Object.keys(part)) expect(part[key], key).toEqual(whole[key]);
  });

  it('reads nothing it is not asked for', () => {
    const event = sampleEvent('alert.open');
    const part = variablesFor('alert.open').viewReading(new Set(['status']))({ event, settings: PREVIEW_SETTINGS });
    expect(part).toEqual({ status: 'open' });
  });

  it('null names: the whole view, built once per render', () => {
    const table = variablesFor('alert.open');
    const ctx = { event: sampleEvent('alert.open'), settings: PREVIEW_SETTINGS };
    const view = table.viewReading(null);
    expect(view(ctx)).toBe(table.view(ctx));
    expect(Object.keys(view(ctx))).toEqual([...table.viewFields.keys()]);
  });
});
