/**
 * The sections of a rule file other than `rules:`: `tests:` (for `tocsin test`), and `webhooks:`
 * and `templates:` (validated by their own modules), plus `templates/NAME.json` files. Here they
 * are only collected with their origins; their names are checked for clashes by the loader.
 */
import { lineAndColumn, type Diagnostic } from '../../parser/diagnostics.js';
import type { RuleTestSpec } from '../rule.js';
import * as problems from './problems.js';
import type { ConfigFile, Declaration } from './rule-set.js';
import { YamlSource, type DataPath } from './yaml-source.js';

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The `tests:` entries of a file; entries the schema rejected are skipped (already reported). */
export function collectTests(source: YamlSource, section: unknown): RuleTestSpec[] {
  if (!Array.isArray(section)) return [];
  const tests: RuleTestSpec[] = [];
  section.forEach((item: unknown, index) => {
    if (!isFields(item) || typeof item.name !== 'string' || typeof item.input !== 'string') return;
    const expect: RuleTestSpec['expect'] = [];
    for (const entry of Array.isArray(item.expect) ? (item.expect as unknown[]) : []) {
      if (!isFields(entry) || typeof entry.event !== 'string' || (typeof entry.at !== 'string' && typeof entry.at !== 'number')) continue;
      expect.push({ ...entry, at: String(entry.at), event: entry.event });
    }
    const { line, column } = source.position(['tests', index]);
    tests.push({
      name: item.name,
      input: item.input,
      ...(isFields(item.entities) ? { entities: item.entities as NonNullable<RuleTestSpec['entities']> } : {}),
      expect,
      // mapOffset maps offsets in `input` into the file, so input notation errors point into the YAML.
      origin: { file: source.file, text: source.text, mapOffset: source.offsetMap(['tests', index, 'input']), line, column },
    });
  });
  return tests;
}

/** The `webhooks:` or `templates:` items of a file that have a name. */
export function collectDeclarations(source: YamlSource, section: unknown, key: 'webhooks' | 'templates'): Declaration[] {
  if (!Array.isArray(section)) return [];
  const kind = key === 'webhooks' ? 'webhook' : 'template';
  const declarations: Declaration[] = [];
  section.forEach((item: unknown, index) => {
    if (!isFields(item) || typeof item.name !== 'string' || item.name === '') return;
    const base: DataPath = [key, index];
    const { line, column } = source.position(base);
    declarations.push({
      kind,
      name: item.name,
      value: item,
      source: 'yaml',
      origin: { file: source.file, text: source.text, line, column, spanOf: (path) => source.valueSpan([...base, ...path]) },
    });
  });
  return declarations;
}

/** Name of the template a `templates/NAME.json` file declares. */
export function templateNameOf(file: string): string {
  const base = file.slice(file.replace(/\\/g, '/').lastIndexOf('/') + 1);
  return base.replace(/\.json$/i, '');
}

/** A `templates/NAME.json` file: its JSON parsed, or a positioned diagnostic when it is not JSON. */
export function loadTemplateFile({ file, text }: ConfigFile): { declaration: Declaration | null; diagnostics: Diagnostic[] } {
  // JSON is YAML 1.2, so the YAML parser gives positions inside the body; JSON.parse decides validity.
  const positions = new YamlSource(file, text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(reason, text);
    const cleaned = reason.replace(/\s*in JSON at position \d+( \(line \d+ column \d+\))?/, '').replace(/, "[\s\S]*" is not valid JSON$/, '');
    return { declaration: null, diagnostics: [positions.at({ start: offset, end: offset + 1 }, problems.invalidJson(cleaned))] };
  }
  const { line, column } = lineAndColumn(text, firstNonSpace(text));
  const name = templateNameOf(file);
  return {
    declaration: {
      kind: 'template',
      name,
      value: { name, body },
      source: 'template-file',
      origin: {
        file,
        text,
        line,
        column,
        spanOf: (path) => (path[0] === 'body' ? positions.valueSpan(path.slice(1)) : { start: firstNonSpace(text), end: firstNonSpace(text) + 1 }),
      },
    },
    diagnostics: [],
  };
}

function firstNonSpace(text: string): number {
  const index = text.search(/\S/);
  return index === -1 ? 0 : index;
}

/** Where JSON.parse failed: V8 says so in most messages; otherwise the end, or the unexpected token. */
function jsonErrorOffset(reason: string, text: string): number {
  const position = /at position (\d+)/.exec(reason);
  if (position) return Number(position[1]);
  if (/end of JSON input/.test(reason)) return Math.max(0, text.trimEnd().length - 1);
  const token = /Unexpected token '(.)'/.exec(reason)?.[1];
  const index = token ? text.indexOf(token) : -1;
  return Math.max(0, index);
}
