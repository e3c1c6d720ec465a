/**
 * Series keys: which parts of a sample identify the series a rule evaluates. The default is the
 * entity and all sample tags (SPEC §1); when the rule's metric selector can match more than one
 * metric, the metric name is part of the default key too, so values of different metrics never
 * share a window (docs/decisions.md).
 *
 * A key is `name=value` parts joined by `,`. Names and values are escaped (`\` before `\`, `,` and
 * `=`), so an entity named `c9,env=prod` and the entity `c9` with the tag `env=prod` are two series
 * (SPEC §4: keys are unambiguous). Names and values without those characters, nearly all of them,
 * are written as they are: keys stored before escaping existed stay the same.
 */
import type { Tags } from '../model/sample.js';
import type { SeriesIdentity } from './events.js';

const SPECIAL = /[\\,=]/;

/** `\`, `,` and `=` get a backslash; the common case (none of them) returns the string itself. */
export function escapeKeyPart(text: string): string {
  return SPECIAL.test(text) ? text.replace(/[\\,=]/g, '\\$&') : text;
}

export function seriesKeyOf(groupBy: readonly string[] | null, includeMetric: boolean, metric: string, entity: string, tags: Tags): string {
  if (groupBy === null) {
    const entityPart = `entity=${escapeKeyPart(entity)}`;
    let key = includeMetric ? `metric=${escapeKeyPart(metric)},${entityPart}` : entityPart;
    const names = Object.keys(tags);
    if (names.length > 1) names.sort();
    for (const name of names) key += `,${escapeKeyPart(name)}=${escapeKeyPart(tags[name]!)}`;
    return key;
  }
  let key = '';
  for (const part of groupBy) {
    const value = part === 'entity' ? entity : part === 'metric' ? metric : (tags[part] ?? '');
    const text = `${escapeKeyPart(part)}=${escapeKeyPart(value)}`;
    key += key === '' ? text : `,${text}`;
  }
  return key;
}

/** The `name=value` pairs of a key, unescaped. */
export function seriesKeyParts(key: string): Array<[string, string]> {
  const parts: Array<[string, string]> = [];
  let name: string | null = null;
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) {
      current += key[++i];
    } else if (c === '=' && name === null) {
      name = current;
      current = '';
    } else if (c === ',') {
      if (name !== null) parts.push([name, current]);
      name = null;
      current = '';
    } else {
      current += c;
    }
  }
  if (name !== null) parts.push([name, current]);
  return parts;
}

/** Best effort for a window snapshot whose series has no stored state: parse `entity=…,k=v`. */
export function identityFromSeriesKey(key: string): SeriesIdentity {
  const identity: SeriesIdentity = { metric: '', entity: '', tags: {} };
  for (const [name, value] of seriesKeyParts(key)) {
    if (name === 'entity') identity.entity = value;
    else if (name === 'metric') identity.metric = value;
    else identity.tags[name] = value;
  }
  return identity;
}
