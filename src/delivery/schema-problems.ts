/**
 * ajv's errors, said the way a user fixes them: one problem per mistake, pointing at the option
 * (a JSON pointer the config loader turns into file:line:column), with "did you mean" where a name
 * is close to a known one. ajv's bookkeeping errors (`if`, `propertyNames` wrappers) are dropped.
 */
import type { ErrorObject } from 'ajv';
import { closest } from '../parser/diagnostics.js';

export interface WebhookProblem {
  severity: 'error' | 'warning';
  /** Stable identifier, e.g. `unknown-option`. */
  code: string;
  /** JSON pointer into the input, e.g. `/webhooks/2/auth/token`. */
  pointer: string;
  message: string;
  hint?: string;
}

const DURATION_HINT = 'write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m';

function problem(code: string, pointer: string, message: string, hint?: string): WebhookProblem {
  const result: WebhookProblem = { severity: 'error', code, pointer, message };
  if (hint !== undefined) result.hint = hint;
  return result;
}

/** `/auth/token` → `auth.token`, `/events/0` → `events[0]`: how the option is written in YAML. */
export function optionName(pointer: string): string {
  const parts = pointer.split('/').filter((part) => part !== '');
  if (parts.length === 0) return 'webhook';
  return parts.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function knownKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === null ? undefined : `did you mean '${match}'?`;
}

function translate(error: ErrorObject): WebhookProblem | null {
  const pointer = error.instancePath;
  const where = optionName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  // Errors nested under `propertyNames` say which key of an object is wrong.
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    if (error.schemaPath.includes('headerName')) {
      return problem('invalid-header-name', `${pointer}/${propertyName}`, `'${propertyName}' is not a valid HTTP header name`, 'header names use letters, digits and - _ . ! # $ % & \' * + ^ ` | ~');
    }
    const allowed = (params.allowedValues as string[] | undefined) ?? [];
    return problem('option-not-applicable', `${pointer}/${propertyName}`, `'${propertyName}' does not apply here (${where} takes ${allowed.join(', ')})`, 'remove it, or change the type');
  }
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return null;
    case 'required':
      return problem('missing-option', `${pointer}/${String(params.missingProperty)}`, `${where}: missing required option '${String(params.missingProperty)}'`);
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return problem('unknown-option', `${pointer}/${name}`, `${where}: unknown option '${name}'`, didYouMean(name, knownKeys(error)) ?? `known options: ${knownKeys(error).join(', ')}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = String(error.data);
      return problem('invalid-value', pointer, `${where}: '${value}' is not one of ${allowed.join(', ')}`, didYouMean(value, allowed));
    }
    case 'type':
      return problem('invalid-type', pointer, `${where} must be ${String(params.type).replace(',', ' or ')}`, error.schemaPath.includes('duration') ? DURATION_HINT : undefined);
    case 'pattern':
      if (error.schemaPath.includes('duration')) return problem('invalid-duration', pointer, `${where}: '${String(error.data)}' is not a duration`, DURATION_HINT);
      if (error.schemaPath.includes('/name/')) return problem('invalid-name', pointer, `webhook name '${String(error.data)}' is not allowed`, 'names start with a letter or digit and use letters, digits, ".", "_" and "-"');
      if (error.schemaPath.includes('/env/')) return problem('invalid-env-name', pointer, `'${String(error.data)}' is not an environment variable name`);
      if (error.schemaPath.includes('/headers/')) return problem('invalid-header-value', pointer, `${where}: header values are printable ASCII on one line`);
      return problem('invalid-value', pointer, `${where} ${error.message ?? 'is invalid'}`);
    case 'minProperties':
    case 'maxProperties':
      return problem('invalid-secret', pointer, `${where}: a secret is a string or exactly one of { value }, { env }, { file }`);
    default:
      return problem('invalid-value', pointer, `${where} ${error.message ?? 'is invalid'}`);
  }
}

/** Problems with pointers relative to the validated object. */
export function schemaProblems(errors: readonly ErrorObject[]): WebhookProblem[] {
  const seen = new Set<string>();
  const problems: WebhookProblem[] = [];
  for (const error of errors) {
    const translated = translate(error);
    if (translated === null) continue;
    const key = `${translated.pointer}\u0000${translated.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(translated);
  }
  return problems;
}
