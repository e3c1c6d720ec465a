/**
 * docs/cli.md, checked against the program: every command has a section with a table of exactly
 * its options, and every `console` example, run through `main()` from the repository's root,
 * prints what the page shows and exits with the code it says (`console exit=N`, default 0).
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../src/cli/main.js';
import { code, fencedBlocks, readDoc, sections, tables } from './markdown.js';

const page = readDoc('cli.md');
const quiet = { stdout: () => {}, stderr: () => {} };
const program = buildProgram(quiet, () => {});

/** The commands a user runs: leaves of the tree, by their path (`token create`). */
function leaves(command: Command, prefix: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length > 0 ? leaves(sub, path) : [{ path: path.join(' '), command: sub }];
  });
}

const commands = leaves(program).filter((c) => c.path !== 'help');
const documented = sections(page, 2).flatMap((section) => {
  const match = /^`tocsin ([a-z][a-z ]*?)(?: [<[].*)?`$/.exec(section.heading);
  return match ? [{ path: match[1]!, body: section.body }] : [];
});

describe('docs/cli.md commands', () => {
  it('has a section for every command, and only for commands that exist', () => {
    expect(documented.map((d) => d.path).sort()).toEqual(commands.map((c) => c.path).sort());
  });

  it.each(commands.map((c) => [c.path, c.command] as const))('tocsin %s: the options table lists exactly its options', (path, command) => {
    const section = documented.find((d) => d.path === path)!;
    const rows = tables(section.body).filter((t) => t.header[0] === 'Option').flatMap((t) => t.rows.map((row) => code(row[0]!)!));
    const flags = rows.map((row) => /--[a-z-]+/.exec(row)![0]);
    expect(flags.sort()).toEqual(command.options.map((o) => o.long!).sort());
  });
});

/** Words of a shell command line: single and double quotes group, nothing else is special. */
function words(line: string): string[] {
  const result: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= '';
    } else if (char === ' ') {
      if (current !== null) result.push(current);
      current = null;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (current !== null) result.push(current);
  return result;
}

describe('docs/cli.md console examples', () => {
  const examples = fencedBlocks(page).filter((b) => b.lang === 'console');

  it('has examples', () => expect(examples.length).toBeGreaterThanOrEqual(5));

  it.each(examples.map((b) => [b.body.split('\n')[0]!, b] as const))('%s', async (_line, block) => {
    const [command = '', ...expected] = block.body.trimEnd().split('\n');
    const argv = words(command.replace(/^\$ /, ''));
    expect(argv[0]).toBe('tocsin');
    let printed = '';
    const capture = (text: string) => void (printed += text);
    const exitCode = await main(['node', ...argv], { stdout: capture, stderr: capture });
    expect(printed.trimEnd()).toBe(expected.join('\n'));
    expect(exitCode).toBe(Number(/exit=(\d)/.exec(block.flags.join(' '))?.[1] ?? 0));
  });
});

describe('tocsin command lines in the docs', () => {
  const pages = ['cli.md', 'operations.md', 'api.md', 'rules.md'];
  const lines = pages.flatMap((name) => fencedBlocks(readDoc(name)).filter((b) => b.lang === 'sh').flatMap((block) =>
    block.body.split('\n').flatMap((line, i) => {
      const found = /(?:^|[\s(])tocsin ([^)#|;]*)/.exec(line.replace(/\s#.*$/, ''));
      return found ? [{ where: `${name}:${block.line + i}`, args: words(found[1]!.trim()) }] : [];
    })));

  it('finds the examples', () => expect(lines.length).toBeGreaterThanOrEqual(8));

  it.each(lines.map((l) => [l.where, l.args] as const))('%s names a command and its options', (_where, args) => {
    let command: Command = program;
    let rest = [...args];
    for (let sub = command.commands.find((c) => c.name() === rest[0]); sub; sub = command.commands.find((c) => c.name() === rest[0])) {
      command = sub;
      rest = rest.slice(1);
    }
    expect(command).not.toBe(program);
    expect(command.commands).toEqual([]);
    const known = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
    for (const flag of rest.filter((word) => word.startsWith('-'))) expect(known).toContain(flag);
  });
});
