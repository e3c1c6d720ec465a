/**
 * One `rules:` item → RuleDefinition, with the checks the schema cannot express: durations,
 * windows, series-key parts, time zones, schedules, and every expression compiled against the
 * language so its mistakes point into the YAML text.
 *
 * Runs even when the schema found mistakes in the same rule (so the author sees all of them at
 * once); every field is therefore read defensively, and a field of the wrong type is skipped
 * here because the schema already reported it.
 */
import { IANAZone } from 'luxon';
import { formatDuration, parseDuration } from '../../model/duration.js';
import { isSeverity, type Severity } from '../../model/severity.js';
import type { AlertStatus } from '../../model/event.js';
import { check, defaultEnvironment } from '../../parser/index.js';
import type { Diagnostic } from '../../parser/diagnostics.js';
import { closest } from '../../parser/diagnostics.js';
import type {
  ExpressionSource, FlappingSpec, NotifySpec, OverrideSpec, RepeatSpec, RuleDefinition, ScheduleSpec, WindowSpec,
} from '../rule.js';
import { checkFlappingSpec, MAX_FLAPPING_WINDOW } from '../flapping.js';
import { parseSchedule, type ScheduleInput } from '../schedule.js';
import * as problems from './problems.js';
import type { RuleProblem } from './problems.js';
import { windowReachWarnings } from './window-reach.js';
import type { DataPath, YamlSource } from './yaml-source.js';

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
const stringMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isFields(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
};

const TIME_ZONES: readonly string[] = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
/** Names of the expression language that are not series-key parts (value, time, entity.tags, …). */
const EXPRESSION_NAMES = new Set(defaultEnvironment.variableNames());
const DEFAULT_NOTIFY_ON: AlertStatus[] = ['open', 'repeat', 'cancel', 'nodata'];

export interface ConvertedRule {
  /** Complete only when the rule has no errors; the loader discards everything on any error anyway. */
  rule: RuleDefinition;
  /** Where the rule sits in its file's data, for cross-file checks. */
  path: DataPath;
  diagnostics: Diagnostic[];
}

export function convertRule(source: YamlSource, item: unknown, index: number): ConvertedRule {
  const base: DataPath = ['rules', index];
  const at = (...rest: Array<string | number>): DataPath => [...base, ...rest];
  const diagnostics: Diagnostic[] = [];
  const report = (path: DataPath, problem: RuleProblem, where: 'value' | 'key' = 'value') =>
    diagnostics.push(source.at(where === 'key' ? source.keySpan(path) : source.valueSpan(path), problem));
  const fields: Fields = isFields(item) ? item : {};

  const timezone = text(fields.timezone) ?? 'UTC';
  const validZone = IANAZone.isValidZone(timezone);
  if (!validZone) report(at('timezone'), problems.invalidTimezone(timezone, TIME_ZONES));
  const zone = validZone ? timezone : 'UTC';

  const expression = (path: DataPath, value: unknown): ExpressionSource | undefined => {
    // '' is reported by the schema (minLength); whitespace only is left to the expression checker.
    if (typeof value !== 'string' || value === '') return undefined;
    const origin = { file: source.file, text: source.text, mapOffset: source.offsetMap(path) };
    diagnostics.push(...check(value, { origin, expect: 'boolean', timezone: zone }));
    return { text: value, origin };
  };

  const duration = (path: DataPath, field: string, allowZero: boolean): number | null => {
    const written = text(fields[field] ?? null) ?? null;
    return written === null ? null : checkedDuration(path, field, written, allowZero);
  };
  const checkedDuration = (path: DataPath, field: string, written: string, allowZero: boolean): number | null => {
    const ms = parseDuration(written);
    if (ms === null) report(path, problems.invalidDuration(field, written));
    else if (ms === 0 && !allowZero) report(path, problems.zeroDuration(field, written));
    return ms;
  };

  const condition = expression(at('condition'), fields.condition) ?? { text: '', origin: { file: source.file } };
  const filter = expression(at('filter'), fields.filter);
  const cancelWhen = expression(at('cancel_when'), fields.cancel_when);
  const expect = expression(at('expect'), fields.expect);
  const noDataMs = duration(at('no_data'), 'no_data', false);
  if (expect && fields.no_data == null) report(at('expect'), problems.expectWithoutNoData(), 'key');

  const window = windowSpec(fields.window, at('window'), report);
  const rule: RuleDefinition = {
    name: text(fields.name) ?? '',
    file: source.file,
    line: source.position(base).line,
    metrics: typeof fields.metric === 'string' ? [fields.metric] : (stringList(fields.metric) ?? []),
    condition,
    groupBy: groupBy(fields.group_by, at('group_by'), report),
    window: window ?? { kind: 'length', size: 1 },
    forMs: duration(at('for'), 'for', true) ?? 0,
    keepFiringForMs: duration(at('keep_firing_for'), 'keep_firing_for', true) ?? 0,
    repeat: repeatSpec(fields.repeat, at('repeat'), checkedDuration),
    noDataMs,
    seriesTtlMs: 0,
    maxSeries: typeof fields.max_series === 'number' ? fields.max_series : 100_000,
    flapping: flappingSpec(fields.flapping, at('flapping'), report),
    schedule: scheduleSpec(fields.schedule, at('schedule'), zone, report),
    severity: isSeverity(fields.severity) ? fields.severity : 'warning',
    overrides: overrides(fields.overrides, at('overrides'), expression, report),
    labels: stringMap(fields.labels),
    notify: notify(fields.notify, at('notify'), report),
    message: text(fields.message) ?? '',
    timezone: zone,
    enabled: fields.enabled !== false,
  };
  const ttlWritten = source.scalar(at('series_ttl')) !== null;
  rule.seriesTtlMs = seriesTtl(rule, fields, at('series_ttl'), ttlWritten, checkedDuration, report);
  const description = text(fields.description);
  if (description) rule.description = description;
  if (filter) rule.filter = filter;
  if (cancelWhen) rule.cancelWhen = cancelWhen;
  if (expect) rule.expect = expect;
  // Filters and expect run before a sample enters the window; the others see the window.
  if (window) {
    for (const seen of [condition, cancelWhen, ...rule.overrides.map((o) => o.when)]) {
      if (seen?.text) diagnostics.push(...windowReachWarnings(seen.text, seen.origin, window, zone));
    }
  }
  return { rule, path: base, diagnostics };
}

type Report = (path: DataPath, problem: RuleProblem, where?: 'value' | 'key') => void;

const WINDOW = /^\s*([A-Za-z_]+)\s*\(\s*(.*?)\s*\)\s*$/;

/** The window, or null when it is not valid (reported). */
function windowSpec(value: unknown, path: DataPath, report: Report): WindowSpec | null {
  if (typeof value !== 'string') return null;
  const match = WINDOW.exec(value);
  if (!match || (match[1] !== 'length' && match[1] !== 'time')) {
    report(path, problems.invalidWindow(value));
    return null;
  }
  const argument = match[2]!;
  if (match[1] === 'length') {
    if (!/^\d+$/.test(argument) || Number(argument) < 1) {
      report(path, problems.invalidWindow(value, 'length() takes a whole number of samples, at least 1'));
      return null;
    }
    return { kind: 'length', size: Number(argument) };
  }
  // time('5 minute') is accepted too: the same spelling as in avg('5 minute').
  const span = argument.replace(/^(['"])(.*)\1$/, '$2');
  const ms = parseDuration(span);
  if (ms === null || ms === 0) {
    report(path, problems.invalidWindow(value, ms === 0 ? 'the span must be longer than 0s' : `'${span}' is not a duration`));
    return null;
  }
  return { kind: 'time', ms };
}

function groupBy(value: unknown, path: DataPath, report: Report): string[] | null {
  const parts = stringList(value);
  if (!parts) return null;
  const result: string[] = [];
  parts.forEach((part, index) => {
    const where = [...path, index];
    const written = part.trim();
    let normalised: string | null = null;
    const tag = /^tags\.(.+)$/.exec(written) ?? /^tags\[\s*(['"])(.+)\1\s*\]$/.exec(written);
    if (written === 'entity' || written === 'metric') normalised = written;
    else if (tag) normalised = tag[tag.length - 1]!;
    else if (written.startsWith('entity.') || written.startsWith('metric.')) report(where, problems.entityTagInGroupBy(written));
    else if (EXPRESSION_NAMES.has(written) || written.includes('.') || written.includes('[')) report(where, problems.notASeriesPart(written));
    else {
      const meant = closest(written, ['entity', 'metric']);
      if (meant) report(where, problems.tagLooksLikePart(written, meant));
      normalised = written;
    }
    if (normalised === null) return;
    if (result.includes(normalised)) report(where, problems.duplicateGroupBy(written));
    else result.push(normalised);
  });
  return result;
}

function repeatSpec(
  value: unknown, path: DataPath, checkedDuration: (path: DataPath, field: string, written: string, allowZero: boolean) => number | null,
): RepeatSpec {
  if (!isFields(value)) return { kind: 'none' };
  if (typeof value.interval === 'string') {
    const ms = checkedDuration([...path, 'interval'], 'repeat.interval', value.interval, false);
    return { kind: 'interval', ms: ms ?? 0 };
  }
  if (typeof value.every === 'number') return { kind: 'every', count: value.every };
  return { kind: 'none' };
}

function flappingSpec(value: unknown, path: DataPath, report: Report): FlappingSpec | null {
  if (!isFields(value)) return null;
  const { window, low, high } = value;
  if (typeof window !== 'number' || typeof low !== 'number' || typeof high !== 'number') return null;
  const spec = { window, low, high };
  // Out-of-range numbers were reported by the schema; the engine's own rules cover the rest.
  const inRange = Number.isInteger(window) && window >= 2 && window <= MAX_FLAPPING_WINDOW && [low, high].every((r) => r >= 0 && r <= 1);
  const problem = inRange ? checkFlappingSpec(spec) : null;
  if (problem) report(low > high ? [...path, 'low'] : path, problems.invalidFlapping(problem));
  return spec;
}

function scheduleSpec(value: unknown, path: DataPath, zone: string, report: Report): ScheduleSpec | null {
  if (!isFields(value)) return null;
  const input: ScheduleInput = {};
  const days = typeof value.days === 'string' ? value.days : stringList(value.days);
  const hours = typeof value.hours === 'string' ? value.hours : stringList(value.hours);
  if (days === undefined || hours === undefined) return null;
  input.days = days;
  input.hours = hours;
  if (typeof value.timezone === 'string') input.timezone = value.timezone;
  const result = parseSchedule(input, zone);
  if (result.ok) return result.schedule;
  const { field, index, message, hint } = result.error;
  report(index === undefined ? [...path, field] : [...path, field, index], problems.invalidSchedule(message, hint));
  return null;
}

function overrides(
  value: unknown, path: DataPath, expression: (path: DataPath, value: unknown) => ExpressionSource | undefined, report: Report,
): OverrideSpec[] {
  if (!Array.isArray(value)) return [];
  const result: OverrideSpec[] = [];
  value.forEach((item: unknown, index) => {
    if (!isFields(item)) return;
    const when = expression([...path, index, 'when'], item.when);
    if (!when) return;
    const override: OverrideSpec = { when };
    if (isSeverity(item.severity)) override.severity = item.severity as Severity;
    if (item.disabled === true) override.disabled = true;
    const labels = stringMap(item.labels);
    if (Object.keys(labels).length > 0) override.labels = labels;
    if (override.severity === undefined && !override.disabled && !override.labels) report([...path, index], problems.overrideWithoutEffect());
    result.push(override);
  });
  return result;
}

function notify(value: unknown, path: DataPath, report: Report): NotifySpec[] {
  if (!Array.isArray(value)) return [];
  const result: NotifySpec[] = [];
  value.forEach((item: unknown, index) => {
    if (!isFields(item) || typeof item.webhook !== 'string') return;
    if (result.some((n) => n.webhook === item.webhook)) report([...path, index, 'webhook'], problems.duplicateNotify(item.webhook));
    const on = (stringList(item.on) as AlertStatus[] | undefined) ?? DEFAULT_NOTIFY_ON;
    const target: NotifySpec = { webhook: item.webhook, on: [...new Set(on)] };
    if (typeof item.template === 'string') target.template = item.template;
    result.push(target);
  });
  return result;
}

/**
 * `series_ttl` (default 1h in the schema), never shorter than what the rule needs: forgetting a
 * series before its window span, `for`, `keep_firing_for` or `no_data` could run out would change
 * what the rule decides. A shorter value is raised to that minimum; written explicitly, it also
 * gets a warning (the default is raised silently: the rule author asked for nothing).
 */
function seriesTtl(
  rule: RuleDefinition,
  fields: Fields,
  path: DataPath,
  written: boolean,
  checkedDuration: (path: DataPath, field: string, written: string, allowZero: boolean) => number | null,
  report: (path: DataPath, problem: RuleProblem) => void,
): number {
  const textValue = typeof fields.series_ttl === 'string' ? fields.series_ttl : '1h';
  const ms = checkedDuration(path, 'series_ttl', textValue, false) ?? 3_600_000;
  const needs: Array<[number, string]> = [
    [rule.window.kind === 'time' ? rule.window.ms : 0, 'window'],
    [rule.forMs, 'for'],
    [rule.keepFiringForMs, 'keep_firing_for'],
    [rule.noDataMs ?? 0, 'no_data'],
  ];
  const [needed, because] = needs.reduce((a, b) => (b[0] > a[0] ? b : a));
  if (ms >= needed) return ms;
  if (written) report(path, problems.seriesTtlRaised(textValue, formatDuration(needed), because));
  return needed;
}
