import { describe, expect, it } from 'vitest';
import { applyCompletion, suggestions, tokenAtCaret, variablesFrom } from '../../src/console/templates/autocomplete.js';
import { diagnosticRange, lineColumnAt, mergedRanges, offsetAt, templateDiagnostics } from '../../src/console/templates/positions.js';

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

describe('diagnostics are placed by line and column', () => {
  const text = '{\n  "text": "#rule_nam is #status"\n}\n';

  it('converts between offsets and 1-based line and column', () => {
    expect(offsetAt(text, 2, 12)).toBe(text.indexOf('#rule_nam'));
    expect(lineColumnAt(text, text.indexOf('#rule_nam'))).toEqual({ line: 2, column: 12 });
    expect(offsetAt(text, 2, 999)).toBe(text.indexOf('\n}'));
    expect(offsetAt(text, 99, 1)).toBe(text.length);
  });

  it('underlines the given length, else the token at the position, else one character', () => {
    const at = text.indexOf('#rule_nam');
    expect(diagnosticRange(text, { line: 2, column: 12, message: 'm', length: 4 })).toEqual({ start: at, end: at + 4 });
    expect(diagnosticRange(text, { line: 2, column: 12, message: 'm' })).toEqual({ start: at, end: at + '#rule_nam'.length });
    expect(diagnosticRange(text, { line: 3, column: 1, message: 'm' })).toEqual({ start: text.indexOf('}'), end: text.indexOf('}') + 1 });
  });

  it('merges overlapping ranges for painting', () => {
    expect(mergedRanges([{ start: 5, end: 9 }, { start: 1, end: 3 }, { start: 8, end: 12 }, { start: 4, end: 4 }])).toEqual([{ start: 1, end: 3 }, { start: 5, end: 12 }]);
  });

  it('finds diagnostics in a list, a preview answer or an error body', () => {
    const d = { line: 2, column: 12, message: "unknown variable '#rule_nam'", hint: "did you mean '#rule_name'?", code: 'unknown-variable' };
    expect(templateDiagnostics([d])).toEqual([d]);
    expect(templateDiagnostics({ body: null, diagnostics: [d] })).toEqual([d]);
    expect(templateDiagnostics({ error: { code: 'invalid_template', message: 'x', details: [d] } })).toEqual([d]);
    expect(templateDiagnostics({ error: { code: 'x', message: 'x', details: { diagnostics: [d] } } })).toEqual([d]);
    expect(templateDiagnostics({ error: { code: 'x', message: 'x' } })).toEqual([]);
  });
});
