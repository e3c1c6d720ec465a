/**
 * The shape of a value as templates see it, derived from the event schemas: which names exist
 * under an object, whether a map takes any key, what a scalar can be. The compiler checks
 * `#variables` and Handlebars paths against shapes, and docs/templates.md prints them.
 */
import type { EventSchemaNode } from './schemas.js';

export type ScalarType = 'string' | 'number' | 'boolean' | 'null';

export type Shape =
  | { kind: 'object'; fields: ReadonlyMap<string, Shape>; nullable: boolean }
  | { kind: 'map'; value: Shape; nullable: boolean }
  | { kind: 'array'; item: Shape; nullable: boolean }
  | { kind: 'scalar'; types: readonly ScalarType[] }
  | { kind: 'any' };

export const ANY: Shape = { kind: 'any' };
export const scalar = (...types: ScalarType[]): Shape => ({ kind: 'scalar', types });
export const mapOf = (value: Shape): Shape => ({ kind: 'map', value, nullable: false });

function typesOf(node: EventSchemaNode): string[] {
  if (Array.isArray(node.type)) return node.type;
  if (typeof node.type === 'string') return [node.type];
  const literals = node.const !== undefined ? [node.const] : (node.enum ?? []);
  return [...new Set(literals.map((v) => (v === null ? 'null' : typeof v)))];
}

/** The shape of a schema node; `optional` (not in `required`) makes it nullable: a missing field reads as null. */
export function shapeOf(node: EventSchemaNode, optional = false): Shape {
  const types = typesOf(node);
  const nullable = optional || types.includes('null');
  if (node.properties !== undefined) {
    const required = new Set(node.required ?? []);
    const fields = new Map<string, Shape>();
    for (const [name, child] of Object.entries(node.properties)) fields.set(name, shapeOf(child, !required.has(name)));
    return { kind: 'object', fields, nullable };
  }
  if (types.includes('object') && typeof node.additionalProperties === 'object') {
    return { kind: 'map', value: shapeOf(node.additionalProperties), nullable };
  }
  if (types.includes('array')) return { kind: 'array', item: node.items ? shapeOf(node.items) : ANY, nullable };
  const scalars = new Set<ScalarType>();
  for (const type of types) {
    if (type === 'integer' || type === 'number') scalars.add('number');
    else if (type === 'string' || type === 'boolean' || type === 'null') scalars.add(type);
  }
  if (nullable) scalars.add('null');
  return scalars.size === 0 ? ANY : { kind: 'scalar', types: [...scalars] };
}

/** Whether a value of this shape is a container (printing it inside text would need JSON). */
export function isContainer(shape: Shape): boolean {
  return shape.kind === 'object' || shape.kind === 'map' || shape.kind === 'array';
}

/** `string`, `number | null`, `object`, `map of string`, for docs and messages. */
export function describeShape(shape: Shape): string {
  switch (shape.kind) {
    case 'any':
      return 'any';
    case 'scalar':
      return shape.types.join(' | ');
    case 'object':
      return shape.nullable ? 'object | null' : 'object';
    case 'map':
      return `map of ${describeShape(shape.value)}${shape.nullable ? ' | null' : ''}`;
    case 'array':
      return `list of ${describeShape(shape.item)}${shape.nullable ? ' | null' : ''}`;
  }
}
