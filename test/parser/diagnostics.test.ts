import { describe, expect, it } from 'vitest';
import {
  closest,
  editDistance,
  formatDiagnostic,
  formatDiagnostics,
  lineAndColumn,
  locate,
  sortDiagnostics,
  type Diagnostic,
} from '../../src/parser/diagnostics.js';

const diagnostic = (extra: Partial<Diagnostic>): Diagnostic => ({
  severity: 'error', code: 'x', message: 'bad', file: 'f', line: 1, column: 1, length: 1, ...extra,
});

describe('the one formatter: file:line:col severity: message, source line, caret, hint', () => {
  it('prints the caret under the span', () => {
    expect(formatDiagnostic(diagnostic({ column: 5, length: 3, sourceLine: 'abc defgh', hint: 'fix it' }))).toBe(
      'f:1:5 error: bad\n  abc defgh\n      ^^^\n  hint: fix it',
    );
  });

  it('without a source line, prints the head and the hint only', () => {
    expect(formatDiagnostic(diagnostic({ hint: 'fix it' }))).toBe('f:1:1 error: bad\n  hint: fix it');
    expect(formatDiagnostic(diagnostic({ severity: 'warning' }))).toBe('f:1:1 warning: bad');
  });

  it('shows tabs as spaces so the caret stays aligned', () => {
    expect(formatDiagnostic(diagnostic({ column: 3, sourceLine: '\t\tx' }))).toBe('f:1:3 error: bad\n    x\n    ^');
  });

  it('separates several diagnostics by a blank line', () => {
    expect(formatDiagnostics([diagnostic({}), diagnostic({ line: 2 })])).toBe('f:1:1 error: bad\n\nf:2:1 error: bad');
  });
});

describe('positions', () => {
  it.each([
    ['abc', 0, 1, 1, 'abc'],
    ['abc', 2, 1, 3, 'abc'],
    ['ab\ncd', 3, 2, 1, 'cd'],
    ['ab\r\ncd\r\n', 5, 2, 2, 'cd'],
    ['ab', 99, 1, 3, 'ab'],
    ['ab', -5, 1, 1, 'ab'],
  ])('offset %i of %j is line %i column %i', (text, offset, line, column, sourceLine) => {
    expect(lineAndColumn(text, offset)).toEqual({ line, column, sourceLine });
  });

  it('the underline never runs past the end of its line', () => {
    const placed = locate({ code: 'x', message: 'm', span: { start: 2, end: 9 } }, 'ab cd\nefgh');
    expect([placed.line, placed.column, placed.length]).toEqual([1, 3, 3]);
  });

  it('sorts by file, then line, then column', () => {
    const sorted = sortDiagnostics([
      diagnostic({ file: 'b', line: 1 }),
      diagnostic({ file: 'a', line: 2, column: 1 }),
      diagnostic({ file: 'a', line: 1, column: 9 }),
      diagnostic({ file: 'a', line: 1, column: 2 }),
    ]);
    expect(sorted.map((d) => `${d.file}${d.line}:${d.column}`)).toEqual(['a1:2', 'a1:9', 'a2:1', 'b1:1']);
  });
});

describe('did you mean', () => {
  it.each([
    ['avgg', ['avg', 'max'], 'avg'],
    ['valeu', ['value', 'time'], 'value'],
    ['VALUE', ['value'], 'value'],
    ['lable', ['name', 'label'], 'label'],
    ['xyz', ['value', 'time'], null],
    ['a', [], null],
  ])('%s among %j → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['abc', 'acb', 1],
    ['kitten', 'sitting', 3],
  ])('editDistance(%j, %j) = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});
