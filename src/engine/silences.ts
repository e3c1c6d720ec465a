/**
 * Silences mute notifications for matching alerts during a time range without changing alert
 * state (as in Alertmanager). Matchers compare alert labels; `=~`/`!~` take LIKE-style patterns
 * (`*`, `?`), not regular expressions, so an operator cannot write a pattern that stalls delivery.
 */
import { compileLike, type LikePattern } from '../parser/like.js';

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface SilenceMatcher {
  name: string;
  value: string;
  op?: MatchOperator;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy?: string;
  comment?: string;
}

const patterns = new WeakMap<SilenceMatcher, LikePattern>();

function matches(matcher: SilenceMatcher, labels: Readonly<Record<string, string>>): boolean {
  const actual = labels[matcher.name] ?? '';
  switch (matcher.op ?? '=') {
    case '=': return actual === matcher.value;
    case '!=': return actual !== matcher.value;
    case '=~':
    case '!~': {
      let pattern = patterns.get(matcher);
      if (!pattern) {
        pattern = compileLike(matcher.value);
        patterns.set(matcher, pattern);
      }
      return pattern.test(actual) === (matcher.op === '=~');
    }
  }
}

/** The first silence active at `now` whose matchers all match, or null. */
export function activeSilence(silences: readonly Silence[], labels: Readonly<Record<string, string>>, now: number): Silence | null {
  for (const silence of silences) {
    if (now < silence.startsAt || now >= silence.endsAt) continue;
    if (silence.matchers.length > 0 && silence.matchers.every((m) => matches(m, labels))) return silence;
  }
  return null;
}

/** The labels silences match against: rule labels plus rule, entity, metric, severity, series and tags. */
export function alertLabels(data: Record<string, unknown>, labels: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = { ...labels };
  const entity = data.entity as { name: string; tags: Record<string, string> };
  const metric = data.metric as { name: string };
  result.rule = String(data.rule);
  result.alertname = String(data.rule);
  result.entity = entity.name;
  result.metric = metric.name;
  result.severity = String(data.severity);
  result.series_key = String(data.series_key);
  for (const [k, v] of Object.entries(data.tags as Record<string, string>)) result[`tags.${k}`] = v;
  for (const [k, v] of Object.entries(entity.tags)) result[`entity.tags.${k}`] = v;
  return result;
}

