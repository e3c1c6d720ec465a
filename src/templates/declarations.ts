/**
 * Templates declared in configuration: a `templates/NAME.json` file (the body alone) or an item
 * of a `templates:` section (schemas/templates.schema.json: name, description, events, body or
 * source). The config loader hands each declaration here and gets the compiled template or
 * diagnostics pointing into the file. Also used by the admin API for a template object.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ALERT_EVENT_TYPES, EVENT_TYPES, type EventType } from '../model/event.js';
import { closest, locate, sortDiagnostics, type Diagnostic, type Problem, type Span } from '../parser/diagnostics.js';
import { compileSources, type CompiledTemplate } from './compile.js';
import { isPresetName, PRESET_NAMES } from './presets/index.js';
import { textSource, valueSource, type TemplateSource } from './sources.js';

export const TEMPLATES_SCHEMA_ID = 'https://tocsin.dev/schemas/templates.schema.json';

/** The shape the config loader gives (src/engine/rules/rule-set.ts `Declaration` of kind template). */
export interface TemplateDeclaration {
  name: string;
  /** A `templates:` item as written, or `{ name, body }` for a templates/NAME.json file. */
  value: Record<string, unknown>;
  source: 'yaml' | 'template-file';
  origin: {
    file: string;
    text: string;
    /** Span in `text` of the value at `path` inside the declared object (`['body', 'text']`). */
    spanOf(path: ReadonlyArray<string | number>): Span;
  };
}

export interface TemplateCheck {
  /** Present when the declaration compiled without errors. */
  template: CompiledTemplate | null;
  diagnostics: Diagnostic[];
}

let validator: ValidateFunction | undefined;
function validateTemplate(): ValidateFunction {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/templates.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    ajv.addSchema(schema);
    validator = ajv.getSchema(`${TEMPLATES_SCHEMA_ID}#/definitions/template`);
    if (validator === undefined) throw new Error('schemas/templates.schema.json has no definitions/template');
  }
  return validator;
}

const pointerPath = (pointer: string): string[] =>
  pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = current !== null && typeof current === 'object' && Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}

function schemaProblem(error: ErrorObject, value: unknown, spanOf: (path: ReadonlyArray<string | number>) => Span): Problem | null {
  const path = pointerPath(error.instancePath);
  const data = valueAt(value, path);
  const params = error.params as Record<string, unknown>;
  const where = path.length === 0 ? 'the template' : path.join('.');
  const at = (extra: string[] = []) => spanOf([...path, ...extra]);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const match = closest(key, ['name', 'description', 'events', 'body', 'source']);
      return { code: 'unknown-option', message: `unknown template option '${key}'${match ? ` (did you mean '${match}'?)` : ''}`, span: at([key]), hint: 'a template has name, description, events, and body or source' };
    }
    case 'required':
      return { code: 'missing-option', message: `${where} needs '${String(params.missingProperty)}'`, span: at() };
    case 'oneOf':
      return { code: 'body-or-source', message: 'give the body either as `body` (a value) or as `source` (JSON text), exactly one of them', span: at() };
    case 'enum':
      if (path[0] === 'events') {
        const text = String(data);
        const match = closest(text, EVENT_TYPES);
        return { code: 'unknown-event-type', message: `unknown event type '${text}'${match ? ` (did you mean '${match}'?)` : ''}`, span: at(), hint: 'event types are listed in docs/templates.md' };
      }
      return { code: 'invalid-option', message: `${where} ${error.message ?? 'is invalid'}`, span: at() };
    case 'not':
      if (path[0] === 'name') return { code: 'template-name-is-preset', message: `'${String(data)}' is the name of a built-in preset`, span: at(), hint: `choose another name; the presets are ${PRESET_NAMES.join(', ')}` };
      return { code: 'invalid-option', message: `${where} ${error.message ?? 'is invalid'}`, span: at() };
    case 'if':
      return null;
    default:
      return { code: 'invalid-option', message: `${where} ${error.message ?? 'is invalid'}`, span: at() };
  }
}

/** Validates and compiles a declared template; the loader installs `template` when it is not null. */
export function checkTemplateDeclaration(declaration: TemplateDeclaration): TemplateCheck {
  const { origin, value } = declaration;
  const place = (problem: Problem) => locate(problem, origin.text, { file: origin.file, text: origin.text });
  if (declaration.source === 'template-file') {
    if (isPresetName(declaration.name)) {
      const span = { start: 0, end: 1 };
      return { template: null, diagnostics: [place({ code: 'template-name-is-preset', message: `templates/${declaration.name}.json has the name of a built-in preset`, span, hint: `rename the file; the presets are ${PRESET_NAMES.join(', ')}` })] };
    }
    return compiled(declaration.name, [textSource(origin.text, ALERT_EVENT_TYPES, { file: origin.file, text: origin.text })]);
  }
  const validate = validateTemplate();
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((error) => schemaProblem(error, value, origin.spanOf)).filter((p): p is Problem => p !== null);
    return { template: null, diagnostics: sortDiagnostics(problems.map(place)) };
  }
  const events = (Array.isArray(value.events) ? value.events : ALERT_EVENT_TYPES) as EventType[];
  if (typeof value.source === 'string') {
    // JSON text inside YAML: positions are offsets in the text, mapped to the start of the scalar.
    const span = origin.spanOf(['source']);
    const quoted = origin.text[span.start] === '"' || origin.text[span.start] === "'" ? 1 : 0;
    return compiled(declaration.name, [textSource(value.source, events, { file: origin.file, text: origin.text, mapOffset: (offset) => Math.min(span.start + quoted + offset, Math.max(span.start, span.end - 1)) })]);
  }
  return compiled(declaration.name, [valueSource(value.body, events, { file: origin.file, text: origin.text }, (path) => origin.spanOf(['body', ...path]))]);
}

function compiled(name: string, sources: TemplateSource[]): TemplateCheck {
  const template = compileSources(name, sources);
  return { template: template.ok ? template : null, diagnostics: [...template.diagnostics] };
}
