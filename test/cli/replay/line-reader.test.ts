import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachLine } from '../../../src/cli/replay/line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(content: string | Buffer, chunkBytes: number): string[] {
  const path = join(dir, 'input.ndjson');
  writeFileSync(path, content);
  const lines: string[] = [];
  let expected = 0;
  forEachLine(path, (text, n) => {
    expect(n).toBe(++expected);
    lines.push(text);
  }, () => {}, chunkBytes);
  return lines;
}

describe('forEachLine: chunked line reading for replay', () => {
  it('splits like String.split on \\n, dropping a \\r before it and a final empty line, for any chunk size', () => {
    const part = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('é', '€', '😀', '\r', '\n', '\r\n'));
    const text = fc.array(part, { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 17 }), (content, chunk) => {
        // What the file holds once written as UTF-8 (a lone surrogate becomes U+FFFD).
        const written = Buffer.from(content).toString('utf8');
        const raw = written.split('\n');
        if (raw.at(-1) === '') raw.pop();
        const expected = raw.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
        // A leading byte order mark is not part of the first line.
        if (expected.length > 0 && expected[0]!.startsWith('\ufeff')) expected[0] = expected[0]!.slice(1);
        expect(read(content, chunk)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a character whose UTF-8 bytes are split between two chunks', () => {
    expect(read('{"entity":"Zürich-€-😀"}\nnext', 4)).toEqual(['{"entity":"Zürich-€-😀"}', 'next']);
  });

  it('drops a UTF-8 byte order mark and reads CRLF files', () => {
    for (const chunk of [1, 2, 3, 64]) {
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\r\nb\r\n')]);
      expect(read(withBom, chunk)).toEqual(['a', 'b']);
    }
  });

  it('reads an empty file as no lines', () => {
    expect(read('', 8)).toEqual([]);
  });
});
