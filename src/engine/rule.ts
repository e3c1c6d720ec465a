/**
 * A rule after loading and validation: every duration in milliseconds, every expression with its
 * origin in the file so diagnostics (and runtime errors) point at the YAML text.
 */
import type { SourceOrigin } from '../parser/index.js';
import type { Severity } from '../model/severity.js';
import type { AlertStatus } from '../model/event.js';

export interface ExpressionSource {
  text: string;
  origin: SourceOrigin;
}

export type WindowSpec = { kind: 'length'; size: number } | { kind: 'time'; ms: number };

export type RepeatSpec = { kind: 'none' } | { kind: 'interval'; ms: number } | { kind: 'every'; count: number };

export interface FlappingSpec {
  /** Number of most recent evaluations considered. */
  window: number;
  /** Change ratio below which a flapping series is calm again. */
  low: number;
  /** Change ratio above which a series is flapping. */
  high: number;
}

export interface ScheduleSpec {
  /** ISO weekdays 1 (Monday) … 7 (Sunday) on which the rule notifies. */
  days: number[];
  /** Minute-of-day ranges [start, end) in the schedule's time zone; end may be 1440. */
  hours: Array<[number, number]>;
  timezone: string;
}

export interface OverrideSpec {
  when: ExpressionSource;
  severity?: Severity;
  disabled?: boolean;
  labels?: Record<string, string>;
}

export interface NotifySpec {
  webhook: string;
  /** Which statuses are sent; default open, repeat, cancel, nodata. */
  on: AlertStatus[];
  template?: string;
}

/** One `tests:` entry of a rule file, run by `tocsin test`. */
export interface RuleTestSpec {
  name: string;
  /** promtool-like series notation, one series per line. */
  input: string;
  /** Entity metadata registered before the input is fed (entity.tags.* in expressions). */
  entities?: Record<string, { label?: string; enabled?: boolean; tags?: Record<string, string> }>;
  expect: Array<{ at: string; event: string; [field: string]: unknown }>;
  /** The test's position; `mapOffset` maps offsets inside `input` into the file. */
  origin: SourceOrigin & { line: number; column: number };
}

export interface RuleDefinition {
  name: string;
  /** Where the rule is defined (file path as given to the loader) and its 1-based line. */
  file: string;
  line: number;
  description?: string;
  /** Metric names or globs (`docker.*`). */
  metrics: string[];
  filter?: ExpressionSource;
  condition: ExpressionSource;
  cancelWhen?: ExpressionSource;
  /** Series key parts: 'entity', 'metric', or a sample tag name ('tags.x' normalised to 'x'). null = entity + all tags. */
  groupBy: string[] | null;
  window: WindowSpec;
  forMs: number;
  keepFiringForMs: number;
  repeat: RepeatSpec;
  noDataMs: number | null;
  /**
   * A series silent this long is forgotten (SPEC §4); already raised by the loader to what the
   * window, `for`, `keep_firing_for` and `no_data` need.
   */
  seriesTtlMs: number;
  /** Series this rule keeps at most; samples of further series are refused. */
  maxSeries: number;
  expect?: ExpressionSource;
  flapping: FlappingSpec | null;
  schedule: ScheduleSpec | null;
  severity: Severity;
  overrides: OverrideSpec[];
  labels: Record<string, string>;
  notify: NotifySpec[];
  /** Optional message text (may use #variables when rendered); empty by default. */
  message: string;
  /** Time zone for hour()/dayOfWeek() in expressions. */
  timezone: string;
  enabled: boolean;
}
