import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateRenderError } from '../../src/templates/compile.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { compiled, codes, eventWith, leaf, printed } from './support.js';

const lines = (...text: string[]) => text.join('\n');

describe('a leaf that is exactly one token takes the variable\'s JSON type', () => {
  it.each([
    ['"#value"', 1],
    ['"#entity.enabled"', true],
    ['"#repeat_count"', 0],
    ['"#labels"', { team: 'infra', runbook: 'https://runbooks.example.com/docker-tcp' }],
    ['"#entity.tags.env"', 'prod'],
    ['"#entity.tags.nope"', null],
    ['"#metric.units"', null],
    ['"#reason"', null],
    ['"#open_time"', '2026-03-14T09:26:53.000Z'],
  ])('%s → %j', (template, expected) => {
    expect(leaf(template)).toEqual(expected);
  });

  it('null stays null', () => {
    const event = sampleEvent('alert.nodata');
    expect(leaf('"#value"', event)).toBeNull();
    expect(leaf('"#open_time"', event)).toBeNull();
  });

  it('a container is a copy: changing the body never changes the event', () => {
    const event = sampleEvent('alert.open');
    const body = compiled('{"l": "#labels"}').render(event) as { l: Record<string, string> };
    body.l.team = 'changed';
    expect((event.data as { labels: Record<string, string> }).labels.team).toBe('infra');
  });

  it('other JSON values pass through unchanged', () => {
    expect(compiled('{"a": [1, 2.5, -3e2, true, false, null, {"b": []}], "c": {}}').render(sampleEvent('alert.open'))).toEqual({ a: [1, 2.5, -300, true, false, null, { b: [] }], c: {} });
  });

  it('keys are never rewritten', () => {
    expect(compiled('{"#value": "x", "##": 1}').render(sampleEvent('alert.open'))).toEqual({ '#value': 'x', '##': 1 });
  });

  it('a __proto__ key is an ordinary key', () => {
    const body = compiled('{"__proto__": {"polluted": "#value"}}').render(sampleEvent('alert.open')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('tokens inside longer text are interpolated as text', () => {
  it.each([
    ['"#rule_name is #status on #entity (value #value)"', 'docker-tcp-check is open on db-test-db2 (value 1)'],
    ['" #value"', ' 1'],
    ['"#entity.enabled/#repeat_count"', 'true/0'],
    ['"labels: #labels"', 'labels: {"team":"infra","runbook":"https://runbooks.example.com/docker-tcp"}'],
    ['"env=#entity.tags.env."', 'env=prod.'],
    ['"#entity.label"', 'DB2 test container'],
    ['"#entity, #entity.label"', 'db-test-db2, DB2 test container'],
    ['"##value is ##1, #value##"', '#value is #1, 1#'],
    ['"issue #42"', 'issue #42'],
    ['"#tags.container-name@#tags.port"', 'db-test-db2-10.5@50000'],
  ])('%s → %j', (template, expected) => {
    expect(leaf(template)).toBe(expected);
  });

  it('a missing value is empty text, never the word null', () => {
    const event = sampleEvent('alert.nodata');
    expect(leaf('"value=#value open=#open_time label=#metric.units tag=#tags.none"', event)).toBe('value= open= label= tag=');
  });
});

describe('escaping is JSON-correct: no value can add structure', () => {
  const hostile = ['say "hi"', 'back\\slash', 'line\nbreak\ttab\r', 'é ü 日本 🚨', '</script><script>alert(1)</script>', '", "injected": true, "x": "', '\u2028\u2029', '\u0000\u001f', '{{value}}', '#value'];

  it.each(hostile)('%j survives as a whole leaf and inside text', (text) => {
    const event = eventWith('alert.open', { rule_filter: text });
    expect(leaf('"#rule_filter"', event)).toBe(text);
    expect(leaf('"[#rule_filter]"', event)).toBe(`[${text}]`);
    expect(leaf('"{{rule_filter}}"', event)).toBe(text);
  });

  it('<, >, &, U+2028 and U+2029 are \\u-escaped in the body text', () => {
    const body = compiled('{"m": "#rule_filter", "k": "a<b>&"}').renderJson(eventWith('alert.open', { rule_filter: '</script>\u2028' }));
    expect(body).toBe('{"m":"\\u003c/script\\u003e\\u2028","k":"a\\u003cb\\u003e\\u0026"}');
  });

  it('any text in any field renders to valid JSON holding exactly that text', () => {
    const template = compiled('{"whole": "#rule_filter", "text": "#entity: #rule_filter", "tag": "#tags.port", "hb": "{{rule_filter}}"}');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (message, port) => {
        const event = eventWith('alert.open', { rule_filter: message, tags: { port } });
        const body = JSON.parse(template.renderJson(event)) as Record<string, unknown>;
        // Lone surrogates are written as \u escapes; JSON.parse gives them back as they were.
        expect(body).toEqual({ whole: message, text: `db-test-db2: ${message}`, tag: port, hb: message });
        expect(Object.keys(body)).toHaveLength(4);
      }),
    );
  });
});

describe('a template serves event types', () => {
  it('refuses an event type it does not serve', () => {
    const template = compiled('{"v": "#value"}', ['alert.open']);
    expect(() => template.renderJson(sampleEvent('alert.cancel'))).toThrow(TemplateRenderError);
    try {
      template.render(sampleEvent('rule.error'));
    } catch (error) {
      expect((error as TemplateRenderError).code).toBe('event-not-served');
    }
  });

  it('checks every token for every served type', () => {
    expect(printed('{"v": "#value", "e": "#error"}', ['alert.open', 'rule.error'])).toBe(
      lines(
        "templates/test.json:1:8 error: variable '#value' does not exist for rule.error",
        '  {"v": "#value", "e": "#error"}',
        '         ^^^^^^',
        "  hint: it exists for alert.open; limit the template's events to those, or use another template for rule.error",
        '',
        "templates/test.json:1:23 error: variable '#error' does not exist for alert.open",
        '  {"v": "#value", "e": "#error"}',
        '                        ^^^^^^',
        "  hint: it exists for rule.error; limit the template's events to those, or use another template for alert.open",
      ),
    );
  });

  it('renders each type with its own variables', () => {
    const template = compiled('{"what": "#summary", "type": "#event_type"}', ['alert.open', 'rule.error']);
    expect(template.render(sampleEvent('rule.error'))).toEqual({ what: 'rule disk-growth failed: percentile(p) needs p between 0 and 100, got 120', type: 'rule.error' });
  });

  it('serves the alert events by default', () => {
    expect(compileTemplate('{"v": "#value"}', { name: 't' }).eventTypes).toEqual(['alert.open', 'alert.repeat', 'alert.cancel', 'alert.nodata', 'alert.flapping']);
  });
});

describe('checked when loaded: a bad template is rejected with positioned diagnostics', () => {
  it('an unknown variable, with did you mean', () => {
    expect(printed('{\n  "text": "#rule_nam fired"\n}')).toBe(
      lines(
        "templates/test.json:2:12 error: unknown variable '#rule_nam' (did you mean '#rule_name'?)",
        '    "text": "#rule_nam fired"',
        '             ^^^^^^^^^',
        '  hint: the variables of each event type are listed in docs/templates.md; write ## for a literal #',
      ),
    );
  });

  it('positions count escapes in the file text', () => {
    expect(printed('{"t": "\\"quoted\\" \\u00e9 #valeu"}').split('\n').slice(0, 3)).toEqual([
      "templates/test.json:1:26 error: unknown variable '#valeu' (did you mean '#value'?)",
      '  {"t": "\\"quoted\\" \\u00e9 #valeu"}',
      '                           ^^^^^^',
    ]);
  });

  it('a name that only starts like a variable is not silently cut', () => {
    expect(codes('{"t": "#entity.lable"}')).toEqual(['unknown-variable']);
    expect(codes('{"t": "#valueUnits"}')).toEqual(['unknown-variable']);
  });

  it('invalid JSON', () => {
    expect(printed('{"a": 1,\n "b": 2,\n}')).toBe(
      lines('templates/test.json:2:8 error: invalid JSON: a trailing comma is not allowed in JSON', '   "b": 2,', '         ^', '  hint: remove the comma after the last property'),
    );
  });

  it('a duplicate key', () => {
    expect(codes('{"a": 1, "a": 2}')).toEqual(['duplicate-key']);
  });

  it('reports every mistake at once, in order', () => {
    expect(codes('{"a": "#nope {{upperr x}}", "b": "{{#if}}", "c": "#valeu"}')).toEqual(['unknown-variable', 'unknown-helper', 'unknown-variable', 'handlebars-syntax', 'unknown-variable']);
  });

  it('a rejected template refuses to render', () => {
    const template = compileTemplate('{"a": "#nope"}', { name: 'bad', eventTypes: ['alert.open'] });
    expect(template.ok).toBe(false);
    expect(() => template.renderJson(sampleEvent('alert.open'))).toThrow("template 'bad' has errors and cannot render");
  });

  it('uses the file name and origin it is given', () => {
    const template = compileTemplate('{"a": "#nope"}', { name: 'x', file: 'rules/templates/x.json', eventTypes: ['alert.open'] });
    expect(template.diagnostics[0]).toMatchObject({ file: 'rules/templates/x.json', line: 1, column: 8, length: 5 });
  });
});

describe('compact output', () => {
  it('drops the template\'s whitespace', () => {
    expect(compiled('{\n  "a" : [ 1 ,\n 2 ],\n  "b": "#value"\n}').renderJson(sampleEvent('alert.open'))).toBe('{"a":[1,2],"b":1}');
  });

  it('a template may be any JSON value', () => {
    expect(compiled('"#value"').renderJson(sampleEvent('alert.open'))).toBe('1');
    expect(compiled('["#entity", 2]').renderJson(sampleEvent('alert.open'))).toBe('["db-test-db2",2]');
  });
});
