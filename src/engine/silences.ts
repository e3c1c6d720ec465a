/**
 * Silences mute notifications for matching alerts during a time range without changing alert
 * state (as in Alertmanager). Matchers compare alert labels; `=~`/`!~` take LIKE-style patterns
 * (`*`, `?`), not regular expressions, so an operator cannot write a pattern that stalls delivery.
 */
import { SEVERITIES } from '../model/severity.js';
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

/** Labels every alert has, never empty (alertLabels sets them); tags and rule labels may be missing. */
const ALWAYS_PRESENT: ReadonlySet<string> = new Set([
  'rule', 'alertname', 'entity', 'metric', 'severity', 'series_key',
]);

/**
 * Values labels take in real alerts, as unlike one another as possible: names with dots, dashes,
 * colons and slashes, one character, upper case, digits, spaces, non-ASCII. A matcher that accepts
 * all of them (and, for a label an alert may lack, the missing value) accepts any value at all.
 */
const SAMPLE_VALUES: readonly string[] = [
  'web-01', 'db-7.prod.example.com', 'x', 'K8S_pod-a1b2c3d4', '10.0.0.12:9100', '/var/lib/docker', 'UPPER', '0',
  'a b', 'сервер-1', 'docker.cpu.busy', 'disk-full',
];

/**
 * Whether a silence with these matchers would mute every alert. As in Alertmanager, matchers that
 * all match an alert without labels do; and so do matchers that match label sets which differ in
 * every value (`rule =~ "?*"` passes the first test but silences everything all the same). Each
 * sample set gives every label a different value, so every value of every label is tried at least
 * once; values a matcher names itself are left out (`entity != 'db-1'` is "every entity" to it).
 */
export function matchesEveryAlert(matchers: readonly SilenceMatcher[]): boolean {
  const silence: Silence = { id: 'probe', matchers: [...matchers], startsAt: 0, endsAt: 1 };
  const probe = (labels: Record<string, string>) => activeSilence([silence], labels, 0) !== null;
  if (probe({})) return true;
  const names = [...new Set(matchers.map((m) => m.name))];
  const named = new Set(matchers.map((m) => m.value));
  const valuesOf = (label: string): readonly string[] => {
    if (label === 'severity') return SEVERITIES;
    const sample = SAMPLE_VALUES.filter((value) => !named.has(value));
    return ALWAYS_PRESENT.has(label) ? sample : [...sample, ''];
  };
  const values = new Map(names.map((label) => [label, valuesOf(label)]));
  const rounds = Math.max(...[...values.values()].map((list) => list.length));
  for (let round = 0; round < rounds; round++) {
    const labels: Record<string, string> = {};
    names.forEach((label, index) => {
      const list = values.get(label)!;
      const value = list[(round + index) % list.length]!;
      if (value !== '') labels[label] = value;
    });
    if (!probe(labels)) return false;
  }
  return true;
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

