import { describe, expect, it } from 'vitest';
import type { EventType } from '../../src/model/event.js';
import type { Severity } from '../../src/model/severity.js';
import { webhookAccepts, webhookRefusal } from '../../src/delivery/selection.js';
import { makeEvent, makeWebhook } from './helpers/fakes.js';

describe('which events a webhook takes', () => {
  const open = (severity: Severity = 'warning', type: EventType = 'alert.open') => makeEvent({ type, severity });

  it.each([
    ['all events by default', {}, open(), 'cpu-high', true],
    ['a listed event', { events: ['alert.open'] }, open(), 'cpu-high', true],
    ['an event not listed', { events: ['alert.cancel'] }, open(), 'cpu-high', false],
    ['exclude: a listed event', { events: ['alert.repeat'], events_policy: 'exclude' }, open('warning', 'alert.repeat'), 'cpu-high', false],
    ['exclude: another event', { events: ['alert.repeat'], events_policy: 'exclude' }, open(), 'cpu-high', true],
    ['below min_severity', { min_severity: 'major' }, open('minor'), 'cpu-high', false],
    ['at min_severity', { min_severity: 'major' }, open('major'), 'cpu-high', true],
    ['above min_severity', { min_severity: 'major' }, open('fatal'), 'cpu-high', true],
    ['a selected rule', { rules: ['cpu-high', 'disk-full'] }, open(), 'disk-full', true],
    ['a rule not selected', { rules: ['cpu-high'] }, open(), 'disk-full', false],
    ['no rule: the rules list does not apply', { rules: ['cpu-high'] }, open('warning', 'config.changed'), null, true],
    ['disabled', { enabled: false }, open(), 'cpu-high', false],
  ])('%s', (_title, options, event, rule, expected) => {
    expect(webhookAccepts(makeWebhook(options), event, rule)).toBe(expected);
  });

  it('says why an event is refused', () => {
    expect(webhookRefusal(makeWebhook({ min_severity: 'critical' }), open('warning'), 'cpu-high')).toBe('severity warning below min_severity critical');
  });

  it('is not told about its own failures', () => {
    const failure = makeEvent({ type: 'delivery.failed', data: { webhook: 'hook', event_id: 'e1' } });
    expect(webhookAccepts(makeWebhook({ name: 'hook' }), failure)).toBe(false);
    expect(webhookAccepts(makeWebhook({ name: 'pager' }), failure)).toBe(true);
  });
});
