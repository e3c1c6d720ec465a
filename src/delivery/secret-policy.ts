/**
 * Which secret sources a webhook created through the API may name (issue 14 item 5). An admin token
 * is not a shell account: without limits, `{ file: "/etc/…" }` or `{ env: "AWS_SECRET_ACCESS_KEY" }`
 * sends any file or variable of the tocsin process to any receiver. Through the API, files (secrets
 * and ca_file) must lie inside the operator's secrets directory, and variables must carry the
 * operator's prefix. Config files are written by whoever runs tocsin, so they keep full freedom.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import type { WebhookProblem } from './schema-problems.js';
import type { SecretRef } from './secrets.js';
import type { Webhook } from './webhook.js';

export interface SecretPolicy {
  /** Absolute directory that API `{ file }` secrets and ca_file must lie in; null: none allowed. */
  dir: string | null;
  /** Prefix API `{ env }` names must start with; '' allows every variable. */
  envPrefix: string;
}

export const DEFAULT_SECRET_ENV_PREFIX = 'TOCSIN_SECRET_';
export const DEFAULT_SECRET_POLICY: SecretPolicy = { dir: null, envPrefix: DEFAULT_SECRET_ENV_PREFIX };

const YAML_INSTEAD = 'or declare this webhook in a YAML file of the config directory, where any source is allowed';

function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing: nothing to follow yet; reading it later fails with secret_unavailable.
    return path;
  }
}

/** Null when `path` lies in `dir`, following links too (a link inside may point anywhere). */
function fileRefusal(path: string, at: string, what: string, policy: SecretPolicy): WebhookProblem | null {
  const { dir } = policy;
  if (dir !== null && within(dir, path) && within(realOrSelf(dir), realOrSelf(path))) return null;
  const problem: WebhookProblem = {
    severity: 'error', code: 'secret-source-refused', pointer: at,
    message: dir === null
      ? `${what} reads the file ${path}: through the API, files are allowed only inside the secrets directory, `
        + 'and none is configured'
      : `${what} reads the file ${path}, which is outside the secrets directory ${dir}`,
    hint: dir === null
      ? 'start tocsin with --secrets-dir DIR (env TOCSIN_SECRETS_DIR) and put the file there, '
        + `give the value itself, ${YAML_INSTEAD}`
      : `put the file in ${dir} (a path relative to it works: { file: NAME }), ${YAML_INSTEAD}; `
        + 'the directory is set with --secrets-dir (env TOCSIN_SECRETS_DIR)',
  };
  return problem;
}

function envRefusal(name: string, at: string, what: string, policy: SecretPolicy): WebhookProblem | null {
  if (name.startsWith(policy.envPrefix)) return null;
  return {
    severity: 'error', code: 'secret-source-refused', pointer: at,
    message: `${what} reads the environment variable ${name}: through the API, `
      + `only variables whose name starts with '${policy.envPrefix}' are allowed`,
    hint: `set the secret as ${policy.envPrefix}${name} for the tocsin process, `
      + `change the prefix with --secrets-env-prefix (env TOCSIN_SECRETS_ENV_PREFIX), ${YAML_INSTEAD}`,
  };
}

function refRefusal(ref: SecretRef, at: string, what: string, policy: SecretPolicy): WebhookProblem | null {
  if ('file' in ref) return fileRefusal(ref.file, `${at}/file`, what, policy);
  if ('env' in ref) return envRefusal(ref.env, `${at}/env`, what, policy);
  return null;
}

/**
 * The secret sources of `webhook` (parsed with the secrets directory as its base, so relative paths
 * are already resolved against it) that the API may not name, each with its JSON pointer.
 */
export function secretSourceProblems(webhook: Webhook, policy: SecretPolicy): WebhookProblem[] {
  const refs: Array<[SecretRef, string, string]> = [];
  const { auth, signature } = webhook;
  if (auth.type === 'basic') refs.push([auth.password, '/auth/password', 'auth.password']);
  if (auth.type === 'bearer') refs.push([auth.token, '/auth/token', 'auth.token']);
  if (auth.type === 'api_key') refs.push([auth.value, '/auth/value', 'auth.value']);
  if (signature.type !== 'none') refs.push([signature.secret, '/signature/secret', 'signature.secret']);
  const problems = refs.map(([ref, at, what]) => refRefusal(ref, at, what, policy));
  if (webhook.ca_file !== null) problems.push(fileRefusal(webhook.ca_file, '/ca_file', 'ca_file', policy));
  return problems.filter((problem): problem is WebhookProblem => problem !== null);
}
