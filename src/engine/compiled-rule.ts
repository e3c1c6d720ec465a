/**
 * A rule definition with its expressions compiled once. Compilation errors were reported when the
 * rule file was loaded, so here they are programmer errors and throw.
 */
import { compile, type CompiledExpression } from '../parser/index.js';
import { isGlob } from './routing.js';
import type { ExpressionSource, OverrideSpec, RuleDefinition } from './rule.js';
import type { StepRule } from './state.js';

export interface CompiledCondition {
  compiled: CompiledExpression;
}

export interface CompiledRule {
  definition: RuleDefinition;
  /** Identity of the definition for reloads: same fingerprint, same behaviour. */
  fingerprint: string;
  stepRule: StepRule;
  filter: CompiledCondition | null;
  condition: CompiledCondition;
  cancelWhen: CompiledCondition | null;
  expect: CompiledCondition | null;
  overrides: Array<Omit<OverrideSpec, 'when'> & { when: CompiledCondition }>;
  /** The default series key includes the metric when the rule can match several metrics. */
  keyIncludesMetric: boolean;
}

function condition(source: ExpressionSource, timezone: string): CompiledCondition {
  return { compiled: compile(source.text, { expect: 'boolean', origin: source.origin, timezone }) };
}

export function fingerprintOf(definition: RuleDefinition): string {
  return JSON.stringify(definition, (key, value: unknown) => (key === 'origin' || key === 'file' || key === 'line' ? undefined : value));
}

export function compileRule(definition: RuleDefinition): CompiledRule {
  const tz = definition.timezone;
  return {
    definition,
    fingerprint: fingerprintOf(definition),
    stepRule: {
      name: definition.name,
      forMs: definition.forMs,
      keepFiringForMs: definition.keepFiringForMs,
      repeat: definition.repeat,
      noDataMs: definition.noDataMs,
      flapping: definition.flapping,
    },
    filter: definition.filter ? condition(definition.filter, tz) : null,
    condition: condition(definition.condition, tz),
    cancelWhen: definition.cancelWhen ? condition(definition.cancelWhen, tz) : null,
    expect: definition.expect ? condition(definition.expect, tz) : null,
    overrides: definition.overrides.map((o) => ({ ...o, when: condition(o.when, tz) })),
    keyIncludesMetric: definition.metrics.length > 1 || definition.metrics.some(isGlob),
  };
}
