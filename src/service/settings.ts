/**
 * Server settings that are neither rules nor webhooks (schemas/settings.schema.json, which holds
 * every default). `tocsin run` builds the input from its flags and environment; a bad value is a
 * usage error naming the flag, the variable and an example, and the server does not start.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseSize } from '../model/size.js';

export interface SettingsInput {
  outbox?: { budget?: string };
}

export interface Settings {
  outbox: {
    /** As written, for messages. */
    budget: string;
    budgetBytes: number;
  };
}

/** Where each setting comes from on the command line, for error messages. */
export const SETTING_SOURCES = {
  '/outbox/budget': { flag: '--outbox-budget', env: 'TOCSIN_OUTBOX_BUDGET', example: '2GiB' },
} as const;

const SCHEMA: object = JSON.parse(readFileSync(new URL('../../schemas/settings.schema.json', import.meta.url), 'utf8')) as object;
let validator: ValidateFunction | undefined;

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

export function resolveSettings(input: SettingsInput = {}): SettingsResult {
  validator ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(SCHEMA);
  const copy = structuredClone(input) as Required<SettingsInput> & { outbox: { budget: string } };
  const errors: string[] = [];
  const budgetBytes = validator(copy) ? parseSize(copy.outbox.budget) : null;
  for (const error of validator.errors ?? []) {
    const source = SETTING_SOURCES[error.instancePath as keyof typeof SETTING_SOURCES];
    errors.push(source
      ? `${source.flag} (or ${source.env}) '${String((input.outbox as Record<string, unknown> | undefined)?.budget)}' is not a size; write e.g. ${source.example}, 512MiB or a number of bytes`
      : `setting ${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  }
  if (errors.length === 0 && (budgetBytes === null || budgetBytes < 1)) {
    const source = SETTING_SOURCES['/outbox/budget'];
    errors.push(`${source.flag} (or ${source.env}) must be at least 1 byte, got '${copy.outbox.budget}'; write e.g. ${source.example}`);
  }
  if (errors.length > 0 || budgetBytes === null) return { ok: false, errors };
  return { ok: true, settings: { outbox: { budget: copy.outbox.budget.trim(), budgetBytes } } };
}

/** The defaults, from the schema. */
export function defaultSettings(): Settings {
  const resolved = resolveSettings({});
  if (!resolved.ok) throw new Error(`schemas/settings.schema.json: its defaults are invalid: ${resolved.errors.join('; ')}`);
  return resolved.settings;
}
