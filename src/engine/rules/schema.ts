/**
 * Validation of rule files against the published schema (schemas/rules.schema.json) with ajv, and
 * the translation of every ajv error into a positioned diagnostic in the words of a rule author:
 * "unknown key 'fro' in a rule (did you mean 'for'?)" rather than "must NOT have additional
 * properties". Defaults live in the schema; ajv fills them in (`useDefaults`), so the converter
 * reads complete objects.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, type Diagnostic, type Span } from '../../parser/diagnostics.js';
import type { RuleProblem } from './problems.js';
import { pathOfPointer, type DataPath, type YamlSource } from './yaml-source.js';

// Three levels up from both src/engine/rules/ and dist/engine/rules/ is the package root.
const SCHEMA_URL = new URL('../../../schemas/rules.schema.json', import.meta.url);

let validator: ValidateFunction | null = null;

export function ruleFileSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

function validate(): ValidateFunction {
  if (validator) return validator;
  const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, allowUnionTypes: true, strict: true });
  // An editor annotation (VS Code, yaml-language-server) used as the message of pattern errors.
  ajv.addKeyword('patternErrorMessage');
  validator = ajv.compile(ruleFileSchema());
  return validator;
}

/**
 * Validates `data` (filling in defaults, so it is changed in place) and returns one diagnostic per
 * mistake, positioned in `source`.
 */
export function validateRuleFile(data: unknown, source: YamlSource): Diagnostic[] {
  const check = validate();
  if (check(data)) return [];
  return relevantErrors(check.errors ?? []).map((error) => {
    const path = pathOfPointer(error.instancePath, data);
    const { problem, where } = describe(error, path, data);
    return source.at(spanFor(source, path, where, error), problem);
  });
}

/** Unknown keys are shown at the key, missing keys at the start of their mapping, the rest at the value. */
function spanFor(source: YamlSource, path: DataPath, where: Where, error: ErrorObject): Span {
  if (where === 'key') return source.keySpan([...path, String(error.params.additionalProperty)]);
  return where === 'head' ? source.headSpan(path) : source.valueSpan(path);
}

/**
 * ajv reports every branch of an `anyOf` that failed. Keep the errors of the first branch whose
 * type fits the value (a list given for `metric` gets the list's errors); when no branch fits,
 * replace them all with one "must be X or Y" error.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const added: ErrorObject[] = [];
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const anyOf of anyOfs) {
    dropped.add(anyOf);
    const prefix = `${anyOf.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      const below = error.instancePath === anyOf.instancePath || error.instancePath.startsWith(`${anyOf.instancePath}/`);
      // The same schema location is reached from every rule: match the data path too.
      if (dropped.has(error) || !below || !error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
      dropped.add(error);
    }
    const shapeMismatch = (e: ErrorObject) => e.instancePath === anyOf.instancePath && (e.keyword === 'type' || e.keyword === 'const');
    const fitting = [...branches.values()].find((list) => !list.some(shapeMismatch));
    if (fitting) {
      added.push(...fitting);
    } else {
      const types = [...branches.values()].flatMap((list) => list.filter(shapeMismatch).flatMap((e) => expectedTypes(e)));
      added.push({ ...anyOf, keyword: 'type', params: { type: [...new Set(types)] } });
    }
  }
  return [...errors.filter((e) => !dropped.has(e)), ...added];
}

function expectedTypes(error: ErrorObject): string[] {
  if (error.keyword === 'const') return [`'${String(error.params.allowedValue)}'`];
  const type = error.params.type as string | string[];
  return Array.isArray(type) ? type : String(type).split(',');
}

type Where = 'value' | 'key' | 'head';

const SECTIONS: Record<string, string> = { rules: 'rule', tests: 'test', webhooks: 'webhook', templates: 'template' };
const CONTAINERS: Record<string, string> = {
  overrides: 'an override', notify: 'a notify entry', expect: 'an expected event', repeat: 'repeat', flapping: 'flapping', schedule: 'schedule',
};

function describe(error: ErrorObject, path: DataPath, data: unknown): { problem: RuleProblem; where: Where } {
  const subject = subjectOf(path);
  const schema = (error.parentSchema ?? {}) as SchemaNode;
  const value: unknown = error.data;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys(schema.properties ?? {});
      const match = closest(key, known);
      const suggestion = match ? ` (did you mean '${match}'?)` : '';
      return {
        where: 'key',
        problem: { code: 'unknown-key', message: `unknown key '${key}' in ${containerOf(path)}${suggestion}`, hint: `keys of ${containerOf(path)}: ${known.join(', ')}` },
      };
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      const property = schema.properties?.[missing];
      const example = property?.examples?.[0];
      const about = property?.description ? ` (${firstSentence(property.description)})` : '';
      return {
        where: 'head',
        problem: {
          code: 'missing-key',
          message: `${itemName(path, data)} has no '${missing}'`,
          hint: example !== undefined ? `add '${missing}: ${inlineYaml(example)}'${about}` : `add '${missing}:'${about}`,
        },
      };
    }
    case 'type': {
      const types = expectedTypes(error).filter((t) => t !== 'null');
      const wanted = types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      const quote = types.includes('string') && (typeof value === 'number' || typeof value === 'boolean');
      const example = schema.examples?.[0];
      const key = lastKey(path);
      const hint = quote
        ? `quote it to make it text: '${String(value)}'`
        : example !== undefined && key !== null
          ? `for example ${key}: ${inlineYaml(example)}`
          : undefined;
      return {
        where: 'value',
        problem: { code: 'wrong-type', message: `${subject} must be ${wanted}, not ${typeWord(value)}`, ...(hint ? { hint } : {}) },
      };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).filter((v) => v !== null).map(String);
      // 'warn' is too far from 'warning' for edit distance, but an abbreviation is a likely mistake.
      const match = typeof value === 'string' ? (closest(value, allowed) ?? allowed.find((a) => value !== '' && a.startsWith(value)) ?? null) : null;
      const suggestion = match ? ` (did you mean '${match}'?)` : '';
      return {
        where: 'value',
        problem: { code: 'not-allowed', message: `${subject} cannot be ${shown(value)}${suggestion}`, hint: `allowed: ${allowed.join(', ')}` },
      };
    }
    case 'pattern':
      return {
        where: 'value',
        problem: { code: 'invalid-format', message: `invalid ${subject}: ${shown(value)}`, hint: schema.patternErrorMessage ?? `it must match ${String(error.params.pattern)}` },
      };
    case 'minLength':
      return { where: 'value', problem: { code: 'invalid-value', message: `${subject} must not be empty` } };
    case 'minItems': {
      const limit = Number(error.params.limit);
      return { where: 'value', problem: { code: 'out-of-range', message: `${subject} needs at least ${limit} ${limit === 1 ? 'entry' : 'entries'}` } };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        where: 'value',
        problem: {
          code: 'out-of-range',
          message: `${subject} must be ${String(error.params.comparison)} ${String(error.params.limit)}, not ${shown(value)}`,
          ...(schema.description ? { hint: schema.description } : {}),
        },
      };
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys(schema.properties ?? {});
      const exactlyOne = schema.minProperties === 1 && schema.maxProperties === 1;
      const message = exactlyOne ? `${subject} takes exactly one of: ${keys.join(', ')}` : `${subject} ${error.message ?? 'has the wrong number of keys'}`;
      const example = schema.examples?.find((e) => typeof e === 'object');
      return {
        where: 'value',
        problem: { code: 'invalid-value', message, ...(example !== undefined ? { hint: `for example ${lastKey(path) ?? 'it'}: ${inlineYaml(example)}` } : {}) },
      };
    }
    default:
      return { where: 'value', problem: { code: 'invalid-value', message: `${subject} ${error.message ?? 'is not valid'}` } };
  }
}

interface SchemaNode {
  description?: string;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  patternErrorMessage?: string;
  minProperties?: number;
  maxProperties?: number;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'a mapping (key: value)', array: 'a list',
};

function typeWord(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text ('${value}')`;
  if (typeof value === 'boolean') return `${value}`;
  return `a number (${String(value)})`;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** `'for'`, `'schedule.days'`, `'notify[0].on'`: the path below the rule (or test, …) it belongs to. */
function subjectOf(path: DataPath): string {
  const inItem = path.length >= 2 && typeof path[0] === 'string' && path[0] in SECTIONS && typeof path[1] === 'number';
  const rest = inItem ? path.slice(2) : path;
  if (rest.length === 0) return inItem ? `the ${SECTIONS[path[0] as string]}` : 'the file';
  let text = '';
  for (const segment of rest) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return `'${text}'`;
}

function lastKey(path: DataPath): string | null {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : null;
}

/** What holds the keys at `path`, for "unknown key … in a rule". */
function containerOf(path: DataPath): string {
  if (path.length === 0) return 'the top level of the file';
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const list = path[path.length - 2];
    if (path.length === 2 && typeof list === 'string' && SECTIONS[list]) return `a ${SECTIONS[list]}`;
    if (typeof list === 'string' && CONTAINERS[list]) return CONTAINERS[list]!;
  } else if (last !== undefined && CONTAINERS[last]) {
    return CONTAINERS[last]!;
  }
  return subjectOf(path);
}

/** "rule 'cpu-high'" or "this rule" for the item at `path`. */
function itemName(path: DataPath, data: unknown): string {
  if (path.length === 2 && typeof path[0] === 'string' && SECTIONS[path[0]]) {
    const kind = SECTIONS[path[0]]!;
    const section = (data as Record<string, unknown> | null)?.[path[0]];
    const item = Array.isArray(section) ? (section[path[1] as number] as Record<string, unknown> | undefined) : undefined;
    const name = item?.name;
    return typeof name === 'string' ? `${kind} '${name}'` : `this ${kind}`;
  }
  return containerOf(path).replace(/^an? /, 'this ');
}

function firstSentence(text: string): string {
  const end = text.search(/[.:](\s|$)/);
  return (end === -1 ? text : text.slice(0, end)).replace(/`/g, '');
}

/** A value as a rule author would write it inline in YAML: `{ interval: 10m }`, `[entity, mount]`. */
export function inlineYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineYaml).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${inlineYaml(v)}`).join(', ')} }`;
  }
  if (typeof value === 'string') return /^[A-Za-z0-9_.\-/ ]+$/.test(value) && value.trim() === value ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
  return String(value);
}
