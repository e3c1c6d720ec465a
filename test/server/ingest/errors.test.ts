import { describe, expect, it } from 'vitest';
import { ErrorList, formatIngestError, formatIngestErrors, type IngestError } from '../../../src/server/ingest/errors.js';

describe('formatting ingestion errors, one readable line each', () => {
  it.each<[IngestError, string]>([
    [
      { code: 'bad-field-value', line: 3, column: 14, field: 'value', message: 'value must be a finite number or null' },
      "line 3, column 14, field 'value': value must be a finite number or null",
    ],
    [
      { code: 'missing-entity', line: 2, column: 1, field: 'entity', message: 'the line names no entity', hint: "add an 'entity' or 'host' tag" },
      "line 2, column 1, field 'entity': the line names no entity (hint: add an 'entity' or 'host' tag)",
    ],
    [{ code: 'invalid-sample', index: 4, field: 'tags.dc', message: "tag 'dc' must be a string" }, "item 4, field 'tags.dc': tag 'dc' must be a string"],
    [{ code: 'invalid-sample', index: 0, field: '', message: 'a sample must be an object' }, 'item 0: a sample must be an object'],
    [{ code: 'too-many-errors', message: '5 more problems not listed' }, '5 more problems not listed'],
  ])('%j', (error, text) => {
    expect(formatIngestError(error)).toBe(text);
  });

  it('joins several errors with line breaks, in order', () => {
    expect(formatIngestErrors([
      { code: 'syntax', line: 1, message: 'a' },
      { code: 'syntax', line: 2, message: 'b' },
    ])).toBe('line 1: a\nline 2: b');
  });
});

describe('capping the number of listed errors', () => {
  it('keeps the first errors and closes with a count of the rest, pointing at the first one left out', () => {
    const list = new ErrorList(2);
    for (let line = 1; line <= 5; line++) list.add({ code: 'syntax', line, message: `bad ${line}` });
    expect(list.result()).toEqual([
      { code: 'syntax', line: 1, message: 'bad 1' },
      { code: 'syntax', line: 2, message: 'bad 2' },
      { code: 'too-many-errors', line: 3, message: '3 more problems not listed (only the first 2 are shown)', hint: 'fix the problems above and send the batch again' },
    ]);
  });

  it('adds nothing when under the cap', () => {
    const list = new ErrorList(2);
    expect(list.isEmpty).toBe(true);
    list.add({ code: 'syntax', index: 7, message: 'x' });
    expect(list.isEmpty).toBe(false);
    expect(list.result()).toEqual([{ code: 'syntax', index: 7, message: 'x' }]);
  });
});
