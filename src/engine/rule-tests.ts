/**
 * `tocsin test`: runs the `tests:` of rule files, like `promtool test rules`. Each test feeds its
 * series (promtool-like notation) through a fresh engine in data time, lets the timers run up to
 * the last expected time, and compares the emitted events with the expected ones. A failure shows
 * a readable diff: `-` expected but not emitted, `+` emitted but not expected.
 */
import type { Diagnostic } from '../parser/diagnostics.js';
import type { AlertEventData, TocsinEvent } from '../model/event.js';
import { formatDuration } from '../model/duration.js';
import { Engine } from './engine.js';
import type { RuleDefinition, RuleTestSpec } from './rule.js';
import { parseSeriesNotation, parseTestTime } from './series-notation.js';

export interface TestOutcome {
  name: string;
  /** file:line of the test. */
  location: string;
  passed: boolean;
  /** Diagnostics of the test itself (bad input notation, bad `at:`), when it could not run. */
  diagnostics: Diagnostic[];
  /** Diff lines when it ran and failed. */
  diff: string[];
  events: number;
}

interface Expectation {
  at: number;
  atText: string;
  event: string;
  fields: Record<string, unknown>;
}

/** Expectation fields and how each reads an event. */
const FIELDS: Record<string, (event: TocsinEvent) => unknown> = {
  entity: (e) => alertData(e)?.entity.name,
  rule: (e) => alertData(e)?.rule ?? (e.data as { rule?: unknown }).rule,
  metric: (e) => alertData(e)?.metric.name,
  severity: (e) => e.severity,
  status: (e) => alertData(e)?.status,
  reason: (e) => alertData(e)?.reason,
  value: (e) => alertData(e)?.value,
  open_value: (e) => alertData(e)?.open_value,
  repeat_count: (e) => alertData(e)?.repeat_count,
  series_key: (e) => alertData(e)?.series_key,
  message: (e) => alertData(e)?.message,
  tags: (e) => alertData(e)?.tags,
  labels: (e) => alertData(e)?.labels,
};

function alertData(event: TocsinEvent): AlertEventData | null {
  return event.type.startsWith('alert.') ? (event.data as AlertEventData) : null;
}

function fieldMatches(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && actual !== null && typeof actual === 'object') {
    // Objects (tags, labels) match when every expected key matches.
    return Object.entries(expected).every(([k, v]) => String((actual as Record<string, unknown>)[k]) === String(v));
  }
  if (typeof expected === 'number' && typeof actual === 'number') return Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected));
  return String(expected) === String(actual ?? 'null');
}

function describeTime(ms: number): string {
  return ms === 0 ? '0s' : formatDuration(ms).replace(/ /g, '');
}

function describe(at: string, type: string, fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `at ${at.padEnd(8)} ${type.padEnd(14)} ${parts.join(' ')}`.trimEnd();
}

export function runRuleTest(rules: readonly RuleDefinition[], test: RuleTestSpec): TestOutcome {
  const location = `${test.origin.file}:${test.origin.line}`;
  const outcome: TestOutcome = { name: test.name, location, passed: false, diagnostics: [], diff: [], events: 0 };
  const parsed = parseSeriesNotation(test.input, { origin: test.origin });
  outcome.diagnostics.push(...parsed.diagnostics);
  const expectations: Expectation[] = [];
  for (const item of test.expect) {
    const { at, event, ...fields } = item;
    for (const name of Object.keys(fields)) {
      if (!FIELDS[name]) {
        outcome.diagnostics.push({
          severity: 'error', code: 'test-field', file: test.origin.file, line: test.origin.line, column: test.origin.column, length: 1,
          message: `test '${test.name}': unknown expectation field '${name}'`,
          hint: `fields are at, event, ${Object.keys(FIELDS).join(', ')}`,
        });
      }
    }
    const time = parseTestTime(String(at));
    // The time's own position is not known (expectations carry none): point at the test.
    if (!time.ok) {
      const { sourceLine: _unplaced, ...diagnostic } = time.diagnostic;
      outcome.diagnostics.push({ ...diagnostic, file: test.origin.file, line: test.origin.line, column: test.origin.column, length: 1 });
    }
    else expectations.push({ at: time.ms, atText: String(at), event: String(event), fields });
  }
  if (outcome.diagnostics.length > 0) return outcome;

  const entities = Object.entries(test.entities ?? {}).map(([name, e]) => ({
    name, enabled: e.enabled ?? true, tags: { ...(e.tags ?? {}) }, ...(e.label !== undefined ? { label: e.label } : {}),
  }));
  const engine = new Engine({ clock: { mode: 'data' }, rules, entities });
  const emitted = [...engine.ingest(parsed.samples).events];
  const horizon = Math.max(0, ...parsed.samples.map((s) => s.time), ...expectations.map((e) => e.at));
  emitted.push(...engine.advance(horizon).events);
  const actual = emitted.map((e) => e.event);
  outcome.events = actual.length;

  const unmatched = [...actual];
  const missing: Expectation[] = [];
  for (const expected of expectations) {
    const index = unmatched.findIndex((event) =>
      event.type === expected.event
      && Date.parse(event.time) === expected.at
      && Object.entries(expected.fields).every(([name, value]) => fieldMatches(value, FIELDS[name]!(event))));
    if (index >= 0) unmatched.splice(index, 1);
    else missing.push(expected);
  }
  outcome.passed = missing.length === 0 && unmatched.length === 0;
  for (const expected of missing) outcome.diff.push(`- ${describe(expected.atText, expected.event, expected.fields)}`);
  for (const event of unmatched) {
    const data = alertData(event);
    const fields: Record<string, unknown> = data ? { entity: data.entity.name, value: data.value } : {};
    if (data?.reason) fields.reason = data.reason;
    outcome.diff.push(`+ ${describe(describeTime(Date.parse(event.time)), event.type, fields)}`);
  }
  return outcome;
}

/** Runs every test against the rules of its own file. */
export function runRuleTests(rules: readonly RuleDefinition[], tests: readonly RuleTestSpec[]): TestOutcome[] {
  return tests.map((test) => runRuleTest(rules.filter((rule) => rule.file === test.origin.file), test));
}

export function formatOutcome(outcome: TestOutcome): string {
  if (outcome.passed) return `ok    ${outcome.location}  ${outcome.name}`;
  const lines = [`FAIL  ${outcome.location}  ${outcome.name}`];
  if (outcome.diff.length > 0) {
    lines.push('      - expected, not emitted    + emitted, not expected');
    for (const line of outcome.diff) lines.push(`      ${line}`);
  }
  return lines.join('\n');
}
