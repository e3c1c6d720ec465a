/**
 * Golden tests for every preset and event type: the rendered body of the type's example event
 * (schemas/events/*.json) is compared with test/templates/golden/<preset>/<type>.json. After an
 * intended change, review the diff and run `UPDATE_GOLDEN=1 npx vitest run test/templates/presets.test.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../../src/model/event.js';
import { flattenForm } from '../../src/templates/form.js';
import { PRESET_NAMES, presetTemplate } from '../../src/templates/presets/index.js';
import { renderBody } from '../../src/templates/render.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { PREVIEW_SETTINGS } from '../../src/templates/variables.js';
import { eventWith } from './support.js';

const golden = (preset: string, type: string) => new URL(`./golden/${preset}/${type}.json`, import.meta.url);

function rendered(preset: string, type: EventType, event = sampleEvent(type)): Record<string, unknown> {
  const template = presetTemplate(preset)!;
  const body = renderBody(template, event, 'json', PREVIEW_SETTINGS).body;
  const value = JSON.parse(body) as Record<string, unknown>;
  expect(value).toEqual(template.render(event, PREVIEW_SETTINGS));
  return value;
}

describe.each(PRESET_NAMES)('preset %s', (preset) => {
  it('compiles and serves every event type', () => {
    const template = presetTemplate(preset)!;
    expect(template.ok).toBe(true);
    for (const type of EVENT_TYPES) expect(template.serves(type)).toBe(true);
  });

  it.each(EVENT_TYPES)('renders %s as its golden file', (type) => {
    const actual = `${JSON.stringify(rendered(preset, type), null, 2)}\n`;
    const file = golden(preset, type);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(new URL('.', file), { recursive: true });
      writeFileSync(file, actual);
    }
    expect(existsSync(file), `missing ${file.pathname}: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});

describe('flat reproduces the Axibase sample payload key for key', () => {
  const sampleKeys = readFileSync(new URL('./fixtures/axibase-sample-payload.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => /^ {2}"([^"]+)":/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined);

  it('the fixture has the 43 keys of the seed', () => {
    expect(sampleKeys).toHaveLength(43);
  });

  it.each(['alert.open', 'alert.repeat', 'alert.cancel', 'alert.nodata', 'alert.flapping'] as const)('%s has exactly those keys, in that order', (type) => {
    expect(Object.keys(rendered('flat', type))).toEqual(sampleKeys);
  });

  it('keeps the Axibase value types and styles', () => {
    const body = rendered('flat', 'alert.repeat');
    expect(body).toMatchObject({ alert_type: 'REPEAT', status: 'REPEAT', alert_duration: '00:00:15:00', alert_duration_interval: '15m', 'entity.enabled': true, repeat_count: 1, value: 1, window: 'length(1)' });
    expect(body['entity.tags']).toEqual({ 'docker-host': 'nurswghbs001', 'image-name': 'db2express-c', env: 'prod', status: 'running' });
    expect(rendered('flat', 'alert.open')).toMatchObject({ alert_duration: '00:00:00:00', alert_duration_interval: '' });
  });

  it('form encoding flattens its objects to dotted names', () => {
    const names = flattenForm(rendered('flat', 'alert.open')).map(([name]) => name);
    expect(names).toContain('entity.tags.image-name');
    expect(names).toContain('metric.tags.category');
  });
});

describe('alertmanager: the webhook body, version 4', () => {
  it('has every field of the version 4 body and of each alert', () => {
    const body = rendered('alertmanager', 'alert.open');
    expect(Object.keys(body).sort()).toEqual(['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
    const [alert] = body.alerts as Array<Record<string, unknown>>;
    expect(Object.keys(alert!).sort()).toEqual(['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']);
    expect(body).toMatchObject({ version: '4', status: 'firing', truncatedAlerts: 0, receiver: 'ops-chat' });
    expect(alert).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', startsAt: '2026-03-14T09:26:53.000Z' });
    expect(alert!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a cancel is resolved, with the same fingerprint', () => {
    const open = rendered('alertmanager', 'alert.open');
    const cancel = rendered('alertmanager', 'alert.cancel');
    const [resolved] = cancel.alerts as Array<Record<string, unknown>>;
    expect(cancel.status).toBe('resolved');
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-03-14T10:02:05.000Z' });
    expect(resolved!.fingerprint).toBe((open.alerts as Array<Record<string, unknown>>)[0]!.fingerprint);
  });

  it('labels are text only (alertname = rule), as Alertmanager requires', () => {
    const labels = (rendered('alertmanager', 'alert.open').commonLabels ?? {}) as Record<string, unknown>;
    expect(labels.alertname).toBe('docker-tcp-check');
    for (const value of Object.values(labels)) expect(typeof value).toBe('string');
  });
});

describe('pagerduty: Events API v2', () => {
  it('triggers with the alert id as dedup_key and resolves the same key', () => {
    expect(rendered('pagerduty', 'alert.open')).toMatchObject({ event_action: 'trigger', dedup_key: '019ce9a4-6a48-7c3e-9f3a-5d2b8e41c7a0', routing_key: PREVIEW_SETTINGS.params!.routing_key });
    expect(rendered('pagerduty', 'alert.cancel')).toEqual({ routing_key: PREVIEW_SETTINGS.params!.routing_key, event_action: 'resolve', dedup_key: '019ce9a4-6a48-7c3e-9f3a-5d2b8e41c7a0' });
  });

  it.each([
    ['info', 'info'],
    ['warning', 'warning'],
    ['minor', 'warning'],
    ['major', 'error'],
    ['critical', 'critical'],
    ['fatal', 'critical'],
  ])('severity %s is PagerDuty %s', (severity, expected) => {
    const event = { ...eventWith('alert.open', { severity }), severity: severity as 'info' };
    expect((rendered('pagerduty', 'alert.open', event).payload as Record<string, unknown>).severity).toBe(expected);
  });
});

describe('events: the Stalwart envelope', () => {
  it.each(EVENT_TYPES)('%s is {"events": [{id, createdAt, type, data}]}', (type) => {
    const event = sampleEvent(type);
    const body = rendered('events', type);
    expect(Object.keys(body)).toEqual(['events']);
    const [item] = body.events as Array<Record<string, unknown>>;
    expect(item).toMatchObject({ id: event.id, createdAt: event.time, type });
    expect(Object.keys(item!)).toEqual(['id', 'createdAt', 'type', 'data']);
  });
});

describe('test: the IBM test body', () => {
  it('for webhook.test', () => {
    const event = sampleEvent('webhook.test');
    expect(rendered('test', 'webhook.test')).toEqual({
      eventnumber: Date.parse(event.time),
      event_type: 'webhook test',
      createddate: Date.parse(event.time),
      createdtime: 'Sat Mar 14 09:32:17 UTC 2026',
    });
  });
});
