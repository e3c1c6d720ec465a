import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { directRender } from '../../src/templates/handlebars-direct.js';
import { HELPERS } from '../../src/templates/helpers.js';

/** Handlebars set up as templates used it before leaves could skip it: every helper registered. */
const reference = Handlebars.create();
reference.unregisterHelper('log');
for (const spec of HELPERS.values()) if (spec.fn !== undefined) reference.registerHelper(spec.name, spec.fn as Handlebars.HelperDelegate);
const COMPILE = { noEscape: true, knownHelpersOnly: true, knownHelpers: Object.fromEntries([...HELPERS.keys()].map((name) => [name, true])), strict: false, data: true };

const viaHandlebars = (source: string, context: Record<string, unknown>, data: Record<string, string>) =>
  reference.compile(source, COMPILE)(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, data });

const direct = (source: string) => directRender(Handlebars.parse(source));

const DATA = { __t0: 'T0', __t1: '' };

describe('leaves rendered without Handlebars give what Handlebars gives', () => {
  const context = { a: 3, b: 4, s: 'open', n: null, z: 0, empty: '', list: [1, 2], none: [], obj: { k: 'v' }, t: '2026-03-14T09:26:53.000Z', d: 3900, lazy: () => 'called' };

  it.each([
    ['{{upper s}}', 'OPEN'],
    ['{{upper s}}: #rule', 'OPEN: #rule'],
    ['{{default n "none"}}', 'none'],
    ['{{default z "none"}}', '0'],
    ['{{a}}{{b}}', '7'], // Handlebars adds two numbers that start a leaf
    ['x{{a}}{{b}}', 'x34'],
    ['{{round a}}{{round b}}!', '7!'],
    ['{{#if z}}yes{{/if}}{{a}}{{b}}', '34'],
    ['{{#if z}}{{a}}{{b}}{{/if}}', ''],
    ['{{#if a}}{{a}}{{b}}{{/if}}', '7'],
    ['{{#if none}}full{{else}}empty{{/if}}', 'empty'],
    ['{{#unless empty}}blank{{/unless}}', 'blank'],
    ['{{#if (eq s "info")}}i{{else if (eq s "open")}}o{{else}}x{{/if}}', 'o'],
    ['{{^if n}}no n{{/if}}', 'no n'],
    ['{{lazy}}', 'called'], // a function value is called, as Handlebars' lambda does
    ['{{[s]}} {{[upper] s}}', 'open OPEN'], // brackets are gone from the parsed name
    ['{{list}} {{obj}} {{json obj}}', '1,2 [object Object] {"k":"v"}'],
    ['{{missing}}|{{constructor}}|{{toString}}|{{__proto__}}', '|||'],
    ['{{@__t0}}{{@__t1}}', 'T0'],
    ['{{formatDate t "yyyy-LL-dd"}} {{duration d}} {{duration d "hh:mm:ss"}}', '2026-03-14 1h 5m 01:05:00'],
    ['a {{~ s ~}} b', 'aopenb'],
    ['\n{{#if a}}\nline\n{{/if}}\n', '\nline\n'],
    ['{{! a comment }}', ''],
    ['', ''],
  ])('%j → %j', (source, expected) => {
    const render = direct(source);
    expect(render).not.toBeNull();
    expect(render!(context, DATA)).toBe(expected);
    expect(viaHandlebars(source, context, DATA)).toBe(expected);
  });

  it.each([
    ['each', '{{#each list}}{{this}}{{/each}}'],
    ['with', '{{#with obj}}{{k}}{{/with}}'],
    ['lookup', '{{lookup obj "k"}}'],
    ['a dotted path', '{{obj.k}}'],
    ['this', '{{this}}'],
    ['this.name', '{{this.s}}'],
    ['./name', '{{./s}}'],
    ['@root', '{{@root.s}}'],
    ['another @variable', '{{@index}}'],
    ['a parent path', '{{#if a}}{{../s}}{{/if}}'],
    ['if as a value', '{{if}}'],
    ['if with two conditions', '{{#if a b}}x{{/if}}'],
    ['if with an option', '{{#if z includeZero=true}}x{{/if}}'],
    ['an unknown helper', '{{shout s}}'],
    ['a name with arguments', '{{s "x"}}'],
    ['a subexpression that is no helper', '{{upper (s)}}'],
    ['block params', '{{#if a as |x|}}{{x}}{{/if}}'],
  ])('%s is left to Handlebars', (_, source) => {
    expect(direct(source)).toBeNull();
  });
});

// --- Generated leaves ------------------------------------------------------------------------

const NAMES = ['a', 'b', 'n', 'z', 's', 'empty', 'list', 'none', 'obj', 'lazy', 'missing', 'constructor', 'toString'];
const LITERALS = ['"text"', '""', '0', '1', '-2.5', 'true', 'false', 'null', 'undefined', '@__t0', '@__t1'];

const argument = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom(...LITERALS));
const call = fc.oneof(
  fc.tuple(fc.constantFrom('upper', 'lower', 'json', 'not', 'duration'), argument).map(([h, x]) => `${h} ${x}`),
  fc.tuple(fc.constantFrom('default', 'eq', 'ne', 'gt', 'lt', 'gte', 'lte', 'and', 'or', 'round'), argument, argument).map(([h, x, y]) => `${h} ${x} ${y}`),
  fc.tuple(argument, fc.constantFrom('"hh:mm:ss"', '"dd:hh:mm:ss"', '"m"')).map(([x, f]) => `duration ${x} ${f}`),
  fc.tuple(argument, fc.constantFrom('"yyyy"', '"HH:mm"', 'undefined')).map(([x, f]) => `formatDate ${x} ${f} tz="UTC"`),
  fc.tuple(fc.constantFrom('default', 'upper'), fc.constantFrom('eq', 'or', 'not'), argument, argument).map(([h, inner, x, y]) => `${h} (${inner} ${x}${inner === 'not' ? '' : ` ${y}`}) "fallback"`),
);
const strip = fc.constantFrom('', '~');
const mustache = fc.tuple(strip, fc.oneof(fc.constantFrom(...NAMES, '@__t0', '@__t1'), call), strip).map(([l, body, r]) => `{{${l}${body}${r}}}`);
const text = fc.constantFrom('x', ' ', '  ', '\n', ' \n ', 'Value: ', '#', '-', '"', '\\n');
const comment = fc.constantFrom('{{! note }}', '{{!-- note --}}');

const { leaf } = fc.letrec<{ leaf: string; block: string }>((tie) => ({
  leaf: fc.array(fc.oneof({ weight: 3, arbitrary: text }, { weight: 4, arbitrary: mustache }, { weight: 1, arbitrary: comment }, { weight: 2, arbitrary: tie('block') }), { maxLength: 6 }).map((parts) => parts.join('')),
  block: fc
    .tuple(fc.constantFrom('if', 'unless'), fc.oneof(argument, call.map((c) => `(${c})`)), tie('leaf'), fc.option(tie('leaf')), fc.option(fc.tuple(argument, tie('leaf'))))
    .map(([helper, condition, body, otherwise, elseIf]) => {
      const chain = elseIf === null ? '' : `{{else if ${elseIf[0]}}}${elseIf[1]}`;
      const last = otherwise === null ? '' : `{{else}}${otherwise}`;
      return helper === 'if' ? `{{#if ${condition}}}${body}${chain}${last}{{/if}}` : `{{#unless ${condition}}}${body}${last}{{/unless}}`;
    }),
}));

const value = fc.oneof(
  fc.constantFrom(null, 0, -0, 1, 2.5, Number.NaN, '', '0', 'open', '2026-03-14T09:26:53.000Z', true, false, [], [0], ['a', 'b'], {}, { k: 'v' }),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 5 }),
);
const contexts = fc.record(Object.fromEntries(NAMES.filter((n) => n !== 'missing' && n !== 'constructor' && n !== 'toString').map((n) => [n, n === 'lazy' ? value.map((v) => () => v) : value])));
const data = fc.record({ __t0: fc.string({ maxLength: 4 }), __t1: fc.constantFrom('', '1', 'x') });

describe('generated leaves', () => {
  it('render directly exactly as Handlebars renders them', () => {
    fc.assert(
      fc.property(leaf, contexts, data, (source, context, tokens) => {
        const render = direct(source);
        expect(render, source).not.toBeNull();
        expect(render!(context, tokens)).toBe(viaHandlebars(source, context, tokens));
      }),
      { numRuns: 3000 },
    );
  });
});
