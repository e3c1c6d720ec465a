import { describe, expect, it } from 'vitest';
import { codes, compiled, eventWith, leaf, printed } from './support.js';

const lines = (...text: string[]) => text.join('\n');

describe('#tokens and Handlebars in one leaf', () => {
  it.each([
    ['"{{#if open_time}}open since #open_time{{else}}never opened{{/if}}"', 'open since 2026-03-14T09:26:53.000Z'],
    ['"#rule_name: {{upper status}} (#value)"', 'docker-tcp-check: OPEN (1)'],
    ['"{{#each tags}}#entity:{{@key}} {{/each}}"', 'db-test-db2:container-name db-test-db2:external-port db-test-db2:port '],
    ['"## {{upper \\"#value\\"}} ##value"', '# #VALUE #value'],
    ['"a\\\\#value {{value}}"', 'a\\1 1'],
    ['"\\\\{{value}} #value"', '{{value}} 1'],
    ['"{{!-- a #comment --}}#value"', '1'],
    ['"{{~#if value}}  #value  {{~/if}}"', '  1'],
  ])('%s → %j', (template, expected) => {
    expect(leaf(template)).toBe(expected);
  });

  it('a token inside {{ }} is left to Handlebars (and must be a name there)', () => {
    expect(codes('{"a": "{{round #value 2}}"}')).toEqual(['handlebars-syntax']);
  });

  it('a leaf using Handlebars is always text', () => {
    expect(leaf('"{{value}}"')).toBe('1');
    expect(leaf('"{{json labels}}"')).toBe('{"team":"infra","runbook":"https://runbooks.example.com/docker-tcp"}');
  });

  it('missing values are empty', () => {
    expect(leaf('"[{{value}}][{{metric.units}}][{{tags.nope}}][{{open_time}}]"', eventWith('alert.nodata', {}))).toBe('[][][][]');
  });
});

describe('Handlebars mistakes are found when the template is loaded', () => {
  it('a syntax error, at its position', () => {
    expect(printed('{"a": "x {{#if value}} y"}')).toBe(
      lines(
        'templates/test.json:1:25 error: Handlebars: the text ends inside a {{ }} expression or block',
        '  {"a": "x {{#if value}} y"}',
        '                          ^',
        "  hint: expected {{else …}}, {{else}}, {{/…}}",
      ),
    );
  });

  it('a block closed by the wrong name', () => {
    expect(printed('{"a": "{{#if value}}x{{/each}}"}').split('\n')[0]).toBe('templates/test.json:1:11 error: Handlebars: {{/each}} closes {{#if}}');
  });

  it('an unknown helper, with did you mean', () => {
    expect(printed('{"a": "{{formatdate open_time \\"HH:mm\\"}}"}')).toBe(
      lines(
        "templates/test.json:1:10 error: unknown helper 'formatdate' (did you mean 'formatDate'?)",
        '  {"a": "{{formatdate open_time \\"HH:mm\\"}}"}',
        '           ^^^^^^^^^^',
        '  hint: helpers: formatDate, duration, round, json, default, eq, ne, gt, lt, gte, lte, and, or, not, upper, lower, if, unless, each, with, lookup',
      ),
    );
  });

  it('an unknown name, with did you mean', () => {
    expect(printed('{"a": "{{valeu}}"}').split('\n')[0]).toBe("templates/test.json:1:10 error: unknown name 'valeu' (did you mean 'value'?)");
  });

  it('an unknown field, with did you mean', () => {
    expect(printed('{"a": "{{entity.nmae}}"}').split('\n')[0]).toBe("templates/test.json:1:10 error: 'entity' has no field 'nmae' (did you mean 'name'?)");
  });

  it('an object printed as text', () => {
    expect(printed('{"a": "{{entity}}"}')).toBe(
      lines(
        "templates/test.json:1:10 error: 'entity' is an object; printed in text it would read [object Object]",
        '  {"a": "{{entity}}"}',
        '           ^^^^^^',
        '  hint: print one field ({{entity.name}}) or the JSON ({{json entity}}); a leaf that is exactly "#entity" keeps the object',
      ),
    );
  });

  it.each([
    ['"{{round value 1 2}}"', 'helper-arity'],
    ['"{{json}}"', 'helper-arity'],
    ['"{{formatDate open_time zone=\\"UTC\\"}}"', 'unknown-helper-option'],
    ['"{{formatDate open_time tz=\\"Mars/Olympus\\"}}"', 'invalid-time-zone'],
    ['"{{if value}}"', 'block-helper-inline'],
    ['"{{#round value}}x{{/round}}"', 'not-a-block-helper'],
    ['"{{#tags}}x{{/tags}}"', 'not-a-block-helper'],
    ['"{{#eq value 1}}x{{/eq}}"', 'not-a-block-helper'],
    ['"{{> partial}}"', 'unsupported-handlebars'],
    ['"{{#> layout}}x{{/layout}}"', 'unsupported-handlebars'],
    ['"{{log value}}"', 'unknown-helper'],
    ['"{{@foo}}"', 'unknown-variable'],
    ['"{{value.x}}"', 'unknown-field'],
    ['"{{constructor}}"', 'unknown-variable'],
    ['"{{#each tags}}{{@root.valeu}}{{/each}}"', 'unknown-variable'],
    ['"{{#with entity}}{{nmae}}{{/with}}"', 'unknown-field'],
    ['"{{#each entity.tags}}{{../entity.nmae}}{{/each}}"', 'unknown-field'],
  ])('%s: %s', (template, code) => {
    expect(codes(`{"a": ${template}}`)).toEqual([code]);
  });

  it.each([
    '"{{#each tags as |value key|}}{{key}}={{value}}{{/each}}"',
    '"{{#each tags}}{{this}}{{@key}}{{@index}}{{@first}}{{@last}}{{/each}}"',
    '"{{#with entity}}{{name}} {{tags.env}} {{../value}} {{@root.rule}}{{/with}}"',
    '"{{#unless value}}none{{/unless}}{{#if value}}{{else if open_value}}{{/if}}"',
    '"{{{value}}} {{this.value}} {{entity.tags.anything}}"',
  ])('accepts %s', (template) => {
    expect(codes(`{"a": ${template}}`)).toEqual([]);
  });

  it('names are checked for every event type the template serves', () => {
    expect(printed('{"a": "{{rule}} {{value}}"}', ['alert.open', 'rule.error']).split('\n')[0]).toBe(
      "templates/test.json:1:19 error: unknown name 'value' for rule.error",
    );
  });

  it('positions count JSON escapes before the expression', () => {
    expect(printed('{"a": "\\"\\u00e9\\" {{valeu}}"}').split('\n')[0]).toBe("templates/test.json:1:21 error: unknown name 'valeu' (did you mean 'value'?)");
  });

  it('compiles a good leaf once and renders it for each event', () => {
    const template = compiled('{"a": "{{upper status}}"}', ['alert.open', 'alert.cancel']);
    expect(template.render(eventWith('alert.cancel', {}))).toEqual({ a: 'CANCEL' });
    expect(template.render(eventWith('alert.open', {}))).toEqual({ a: 'OPEN' });
  });
});

describe('#tokens next to braces in a Handlebars leaf (found by the fuzz test)', () => {
  it.each([
    ['{{upper status}} {#value}', 'OPEN {42}'],
    ['{{json tags}}#tags.env}}', '{"env":"prod"}prod}}'],
    ['{{#if value}}#value}{{/if}}', '42}'],
    ['\\{#value {{upper status}}', '\\{42 OPEN'],
  ])('%s', (text: string, expected: string) => {
    const template = compiled(JSON.stringify({ a: text }), ['alert.open']);
    expect(template.diagnostics).toEqual([]);
    expect(template.render(eventWith('alert.open', { value: 42, tags: { env: 'prod' } }))).toEqual({ a: expected });
  });
});
