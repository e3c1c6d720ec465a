import { describe, expect, it } from 'vitest';
import { bodyLines, oneLineJson, outlineJson, timeLabel } from '../../../src/cli/demo/format.js';

describe('timeLabel', () => {
  it.each([
    [0, '00:00'],
    [30_000, '00:30'],
    [61_499, '01:01'],
    [3_600_000, '60:00'],
    [-5, '00:00'],
  ])('%s ms → %s', (ms, label) => expect(timeLabel(ms)).toBe(label));
});

describe('outlineJson', () => {
  it('keeps a body that fits on one line', () => {
    expect(outlineJson({ a: 1, b: [true, null] })).toEqual(['{"a": 1, "b": [true, null]}']);
  });

  it('puts each top-level entry of a long body on its own line, cut at the width', () => {
    const body = { text: 'x'.repeat(25), nested: { deep: 'y'.repeat(60) }, n: 1 };
    expect(outlineJson(body, 40)).toEqual(['{', `  "text": "${'x'.repeat(25)}",`, `  "nested": {"deep": "${'y'.repeat(17)}…`, '  "n": 1', '}']);
  });

  it('outlines arrays the same way', () => {
    expect(outlineJson(['a'.repeat(20), 2], 20)).toEqual(['[', `  "${'a'.repeat(16)}…`, '  2', ']']);
  });

  it('writes JSON with a space after colons and commas', () => {
    expect(oneLineJson({ k: [1, { v: 'w' }] })).toBe('{"k": [1, {"v": "w"}]}');
  });
});

describe('bodyLines', () => {
  it('shows text that is not JSON as it is', () => {
    expect(bodyLines('a=1&b=2', 5)).toEqual(['a=1&b=2']);
  });

  it('stops after maxLines and says how many lines were left out', () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, 'v'.repeat(20)])));
    const lines = bodyLines(body, 4);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('… (9 more lines)');
  });
});
