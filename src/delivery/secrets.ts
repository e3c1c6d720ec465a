/**
 * Secrets of webhooks (auth values, signing keys). Config holds a reference; the value is read at
 * each use, so a rotated file or a fixed environment takes effect without a reload, and the value
 * never sits in the webhook object the API lists.
 */
import { readFileSync } from 'node:fs';
import { DeliveryError } from './errors.js';

export type SecretRef = { value: string } | { env: string } | { file: string };

/** Returns the secret's text or throws a DeliveryError('secret_unavailable'); `where` names the option. */
export type SecretResolver = (ref: SecretRef, where: string) => string;

export const MASK = '********';

export interface SecretSources {
  env?: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
}

export function createSecretResolver(sources: SecretSources = {}): SecretResolver {
  const env = sources.env ?? process.env;
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  return (ref, where) => {
    if ('value' in ref) return ref.value;
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') {
        throw new DeliveryError('secret_unavailable', `${where}: environment variable ${ref.env} is not set; set it for the tocsin process or give the secret another way`);
      }
      return value;
    }
    let text: string;
    try {
      text = readFile(ref.file);
    } catch (error) {
      throw new DeliveryError('secret_unavailable', `${where}: cannot read secret file ${ref.file}: ${(error as Error).message}`);
    }
    // Files written by `echo` or editors end with a newline that is never part of the secret.
    const value = text.replace(/[\r\n]+$/, '');
    if (value === '') throw new DeliveryError('secret_unavailable', `${where}: secret file ${ref.file} is empty`);
    return value;
  };
}

/** Config may give a secret as a plain string; inside tocsin it is always a reference. */
export function toSecretRef(input: string | SecretRef): SecretRef {
  return typeof input === 'string' ? { value: input } : input;
}

/** What the API shows: values masked, env/file references kept (they name where the secret is, not what it is). */
export function maskSecret(ref: SecretRef): SecretRef {
  return 'value' in ref ? { value: MASK } : { ...ref };
}

export function isMasked(input: unknown): boolean {
  if (input === MASK) return true;
  return input !== null && typeof input === 'object' && 'value' in input && input.value === MASK;
}
