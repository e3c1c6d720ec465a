/**
 * What the engine returns: its output is data (events, state changes, history), never effects;
 * the service persists it in one transaction.
 */
import type { TocsinEvent } from '../model/event.js';
import type { Severity } from '../model/severity.js';
import type { SeriesIdentity } from './events.js';
import type { NotifySpec } from './rule.js';
import type { AlertState, Transition } from './state.js';

export type MuteReason = 'flapping' | 'schedule' | 'silence';

/** An event with what the notifier needs to route it. */
export interface EmittedEvent {
  event: TocsinEvent;
  /** The rule that produced it (null for engine-wide events). */
  rule: string | null;
  notify: readonly NotifySpec[];
  mutedBy?: MuteReason;
  silenceId?: string;
}

export interface SeriesRecord {
  rule: string;
  seriesKey: string;
  identity: SeriesIdentity;
  state: AlertState;
}

export interface HistoryRecord {
  alertId: string;
  rule: string;
  seriesKey: string;
  type: Transition['type'];
  time: number;
  value: number | null;
  eventId: string;
  details: { before: Transition['before']; reason?: string; mutedBy?: MuteReason; severity: Severity; repeatCount: number };
}

export interface EngineOutput {
  events: EmittedEvent[];
  /** Series whose persisted state changed; state null means "forget it". */
  changes: SeriesRecord[];
  removed: Array<{ rule: string; seriesKey: string }>;
  history: HistoryRecord[];
}

export interface EngineStats {
  samples: number;
  evaluations: number;
  evaluationErrors: number;
  /** Per rule: every failure, also those beyond the one rule.error event per minute. */
  evaluationErrorsByRule: Record<string, number>;
  droppedSamples: number;
  events: Record<string, number>;
  /** Samples not evaluated by a rule because a new series would pass `max_series` or the global cap. */
  seriesRefused: number;
  seriesRefusedByRule: Record<string, number>;
  /** Series forgotten after `series_ttl` without a sample. */
  seriesExpired: number;
}


export function emptyOutput(): EngineOutput {
  return { events: [], changes: [], removed: [], history: [] };
}

