/**
 * The catalogue of template diagnostics: one function per kind, each with a stable code (listed in
 * docs/templates.md), a message saying what is wrong and a hint saying how to fix it. Spans are
 * offsets in the text the caller passes (a JSON leaf, later mapped into the template file).
 */
import { closest, type Problem, type Span } from '../parser/diagnostics.js';

const didYouMean = (word: string, candidates: Iterable<string>, quote: (s: string) => string) => {
  const match = closest(word, candidates);
  return match === null ? '' : ` (did you mean ${quote(match)}?)`;
};
const hashName = (name: string) => `'#${name}'`;
const plain = (name: string) => `'${name}'`;

export function invalidJson(message: string, span: Span, hint?: string): Problem {
  return { code: 'invalid-json', message: `invalid JSON: ${message}`, span, hint: hint ?? 'a template is a JSON document; check quotes, commas and brackets' };
}

export function duplicateKey(key: string, span: Span): Problem {
  return { code: 'duplicate-key', message: `duplicate key "${key}"`, span, hint: 'JSON keeps only the last one; remove or rename one of them' };
}

export function unknownVariable(name: string, span: Span, candidates: Iterable<string>): Problem {
  return {
    code: 'unknown-variable',
    message: `unknown variable '#${name}'${didYouMean(name, candidates, hashName)}`,
    span,
    hint: 'the variables of each event type are listed in docs/templates.md; write ## for a literal #',
  };
}

export function variableNotForEvent(name: string, span: Span, missingIn: readonly string[], presentIn: readonly string[]): Problem {
  return {
    code: 'variable-not-for-event',
    message: `variable '#${name}' does not exist for ${missingIn.join(', ')}`,
    span,
    hint: `it exists for ${presentIn.join(', ')}; limit the template's events to those, or use another template for ${missingIn.join(', ')}`,
  };
}

export function handlebarsSyntax(message: string, span: Span, hint?: string): Problem {
  return { code: 'handlebars-syntax', message: `Handlebars: ${message}`, span, hint: hint ?? 'see docs/templates.md for the {{ }} syntax' };
}

export function unsupportedHandlebars(what: string, span: Span): Problem {
  return { code: 'unsupported-handlebars', message: `${what} are not supported in templates`, span, hint: 'use {{#if}}, {{#each}}, {{#with}} and the helpers listed in docs/templates.md' };
}

export function unknownHelper(name: string, span: Span, helpers: Iterable<string>): Problem {
  return { code: 'unknown-helper', message: `unknown helper '${name}'${didYouMean(name, helpers, plain)}`, span, hint: `helpers: ${[...helpers].join(', ')}` };
}

export function blockHelperInline(name: string, span: Span): Problem {
  return { code: 'block-helper-inline', message: `'${name}' is a block helper`, span, hint: `write {{#${name} …}}…{{/${name}}}` };
}

export function notABlockHelper(name: string, span: Span, isVariable: boolean): Problem {
  return isVariable
    ? { code: 'not-a-block-helper', message: `{{#${name}}} sections are not supported`, span, hint: `use {{#if ${name}}}, {{#each ${name}}} or {{#with ${name}}}` }
    : { code: 'not-a-block-helper', message: `'${name}' is not a block helper`, span, hint: `call it inline ({{${name} …}}); for a condition write {{#if (${name} …)}}` };
}

export function helperArity(name: string, span: Span, min: number, max: number, got: number, signature: string): Problem {
  const expected = max === Infinity ? `${min} or more` : min === max ? `${min}` : `${min} to ${max}`;
  return { code: 'helper-arity', message: `${name} takes ${expected} argument${expected === '1' ? '' : 's'}, got ${got}`, span, hint: `call it as ${signature}` };
}

export function unknownHelperOption(helper: string, key: string, span: Span, allowed: readonly string[]): Problem {
  return {
    code: 'unknown-helper-option',
    message: `${helper} has no option '${key}'${didYouMean(key, allowed, plain)}`,
    span,
    hint: allowed.length === 0 ? `${helper} takes no options` : `options of ${helper}: ${allowed.join(', ')}`,
  };
}

export function invalidTimeZone(zone: string, span: Span): Problem {
  return { code: 'invalid-time-zone', message: `unknown time zone '${zone}'`, span, hint: 'use an IANA name such as UTC, Europe/Berlin or America/New_York' };
}

export function unknownName(name: string, span: Span, candidates: Iterable<string>): Problem {
  return {
    code: 'unknown-variable',
    message: `unknown name '${name}'${didYouMean(name, candidates, plain)}`,
    span,
    hint: "inside {{ }} the names are the event's fields and the variables without '#' (docs/templates.md)",
  };
}

export function unknownField(object: string, field: string, span: Span, fields: readonly string[]): Problem {
  return {
    code: 'unknown-field',
    message: `'${object}' has no field '${field}'${didYouMean(field, fields, plain)}`,
    span,
    hint: fields.length > 0 ? `fields of ${object}: ${fields.join(', ')}` : `${object} has no fields`,
  };
}

export function noFields(object: string, field: string, type: string, span: Span): Problem {
  return { code: 'unknown-field', message: `'${object}' is ${type} and has no field '${field}'`, span, hint: `use {{${object}}} itself` };
}

export function unknownDataVariable(name: string, span: Span): Problem {
  return { code: 'unknown-variable', message: `unknown data variable '@${name}'`, span, hint: 'the data variables are @root, and inside {{#each}} @index, @key, @first, @last' };
}

export function objectInText(path: string, span: Span): Problem {
  return {
    code: 'object-in-text',
    message: `'${path}' is an object; printed in text it would read [object Object]`,
    span,
    hint: `print one field ({{${path}.name}}) or the JSON ({{json ${path}}}); a leaf that is exactly "#${path}" keeps the object`,
  };
}

export function blocksTooDeep(limit: number, span: Span): Problem {
  return {
    code: 'block-nesting-too-deep',
    message: `block helpers nested more than ${limit} deep ` +
      '({{#each}}, {{#if}}, {{#with}} and {{#unless}} count; {{else if}} does not)',
    span,
    hint: 'nested loops multiply (four {{#each}} over 60 tags are 13 million iterations); flatten the template, ' +
      'or raise TOCSIN_TEMPLATE_MAX_DEPTH (docs/operations.md "Limits")',
  };
}

/** A render of the template (its example event at load, a preview, a send) ran out of its budget. */
export function renderBudgetExceeded(message: string, span: Span, hint: string): Problem {
  return { code: 'render-budget-exceeded', message, span, hint };
}

export function renderCheckFailed(message: string, span: Span): Problem {
  return { code: 'render-check-failed', message: `rendering the example event failed: ${message}`, span, hint: 'simplify the {{ }} expression; please report this as a tocsin bug' };
}
