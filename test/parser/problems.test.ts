/**
 * Every diagnostic code, printed exactly as a user sees it: message, source line, caret and hint.
 * The codes are stable (docs/expressions.md lists them); a change here is a change users notice.
 */
import { describe, expect, it } from 'vitest';
import { check, compile, DiagnosticError } from '../../src/parser/index.js';
import { MAX_NESTING } from '../../src/parser/parser.js';
import { printed } from './helpers.js';

const NAMES = 'value, text, time, now, metric, entity, tags, rule, severity, status, before_status, repeat_count, open_value, alert_duration';

const lines = (...text: string[]) => text.join('\n');

describe('diagnostics of the lexer and the parser', () => {
  it.each([
    [
      'unexpected-character',
      "value > 80 && entity.tags.env == 'prod' # comment",
      lines(
        "<expression>:1:41 error: unexpected character '#'",
        "  value > 80 && entity.tags.env == 'prod' # comment",
        '                                          ^',
        "  hint: names are plain words like value, entity.tags.env or tags['with-dash']",
      ),
    ],
    [
      'unterminated-string',
      "entity.tags.env == 'prod",
      lines(
        '<expression>:1:20 error: string is not closed',
        "  entity.tags.env == 'prod",
        '                     ^',
        "  hint: add the closing ' on the same line",
      ),
    ],
    [
      'syntax-error',
      'value > 80 value',
      lines(
        "<expression>:1:12 error: unexpected 'value' after a complete expression",
        '  value > 80 value',
        '             ^^^^^',
        '  hint: two values need an operator between them (&&, ||, ==, +, …)',
      ),
    ],
    [
      'syntax-error',
      'value NOT 3',
      lines(
        "<expression>:1:11 error: expected IN, LIKE or BETWEEN but found '3'",
        '  value NOT 3',
        '            ^',
        "  hint: NOT here must be followed by IN (…), LIKE '…' or BETWEEN a AND b; to negate a condition write NOT before it",
      ),
    ],
    [
      'syntax-error',
      "tags.'env'",
      lines(
        "<expression>:1:6 error: expected a field name but found 'env'",
        "  tags.'env'",
        '       ^^^^^',
        "  hint: write a name after the dot, or tags['key'] for a key with other characters",
      ),
    ],
    [
      'unexpected-end',
      'value > 80 &&',
      lines(
        "<expression>:1:14 error: expected a value (a number, a string, a name or '(') but found the end of the expression",
        '  value > 80 &&',
        '               ^',
        '  hint: the expression stops too early; finish it',
      ),
    ],
    [
      'unexpected-end',
      '(value > 3',
      lines(
        "<expression>:1:11 error: expected ')' but found the end of the expression",
        '  (value > 3',
        '            ^',
        "  hint: close the '(' with ')'",
      ),
    ],
    [
      'empty-expression',
      '',
      lines('<expression>:1:1 error: the expression is empty', '  ', '  ^', '  hint: write a condition such as value > 80'),
    ],
    [
      'too-deep',
      `${'('.repeat(MAX_NESTING)}1${')'.repeat(MAX_NESTING)}`,
      lines(
        '<expression>:1:65 error: the expression nests more than 64 levels deep',
        `  ${'('.repeat(64)}1${')'.repeat(64)}`,
        `  ${' '.repeat(64)}^`,
        '  hint: simplify it: drop redundant parentheses, use IN (…) instead of a long chain of OR, or split it into several rules',
      ),
    ],
  ])('%s: %s', (code, source, expected) => {
    expect(check(source).map((d) => d.code)).toEqual([code]);
    expect(printed(source)).toBe(expected);
  });
});

describe('diagnostics of the checker', () => {
  it.each([
    [
      'unknown-name',
      'valeu > 80',
      lines(
        "<expression>:1:1 error: unknown name 'valeu' (did you mean 'value'?)",
        '  valeu > 80',
        '  ^^^^^',
        `  hint: names are ${NAMES}; text values are quoted: 'valeu'`,
      ),
    ],
    [
      'unknown-name',
      'env == prod',
      lines(
        "<expression>:1:1 error: unknown name 'env'",
        '  env == prod',
        '  ^^^',
        `  hint: names are ${NAMES}; text values are quoted: 'env'`,
        '',
        "<expression>:1:8 error: unknown name 'prod'",
        '  env == prod',
        '         ^^^^',
        `  hint: names are ${NAMES}; text values are quoted: 'prod'`,
      ),
    ],
    [
      'unknown-field',
      "entity.lable == 'x'",
      lines(
        "<expression>:1:8 error: 'entity' has no field 'lable' (did you mean 'label'?)",
        "  entity.lable == 'x'",
        '         ^^^^^',
        '  hint: fields of entity: name, label, enabled, tags',
      ),
    ],
    [
      'no-fields',
      'value.max > 1',
      lines(
        "<expression>:1:7 error: 'value' is a number and has no field 'max'",
        '  value.max > 1',
        '        ^^^',
        '  hint: fields exist on entity, metric, tags, entity.tags and metric.tags',
      ),
    ],
    [
      'no-fields',
      "(value + 1).x == 'a'",
      lines(
        '<expression>:1:1 error: only names have fields',
        "  (value + 1).x == 'a'",
        '  ^^^^^^^^^^^^^',
        "  hint: write a path such as entity.tags.env or tags['key']",
      ),
    ],
    [
      'not-a-map',
      "text['a'] == 'b'",
      lines(
        "<expression>:1:1 error: 'text' is not a set of tags and cannot be indexed with [ ]",
        "  text['a'] == 'b'",
        '  ^^^^^^^^^',
        "  hint: [ ] reads a tag: tags['key'], entity.tags['key'], metric.tags['key']",
      ),
    ],
    [
      'map-as-value',
      "entity.tags == 'x'",
      lines(
        '<expression>:1:1 error: a set of tags is not a single value',
        "  entity.tags == 'x'",
        '  ^^^^^^^^^^^',
        "  hint: pick one tag: tags.name or tags['name-with-dash']",
      ),
    ],
    [
      'function-without-call',
      'value > avg',
      lines("<expression>:1:9 error: 'avg' is a function", '  value > avg', '          ^^^', '  hint: call it: avg()'),
    ],
    [
      'not-a-function',
      'value(5) > 1',
      lines(
        "<expression>:1:1 error: 'value' is a name, not a function",
        '  value(5) > 1',
        '  ^^^^^',
        '  hint: use it without parentheses: value',
      ),
    ],
    [
      'unknown-function',
      'value > avgg(5) * 2',
      lines(
        "<expression>:1:9 error: unknown function 'avgg' (did you mean 'avg'?)",
        '  value > avgg(5) * 2',
        '          ^^^^',
        '  hint: the functions are listed in docs/expressions.md',
      ),
    ],
    [
      'wrong-arity',
      'value > round(avg(), 1, 2)',
      lines(
        '<expression>:1:9 error: round() takes 1 or 2 arguments, got 3',
        '  value > round(avg(), 1, 2)',
        '          ^^^^^^^^^^^^^^^^^^',
        '  hint: call it as round(x[, digits])',
      ),
    ],
    [
      'wrong-arity',
      'pow(2) > 1',
      lines('<expression>:1:1 error: pow() takes 2 arguments, got 1', '  pow(2) > 1', '  ^^^^^^', '  hint: call it as pow(x, y)'),
    ],
    [
      'argument-type',
      "value > abs('x')",
      lines(
        '<expression>:1:13 error: argument 1 of abs() must be number, got string',
        "  value > abs('x')",
        '              ^^^',
        '  hint: call it as abs(x)',
      ),
    ],
    [
      'operand-type',
      "-text == 'x'",
      lines(
        "<expression>:1:2 error: '-' needs a number, got string",
        "  -text == 'x'",
        '   ^^^^',
        '  hint: convert with toNumber(…) or compare instead',
      ),
    ],
    [
      'operand-type',
      'value && true',
      lines(
        "<expression>:1:1 error: '&&' needs true or false, got number",
        '  value && true',
        '  ^^^^^',
        '  hint: turn the value into a condition with a comparison, e.g. value > 0',
      ),
    ],
    [
      'operand-type',
      "tags[1] == 'a'",
      lines(
        "<expression>:1:6 error: '[…]' needs a text key, got number",
        "  tags[1] == 'a'",
        '       ^',
        "  hint: a key is text: tags['1'], or tags[tags.other] to use another tag's value",
      ),
    ],
    [
      'type-mismatch',
      "value == 'high'",
      lines(
        "<expression>:1:1 error: cannot compare number with string ('==')",
        "  value == 'high'",
        '  ^^^^^^^^^^^^^^^',
        '  hint: both sides must be numbers or both texts; convert text with toNumber(…), or quote a number to compare text',
      ),
    ],
    [
      'type-mismatch',
      "value > 1 ? 'high' : 0",
      lines(
        "<expression>:1:1 error: the two branches of '?:' have different types: string and number",
        "  value > 1 ? 'high' : 0",
        '  ^^^^^^^^^^^^^^^^^^^^^^',
        '  hint: make both branches numbers, texts or conditions',
      ),
    ],
    [
      'invalid-number',
      'value > 1e999',
      lines(
        '<expression>:1:9 error: number is too large',
        '  value > 1e999',
        '          ^^^^^',
        '  hint: numbers must be finite 64-bit floats (up to about 1.8e308)',
      ),
    ],
    [
      'window-argument',
      'value > avg(0)',
      lines(
        '<expression>:1:13 error: avg(n) needs a whole number of samples of at least 1',
        '  value > avg(0)',
        '              ^',
        "  hint: write avg(5) for the last 5 samples, or avg('5 minute') for a time span",
      ),
    ],
    [
      'window-argument',
      'percentile(120) > 1',
      lines(
        '<expression>:1:12 error: a percentile is between 0 and 100',
        '  percentile(120) > 1',
        '             ^^^',
        '  hint: percentile(95) is the 95th percentile',
      ),
    ],
    [
      'window-argument',
      'avg(tags.span) > 1',
      lines(
        "<expression>:1:5 error: the span of avg() must be written as text, such as '5 minute'",
        '  avg(tags.span) > 1',
        '      ^^^^^^^^^',
        "  hint: write avg('5 minute') for a time span or avg(5) for the last 5 samples",
      ),
    ],
    [
      'invalid-duration',
      "value > avg('5 minits')",
      lines(
        "<expression>:1:13 error: '5 minits' is not a duration (did you mean 'minutes'?)",
        "  value > avg('5 minits')",
        '              ^^^^^^^^^^',
        "  hint: write a number and a unit: '30 second', '5 minute', '1 hour', '2 day' (or 30s, 5m, 1h)",
      ),
    ],
    [
      'invalid-duration',
      "avg('0 second') > 1",
      lines(
        "<expression>:1:5 error: the span '0 second' is empty; it must be longer than zero",
        "  avg('0 second') > 1",
        '      ^^^^^^^^^^',
        "  hint: write a number and a unit: '30 second', '5 minute', '1 hour', '2 day' (or 30s, 5m, 1h)",
      ),
    ],
  ])('%s: %s', (code, source, expected) => {
    expect([...new Set(check(source).map((d) => d.code))]).toEqual([code]);
    expect(printed(source)).toBe(expected);
  });

  it("not-boolean: a condition (expect: 'boolean') must be true or false", () => {
    expect(printed('avg(5) * 2', { expect: 'boolean' })).toBe(
      lines(
        '<expression>:1:1 error: a condition must be true or false, but this is a number',
        '  avg(5) * 2',
        '  ^^^^^^^^^^',
        "  hint: compare it, e.g. value > 0 or tags.env == 'prod'",
      ),
    );
    expect(printed('tags.env', { expect: 'boolean' })).toContain('but this is a string');
    // without expect, any value is fine
    expect(check('avg(5) * 2')).toEqual([]);
    // true/false or null (which a condition treats as false) is a condition
    expect(check('entity.enabled', { expect: 'boolean' })).toEqual([]);
    expect(check('null', { expect: 'boolean' })).toEqual([]);
  });
});

describe('all mistakes are reported together, sorted by position', () => {
  it('three unrelated mistakes in one expression', () => {
    const source = "foo > 1 && entity.lable == 'x' && avgg() > 1";
    expect(check(source).map((d) => `${d.column} ${d.code}`)).toEqual(['1 unknown-name', '19 unknown-field', '35 unknown-function']);
  });

  it('mistakes inside function arguments are found as well as a bad function name', () => {
    expect(check('avgg(valu) > 1').map((d) => d.code)).toEqual(['unknown-function', 'unknown-name']);
  });

  it('an operand that already failed does not cause a second error about the same text', () => {
    expect(check("valu + 1 > 'x'").map((d) => d.code)).toEqual(['unknown-name']);
  });

  it('compile throws one DiagnosticError carrying all of them', () => {
    let error: unknown;
    try {
      compile('a > b');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics.map((d) => d.column)).toEqual([1, 5]);
    expect((error as DiagnosticError).message).toBe(printed('a > b').replace(/\n\n/g, '\n'));
  });

  // Regression: a non-string source crashed while placing its diagnostic (text.indexOf is not a function).
  it.each([42, null, undefined, {}])('a non-string source (%j) is a diagnostic, not a crash', (source) => {
    expect(check(source as unknown as string).map((d) => d.code)).toEqual(['empty-expression']);
    expect(() => compile(source as unknown as string)).toThrow(DiagnosticError);
  });
});

describe('positions map through origin into the file the expression came from', () => {
  const file = [
    'rules:',
    '  - name: container-down',
    '    metric: docker.cpu.busy',
    '    condition: value > avgg(5) * 2 && entity.lable == "x"',
    '',
  ].join('\n');
  const expression = 'value > avgg(5) * 2 && entity.lable == "x"';
  const base = file.indexOf(expression);

  it('prints file:line:col with the file line and caret', () => {
    const origin = { file: 'rules/docker.yaml', text: file, mapOffset: (offset: number) => base + offset };
    expect(printed(expression, { origin })).toBe(
      lines(
        "rules/docker.yaml:4:24 error: unknown function 'avgg' (did you mean 'avg'?)",
        '      condition: value > avgg(5) * 2 && entity.lable == "x"',
        '                         ^^^^',
        '  hint: the functions are listed in docs/expressions.md',
        '',
        "rules/docker.yaml:4:46 error: 'entity' has no field 'lable' (did you mean 'label'?)",
        '      condition: value > avgg(5) * 2 && entity.lable == "x"',
        '                                               ^^^^^',
        '  hint: fields of entity: name, label, enabled, tags',
      ),
    );
  });

  it('maps an expression folded over several lines offset by offset', () => {
    // YAML `condition: >` folds these two lines into "value >\navgg(5)" → one space.
    const folded = ['    condition: >', '      value >', '      avgg(5)', ''].join('\n');
    const source = 'value > avgg(5)';
    const first = folded.indexOf('value');
    const second = folded.indexOf('avgg');
    const mapOffset = (offset: number) => (offset < 8 ? first + offset : second + offset - 8);
    const [diagnostic] = check(source, { origin: { file: 'f.yaml', text: folded, mapOffset } });
    expect([diagnostic!.line, diagnostic!.column, diagnostic!.length, diagnostic!.sourceLine]).toEqual([3, 7, 4, '      avgg(5)']);
  });

  it('without text, the expression itself is the file', () => {
    const [diagnostic] = check('valu', { origin: { file: 'cli' } });
    expect([diagnostic!.file, diagnostic!.line, diagnostic!.column]).toEqual(['cli', 1, 1]);
  });

  it('a syntax error at the end points just past the last character', () => {
    const text = 'condition: value >   \nnext: 1';
    const origin = { file: 'r.yaml', text, mapOffset: (offset: number) => 11 + offset };
    const [diagnostic] = check('value >   ', { origin });
    expect([diagnostic!.line, diagnostic!.column, diagnostic!.code]).toEqual([1, 19, 'unexpected-end']);
  });
});
