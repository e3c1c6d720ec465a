/**
 * The alert state machine of one (rule, series), as a pure function:
 *
 *   step(state, input, now, context) → { state, transitions }
 *
 * No clock reads and no I/O: `now` is the engine clock (wall time live, data time in replay and
 * tests), so the same code serves all three. Like Prometheus' rules/alerting.go, `for`,
 * `keep_firing_for` and `repeat.interval` are comparisons of timestamps; a tick input lets timers
 * fire when no sample arrives.
 *
 *   inactive ──firing──▶ pending ──for elapsed──▶ open ──(repeat ticks)──▶ open
 *      ▲                    │ not firing             │ clear for keep_firing_for
 *      └────────────────────┴────────────────────────┴──▶ cancel → inactive
 *
 * Independently, a series that stays silent for `no_data` gets one alert.nodata; its next sample
 * cancels it with reason `data_resumed`.
 */
import type { AlertEventType } from '../model/event.js';
import type { Severity } from '../model/severity.js';
import { recordOutcome, initialFlapState, type FlapState } from './flapping.js';
import { alertIdFor, eventIdFor } from '../model/ids.js';
import type { FlappingSpec, RepeatSpec } from './rule.js';

export type Phase = 'inactive' | 'pending' | 'open';

export interface NoDataAlert {
  alertId: string;
  since: number;
  sequence: number;
}

/** Everything the engine persists per (rule, series). Plain JSON, so the store can keep it as is. */
export interface AlertState {
  phase: Phase;
  /** The alert that is pending or open; null when inactive. */
  alertId: string | null;
  /** When the condition became true (start of the pending period). */
  pendingSince: number | null;
  openTime: number | null;
  openValue: number | null;
  /** Outcome of the last evaluation. */
  firing: boolean;
  lastValue: number | null;
  lastSampleTime: number | null;
  /** Engine clock of the last sample: the no-data timer counts from here. */
  lastSeenAt: number | null;
  repeatCount: number;
  lastNotifiedAt: number | null;
  /** True evaluations since the last open or repeat (for `repeat: {every: N}`). */
  firingSinceNotify: number;
  /** When the clear condition started to hold while open (for keep_firing_for). */
  clearingSince: number | null;
  /** Events emitted for the current alert, so event ids are deterministic. */
  sequence: number;
  /** Alerts (pending ones included) this series has had: part of each alert's id. */
  generation: number;
  acknowledged: boolean;
  severity: Severity;
  nodata: NoDataAlert | null;
  flap: FlapState;
  /**
   * The series started flapping while it had no alert: `alert.flapping` goes out with the
   * next open, so the muted open is never the only trace a receiver could have had. Absent in
   * states persisted before the field existed (nothing owed).
   */
  flappingOwed?: boolean;
  /**
   * The series is an `expect` placeholder: made for an expected entity that has not reported yet,
   * only its no-data timer runs. Persisted, so a restart or reload keeps watching the entity from
   * when it was first expected. Absent in states persisted before the field existed.
   */
  placeholder?: boolean;
}

/** The parts of a rule the state machine needs. */
export interface StepRule {
  name: string;
  forMs: number;
  keepFiringForMs: number;
  repeat: RepeatSpec;
  noDataMs: number | null;
  flapping: FlappingSpec | null;
}

export interface StepContext {
  rule: StepRule;
  seriesKey: string;
}

export type StepInput =
  /** A sample arrived and the rule was evaluated. `clear` is cancel_when (or "condition false"). */
  | { kind: 'evaluation'; firing: boolean; clear: boolean; value: number | null; sampleTime: number; severity: Severity }
  /** Time passed; timers that are due fire. */
  | { kind: 'tick' }
  /** An operator acknowledged the alert: no more repeats. */
  | { kind: 'acknowledge' }
  /** The rule or series is gone: open alerts are cancelled with this reason. */
  | { kind: 'remove'; reason: string };

export interface Transition {
  type: AlertEventType;
  eventId: string;
  alertId: string;
  time: number;
  /** Phase before this transition. */
  before: Phase | 'nodata';
  value: number | null;
  openValue: number | null;
  openTime: number | null;
  repeatCount: number;
  severity: Severity;
  reason?: string;
  /** Set while the series is flapping: the transition is recorded but not notified. */
  mutedBy?: 'flapping';
}

export interface StepResult {
  state: AlertState;
  transitions: Transition[];
}

export function initialState(severity: Severity): AlertState {
  return {
    phase: 'inactive',
    alertId: null,
    pendingSince: null,
    openTime: null,
    openValue: null,
    firing: false,
    lastValue: null,
    lastSampleTime: null,
    lastSeenAt: null,
    repeatCount: 0,
    lastNotifiedAt: null,
    firingSinceNotify: 0,
    clearingSince: null,
    sequence: 0,
    generation: 0,
    acknowledged: false,
    severity,
    nodata: null,
    flap: INITIAL_FLAP,
  };
}

/**
 * Flap states are replaced, never changed in place (recordOutcome returns a new one), so every
 * new series can share one frozen initial state instead of allocating its own.
 */
const INITIAL_FLAP: FlapState = Object.freeze(initialFlapState());

export function step(previous: AlertState, input: StepInput, now: number, context: StepContext): StepResult {
  const state: AlertState = { ...previous };
  const transitions: Transition[] = [];
  const emit = (type: AlertEventType, extra: Partial<Transition> = {}) => {
    const alertId = state.alertId!;
    transitions.push({
      type,
      eventId: eventIdFor(alertId, state.sequence, now),
      alertId,
      time: now,
      before: previous.phase,
      value: state.lastValue,
      openValue: state.openValue,
      openTime: state.openTime,
      repeatCount: state.repeatCount,
      severity: state.severity,
      // A cancel always goes out, so a receiver never keeps an incident whose open it received.
      ...(state.flap.flapping && type !== 'alert.flapping' && type !== 'alert.cancel' ? { mutedBy: 'flapping' as const } : {}),
      ...extra,
    });
    state.sequence++;
  };
  const open = () => {
    state.phase = 'open';
    state.openTime = now;
    state.openValue = state.lastValue;
    state.repeatCount = 0;
    state.lastNotifiedAt = now;
    state.firingSinceNotify = 0;
    state.clearingSince = null;
    state.acknowledged = false;
    emit('alert.open');
    if (state.flap.flapping && state.flappingOwed === true) {
      state.flappingOwed = false;
      emit('alert.flapping');
    }
  };
  const cancel = (reason: string) => {
    emit('alert.cancel', { reason });
    resetAlert(state);
  };
  const repeat = () => {
    state.repeatCount++;
    state.lastNotifiedAt = now;
    state.firingSinceNotify = 0;
    emit('alert.repeat');
  };

  switch (input.kind) {
    case 'evaluation': {
      state.lastValue = input.value;
      state.lastSampleTime = input.sampleTime;
      state.lastSeenAt = now;
      state.severity = input.severity;
      state.firing = input.firing;
      if (state.nodata) {
        transitions.push(noDataTransition(state.nodata, 'alert.cancel', now, state, 'data_resumed'));
        state.nodata = null;
      }
      if (context.rule.flapping) {
        const flap = recordOutcome(context.rule.flapping, state.flap, input.firing);
        state.flap = flap.state;
        if (flap.started) {
          // A pending or open alert is told at once; otherwise the next open carries the news.
          if (state.alertId !== null) emit('alert.flapping');
          else state.flappingOwed = true;
        }
        if (flap.ended) state.flappingOwed = false;
      }
      if (state.phase === 'inactive') {
        if (!input.firing) break;
        // `?? 0`: states persisted before the field existed.
        state.generation = (state.generation ?? 0) + 1;
        state.alertId = alertIdFor(context.rule.name, context.seriesKey, now, 'alert', state.generation);
        state.sequence = 0;
        state.pendingSince = now;
        state.phase = 'pending';
        if (context.rule.forMs <= 0) open();
        break;
      }
      if (state.phase === 'pending') {
        if (!input.firing) resetAlert(state);
        else if (now - state.pendingSince! >= context.rule.forMs) open();
        break;
      }
      // open
      if (input.clear) {
        if (state.clearingSince === null) state.clearingSince = now;
        if (now - state.clearingSince >= context.rule.keepFiringForMs) cancel('condition_false');
        break;
      }
      state.clearingSince = null;
      if (!input.firing || state.acknowledged) break;
      state.firingSinceNotify++;
      const policy = context.rule.repeat;
      if (policy.kind === 'every' && state.firingSinceNotify >= policy.count) repeat();
      else if (policy.kind === 'interval' && now - state.lastNotifiedAt! >= policy.ms) repeat();
      break;
    }
    case 'tick': {
      if (state.phase === 'pending' && state.firing && now - state.pendingSince! >= context.rule.forMs) open();
      else if (state.phase === 'open') {
        if (state.clearingSince !== null) {
          if (now - state.clearingSince >= context.rule.keepFiringForMs) cancel('condition_false');
        } else {
          const policy = context.rule.repeat;
          if (policy.kind === 'interval' && state.firing && !state.acknowledged && now - state.lastNotifiedAt! >= policy.ms) repeat();
        }
      }
      const noDataMs = context.rule.noDataMs;
      if (noDataMs !== null && state.nodata === null && state.lastSeenAt !== null && now - state.lastSeenAt >= noDataMs) {
        const since = state.lastSeenAt + noDataMs;
        state.generation = (state.generation ?? 0) + 1;
        const nodata = { alertId: alertIdFor(context.rule.name, context.seriesKey, since, 'nodata', state.generation), since, sequence: 0 };
        transitions.push(noDataTransition(nodata, 'alert.nodata', now, state));
        state.nodata = { ...nodata, sequence: 1 };
      }
      break;
    }
    case 'acknowledge':
      if (state.phase === 'open') state.acknowledged = true;
      break;
    case 'remove':
      if (state.phase === 'open') cancel(input.reason);
      else resetAlert(state);
      if (state.nodata) {
        transitions.push(noDataTransition(state.nodata, 'alert.cancel', now, state, input.reason));
        state.nodata = null;
      }
      break;
  }
  return { state, transitions };
}

/** The next engine time at which a tick could change this state; null when no timer runs. */
export function nextDeadline(state: AlertState, rule: StepRule): number | null {
  let deadline = Infinity;
  if (state.phase === 'pending' && state.firing) deadline = Math.min(deadline, state.pendingSince! + rule.forMs);
  if (state.phase === 'open') {
    if (state.clearingSince !== null) deadline = Math.min(deadline, state.clearingSince + rule.keepFiringForMs);
    else if (rule.repeat.kind === 'interval' && state.firing && !state.acknowledged) {
      deadline = Math.min(deadline, state.lastNotifiedAt! + rule.repeat.ms);
    }
  }
  if (rule.noDataMs !== null && state.nodata === null && state.lastSeenAt !== null) {
    deadline = Math.min(deadline, state.lastSeenAt + rule.noDataMs);
  }
  return deadline === Infinity ? null : deadline;
}

/** True when the state holds nothing worth keeping (the engine may forget the series' state). */
export function isIdle(state: AlertState): boolean {
  return state.phase === 'inactive' && state.nodata === null && state.placeholder !== true;
}

/** True when the series has an alert: pending, open, or a no-data alert. */
export function hasAlert(state: AlertState): boolean {
  return state.phase !== 'inactive' || state.nodata !== null;
}

function resetAlert(state: AlertState): void {
  state.phase = 'inactive';
  state.alertId = null;
  state.pendingSince = null;
  state.openTime = null;
  state.openValue = null;
  state.repeatCount = 0;
  state.lastNotifiedAt = null;
  state.firingSinceNotify = 0;
  state.clearingSince = null;
  state.acknowledged = false;
  state.sequence = 0;
}

function noDataTransition(nodata: NoDataAlert, type: 'alert.nodata' | 'alert.cancel', now: number, state: AlertState, reason?: string): Transition {
  const transition: Transition = {
    type,
    eventId: eventIdFor(nodata.alertId, nodata.sequence, now),
    alertId: nodata.alertId,
    time: now,
    before: type === 'alert.cancel' ? 'nodata' : state.phase,
    value: null,
    openValue: null,
    openTime: nodata.since,
    repeatCount: 0,
    severity: state.severity,
  };
  if (reason !== undefined) transition.reason = reason;
  return transition;
}

/**
 * An evaluation that cannot cause a transition: the alert is inactive, the condition is false,
 * there is no no-data alert to cancel and no flapping history to keep. For it, step() would only
 * copy the state and update the bookkeeping fields; `recordQuietEvaluation` does exactly that in
 * place, so the engine's hot path (most samples of most series) allocates nothing. A test checks
 * the two agree.
 */
export function isQuietEvaluation(state: AlertState, input: StepInput, rule: StepRule): boolean {
  return input.kind === 'evaluation' && !input.firing && state.phase === 'inactive' && state.nodata === null && rule.flapping === null;
}

export function recordQuietEvaluation(state: AlertState, input: StepInput & { kind: 'evaluation' }, now: number): void {
  state.lastValue = input.value;
  state.lastSampleTime = input.sampleTime;
  state.lastSeenAt = now;
  state.severity = input.severity;
  state.firing = false;
}

/** State worth persisting at once: anything that decides future events. Values and times ride along. */
export function materiallyChanged(a: AlertState, b: AlertState): boolean {
  return a.phase !== b.phase || a.alertId !== b.alertId || a.clearingSince !== b.clearingSince || a.acknowledged !== b.acknowledged
    || a.repeatCount !== b.repeatCount || a.nodata !== b.nodata || a.flap.flapping !== b.flap.flapping || a.pendingSince !== b.pendingSince
    || (a.flappingOwed ?? false) !== (b.flappingOwed ?? false);
}

