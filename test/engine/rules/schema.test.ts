import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { ruleFileSchema } from '../../../src/engine/rules/schema.js';

interface SchemaNode {
  description?: string;
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

/** Every property of every object in the schema, with the object that holds it. */
function* properties(node: SchemaNode, path = '#'): Generator<{ path: string; name: string; property: SchemaNode; parent: SchemaNode }> {
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    yield { path: `${path}/${name}`, name, property, parent: node };
    yield* properties(property, `${path}/${name}`);
  }
  if (node.items) yield* properties(node.items, `${path}[]`);
  for (const [name, definition] of Object.entries(node.definitions ?? {})) yield* properties(definition, `#/definitions/${name}`);
}

describe('schemas/rules.schema.json helps authors in their editors', () => {
  const schema = ruleFileSchema() as SchemaNode;

  it('compiles under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addKeyword('patternErrorMessage');
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('is walked completely by these checks', () => {
    const paths = [...properties(schema)].map(({ path }) => path);
    expect(paths).toEqual(expect.arrayContaining(['#/rules', '#/definitions/rule/notify[]/on', '#/definitions/rule/schedule/days', '#/definitions/test/expect[]/at']));
  });

  it('describes every property', () => {
    const undescribed = [...properties(schema)].filter(({ property }) => !property.description).map(({ path }) => path);
    expect(undescribed).toEqual([]);
  });

  it('gives a default to every optional property, except where one would change the meaning', () => {
    // repeat.interval / repeat.every: a default would fill in both and break "exactly one of".
    // Webhook and template items are loosely typed here; their own schemas give their defaults.
    const exempt = new Set(['#/definitions/rule/repeat/interval', '#/definitions/rule/repeat/every']);
    const missing = [...properties(schema)]
      .filter(({ path, name, property, parent }) => !(parent.required ?? []).includes(name) && !('default' in property) && !exempt.has(path))
      .map(({ path }) => path);
    expect(missing).toEqual([]);
  });
});
