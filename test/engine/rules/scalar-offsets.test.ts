import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, stringify, type Scalar } from 'yaml';
import { scalarOffsetMap, scalarPositions } from '../../../src/engine/rules/scalar-offsets.js';

/** The scalar of `key` in a one-level YAML mapping. */
function scalarOf(text: string, key = 'condition'): Scalar {
  const doc = parseDocument(text, { keepSourceTokens: true });
  expect(doc.errors).toEqual([]);
  const contents = doc.contents;
  if (!isMap(contents)) throw new Error('not a mapping');
  const node = contents.get(key, true);
  if (!isScalar(node)) throw new Error('not a scalar');
  return node;
}

/** The file text each character of the value was mapped to. */
function mappedCharacters(text: string, scalar: Scalar): string {
  const positions = scalarPositions(text, scalar);
  if (!positions) throw new Error('no exact mapping');
  return positions.slice(0, -1).map((p) => text[p]).join('');
}

describe('expression offsets in YAML scalars point at the characters the author wrote', () => {
  // Each value is `value > 1 && avgg(2)`-like text; `where` is the character the offset of 'avgg' must land on.
  const cases: Array<{ style: string; yaml: string; line: number; column: number }> = [
    { style: 'plain', yaml: 'condition: value > 1 && avgg(2) > 0\n', line: 1, column: 25 },
    { style: 'plain, folded over two lines', yaml: 'condition: value > 1\n  && avgg(2) > 0\n', line: 2, column: 6 },
    { style: "single quotes with ''", yaml: "condition: 'tags.x == ''a'' && avgg(2) > 0'\n", line: 1, column: 32 },
    { style: 'double quotes with escapes', yaml: 'condition: "tags[\\"k\\"] == \'\\u00e9\' && avgg(2) > 0"\n', line: 1, column: 40 },
    { style: 'double quotes, escaped line break', yaml: 'condition: "value > 1 \\\n  && avgg(2) > 0"\n', line: 2, column: 6 },
    { style: 'literal block', yaml: 'condition: |\n  value > 1\n    && avgg(2) > 0\n', line: 3, column: 8 },
    { style: 'folded block', yaml: 'condition: >-\n  value > 1\n  && avgg(2) > 0\n', line: 3, column: 6 },
    { style: 'folded block with an empty line', yaml: 'condition: >\n  value > 1\n\n  && avgg(2) > 0\n', line: 4, column: 6 },
    { style: 'literal block with indentation indicator', yaml: 'condition: |2\n    value > 1\n   && avgg(2)\n', line: 3, column: 7 },
    { style: 'literal block with a header comment', yaml: 'condition: | # why\n  value > 1 && avgg(2)\n', line: 2, column: 16 },
  ];

  it.each(cases)('$style', ({ yaml, line, column }) => {
    const scalar = scalarOf(yaml);
    const value = scalar.value as string;
    const offset = scalarOffsetMap(yaml, scalar)(value.indexOf('avgg'));
    const before = yaml.slice(0, offset).split('\n');
    expect({ line: before.length, column: before[before.length - 1]!.length + 1 }).toEqual({ line, column });
    expect(yaml.slice(offset, offset + 4)).toBe('avgg');
  });

  it('maps every character of a literal block to itself', () => {
    const yaml = 'condition: |\n  a > 1\n    && b\n';
    expect(mappedCharacters(yaml, scalarOf(yaml)).replace(/\s/g, '')).toBe('a>1&&b');
  });

  it('falls back to the start of the scalar when it cannot be exact, never to a wrong place', () => {
    const yaml = 'condition: 42\n';
    const map = scalarOffsetMap(yaml, scalarOf(yaml));
    expect(map(0)).toBe(11);
    expect(map(5)).toBe(11);
  });

  it('clamps offsets past the end of the value to its end', () => {
    const yaml = "condition: 'ab'\n";
    const map = scalarOffsetMap(yaml, scalarOf(yaml));
    expect(map(99)).toBe(map(2));
  });
});

describe('offsets round-trip for any text in any scalar style', () => {
  const styles = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;
  // Expression-like text: words, operators, quotes of both kinds, backslashes, spaces and line breaks.
  const expressionText = fc
    .array(fc.constantFrom('value', ' ', '  ', '>', '&&', "'", '"', '\\', 'é', 'x\n', '\n\n', '#', ': ', '(', ')', '10', '\t'), { minLength: 1, maxLength: 30 })
    .map((parts) => parts.join(''))
    .filter((s) => s.trim() === s && s !== '');

  it('maps each visible character to the same character in the file (or to its escape)', () => {
    fc.assert(
      fc.property(expressionText, fc.constantFrom(...styles), fc.integer({ min: 20, max: 80 }), (value, style, lineWidth) => {
        const yaml = stringify({ rules: [{ condition: value }] }, { defaultStringType: style, lineWidth, minContentWidth: 10 });
        const doc = parseDocument(yaml, { keepSourceTokens: true });
        const node = doc.getIn(['rules', 0, 'condition'], true);
        if (!isScalar(node) || node.value !== value) return; // the writer chose another representation
        const positions = scalarPositions(yaml, node);
        expect(positions, `${node.type}: ${JSON.stringify(yaml)}`).not.toBeNull();
        for (let i = 0; i < value.length; i++) {
          const char = value[i]!;
          if (/\s/.test(char)) continue;
          const written = yaml[positions![i]!];
          const escaped = node.type === 'QUOTE_DOUBLE' && written === '\\';
          const doubled = node.type === 'QUOTE_SINGLE' && char === "'" && written === "'";
          expect(written === char || escaped || doubled, `${JSON.stringify(value)} [${i}] in ${JSON.stringify(yaml)}`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
