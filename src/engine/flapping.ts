/**
 * Flapping detection (SPEC §4): over the last `window` evaluations of a series, the share of
 * evaluations whose condition outcome differs from the one before is
 *
 *     ratio = changes / (window − 1)
 *
 * Above `high` the series starts flapping (notifications muted, one `alert.flapping` event); it
 * stays flapping until the ratio drops below `low`. The gap between the two thresholds is the
 * hysteresis that keeps the flag itself from flapping (as in Nagios' flap detection).
 *
 * The denominator is always window − 1, also while fewer evaluations have been seen, so a series
 * cannot be declared flapping from its first two or three outcomes.
 *
 * The state is a bit history in one number (bit 0 = latest outcome), so it is a few bytes per
 * series and plain JSON for persistence. That limits windows to 32 evaluations.
 */
import type { FlappingSpec } from './rule.js';

export const MAX_FLAPPING_WINDOW = 32;

export interface FlapState {
  /** Condition outcomes, bit 0 the latest (1 = true); only the low `size` bits are meaningful. */
  history: number;
  /** How many outcomes the history holds (at most the window). */
  size: number;
  flapping: boolean;
}

export interface FlapStep {
  state: FlapState;
  /** The series started flapping on this outcome: emit `alert.flapping` once. */
  started: boolean;
  /** The series calmed down on this outcome: notifications resume. */
  ended: boolean;
  /** The change ratio after this outcome, for explanations. */
  ratio: number;
}

export function initialFlapState(): FlapState {
  return { history: 0, size: 0, flapping: false };
}

/** A message saying what is wrong with the spec, or null when it is usable. The loader reports it. */
export function checkFlappingSpec(spec: FlappingSpec): string | null {
  if (!Number.isInteger(spec.window) || spec.window < 2 || spec.window > MAX_FLAPPING_WINDOW) {
    return `flapping window must be a whole number of evaluations from 2 to ${MAX_FLAPPING_WINDOW}, got ${spec.window}`;
  }
  if (!(spec.low >= 0 && spec.low <= 1) || !(spec.high >= 0 && spec.high <= 1)) {
    return `flapping thresholds are ratios from 0 to 1, got low ${spec.low} and high ${spec.high}`;
  }
  if (spec.low > spec.high) return `flapping low (${spec.low}) must not be above high (${spec.high})`;
  return null;
}

/** Records one evaluation's condition outcome. Pure: the given state is not modified. */
export function recordOutcome(spec: FlappingSpec, state: FlapState, outcome: boolean): FlapStep {
  const window = clampWindow(spec.window);
  const history = ((state.history << 1) | (outcome ? 1 : 0)) & lowBits(window);
  const size = Math.min(window, Math.max(0, state.size) + 1);
  const ratio = changeRatio(history, size, window);
  let flapping = state.flapping;
  let started = false;
  let ended = false;
  if (!flapping && ratio > spec.high) {
    flapping = true;
    started = true;
  } else if (flapping && ratio < spec.low) {
    flapping = false;
    ended = true;
  }
  return { state: { history: history >>> 0, size, flapping }, started, ended, ratio };
}

/** The current change ratio of a state under a spec (e.g. after a reload changed the window). */
export function flapRatio(spec: FlappingSpec, state: FlapState): number {
  const window = clampWindow(spec.window);
  return changeRatio(state.history & lowBits(window), Math.min(window, Math.max(0, state.size)), window);
}

function clampWindow(window: number): number {
  return Math.max(2, Math.min(MAX_FLAPPING_WINDOW, Math.floor(window) || 2));
}

/** A mask of the low `count` bits (count ≤ 32). */
function lowBits(count: number): number {
  return count >= 32 ? -1 : 2 ** count - 1;
}

function changeRatio(history: number, size: number, window: number): number {
  if (size < 2) return 0;
  // Bit i of history ^ (history >>> 1) is set when outcome i differs from outcome i + 1.
  const changes = popcount((history ^ (history >>> 1)) & lowBits(size - 1));
  return changes / (window - 1);
}

function popcount(bits: number): number {
  let x = bits - ((bits >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
