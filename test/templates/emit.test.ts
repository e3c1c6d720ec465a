import { describe, expect, it } from 'vitest';
import { htmlSafeJson } from '../../src/templates/emit.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { PREVIEW_SETTINGS } from '../../src/templates/variables.js';
import { compiled, eventWith } from './support.js';

describe('a value written under several keys', () => {
  it('is the same under each (encoded once per render)', () => {
    const template = compiled('{"a": "#entity", "b": "#entity.name", "c": "#alert_element", "d": "#entity", "e": "#message", "f": "{{upper entity.name}}", "g": "#message", "h": "#entity.tags", "i": "#entity.tags"}');
    for (const name of ['db-test-db2', 'a<b>&"c"\u2028', '']) {
      const event = eventWith('alert.open', { entity: { name, enabled: true, tags: { k: name } } });
      const json = template.renderJson(event, PREVIEW_SETTINGS);
      const message = `TCP check failed on ${name} (port 50000)`;
      expect(JSON.parse(json)).toEqual({ a: name, b: name, c: name, d: name, e: message, f: name.toUpperCase(), g: message, h: { k: name }, i: { k: name } });
      expect(json).toBe(htmlSafeJson(JSON.stringify(template.render(event, PREVIEW_SETTINGS))));
    }
  });

  it('is read per render, never kept from the one before', () => {
    const template = compiled('{"a": "#value", "b": "#value"}');
    expect(template.renderJson(eventWith('alert.open', { value: 1 }))).toBe('{"a":1,"b":1}');
    expect(template.renderJson(eventWith('alert.open', { value: 2 }))).toBe('{"a":2,"b":2}');
    expect(template.renderJson(sampleEvent('alert.open'))).toBe('{"a":1,"b":1}');
  });
});
