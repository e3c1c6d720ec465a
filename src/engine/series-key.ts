/**
 * Series keys: which parts of a sample identify the series a rule evaluates. The default is the
 * entity and all sample tags (SPEC §1); when the rule's metric selector can match more than one
 * metric, the metric name is part of the default key too, so values of different metrics never
 * share a window (docs/decisions.md).
 */
import type { Tags } from '../model/sample.js';
import type { SeriesIdentity } from './events.js';

export function seriesKeyOf(groupBy: readonly string[] | null, includeMetric: boolean, metric: string, entity: string, tags: Tags): string {
  if (groupBy === null) {
    let key = includeMetric ? `metric=${metric},entity=${entity}` : `entity=${entity}`;
    const names = Object.keys(tags);
    if (names.length > 1) names.sort();
    for (const name of names) key += `,${name}=${tags[name]}`;
    return key;
  }
  let key = '';
  for (const part of groupBy) {
    const value = part === 'entity' ? entity : part === 'metric' ? metric : (tags[part] ?? '');
    key += key === '' ? `${part}=${value}` : `,${part}=${value}`;
  }
  return key;
}

/** Best effort for a window snapshot whose series has no stored state: parse `entity=…,k=v`. */
export function identityFromSeriesKey(key: string): SeriesIdentity {
  const identity: SeriesIdentity = { metric: '', entity: '', tags: {} };
  for (const part of key.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === 'entity') identity.entity = value;
    else if (name === 'metric') identity.metric = value;
    else identity.tags[name] = value;
  }
  return identity;
}
