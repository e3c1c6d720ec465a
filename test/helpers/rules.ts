import type { ExpressionSource, RuleDefinition } from '../../src/engine/rule.js';

export function expression(text: string, file = 'test.yaml'): ExpressionSource {
  return { text, origin: { file } };
}

type RuleInput = Partial<Omit<RuleDefinition, 'condition' | 'filter' | 'cancelWhen' | 'expect'>> & {
  condition: string;
  filter?: string;
  cancelWhen?: string;
  expect?: string;
};

/** A complete rule definition with the loader's defaults, for engine tests. */
export function makeRule(input: RuleInput): RuleDefinition {
  const { condition, filter, cancelWhen, expect, ...rest } = input;
  const rule: RuleDefinition = {
    name: 'test-rule',
    file: 'test.yaml',
    line: 1,
    metrics: ['cpu'],
    groupBy: null,
    window: { kind: 'length', size: 1 },
    forMs: 0,
    keepFiringForMs: 0,
    repeat: { kind: 'none' },
    noDataMs: null,
    seriesTtlMs: 3_600_000,
    maxSeries: 100_000,
    flapping: null,
    schedule: null,
    severity: 'warning',
    overrides: [],
    labels: {},
    notify: [],
    message: '',
    timezone: 'UTC',
    enabled: true,
    ...rest,
    condition: expression(condition),
  };
  if (filter) rule.filter = expression(filter);
  if (cancelWhen) rule.cancelWhen = expression(cancelWhen);
  if (expect) rule.expect = expression(expect);
  return rule;
}
