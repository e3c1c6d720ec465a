/**
 * The secrets settings of `tocsin run` (--secrets-dir, --secrets-env-prefix; issue 14 item 5),
 * checked at start: a directory that does not exist would refuse every `{ file }` secret later
 * with a less helpful message, so it is a usage error now.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretPolicy } from '../delivery/secret-policy.js';

/** The secrets settings as the runtime takes them, or a one-line problem (a usage error). */
export function secretPolicy(secretsDir: string | null, envPrefix: string): SecretPolicy | string {
  if (!/^([A-Za-z_][A-Za-z0-9_]*)?$/.test(envPrefix)) {
    return `--secrets-env-prefix '${envPrefix}' is not the start of an environment variable name; `
      + "use letters, digits and _ (e.g. TOCSIN_SECRET_), or '' to allow every variable";
  }
  if (secretsDir === null) return { dir: null, envPrefix };
  const dir = resolve(secretsDir);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) {
    return `the secrets directory ${dir} (--secrets-dir, env TOCSIN_SECRETS_DIR) is not a directory; `
      + `create it (mkdir -p ${dir}) or point the setting elsewhere`;
  }
  return { dir, envPrefix };
}
