import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import type { RenderContext } from '../../src/templates/context.js';
import { contextReads, pathNames } from '../../src/templates/handlebars-reads.js';
import { HELPERS } from '../../src/templates/helpers.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { PREVIEW_SETTINGS, variablesFor } from '../../src/templates/variables.js';
import { leaf } from './support.js';

const reads = (source: string) => {
  const found = contextReads(Handlebars.parse(source));
  return found === null ? null : [...found].sort();
};

describe('contextReads: the top-level names a leaf reads', () => {
  it.each([
    ['{{upper status}}', ['status']],
    ['{{status}} and {{this.value}} and {{[severity]}}', ['severity', 'status', 'value']],
    ['{{default value (lower status)}}', ['status', 'value']],
    ['{{formatDate open_time "yyyy" tz=zone}}', ['open_time', 'zone']],
    ['{{#if a}}{{b}}{{else if c}}{{d}}{{else}}{{e}}{{/if}}', ['a', 'b', 'c', 'd', 'e']],
    ['{{#unless a}}{{b}}{{/unless}}', ['a', 'b']],
    ['{{#each tags}}{{@key}}={{this}} {{name}}{{/each}}', ['tags']],
    ['{{#each tags}}x{{else}}{{fallback}}{{/each}}', ['fallback', 'tags']],
    ['{{#with entity}}{{name}} {{@root.rule}}{{/with}}', ['entity', 'rule']],
    ['{{entity.name}} {{lookup tags "image-name"}}', ['entity', 'tags']],
    ['{{@__t0}} {{@index}} text only', []],
    ['{{json}} {{upper}}', []],
  ])('%j reads %j', (source, names) => {
    expect(reads(source)).toEqual(names);
  });

  it.each([
    ['this', '{{json this}}'],
    ['.', '{{lookup . "value"}}'],
    ['@root', '{{json @root}}'],
    ['a parent path', '{{#each tags}}{{../value}}{{/each}}'],
    ['this in an if', '{{#if a}}{{this}}{{/if}}'],
    ['each over this', '{{#each this}}{{@key}}{{/each}}'],
    ['block params', '{{#each tags as |v k|}}{{k}}{{/each}}'],
  ])('%s reads the whole context', (_, source) => {
    expect(reads(source)).toBeNull();
  });
});

describe('pathNames: every name a leaf may call', () => {
  it('finds helpers in mustaches, blocks, subexpressions and else-chains', () => {
    const names = pathNames(Handlebars.parse('{{#unless a}}{{upper (lower b)}}{{else if (eq c 1)}}{{#each d}}{{json this}}{{/each}}{{/unless}}'));
    expect([...names].filter((n) => HELPERS.has(n)).sort()).toEqual(['each', 'eq', 'if', 'json', 'lower', 'unless', 'upper']);
  });
});

describe('leaves that still run through Handlebars render as with the whole context and every helper', () => {
  const everyHelper = Handlebars.create();
  everyHelper.unregisterHelper('log');
  for (const spec of HELPERS.values()) if (spec.fn !== undefined) everyHelper.registerHelper(spec.name, spec.fn as Handlebars.HelperDelegate);
  const options = { noEscape: true, knownHelpersOnly: true, knownHelpers: Object.fromEntries([...HELPERS.keys()].map((n) => [n, true])), strict: false, data: true };

  it.each([
    '{{#each tags}}{{@key}}={{this}};{{/each}}',
    '{{#each entity.tags}}{{#unless @first}}, {{/unless}}{{upper @key}}{{/each}}',
    '{{#with entity}}{{name}}/{{label}}/{{@root.rule}}{{/with}}',
    '{{lookup tags "external-port"}} {{lookup entity.tags "image-name"}}',
    '{{#each alert_labels}}{{#if (eq @key "severity")}}{{this}}{{/if}}{{/each}}',
    '{{json this.tags}} {{entity.name}} {{#each labels}}{{@index}}{{/each}}',
    '{{#each tags}}{{../rule}}:{{@root.severity}} {{/each}}',
    '{{#with metric}}{{#each tags}}{{../name}}.{{@key}}{{/each}}{{/with}}',
    '{{#each tags as |v k|}}{{k}}{{v}}{{/each}}',
  ])('%s', (source) => {
    const event = sampleEvent('alert.open');
    const ctx: RenderContext = { event, settings: PREVIEW_SETTINGS };
    const expected = everyHelper.compile(source, options)(variablesFor('alert.open').view(ctx), { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    expect(expected).not.toBe('');
    expect(leaf(JSON.stringify(source), event)).toBe(expected);
  });
});
