/**
 * Every example of docs/expressions.md is run here, with the convention that page documents
 * ("How the examples are written"): ```expr blocks of `EXPRESSION # CONTEXT → RESULT` lines,
 * ```diagnostic blocks of an expression, `---`, and the exact printed diagnostics, and the table
 * of diagnostic codes with an example each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, formatDiagnostics, type CompileOptions } from '../../src/parser/index.js';
import { evaluate } from './helpers.js';

const root = new URL('../../', import.meta.url);
const page = readFileSync(new URL('docs/expressions.md', root), 'utf8');

interface Block {
  info: string;
  body: string;
  line: number;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(.*)\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    blocks.push({ info: match[1]!.trim(), body: match[2]!, line: markdown.slice(0, match.index).split('\n').length + 1 });
  }
  return blocks;
}

/** Index of the first `#` outside a quoted string; -1 when there is none. */
function separator(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#') return i;
  }
  return -1;
}

interface Example {
  source: string;
  context: Record<string, unknown>;
  expected: { value: unknown } | { error: string };
  options: CompileOptions;
  where: string;
}

function parseExample(text: string, options: CompileOptions, where: string): Example {
  const hash = separator(text);
  if (hash < 0) throw new Error(`${where}: no '#' in example: ${text}`);
  const source = text.slice(0, hash).trim();
  const rest = text.slice(hash + 1);
  const arrow = rest.lastIndexOf('→');
  if (arrow < 0) throw new Error(`${where}: no '→' in example: ${text}`);
  const contextText = rest.slice(0, arrow).trim();
  const resultText = rest.slice(arrow + 1).trim();
  const context = contextText === '' ? {} : (JSON.parse(contextText) as Record<string, unknown>);
  const error = /^error ([a-z-]+)$/.exec(resultText);
  const expected = error ? { error: error[1]! } : { value: JSON.parse(resultText) as unknown };
  return { source, context, expected, options, where };
}

function blockOptions(info: string): CompileOptions {
  const timezone = /timezone=(\S+)/.exec(info)?.[1];
  return timezone ? { timezone } : {};
}

const blocks = fencedBlocks(page);
const examples = blocks
  .filter((b) => b.info.split(/\s+/)[0] === 'expr')
  .flatMap((b) =>
    b.body
      .split('\n')
      .map((text, i) => ({ text, where: `docs/expressions.md:${b.line + i}` }))
      .filter(({ text }) => text.trim() !== '')
      .map(({ text, where }) => parseExample(text, blockOptions(b.info), where)),
  );

describe('docs/expressions.md examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(100);
  });

  it.each(examples.map((e) => [`${e.where} ${e.source}`, e] as const))('%s', (_, example) => {
    if ('error' in example.expected) {
      expect(check(example.source, example.options).map((d) => d.code)).toContain(example.expected.error);
    } else {
      expect(check(example.source, example.options)).toEqual([]);
      expect(evaluate(example.source, example.context, example.options)).toStrictEqual(example.expected.value);
    }
  });
});

describe('docs/expressions.md printed diagnostics', () => {
  const goldens = blocks.filter((b) => b.info.split(/\s+/)[0] === 'diagnostic');

  it('has printed diagnostics', () => {
    expect(goldens.length).toBeGreaterThan(3);
  });

  it.each(goldens.map((b) => [`docs/expressions.md:${b.line}`, b] as const))('%s', (_, block) => {
    const [source, printed] = block.body.split(/^---\n/m) as [string, string];
    const options: CompileOptions = block.info.includes('condition') ? { expect: 'boolean' } : {};
    expect(formatDiagnostics(check(source.replace(/\n$/, ''), options))).toBe(printed.replace(/\n$/, ''));
  });
});

describe('docs/expressions.md table of diagnostic codes', () => {
  const section = page.slice(page.indexOf('## Diagnostics'));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .map((cells) => ({ code: cells[1]!.replace(/`/g, ''), example: /^`(.+)`$/.exec(cells[3]!)?.[1] }));

  /** Every code the parser can produce, read from its sources so a new one cannot go undocumented. */
  const codesInSource = new Set(
    readdirSync(new URL('src/parser/', root))
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => [...readFileSync(new URL(`src/parser/${name}`, root), 'utf8').matchAll(/code: ([^,\n]+)/g)])
      .flatMap((match) => [...match[1]!.matchAll(/'([a-z]+(?:-[a-z]+)+)'/g)].map((m) => m[1]!)),
  );

  it('documents every code the sources can produce, and no other', () => {
    expect(codesInSource.size).toBeGreaterThan(20);
    expect(new Set(rows.map((r) => r.code))).toEqual(codesInSource);
  });

  // Tested in problems.test.ts: their examples do not fit in a table cell.
  const withoutExample = ['empty-expression', 'too-deep', 'runtime-error'];

  it.each(rows.map((r) => [r.code, r] as const))('%s', (code, row) => {
    if (withoutExample.includes(code)) {
      expect(row.example).toBeUndefined();
      return;
    }
    expect(row.example).toBeDefined();
    expect(check(row.example!.replace(/\\\|/g, '|'), { expect: 'boolean' }).map((d) => d.code)).toContain(code);
  });
});
