/**
 * Reading the user docs for their tests: fenced blocks with their info string and line, tables,
 * and sections under headings. Line numbers are 1-based lines of the first line inside a block.
 */
import { readFileSync } from 'node:fs';

export interface Block {
  /** The first word of the info string (`yaml`, `http`, `json`, …). */
  lang: string;
  /** The other words (`invalid`, `samples`, `precision=ns`). */
  flags: string[];
  body: string;
  line: number;
}

export interface Table {
  header: string[];
  rows: string[][];
  line: number;
}

export interface Section {
  level: number;
  heading: string;
  body: string;
  line: number;
}

const root = new URL('../../', import.meta.url);

export function readDoc(name: string): string {
  return readFileSync(new URL(`docs/${name}`, root), 'utf8');
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(.*)\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    const [lang = '', ...flags] = match[1]!.trim().split(/\s+/);
    blocks.push({ lang, flags, body: match[2]!, line: lineOf(markdown, match.index) + 1 });
  }
  return blocks;
}

/** Markdown outside fenced blocks, with the blocks blanked out line for line (so line numbers hold). */
function withoutBlocks(markdown: string): string {
  return markdown.replace(/^```.*\n[\s\S]*?^```$/gm, (block) => block.replace(/[^\n]/g, ''));
}

const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim());

export function tables(markdown: string): Table[] {
  const lines = withoutBlocks(markdown).split('\n');
  const found: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\|?\s*:?-{3,}/.test(lines[i + 1]!.trim())) continue;
    const table: Table = { header: cells(lines[i]!), rows: [], line: i + 1 };
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith('|'); j++) table.rows.push(cells(lines[j]!));
    found.push(table);
    i = j;
  }
  return found;
}

export function sections(markdown: string, level: number): Section[] {
  const lines = markdown.split('\n');
  const blanked = withoutBlocks(markdown).split('\n');
  const marker = `${'#'.repeat(level)} `;
  const starts = blanked.flatMap((line, index) => (line.startsWith(marker) ? [index] : []));
  return starts.map((start) => {
    // A section ends at the next heading of the same or a higher level.
    let end = lines.length;
    for (let i = start + 1; i < lines.length; i++) {
      const heading = /^(#+) /.exec(blanked[i]!);
      if (heading && heading[1]!.length <= level) {
        end = i;
        break;
      }
    }
    return { level, heading: lines[start]!.slice(marker.length).trim(), body: lines.slice(start + 1, end).join('\n'), line: start + 1 };
  });
}

/** The text inside the first pair of backticks, or null. */
export function code(cell: string): string | null {
  return /`([^`]*)`/.exec(cell)?.[1] ?? null;
}
