import { describe, expect, it } from 'vitest';
import { diagnosticRange, lineColumnAt, mergedRanges, offsetAt, templateDiagnostics } from '../../../src/console/templates/positions.js';

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
