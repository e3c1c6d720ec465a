import { describe, expect, it } from 'vitest';
import { TemplateRegistry } from '../../src/templates/registry.js';
import { sampleEvent } from '../../src/templates/schemas.js';

describe('templates are checked when saved; a bad one is rejected and the previous one stays', () => {
  it('installs a good template', () => {
    const registry = new TemplateRegistry();
    const result = registry.define('chat', '{"text": "#rule_name"}');
    expect(result.ok).toBe(true);
    expect(registry.get('chat')?.renderJson(sampleEvent('alert.open'))).toBe('{"text":"docker-tcp-check"}');
    expect(registry.names()).toEqual(['chat']);
  });

  it('keeps the previous template when the new one has errors', () => {
    const registry = new TemplateRegistry();
    registry.define('chat', '{"text": "#rule_name"}');
    const result = registry.define('chat', '{"text": "#rule_nam"}');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.message)).toEqual(["unknown variable '#rule_nam' (did you mean '#rule_name'?)"]);
    expect(result.template?.renderJson(sampleEvent('alert.open'))).toBe('{"text":"docker-tcp-check"}');
    expect(registry.get('chat')?.renderJson(sampleEvent('alert.open'))).toBe('{"text":"docker-tcp-check"}');
  });

  it('a template cannot take the name of a preset', () => {
    const registry = new TemplateRegistry();
    const result = registry.define('slack', '{"text": "x"}');
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ code: 'template-name-is-preset' });
    expect(registry.get('slack')?.renderJson(sampleEvent('alert.open'))).toContain('"blocks"');
  });

  it('falls back to the presets and forgets removed templates', () => {
    const registry = new TemplateRegistry();
    registry.define('mine', '{"a": 1}');
    expect(registry.has('mine') && registry.has('flat') && !registry.has('other')).toBe(true);
    expect(registry.remove('mine')).toBe(true);
    expect(registry.get('mine')).toBeUndefined();
  });

  it('respects the event types a template serves', () => {
    const registry = new TemplateRegistry();
    expect(registry.define('errors', '{"e": "#error"}', { eventTypes: ['rule.error'] }).ok).toBe(true);
    expect(registry.define('errors2', '{"e": "#error"}').ok).toBe(false);
  });
});
