/**
 * Secrets never reach a log (SPEC §7). Two nets: `LOG_REDACT` hands pino the paths where secrets
 * sit in what the server logs (request headers, webhook auth and signing secrets, tokens), and
 * `redactSecrets` scrubs free text and objects that paths cannot describe: error messages, an
 * upstream's response quoted in an error, a webhook body echoed back in a validation problem.
 */
import { MASK } from '../../delivery/secrets.js';

const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];
const SECRET_FIELDS = ['token', 'tokenHash', 'token_hash', 'password', 'secret', 'api_key'];
// Where a webhook (as configured or as sent to the API) keeps its secrets: auth.{password,token,value}
// and signature.secret, each a string or a { value } reference.
const WEBHOOK_SECRETS = ['auth.password', 'auth.password.value', 'auth.token', 'auth.token.value', 'auth.value', 'auth.value.value', 'signature.secret', 'signature.secret.value'];

function titleCase(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_all, dash: string, letter: string) => dash + letter.toUpperCase());
}

function prop(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`;
}

/**
 * pino `redact` paths. Wildcards in pino's paths match exactly one level, so each place is listed
 * at the depths the server logs it: top level, under `req`/`res`, and one object down (`*.`),
 * which covers `{ webhook: {...} }`, `{ body: {...} }` and `{ request: { headers } }`.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  // Node lower-cases incoming headers, but a webhook's own `headers` keep the case they were written in.
  ...['req.headers', 'res.headers', 'headers', '*.headers'].flatMap((at) => [...SECRET_HEADERS, ...SECRET_HEADERS.map(titleCase)].map((header) => `${at}${prop(header)}`)),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  ...WEBHOOK_SECRETS.flatMap((path) => [path, `*.${path}`]),
];

/** Pass as pino's (or fastify's `logger`) `redact` option; the censor is the API's mask. */
export const LOG_REDACT = { paths: [...LOG_REDACT_PATHS], censor: MASK };

// In free text: tocsin tokens, credentials after an auth scheme, user:password@ in URLs, and
// secret-looking query parameters. Tokens go first so the scheme rule never sees one.
const TEXT_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/tcn_[A-Za-z0-9_-]{8,}/g, `tcn_${MASK}`],
  // Errs on the side of masking: 'basic authentication' loses its second word, a credential never leaks.
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi, `$1$2${MASK}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi, `$1${MASK}@`],
  [/([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature)=)[^&\s#"']+/gi, `$1${MASK}`],
];

const SECRET_KEY = new RegExp(`^(?:${[...SECRET_HEADERS, ...SECRET_FIELDS, 'apikey', 'x-signature', 'webhook-signature', 'x-axi-signature'].join('|')})$`, 'i');

export function redactText(text: string): string {
  return TEXT_PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/**
 * A copy of `value` safe to log or show: values under secret keys (headers like Authorization,
 * fields like password, token, secret, and an `auth`'s `value`) become the mask, and every string is
 * scrubbed by `redactText`. A secret reference `{ env }` or `{ file }` stays: it says where a secret
 * is, not what it is. Errors become `{ name, message, code? }`. Never mutates its argument.
 */
export function redactSecrets(value: string): string;
export function redactSecrets(value: unknown): unknown;
export function redactSecrets(value: unknown): unknown {
  return redact(value, false, new Set());
}

const isSecretKey = (key: string) => SECRET_KEY.test(key);
// Inside a secret reference (`{ value }`) or a webhook's `auth` (api_key's `value`), `value` is secret too.
const isSecretKeyOfReference = (key: string) => key === 'value' || SECRET_KEY.test(key);

/** `ancestors` holds the objects on the current path, so only true cycles are cut, not shared objects. */
function redact(value: unknown, secret: boolean, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return secret ? MASK : redactText(value);
  if (value === null || typeof value !== 'object') return secret && value !== undefined ? MASK : value;
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, secret, ancestors));
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { name: value.name, message: redactText(value.message), ...(typeof code === 'string' ? { code } : {}) };
    }
    return redactFields(value, secret ? () => true : isSecretKey, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function redactFields(object: object, secretKey: (key: string) => boolean, ancestors: Set<object>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(object)) {
    const isObject = child !== null && typeof child === 'object' && !Array.isArray(child) && !(child instanceof Error);
    if (secretKey(key)) {
      // A secret given as a reference: mask its `value`, keep `env`/`file` (where it is, not what it is).
      copy[key] = isObject && !ancestors.has(child) ? withAncestor(child, ancestors, () => redactFields(child, isSecretKeyOfReference, ancestors)) : redact(child, true, ancestors);
    } else if (key === 'auth' && isObject && !ancestors.has(child)) {
      copy[key] = withAncestor(child, ancestors, () => redactFields(child, isSecretKeyOfReference, ancestors));
    } else {
      copy[key] = redact(child, false, ancestors);
    }
  }
  return copy;
}

function withAncestor<T>(object: object, ancestors: Set<object>, run: () => T): T {
  ancestors.add(object);
  try {
    return run();
  } finally {
    ancestors.delete(object);
  }
}
