/**
 * SPEC §2 "Safety": evaluation touches only own data properties, so `__proto__`, `constructor`
 * and friends are plain missing keys; nothing reaches the host; code comes from the AST only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { check, compile } from '../../src/parser/index.js';
import { compileBoth, evaluate } from './helpers.js';

const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', '__lookupGetter__'];

describe('inherited names are missing keys (null)', () => {
  const contexts = [{}, { tags: {}, entity: { tags: {} }, metric: { tags: {} } }, { entity: 'e1', metric: 'm1' }];

  it.each(INHERITED)('%s as tags.X, tags[X], entity.tags.X and metric.tags[X] is null', (key) => {
    const written = /^[A-Za-z_]\w*$/.test(key);
    const sources = [`tags['${key}']`, `entity.tags['${key}']`, `metric.tags['${key}']`, `tags[text]`];
    if (written) sources.push(`tags.${key}`, `entity.tags.${key}`, `metric.tags.${key}`);
    for (const context of contexts) {
      for (const source of sources) {
        expect(evaluate(source, { ...context, text: key })).toBe(null);
        expect(evaluate(`${source} == null`, { ...context, text: key })).toBe(true);
      }
    }
  });

  it('a tag map without a prototype works the same', () => {
    const tags = Object.assign(Object.create(null) as object, { env: 'prod' });
    expect(evaluate('tags.env', { tags })).toBe('prod');
    expect(evaluate('tags.constructor', { tags })).toBe(null);
  });
});

describe('own properties with those names are read as data', () => {
  it.each([
    ['tags.__proto__', 'x'],
    ["tags['__proto__']", 'x'],
    ['tags.constructor', 'c'],
    ['tags.toString', 't'],
    ["entity.tags['hasOwnProperty']", 'h'],
    ['tags[text]', 'x'],
  ])('%s in a context parsed from JSON', (source, expected) => {
    const context = JSON.parse(
      '{"text": "__proto__", "tags": {"__proto__": "x", "constructor": "c", "toString": "t"}, "entity": {"tags": {"hasOwnProperty": "h"}}}',
    ) as Record<string, unknown>;
    expect(compileBoth(source).evaluate(context)).toBe(expected);
  });

  it('a JSON context with an own "__proto__" object does not feed its fields to names', () => {
    const context = JSON.parse('{"__proto__": {"value": 5, "tags": {"env": "prod"}}}') as object;
    expect(compileBoth('value').evaluate(context)).toBe(null);
    expect(compileBoth('tags.env').evaluate(context)).toBe(null);
  });

  it('a non-text own value of an inherited name is null, like any non-text tag', () => {
    const tags = JSON.parse('{"__proto__": {"a": 1}, "constructor": {}}') as object;
    expect(compileBoth('tags.__proto__').evaluate({ tags })).toBe(null);
    expect(compileBoth("tags['constructor']").evaluate({ tags })).toBe(null);
  });
});

describe('no way to the host', () => {
  it.each([
    ['constructor', 'unknown-name'],
    ['constructor.constructor', 'unknown-name'],
    ["constructor.constructor('return process')()", 'syntax-error'],
    ['value.constructor', 'no-fields'],
    ['entity.constructor', 'unknown-field'],
    ['tags.constructor.constructor', 'no-fields'],
    ["tags['constructor']['constructor']", 'not-a-map'],
    ['__proto__', 'unknown-name'],
    ['globalThis', 'unknown-name'],
    ['process', 'unknown-name'],
    ['this', 'unknown-name'],
    ['window', 'unknown-name'],
    ['require', 'unknown-name'],
    ['eval', 'unknown-name'],
    ["eval('1')", 'unknown-function'],
    ['Function', 'unknown-name'],
    ['R', 'unknown-name'],
    ['K', 'unknown-name'],
    ['c', 'unknown-name'],
    ['hasOwn', 'unknown-name'],
    ['toString()', 'unknown-function'],
    ['valueOf()', 'unknown-function'],
    ['hasOwnProperty()', 'unknown-function'],
    ['__proto__()', 'unknown-function'],
    ['like(text, text)', 'syntax-error'],
    ['parseTime(text)', 'unknown-function'],
    ['mapGet(text, text)', 'unknown-function'],
    ['wAvg()', 'unknown-function'],
  ])('%s → %s', (source, code) => {
    expect(check(source).map((d) => d.code)[0]).toBe(code);
  });

  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('a polluted Object.prototype does not leak into tag reads', () => {
    (Object.prototype as Record<string, unknown>).polluted = 'yes';
    expect(evaluate('tags.polluted', { tags: {} })).toBe(null);
    expect(evaluate("tags['polluted']", { tags: {} })).toBe(null);
    expect(evaluate('tags[text]', { tags: {}, text: 'polluted' })).toBe(null);
  });

  it('text that looks like code stays a string: generated code holds only JSON-quoted literals', () => {
    const attacks = [
      "'); throw new Error('x'); ('",
      '"; globalThis.hacked = 1; "',
      '\\u0027); globalThis.hacked = 1; //',
      '*/ globalThis.hacked = 1; /*',
      '\u2028globalThis.hacked = 1',
      '${globalThis.hacked = 1}',
    ];
    for (const attack of attacks) {
      const quoted = `'${attack.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      for (const source of [`text == ${quoted}`, `tags[${quoted}] == null`, `contains(text, ${quoted})`, `${quoted} IN (text, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')`]) {
        const compiled = compileBoth(source);
        expect(compiled.evaluate({ text: attack })).toBe(true);
      }
    }
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined();
  });

  it('a field name never becomes code: odd keys are read with a quoted index', () => {
    const compiled = compileBoth("tags['a b'] + tags['x\"]; globalThis.hacked = 1; //'] + tags.ok");
    expect(compiled.evaluate({ tags: { 'a b': '1', 'x"]; globalThis.hacked = 1; //': '2', ok: '3' } })).toBe('123');
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined();
  });
});
