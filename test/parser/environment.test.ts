import { describe, expect, it } from 'vitest';
import { check, compile, defaultEnvironment, DEFAULT_FUNCTIONS, DEFAULT_VARIABLES, Environment } from '../../src/parser/index.js';
import { NULL, NUMBER, STRING } from '../../src/parser/types.js';
import { compileBoth } from './helpers.js';

describe('the default environment: names of SPEC §2', () => {
  it.each([
    'value', 'text', 'time', 'now', 'metric', 'metric.name', 'metric.label', 'metric.units', 'metric.description', 'metric.tags',
    'entity', 'entity.name', 'entity.label', 'entity.enabled', 'entity.tags', 'tags', 'rule', 'severity', 'status',
    'before_status', 'repeat_count', 'open_value', 'alert_duration',
  ])('declares %s', (name) => {
    expect(defaultEnvironment.variable(name)).toBeDefined();
  });

  it.each([
    'avg', 'min', 'max', 'sum', 'count', 'median', 'percentile', 'stdev', 'variance', 'first', 'last', 'delta', 'rate', 'wavg',
    'abs', 'round', 'floor', 'ceil', 'sqrt', 'log', 'exp', 'pow', 'coalesce', 'lower', 'upper', 'contains', 'startsWith',
    'endsWith', 'length', 'toNumber', 'hour', 'dayOfWeek',
  ])('declares %s()', (name) => {
    expect(defaultEnvironment.function(name)).toBeDefined();
  });

  it('lists the fields of a name', () => {
    expect(defaultEnvironment.fieldsOf('entity')).toEqual(['name', 'label', 'enabled', 'tags']);
    expect(defaultEnvironment.fieldsOf('value')).toEqual([]);
  });

  it('exports the declarations it is built from', () => {
    expect(defaultEnvironment.variableNames()).toEqual(DEFAULT_VARIABLES.map((v) => v.name));
    expect(defaultEnvironment.functionNames()).toEqual(DEFAULT_FUNCTIONS.map((f) => f.name));
  });
});

describe('extending an environment', () => {
  const env = defaultEnvironment.extend({
    variables: [
      { name: 'threshold', type: NUMBER | NULL, path: ['rule_params', 'threshold'], description: 'from the rule' },
      { name: 'labels', type: 16 /* MAP */, path: ['labels'], description: 'rule labels' },
      { name: 'team', type: STRING | NULL, path: ['labels', 'team'], description: 'the team' },
    ],
  });

  it('adds names, read from their path in the context', () => {
    const compiled = compileBoth("value > threshold && labels.tier == 'gold' && team == 'infra'", { env });
    expect(compiled.evaluate({ value: 5, rule_params: { threshold: 3 }, labels: { tier: 'gold', team: 'infra' } })).toBe(true);
    expect(compiled.evaluate({ value: 5 })).toBe(false);
  });

  it('returns a new environment and leaves the default alone', () => {
    expect(env).not.toBe(defaultEnvironment);
    expect(env).toBeInstanceOf(Environment);
    expect(check('threshold > 1').map((d) => d.code)).toEqual(['unknown-name']);
    expect(check('threshold > 1', { env })).toEqual([]);
  });

  it('keeps its time zone unless given another', () => {
    expect(env.timezone).toBe('UTC');
    expect(env.extend({ timezone: 'Asia/Tokyo' }).timezone).toBe('Asia/Tokyo');
    expect(compileBoth('hour()', { env: env.extend({ timezone: 'Asia/Tokyo' }) }).evaluate({ time: Date.UTC(2024, 0, 1, 0) })).toBe(9);
    // the compile option wins over the environment's zone
    expect(compileBoth('hour()', { env: env.extend({ timezone: 'Asia/Tokyo' }), timezone: 'UTC' }).evaluate({ time: Date.UTC(2024, 0, 1, 0) })).toBe(0);
  });
});
