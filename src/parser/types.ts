/**
 * Static types as bit sets: `number | null` is NUMBER | NULL. A set is enough for this language:
 * there are no user-defined types, and the checker only needs "which kinds can this be".
 */
export const NUMBER = 1;
export const STRING = 2;
export const BOOLEAN = 4;
export const NULL = 8;
/** A string → string map such as `tags` or `entity.tags`. */
export const MAP = 16;

export type Type = number;

export const ANY: Type = NUMBER | STRING | BOOLEAN | NULL;

export function nonNull(type: Type): Type {
  return type & ~NULL;
}

export function typeName(type: Type): string {
  const names: string[] = [];
  if (type & NUMBER) names.push('number');
  if (type & STRING) names.push('string');
  if (type & BOOLEAN) names.push('boolean');
  if (type & MAP) names.push('map');
  if (type & NULL) names.push('null');
  return names.length === 0 ? 'nothing' : names.join(' | ');
}

/** The name used in "comparing number with string": the non-null part, or "null". */
export function shortTypeName(type: Type): string {
  return nonNull(type) === 0 ? 'null' : typeName(nonNull(type));
}
