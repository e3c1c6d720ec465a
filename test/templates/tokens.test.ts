import { describe, expect, it } from 'vitest';
import { resolveToken, scanTokens } from '../../src/templates/tokens.js';
import { variablesFor } from '../../src/templates/variables.js';

const shown = (text: string) => scanTokens(text).map((p) => (p.kind === 'text' ? p.text : `<${p.name}>`)).join('');

describe('#tokens in text', () => {
  it.each([
    ['#value', '<value>'],
    ['value #value%', 'value <value>%'],
    ['##value is literal', '#value is literal'],
    ['###value', '#<value>'],
    ['issue #42 and C# and # alone', 'issue #42 and C# and # alone'],
    ['#entity.tags.env.', '<entity.tags.env>.'],
    ['#entity.tags.image-name!', '<entity.tags.image-name>!'],
    ['#a.b.c.d', '<a.b.c.d>'],
    ['#value-#open_value', '<value>-<open_value>'],
    ['end #', 'end #'],
  ])('%j → %j', (text, expected) => {
    expect(shown(text)).toBe(expected);
  });

  it('reports where each token is', () => {
    const [, token] = scanTokens('on #entity.label now');
    expect(token).toEqual({ kind: 'token', name: 'entity.label', start: 3, end: 16 });
  });

  it('scans only the given range', () => {
    expect(scanTokens('#a #b #c', 3, 5)).toEqual([{ kind: 'token', name: 'b', start: 3, end: 5 }]);
  });
});

describe('the longest known name wins', () => {
  const table = variablesFor('alert.open');
  it.each([
    ['entity', 'entity', null],
    ['entity.label', 'entity.label', null],
    ['entity.tags', 'entity.tags', null],
    ['entity.tags.env', 'entity.tags', 'env'],
    ['entity.tags.env.license', 'entity.tags', 'env.license'],
    ['tags.port', 'tags', 'port'],
    ['metric.tags.category', 'metric.tags', 'category'],
    ['labels.team', 'labels', 'team'],
    ['params.routing_key', 'params', 'routing_key'],
  ])('#%s reads %s (key %s)', (name, variable, key) => {
    const resolved = resolveToken(name, table);
    expect(resolved?.variable.name).toBe(variable);
    expect(resolved?.key).toBe(key);
  });

  it.each(['rule_nam', 'entity.foo', 'value.x', 'Value', 'entity.name.x'])('#%s names nothing', (name) => {
    expect(resolveToken(name, table)).toBeNull();
  });
});
