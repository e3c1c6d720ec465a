/** docs/templates.md stays true: every variable documented with an example, the first example renders as shown. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/model/event.js';
import { HELPERS } from '../../src/templates/helpers.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { variablesFor } from '../../src/templates/variables.js';
import { compiled } from './support.js';

const docs = readFileSync(new URL('../../docs/templates.md', import.meta.url), 'utf8');

/** The table rows of a section of the variables chapter. */
function rows(heading: string): Map<string, string[]> {
  const start = docs.indexOf(`\n### ${heading}\n`);
  expect(start, `docs/templates.md has no section '### ${heading}'`).toBeGreaterThan(0);
  const end = docs.indexOf('\n#', start + 5);
  const table = new Map<string, string[]>();
  for (const line of docs.slice(start, end === -1 ? undefined : end).split('\n')) {
    const name = /^\| `#([^`]+)`/.exec(line)?.[1];
    if (name !== undefined) table.set(name, line.split(' | '));
  }
  return table;
}

describe('docs/templates.md', () => {
  const common = rows('Every event type');
  const alerts = rows('alert.open, alert.repeat, alert.cancel, alert.nodata, alert.flapping');

  it.each(EVENT_TYPES)('documents every variable of %s with an example value', (type) => {
    const own = type.startsWith('alert.') ? alerts : rows(type);
    for (const variable of variablesFor(type).variables) {
      const row = common.get(variable.name) ?? own.get(variable.name);
      expect(row, `#${variable.name} of ${type} is not documented`).toBeDefined();
      expect(row![3]?.trim(), `#${variable.name} has no example`).toMatch(/^`.+`/);
    }
  });

  it('documents no variable that does not exist', () => {
    const known = new Set(EVENT_TYPES.flatMap((type) => variablesFor(type).names));
    for (const name of [...common.keys(), ...alerts.keys()]) expect(known.has(name), name).toBe(true);
  });

  it('documents every helper', () => {
    for (const name of HELPERS.keys()) expect(docs).toContain(`| \`${name}\` |`);
  });

  it('the first example renders exactly as shown', () => {
    const blocks = [...docs.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const [template, output] = blocks;
    expect(compiled(template!).renderJson(sampleEvent('alert.open'))).toBe(output!.trim());
  });
});
