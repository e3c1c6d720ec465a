import { describe, expect, it } from 'vitest';
import { formatOutcome, runRuleTest } from '../../src/engine/rule-tests.js';
import type { RuleTestSpec } from '../../src/engine/rule.js';
import { makeRule } from '../helpers/rules.js';

const containerDown = makeRule({
  name: 'container-down',
  metrics: ['docker.cpu.busy'],
  condition: "value != 0 && entity.tags.status != 'exited'",
  forMs: 2 * 60_000,
  keepFiringForMs: 5 * 60_000,
});

const spec = (expect: RuleTestSpec['expect']): RuleTestSpec => ({
  name: 'stopped container opens then cancels',
  input: 'docker.cpu.busy{entity=c1,status=running} 0@0s 5@60s 5@120s 5@180s 0@240s',
  expect,
  origin: { file: 'test.yaml', line: 20, column: 5 },
});

describe('rule tests (the SPEC §3 example)', () => {
  it('passes when the expected events are exactly the emitted ones', () => {
    const outcome = runRuleTest([containerDown], spec([
      { at: '180s', event: 'alert.open', entity: 'c1' },
      { at: '240s+5m', event: 'alert.cancel', entity: 'c1' },
    ]));
    expect(outcome.diagnostics).toEqual([]);
    expect(formatOutcome(outcome)).toBe('ok    test.yaml:20  stopped container opens then cancels');
  });

  it('fails with a readable diff on a wrong expectation', () => {
    const outcome = runRuleTest([containerDown], spec([
      { at: '120s', event: 'alert.open', entity: 'c1' },
      { at: '240s+5m', event: 'alert.cancel', entity: 'c1' },
    ]));
    expect(outcome.passed).toBe(false);
    expect(formatOutcome(outcome)).toBe([
      'FAIL  test.yaml:20  stopped container opens then cancels',
      '      - expected, not emitted    + emitted, not expected',
      '      - at 120s     alert.open     entity=c1',
      '      + at 3m       alert.open     entity=c1 value=5',
    ].join('\n'));
  });

  it('reports unknown expectation fields and bad times instead of running', () => {
    const outcome = runRuleTest([containerDown], spec([{ at: '3 parsecs', event: 'alert.open', colour: 'red' }]));
    expect(outcome.passed).toBe(false);
    expect(outcome.diagnostics.map((d) => d.code).sort()).toEqual(['test-field', 'test-time']);
  });
});
