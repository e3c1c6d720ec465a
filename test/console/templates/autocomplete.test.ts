import { describe, expect, it } from 'vitest';
import { applyCompletion, suggestions, tokenAtCaret, variablesFrom } from '../../../src/console/templates/autocomplete.js';

const variables = variablesFrom({
  variables: [
    { name: '#rule_name', type: 'string', description: 'the rule' },
    { name: 'rule_expression', type: 'string', description: 'its condition' },
    { name: '#entity', type: 'string', description: '' },
    { name: '#entity.label', type: 'string', description: '' },
    { name: '#value', type: 'number', description: '' },
    { name: '#open_value', type: 'number', description: '' },
    { name: '#value', type: 'number', description: 'duplicate' },
    { nope: true },
  ],
});

describe('#variable completion', () => {
  it('knows each variable once, without the #', () => {
    expect(variables.map((v) => v.name)).toEqual(['entity', 'entity.label', 'open_value', 'rule_expression', 'rule_name', 'value']);
  });

  it.each([
    ['"#rul|"', { start: 1, prefix: 'rul' }],
    ['"#|"', { start: 1, prefix: '' }],
    ['"x #entity.la|"', { start: 3, prefix: 'entity.la' }],
    ['"##rul|"', null],
    ['"###rul|"', { start: 3, prefix: 'rul' }],
    ['"{{#if x}}#va|{{/if}}"', { start: 10, prefix: 'va' }],
    ['"{{#rul|"', null],
    ['"issue #4|"', null],
    ['"rul|"', null],
  ])('the token at the caret in %s is %o', (marked, expected) => {
    const caret = marked.indexOf('|');
    const text = marked.replace('|', '');
    const token = tokenAtCaret(text, caret);
    expect(token === null ? null : { start: token.start, prefix: token.prefix }).toEqual(expected);
  });

  it('ranks names that start with the typed text before names that contain it', () => {
    expect(suggestions('val', variables).map((v) => v.name)).toEqual(['value', 'open_value']);
    expect(suggestions('', variables)).toHaveLength(6);
    expect(suggestions('zzz', variables)).toEqual([]);
  });

  it('offers nothing when the only match is already typed', () => {
    expect(suggestions('rule_name', variables)).toEqual([]);
    expect(suggestions('entity', variables).map((v) => v.name)).toEqual(['entity', 'entity.label']);
  });

  it('replaces the whole name the caret is in and puts the caret after it', () => {
    const text = '{"t": "#rule_n is"}';
    const token = tokenAtCaret(text, 13);
    expect(token).not.toBeNull();
    expect(applyCompletion(text, token!, 'rule_name')).toEqual({ text: '{"t": "#rule_name is"}', caret: 17 });
  });
});
