/**
 * Random contexts and random well-typed expressions, shared by the property tests
 * (properties.test.ts) and the differential test of the generated code (differential.test.ts).
 */
import fc from 'fast-check';
import { quoteString } from '../../src/parser/ast.js';
import { ArrayWindow } from '../../src/parser/index.js';

// ---------------------------------------------------------------------------------------------
// Contexts: anything a pipeline could send, including the wrong kinds and inherited-looking keys.

const awkwardKey = fc.constantFrom('env', 'a', '', 'key-with-dash', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf');
export const anyScalar = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined));
/**
 * The awkward numbers often: NaN must read as null, -0 and ±Infinity as themselves. (Infinity −
 * Infinity and window statistics over infinite samples are NaN today, so the "never NaN" property
 * test keeps to `anyScalar`, where they are rare.)
 */
const edgeNumber = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0);
const edgyScalar = fc.oneof(anyScalar, edgeNumber);
/** Texts that numbers and booleans read as, when sent as tags: they must compare like the text. */
const numberLikeText = fc.constantFrom('8080', '0', '-1', '1.5', 'true', 'false', 'NaN', 'Infinity', '-0', '1e+21', '08', 'prod', '');
const tagValue = fc.oneof(fc.string(), numberLikeText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object());
function contextOf(scalar: fc.Arbitrary<unknown>) {
  const tagMap = fc.oneof(fc.dictionary(fc.oneof(awkwardKey, fc.string()), tagValue, { maxKeys: 5 }), scalar);
  const entity = fc.oneof(
    fc.string(),
    fc.record({ name: scalar, label: scalar, enabled: scalar, tags: tagMap }, { requiredKeys: [] }),
    scalar,
  );
  const window = fc.oneof(
    fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 12 }).map((values) => ArrayWindow.from(values)),
    fc.array(fc.record({ time: fc.oneof(fc.integer(), fc.string()), value: scalar }), { maxLength: 6 }).map((s) => ArrayWindow.from(s)),
    scalar,
  );
  return fc.record(
    {
      value: scalar, text: scalar, tags: tagMap, entity, metric: entity, window,
      time: fc.oneof(fc.integer(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), scalar),
      now: fc.oneof(fc.integer(), scalar),
      repeat_count: scalar, open_value: scalar, alert_duration: scalar, status: scalar, rule: scalar,
      severity: fc.oneof(fc.constantFrom('critical', 'warning'), scalar), before_status: scalar,
    },
    { requiredKeys: [] },
  );
}
export const context = contextOf(anyScalar);
/** Contexts full of NaN, ±Infinity and -0, for comparing two evaluations of the same rules. */
export const edgyContext = contextOf(edgyScalar);
/** Parsed from JSON, so "__proto__" is an own key. */
export const jsonContext = fc.jsonValue().map((v) => JSON.parse(JSON.stringify({ tags: v, entity: { tags: v }, value: v, __proto__: v })) as object);

// ---------------------------------------------------------------------------------------------
// Well-typed random expressions: they must all compile.

const numberLiteral = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })).map((x) => `(${String(x)})`);
const textLiteral = fc.oneof(fc.string({ maxLength: 6 }), numberLikeText, fc.constantFrom('critical', 'env')).map(quoteString);
const windowCall = fc
  .tuple(
    fc.constantFrom('avg', 'min', 'max', 'sum', 'count', 'median', 'stdev', 'variance', 'first', 'last', 'delta', 'rate', 'wavg'),
    fc.constantFrom('', '3', "'5 minute'", '1', 'repeat_count'),
  )
  .map(([fn, range]) => `${fn}(${range})`);

const numberFields = ['value', 'repeat_count', 'open_value', 'alert_duration', 'time', 'now'];
const textFields = [
  'text', 'entity', 'metric', 'entity.name', 'metric.name', 'entity.label', 'metric.units', 'rule', 'status', 'severity',
  'before_status', 'tags.env', 'tags.a', "tags['key-with-dash']", "tags['__proto__']", 'tags.constructor', 'entity.tags.env',
  "metric.tags['a']",
];
/** A field compared with literals: the generated code may test the raw field there. */
const fieldTest = fc.oneof(
  fc.tuple(fc.constantFrom(...numberFields), fc.constantFrom('==', '!=', '<', '>='), numberLiteral).map(([f, op, x]) => `(${f} ${op} ${x})`),
  fc.tuple(fc.constantFrom(...textFields), fc.constantFrom('==', '!='), textLiteral).map(([f, op, x]) => `(${f} ${op} ${x})`),
  fc.tuple(textLiteral, fc.constantFrom('==', '!='), fc.constantFrom(...textFields)).map(([x, op, f]) => `(${x} ${op} ${f})`),
  fc.tuple(fc.constantFrom('==', '!='), fc.constantFrom('true', 'false', 'null')).map(([op, x]) => `(entity.enabled ${op} ${x})`),
  fc.tuple(fc.constantFrom(...numberFields), fc.boolean(), fc.array(fc.oneof(numberLiteral, fc.constant('null')), { minLength: 1, maxLength: 12 }))
    .map(([f, not, items]) => `(${f} ${not ? 'NOT ' : ''}IN (${items.join(', ')}))`),
  fc.tuple(fc.constantFrom(...textFields), fc.boolean(), fc.array(textLiteral, { minLength: 1, maxLength: 12 }))
    .map(([f, not, items]) => `(${f} ${not ? 'NOT ' : ''}IN (${items.join(', ')}))`),
);

export const { num, str, bool } = fc.letrec((tie) => {
  const n = tie('num') as fc.Arbitrary<string>;
  const s = tie('str') as fc.Arbitrary<string>;
  const b = tie('bool') as fc.Arbitrary<string>;
  return {
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      numberLiteral,
      fc.constantFrom(...numberFields, 'null'),
      windowCall,
      fc.constantFrom('percentile(90)', "percentile(50, '1 hour')", 'percentile(value)', 'percentile(value, repeat_count)', 'percentile(repeat_count, repeat_count)', 'hour()', 'dayOfWeek()'),
      fc.tuple(n, fc.constantFrom('+', '-', '*', '/', '%'), n).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(n, fc.constantFrom('/', '%'), fc.constantFrom('(0)', '(2)', '(0.5)')).map(([x, op, y]) => `(${x} ${op} ${y})`),
      n.map((x) => `-${x}`),
      fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'sqrt', 'exp', 'log', 'hour', 'dayOfWeek', 'round'), n).map(([f, x]) => `${f}(${x})`),
      fc.tuple(fc.constantFrom('pow', 'round', 'log', 'coalesce'), n, n).map(([f, x, y]) => `${f}(${x}, ${y})`),
      fc.tuple(b, n, n).map(([t, x, y]) => `(${t} ? ${x} : ${y})`),
      s.map((x) => `toNumber(${x})`),
      s.map((x) => `length(${x})`),
    ),
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      textLiteral,
      fc.constantFrom(...textFields),
      s.map((x) => `tags[${x}]`),
      fc.tuple(s, s).map(([x, y]) => `(${x} + ${y})`),
      fc.tuple(fc.constantFrom('lower', 'upper'), s).map(([f, x]) => `${f}(${x})`),
      fc.tuple(s, s).map(([x, y]) => `coalesce(${x}, ${y})`),
      fc.tuple(b, s, s).map(([t, x, y]) => `(${t} ? ${x} : ${y})`),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('true', 'false', 'entity.enabled'),
      fieldTest,
      fc.tuple(n, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), n).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(s, fc.constantFrom('==', '<>', '<', '>='), s).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(b, fc.constantFrom('==', '!='), b).map(([x, op, y]) => `((${x}) ${op} (${y}))`),
      fc.tuple(b, fc.constantFrom('&&', '||', 'AND', 'OR'), b).map(([x, op, y]) => `(${x} ${op} ${y})`),
      b.map((x) => `NOT ${x}`),
      fc.tuple(n, fc.boolean(), fc.array(n, { minLength: 1, maxLength: 10 })).map(([x, not, items]) => `(${x} ${not ? 'NOT ' : ''}IN (${items.join(', ')}))`),
      fc.tuple(s, fc.boolean(), s).map(([x, not, p]) => `(${x} ${not ? 'NOT ' : ''}LIKE ${p})`),
      fc.tuple(n, fc.boolean(), n, n).map(([x, not, lo, hi]) => `(${x} ${not ? 'NOT ' : ''}BETWEEN ${lo} AND ${hi})`),
      fc.tuple(s, fc.boolean(), s, s).map(([x, not, lo, hi]) => `(${x} ${not ? 'NOT ' : ''}BETWEEN ${lo} AND ${hi})`),
      fc.tuple(fc.constantFrom('contains', 'startsWith', 'endsWith'), s, s).map(([f, x, y]) => `${f}(${x}, ${y})`),
      fc.tuple(n).map(([x]) => `(${x} == null)`),
      fc.tuple(s).map(([x]) => `(${x} != null)`),
    ),
  };
});
export const typedExpression = fc.oneof(num, str, bool);
