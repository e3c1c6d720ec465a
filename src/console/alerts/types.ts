/** Shapes of the alerts and silences API answers (API.md, group B). */
export interface AlertRow {
  alertId: string;
  rule: string;
  seriesKey?: string;
  entity?: unknown;
  metric?: unknown;
  tags?: Record<string, string>;
  severity?: string;
  status?: string;
  value?: unknown;
  openValue?: unknown;
  openTime?: unknown;
  /** Seconds. */
  duration?: number;
  repeatCount?: number;
  acknowledged?: boolean;
}

export interface HistoryRow {
  id?: number;
  alertId?: string | null;
  rule?: string;
  seriesKey?: string;
  type?: string;
  time?: unknown;
  value?: unknown;
  details?: unknown;
}

export interface Matcher {
  name: string;
  value: string;
  op?: string;
}

export interface SilenceRow {
  id: string;
  matchers?: Matcher[];
  startsAt?: unknown;
  endsAt?: unknown;
  createdBy?: string;
  comment?: string;
}

/** The entity's name (what silences match on), from a name, `{name}` or the series key. */
export function entityKey(entity: unknown, seriesKey?: string): string {
  if (typeof entity === 'string') return entity;
  if (entity && typeof entity === 'object' && typeof (entity as { name?: unknown }).name === 'string') return (entity as { name: string }).name;
  return /(?:^|,)entity=([^,]*)/.exec(seriesKey ?? '')?.[1] ?? '';
}

/** An entity for display: its name, or `label (name)`. */
export function entityName(entity: unknown, seriesKey?: string): string {
  if (typeof entity === 'string') return entity;
  if (entity && typeof entity === 'object') {
    const e = entity as { name?: unknown; label?: unknown };
    if (typeof e.name === 'string') return typeof e.label === 'string' && e.label !== '' && e.label !== e.name ? `${e.label} (${e.name})` : e.name;
  }
  const fromKey = /(?:^|,)entity=([^,]*)/.exec(seriesKey ?? '');
  return fromKey?.[1] ?? '—';
}

export function metricName(metric: unknown): string {
  if (typeof metric === 'string') return metric;
  if (metric && typeof metric === 'object' && typeof (metric as { name?: unknown }).name === 'string') return (metric as { name: string }).name;
  return '—';
}

export function describeMatchers(matchers: readonly Matcher[] | undefined): string {
  return (matchers ?? []).map((m) => `${m.name}${m.op ?? '='}"${m.value}"`).join(', ');
}
