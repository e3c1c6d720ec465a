import { describe, expect, it } from 'vitest';
import { ArrayWindow, compile, defaultEnvironment, EvaluationError, formatDiagnostic, TIER_UP_AFTER, type WindowView } from '../../src/parser/index.js';
import { NULL, NUMBER } from '../../src/parser/types.js';
import { compileBoth, evaluate } from './helpers.js';

describe('arithmetic: + - * / % and unary -', () => {
  it.each([
    ['1 + 2', 3],
    ['5 - 7', -2],
    ['6 * 7', 42],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    // % keeps the sign of the dividend, as in JavaScript and C
    ['-7 % 3', -1],
    ['7 % -3', 1],
    ['5.5 % 2', 1.5],
    ['-(2 + 3)', -5],
    ['- -4', 4],
    ["'ab' + 'cd'", 'abcd'],
    ["'' + ''", ''],
    ['value * 2 + 1', 21],
    ['-value', -10],
  ])('%s = %j', (source, expected) => {
    expect(evaluate(source, { value: 10 })).toBe(expected);
  });
});

describe('comparison: == = != <> < <= > >=', () => {
  it.each([
    ['1 == 1', true], ['1 = 1', true], ['1 == 2', false],
    ['1 != 2', true], ['1 <> 2', true], ['1 != 1', false], ['1 <> 1', false],
    ['1 < 2', true], ['2 < 1', false], ['1 < 1', false],
    ['1 <= 1', true], ['2 <= 1', false],
    ['2 > 1', true], ['1 > 1', false],
    ['1 >= 1', true], ['0 >= 1', false],
    ['1 == 1.0', true],
    ['0.1 + 0.2 == 0.3', false],
    ["'a' == 'a'", true],
    // string comparison is case-sensitive and by UTF-16 code units
    ["'a' == 'A'", false],
    ["'a' < 'b'", true],
    ["'B' < 'a'", true],
    ["'abc' < 'abd'", true],
    ["'10' < '9'", true],
    ['true == true', true],
    ['true != false', true],
    ['entity.enabled == false', true],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source, { entity: { enabled: false } })).toBe(expected);
  });
});

describe('logical: && AND || OR ! NOT', () => {
  const table: [string, boolean, boolean][] = [
    [' && ', false, false], [' AND ', false, false], [' || ', false, true], [' OR ', false, true],
  ];
  it.each([true, false])('with left %s', (left) => {
    for (const right of [true, false]) {
      for (const [operator] of table) {
        const expected = operator.includes('&') || operator.includes('AND') ? left && right : left || right;
        expect(evaluate(`${left}${operator}${right}`)).toBe(expected);
      }
    }
  });

  it.each([
    ['!true', false], ['!false', true], ['NOT true', false], ['not false', true], ['!!true', true],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it('short-circuits: the right side is not evaluated when the left decides', () => {
    let reads = 0;
    const window: WindowView = { length: 1, time: () => 0, value: () => (reads++, 1) };
    expect(compileBoth('false && last() > 0').evaluate({ window })).toBe(false);
    expect(compileBoth('true || last() > 0').evaluate({ window })).toBe(true);
    expect(compileBoth('true ? 1 : last()').evaluate({ window })).toBe(1);
    expect(reads).toBe(0);
  });
});

describe('[NOT] IN (…)', () => {
  it.each([
    ['1 IN (1, 2)', true],
    ['3 IN (1, 2)', false],
    ['3 NOT IN (1, 2)', true],
    ["'b' IN ('a', 'b')", true],
    ["'B' IN ('a', 'b')", false],
    ['value IN (value)', true],
    ['value + 1 IN (10, 11)', true],
    // more than eight literals use a set: same results
    ['9 IN (1, 2, 3, 4, 5, 6, 7, 8, 9)', true],
    ['0 IN (1, 2, 3, 4, 5, 6, 7, 8, 9)', false],
    ["'i' IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i')", true],
    ["'z' NOT IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i')", true],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source, { value: 10 })).toBe(expected);
  });
});

describe('[NOT] BETWEEN a AND b (inclusive)', () => {
  it.each([
    ['5 BETWEEN 1 AND 10', true],
    ['1 BETWEEN 1 AND 10', true],
    ['10 BETWEEN 1 AND 10', true],
    ['11 BETWEEN 1 AND 10', false],
    ['5 BETWEEN 10 AND 1', false],
    ['5 NOT BETWEEN 1 AND 10', false],
    ['0 NOT BETWEEN 1 AND 10', true],
    ["'b' BETWEEN 'a' AND 'c'", true],
    ["'d' BETWEEN 'a' AND 'c'", false],
    ['value BETWEEN value - 1 AND value + 1', true],
  ])('%s is %j', (source, expected) => {
    expect(evaluate(source, { value: 10 })).toBe(expected);
  });
});

describe('?: conditional', () => {
  it.each([
    ['value > 5 ? 1 : 2', { value: 10 }, 1],
    ['value > 5 ? 1 : 2', { value: 1 }, 2],
    ["value > 5 ? 'high' : value > 2 ? 'mid' : 'low'", { value: 3 }, 'mid'],
    ['value > 5 ? value : null', { value: 1 }, null],
    ['true ? false : true', {}, false],
  ])('%s with %j is %j', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });
});

/** SPEC §2 "Null". */
describe('null: a missing field is null, never an exception', () => {
  it.each([
    ['value', {}, null],
    ['text', {}, null],
    ['tags.env', {}, null],
    ['tags.env', { tags: {} }, null],
    ['entity.tags.env', { entity: 'e1' }, null],
    ['entity.tags.env', { entity: { tags: null } }, null],
    ['entity.label', { entity: 42 }, null],
    ['metric.units', {}, null],
  ])('%s in %j is null', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });

  it.each([
    // equality: null == null; x != null tests presence
    ['null == null', {}, true],
    ['null != null', {}, false],
    ['value == null', {}, true],
    ['value == null', { value: 0 }, false],
    ['value != null', {}, false],
    ['value != null', { value: 0 }, true],
    ['tags.env != null', { tags: { env: '' } }, true],
    ['value == 1', {}, false],
    ['value != 1', {}, true],
    // ordering with null is false, both ways
    ['value < 1', {}, false],
    ['value <= 1', {}, false],
    ['value > 1', {}, false],
    ['value >= 1', {}, false],
    ['1 < value', {}, false],
    ['1 >= value', {}, false],
    ['value <= value', {}, false],
    ['null >= null', {}, false],
    ["tags.x < 'a'", {}, false],
    // arithmetic with null is null
    ['value + 1', {}, null],
    ['1 - value', {}, null],
    ['value * 2', {}, null],
    ['value / 2', {}, null],
    ['value % 2', {}, null],
    ['-value', {}, null],
    ['value + null', { value: 1 }, null],
    ["tags.x + 'a'", {}, null],
    // && || ! treat null as false
    ['null && true', {}, false],
    ['true && null', {}, false],
    ['null || true', {}, true],
    ['null || false', {}, false],
    ['null || null', {}, false],
    ['!null', {}, true],
    ['NOT null', {}, true],
    ['entity.enabled && true', {}, false],
    ['entity.enabled || true', {}, true],
    ['!entity.enabled', {}, true],
    ['null ? 1 : 2', {}, 2],
    ['entity.enabled ? 1 : 2', {}, 2],
    // IN with a null item finds a null value (null == null)
    ['value IN (1, null)', {}, true],
    ['value IN (1, 2)', {}, false],
    ['value BETWEEN 1 AND 10', {}, false],
    ['5 BETWEEN value AND 10', {}, false],
    ["tags.x LIKE '*'", {}, false],
  ])('%s with %j is %j', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });
});

describe('division and modulo by zero give null, not an error', () => {
  it.each([
    ['1 / 0', {}],
    ['0 / 0', {}],
    ['5 % 0', {}],
    ['value / 0', { value: 3 }],
    ['value % (value - value)', { value: 3 }],
    ['1 / -0', {}],
  ])('%s is null', (source, context) => {
    expect(evaluate(source, context)).toBe(null);
  });

  it('so a comparison with it is false', () => {
    expect(evaluate('value / 0 > 1', { value: 3 })).toBe(false);
    expect(evaluate('value / 0 == null', { value: 3 })).toBe(true);
  });
});

describe('NOT IN, NOT LIKE and NOT BETWEEN are the exact negation of the positive form', () => {
  const contexts = [{}, { value: 1, text: 'abc' }, { value: 5, text: 'xyz' }, { value: null, text: null }];
  it.each([
    ['value IN (1, 2)', 'value NOT IN (1, 2)'],
    ['value IN (1, null)', 'value NOT IN (1, null)'],
    ['value IN (1, 2, 3, 4, 5, 6, 7, 8, 9)', 'value NOT IN (1, 2, 3, 4, 5, 6, 7, 8, 9)'],
    ["text LIKE 'a*'", "text NOT LIKE 'a*'"],
    ["text LIKE tags.p", "text NOT LIKE tags.p"],
    ['value BETWEEN 1 AND 3', 'value NOT BETWEEN 1 AND 3'],
  ])('%s / %s', (positive, negative) => {
    for (const context of contexts) {
      const yes = evaluate(positive, context);
      expect(typeof yes).toBe('boolean');
      expect(evaluate(negative, context)).toBe(!yes);
      expect(evaluate(`NOT (${positive})`, context)).toBe(!yes);
    }
  });
});

describe('names read from the context', () => {
  it.each([
    ['value', { value: 42.5 }, 42.5],
    ['text', { text: 'disk full' }, 'disk full'],
    ['metric', { metric: 'cpu.busy' }, 'cpu.busy'],
    ['metric', { metric: { name: 'cpu.busy', units: '%' } }, 'cpu.busy'],
    ['metric.name', { metric: 'cpu.busy' }, 'cpu.busy'],
    ['metric.name', { metric: { name: 'cpu.busy' } }, 'cpu.busy'],
    ['metric.label', { metric: { label: 'CPU' } }, 'CPU'],
    ['metric.units', { metric: { units: '%' } }, '%'],
    ['metric.description', { metric: { description: 'busy time' } }, 'busy time'],
    ['metric.tags.team', { metric: { tags: { team: 'infra' } } }, 'infra'],
    ['entity', { entity: 'db-7' }, 'db-7'],
    ['entity', { entity: { name: 'db-7' } }, 'db-7'],
    // regression: entity.name and metric.name were null when the context gave a bare name
    ['entity.name', { entity: 'db-7' }, 'db-7'],
    ['entity.name', { entity: { name: 'db-7' } }, 'db-7'],
    ['entity.label', { entity: { label: 'Database 7' } }, 'Database 7'],
    ['entity.enabled', { entity: { enabled: true } }, true],
    ['entity.tags.env', { entity: { tags: { env: 'prod' } } }, 'prod'],
    ["entity.tags['env']", { entity: { tags: { env: 'prod' } } }, 'prod'],
    ['tags.env', { tags: { env: 'prod' } }, 'prod'],
    ["tags['key-with-dash']", { tags: { 'key-with-dash': 'x' } }, 'x'],
    ["tags['']", { tags: { '': 'empty key' } }, 'empty key'],
    ['tags[tags.which]', { tags: { which: 'env', env: 'prod' } }, 'prod'],
    ['rule', { rule: 'cpu-high' }, 'cpu-high'],
    ['severity', { severity: 'major' }, 'major'],
    ['status', { status: 'open' }, 'open'],
    ['before_status', { before_status: 'pending' }, 'pending'],
    ['repeat_count', { repeat_count: 0 }, 0],
    ['open_value', { open_value: 95 }, 95],
    ['alert_duration', { alert_duration: 300 }, 300],
    ['time', { time: 1_700_000_000_000 }, 1_700_000_000_000],
    ['time', { time: '2024-01-01T00:00:00Z' }, Date.UTC(2024, 0, 1)],
    ['now', { now: '2024-01-01T00:00:01.5Z' }, Date.UTC(2024, 0, 1, 0, 0, 1, 500)],
  ])('%s in %j is %j', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });

  it.each([
    // a value of the wrong kind reads as null, so operators never see it
    ['value', { value: '5' }, null],
    ['value', { value: true }, null],
    ['value', { value: Number.NaN }, null],
    ['text', { text: 5 }, null],
    ['entity.enabled', { entity: { enabled: 'yes' } }, null],
    ['entity', { entity: { name: 7 } }, null],
    ['time', { time: 'not a time' }, null],
    // tag values are text; numbers and booleans are shown as text, anything else is null
    ['tags.n', { tags: { n: 5 } }, '5'],
    ['tags.b', { tags: { b: false } }, 'false'],
    ['tags.o', { tags: { o: { x: 1 } } }, null],
    ['tags.a', { tags: { a: ['x'] } }, null],
    ["tags[tags.k]", { tags: { k: 'n', n: 5 } }, '5'],
    ['tags.env', { tags: 'env=prod' }, null],
  ])('%s in %j is %j', (source, context, expected) => {
    expect(evaluate(source, context)).toBe(expected);
  });

  it.each([null, undefined, 5, 'text', true, () => 1])('a context that is not an object (%s) reads as empty', (context) => {
    expect(compileBoth('value == null').evaluate(context as unknown as object)).toBe(true);
  });

  it.each([null, 'text', 5, () => 1])('also for names a string, number or function has (length, toFixed, name): %s', (context) => {
    const names = ['length', 'toFixed', 'name', '0'].map((name) => ({ name: `f${name}`, type: NUMBER | NULL, path: [name], description: '' }));
    const env = defaultEnvironment.extend({ variables: names });
    const compiled = compileBoth('flength == null && ftoFixed == null && fname == null && f0 == null', { env });
    expect(compiled.evaluate(context as unknown as object)).toBe(true);
    expect(compiled.evaluate({ length: 1 })).toBe(false);
  });
});

describe('evaluate throws only EvaluationError, pointing at the failing call', () => {
  const broken: WindowView = {
    length: 3,
    time: (i) => i * 1000,
    value: () => {
      throw new Error('storage gone');
    },
  };

  it('a failing window implementation becomes an EvaluationError with the span of the call', () => {
    const compiled = compileBoth('value > 1 && avg(5) > 2', { origin: { file: 'rules/x.yaml' } });
    let error: unknown;
    try {
      compiled.evaluate({ value: 5, window: broken });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EvaluationError);
    const diagnostic = (error as EvaluationError).diagnostic;
    expect(formatDiagnostic(diagnostic)).toBe(
      [
        'rules/x.yaml:1:14 error: evaluation failed: storage gone',
        '  value > 1 && avg(5) > 2',
        '               ^^^^^^',
      ].join('\n'),
    );
    expect(diagnostic.code).toBe('runtime-error');
    expect((error as EvaluationError).cause).toBeInstanceOf(Error);
  });

  it('a throwing getter in the context is an EvaluationError too', () => {
    const context = Object.defineProperty({}, 'value', {
      get() {
        throw new Error('no');
      },
    });
    expect(() => compileBoth('value > 1').evaluate(context)).toThrow(EvaluationError);
  });
});

describe('fields are read where first needed, and at most once per evaluation', () => {
  /** A context whose top-level fields count how often they are read. */
  function counting(fields: Record<string, unknown>) {
    const reads: Record<string, number> = {};
    const context = {};
    for (const [key, value] of Object.entries(fields)) {
      Object.defineProperty(context, key, {
        enumerable: true,
        get: () => {
          reads[key] = (reads[key] ?? 0) + 1;
          return value;
        },
      });
    }
    return { context, reads };
  }

  it.each([
    // the left side decides: the tags are never read
    ["value > 80 && tags.env == 'prod'", { value: 50, tags: { env: 'prod' } }, false, { value: 1 }],
    ["value > 80 && tags.env == 'prod'", { value: 90, tags: { env: 'prod' } }, true, { value: 1, tags: 1 }],
    ['value > 1 && value < 10', { value: 5 }, true, { value: 1 }],
    ["entity.tags.a == 'x' || entity.tags.b == 'y'", { entity: { tags: { b: 'y' } } }, true, { entity: 1 }],
    ['abs(value - 50) * 2 + 10 > value', { value: 95 }, true, { value: 1 }],
    // first read in a branch that ran, then needed again after it
    ['(repeat_count > 0 && value > 1) || value < 0', { repeat_count: 1, value: -1 }, true, { repeat_count: 1, value: 1 }],
    // first read in a branch that did not run
    ['(repeat_count > 0 && value > 1) || value < 0', { repeat_count: 0, value: -1 }, true, { repeat_count: 1, value: 1 }],
    ['repeat_count > 0 ? value : value + 1', { repeat_count: 0, value: 1 }, 2, { repeat_count: 1, value: 1 }],
  ])('%s with %j', (source, fields, expected, reads) => {
    // Caching reads is the generated code's; the interpreter reads a field each time it is used.
    const counted = counting(fields);
    expect(compile(source, { evaluator: 'generated' }).evaluate(counted.context)).toBe(expected);
    expect(counted.reads).toEqual(reads);
  });

  it('a getter failing after a window call is not blamed on the call', () => {
    const context = Object.defineProperty({ window: ArrayWindow.from([1, 2, 3]) }, 'value', {
      get() {
        throw new Error('no');
      },
    });
    let error: unknown;
    try {
      compileBoth('count() > 1 && value > 1').evaluate(context);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as EvaluationError).diagnostic).toMatchObject({ column: 1, length: 'count() > 1 && value > 1'.length });
  });
});

describe('the compiled expression', () => {
  it('keeps its source, AST, type and generated code', () => {
    const compiled = compileBoth('value > avg(5)');
    expect(compiled.source).toBe('value > avg(5)');
    expect(compiled.ast.kind).toBe('binary');
    expect(compiled.type).toBe(4 /* BOOLEAN */);
    expect(compiled.code).toContain('function evaluate(c)');
  });

  it('lists the window ranges it reads, so the engine can size windows', () => {
    expect(compile("avg() + max(5) + min('10 minute') + percentile(95, 20) + count(value)").windowRanges).toEqual([
      { mode: 0, amount: 0 },
      { mode: 1, amount: 5 },
      { mode: 2, amount: 600_000 },
      { mode: 1, amount: 20 },
      { mode: 1, amount: expect.objectContaining({ kind: 'name', name: 'value' }) },
    ]);
  });

  it('is reusable: evaluations do not leak into each other', () => {
    const compiled = compileBoth("coalesce(tags.a, 'none') + '/' + (value > 1 ? 'hi' : 'lo')");
    expect(compiled.evaluate({ tags: { a: 'x' }, value: 5 })).toBe('x/hi');
    expect(compiled.evaluate({ tags: { a: 'y' } })).toBe('y/lo');
    expect(compiled.evaluate({ tags: {}, value: 0 })).toBe('none/lo');
  });
});

describe('numbers that overflow', () => {
  it('never come out as NaN: a NaN result is null', () => {
    const window = new ArrayWindow([{ time: 0, value: 1.8961503816218355e154 }, { time: 1000, value: 0 }]);
    expect(compileBoth('0 + (variance() % 0.5)').evaluate({ window })).toBeNull();
    expect(compileBoth('value * 1e308 - value * 1e308').evaluate({ value: 10 })).toBeNull();
    expect(compileBoth('value * 2').evaluate({ value: 21 })).toBe(42);
  });
});

describe('tiers: interpreted first, generated once evaluated often', () => {
  it('interprets a new expression and switches to generated code after TIER_UP_AFTER evaluations', () => {
    const compiled = compile("value > 80 && tags.env == 'prod'");
    const early = compiled.evaluate;
    expect(compiled.tier).toBe('interpreted');
    for (let i = 1; i < TIER_UP_AFTER; i++) expect(compiled.evaluate({ value: 81 + i, tags: { env: 'prod' } })).toBe(true);
    expect(compiled.tier).toBe('interpreted');
    expect(compiled.evaluate({ value: 90, tags: { env: 'dev' } })).toBe(false);
    expect(compiled.tier).toBe('generated');
    expect(compiled.evaluate).not.toBe(early);
    // A reference kept from before the switch goes on giving the same answers.
    expect(early({ value: 90, tags: { env: 'prod' } })).toBe(true);
    expect(early({ value: 70, tags: { env: 'prod' } })).toBe(false);
  });

  it("generates at once with evaluator 'generated', and never with 'interpreted'", () => {
    expect(compile('value > 1', { evaluator: 'generated' }).tier).toBe('generated');
    const interpreted = compile('value > 1', { evaluator: 'interpreted' });
    for (let i = 0; i < 3 * TIER_UP_AFTER; i++) interpreted.evaluate({ value: i });
    expect(interpreted.tier).toBe('interpreted');
  });

  it('switches when the generated code is asked for', () => {
    const compiled = compile('value * 2');
    expect(compiled.code).toContain('function evaluate(c)');
    expect(compiled.tier).toBe('generated');
    expect(compiled.evaluate({ value: 4 })).toBe(8);
  });

});
