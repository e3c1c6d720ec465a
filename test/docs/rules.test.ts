/**
 * docs/rules.md, checked against the code: every YAML example loads the way `tocsin check` loads
 * it (webhooks and templates included) and its tests pass the way `tocsin test` runs them; the
 * invalid example prints exactly the diagnostics shown; the key tables list every key of
 * schemas/rules.schema.json with its default; the code table lists every code of the loader.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/engine/rules/load.js';
import { runRuleTests } from '../../src/engine/rule-tests.js';
import { formatDiagnostics } from '../../src/parser/index.js';
import { declarationDiagnostics } from '../../src/service/config.js';
import { code, fencedBlocks, readDoc, tables } from './markdown.js';

const page = readDoc('rules.md');
const blocks = fencedBlocks(page);
const root = new URL('../../', import.meta.url);
const source = (path: string) => readFileSync(new URL(path, root), 'utf8');

function load(text: string, file: string) {
  return loadRuleFiles([{ file, text }], { check: (ruleSet) => declarationDiagnostics(ruleSet, 'docs') });
}

describe('docs/rules.md examples', () => {
  const examples = blocks.filter((b) => b.lang === 'yaml' && !b.flags.includes('invalid'));

  it('has examples', () => expect(examples.length).toBeGreaterThan(10));

  it.each(examples.map((b) => [b.line, b] as const))('the example at line %i loads without a diagnostic and its tests pass', (line, block) => {
    const result = load(block.body, `docs/rules.md:${line}.yaml`);
    expect(formatDiagnostics(result.diagnostics)).toBe('');
    const outcomes = runRuleTests(result.ruleSet!.rules, result.ruleSet!.tests);
    expect(outcomes.filter((o) => !o.passed).map((o) => ({ test: o.name, diff: o.diff, diagnostics: formatDiagnostics(o.diagnostics) }))).toEqual([]);
  });

  it('prints exactly the diagnostics shown for the invalid example', () => {
    const invalid = blocks.filter((b) => b.lang === 'yaml' && b.flags.includes('invalid'));
    expect(invalid).toHaveLength(1);
    const printed = blocks[blocks.indexOf(invalid[0]!) + 1]!;
    expect(printed.lang).toBe('diagnostics');
    const file = /^(\S+?):\d+:\d+ /.exec(printed.body)![1]!;
    const result = load(invalid[0]!.body, file);
    expect(result.ruleSet).toBeNull();
    expect(formatDiagnostics(result.diagnostics)).toBe(printed.body.trimEnd());
  });
});

// ---------------------------------------------------------------------------------------------

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  default?: unknown;
}

/** Every key a rule file can hold, as the docs write it: `repeat.interval`, `notify[].on`, `tests[].expect[].at`. */
function schemaKeys(node: SchemaNode, prefix: string, out: Map<string, { required: boolean; default?: unknown; hasDefault: boolean }>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${key}`;
    out.set(path, { required: node.required?.includes(key) ?? false, hasDefault: 'default' in child, default: child.default });
    if (child.properties) schemaKeys(child, `${path}.`, out);
    if (child.items?.properties) schemaKeys(child.items, `${path}[].`, out);
  }
}

/** A default as the docs show it: `none` for null, YAML flow style for lists. */
function shown(value: unknown): string {
  if (value === null) return 'none';
  if (value === '') return "''";
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (typeof value === 'object') return Object.keys(value as object).length === 0 ? '{}' : JSON.stringify(value);
  return String(value);
}

describe('docs/rules.md key tables', () => {
  const schema = JSON.parse(source('schemas/rules.schema.json')) as { definitions: { rule: SchemaNode; test: SchemaNode } };
  const keys = new Map<string, { required: boolean; default?: unknown; hasDefault: boolean }>();
  schemaKeys(schema.definitions.rule, '', keys);
  schemaKeys(schema.definitions.test, 'tests[].', keys);
  const rows = tables(page)
    .filter((t) => t.header.join('|') === 'Key|Default|Meaning')
    .flatMap((t) => t.rows.map((row) => ({ key: code(row[0]!) ?? row[0]!, default: row[1]! })));

  it('document exactly the keys of schemas/rules.schema.json', () => {
    expect(rows.map((r) => r.key).sort()).toEqual([...keys.keys()].filter((k) => !k.startsWith('tests[].entities.')).sort());
  });

  it.each(rows.map((r) => [r.key, r] as const))('%s shows the schema default', (key, row) => {
    const spec = keys.get(key)!;
    if (spec.hasDefault) expect(row.default.startsWith(`\`${shown(spec.default)}\``), `${row.default} should start with \`${shown(spec.default)}\``).toBe(true);
    else expect(row.default).toBe(spec.required ? 'required' : '—');
  });
});

describe('docs/rules.md diagnostic codes', () => {
  const files = ['problems.ts', 'schema.ts', 'yaml-source.ts', 'window-reach.ts', 'sections.ts'].map((name) => source(`src/engine/rules/${name}`));
  // Literal codes, the two of the YAML parser's ternary, and duplicate-<kind> for each kind.
  const literal = files.flatMap((text) => [...text.matchAll(/code:\s*'([a-z][a-z-]*)'/g)].map((m) => m[1]!));
  const ternary = files.flatMap((text) => [...text.matchAll(/code:[^,\n]*\?\s*'([a-z][a-z-]+)'\s*:\s*'([a-z][a-z-]+)'/g)].flatMap((m) => [m[1]!, m[2]!]));
  const kinds = /duplicateName\(kind: ([^,]+),/.exec(files[0]!)![1]!.match(/'([a-z]+)'/g)!.map((k) => `duplicate-${k.slice(1, -1)}`);
  const produced = new Set([...literal, ...ternary, ...kinds].filter((c) => c !== 'position'));
  const catalogue = /Codes:([\s\S]*?)\*\//.exec(files[0]!)![1]!.split(/[\s,*.]+/).filter((word) => /^[a-z][a-z-]*$/.test(word));
  const documented = tables(page).filter((t) => t.header[0] === 'Code').flatMap((t) => t.rows.map((row) => code(row[0]!)!));

  it('the catalogue in problems.ts names every code the loader produces', () => {
    expect([...produced].sort()).toEqual([...new Set(catalogue)].sort());
  });

  it('the docs list exactly the catalogue', () => {
    expect([...documented].sort()).toEqual([...new Set(catalogue)].sort());
  });
});
