/**
 * `Authorization: Bearer <token>` → who is calling (SPEC §7, §8), and whether their role allows a
 * permission. Refusals are values carrying the HTTP status, a message that says how to fix it, and
 * the RFC 6750 `WWW-Authenticate` header to send. The token itself appears in no message.
 */
import type { AccessStore, EpochMs } from '../../store/store.js';
import { can, isRole, rolesWith, type Permission } from './roles.js';
import { hashToken, TOKEN_PATTERN, type Principal } from './tokens.js';

export type AuthenticationFailure = {
  ok: false;
  status: 401;
  code: 'missing_token' | 'malformed_authorization' | 'invalid_token';
  error: string;
  /** Value of the `WWW-Authenticate` response header. */
  wwwAuthenticate: string;
};

export type AuthenticationResult = { ok: true; principal: Principal } | AuthenticationFailure;

export interface AuthenticateOptions {
  /** `last_used_at` is written at most this often per token (default one minute). */
  touchIntervalMs?: number;
}

export const TOUCH_INTERVAL_MS = 60_000;

const USAGE = 'send Authorization: Bearer <token>; create a token with: tocsin token create --role ROLE --name NAME';

function failure(code: AuthenticationFailure['code'], error: string): AuthenticationFailure {
  // RFC 6750 §3: no error code when no credentials were sent at all.
  const wwwAuthenticate = code === 'missing_token' ? 'Bearer realm="tocsin"' : `Bearer realm="tocsin", error="invalid_token"`;
  return { ok: false, status: 401, code, error, wwwAuthenticate };
}

/** The token text of a Bearer header, or why there is none. Pure. */
export function parseAuthorization(header: string | undefined): { ok: true; token: string } | AuthenticationFailure {
  if (header === undefined || header.trim() === '') return failure('missing_token', `authentication required: ${USAGE}`);
  const match = /^\s*(\S+)(?:\s+(.*))?$/s.exec(header);
  const scheme = match?.[1] ?? '';
  const credentials = (match?.[2] ?? '').trim();
  // The scheme is case-insensitive (RFC 9110 §11.1); anything but Bearer is refused by name only,
  // never echoing the credentials that followed it.
  if (scheme.toLowerCase() !== 'bearer') {
    const shown = /^[A-Za-z][A-Za-z0-9._~+/-]{0,19}$/.test(scheme) ? `'${scheme}'` : 'in the Authorization header';
    return failure('malformed_authorization', `unsupported authorization scheme ${shown}: ${USAGE}`);
  }
  if (credentials === '') return failure('malformed_authorization', `the Authorization header has no token after 'Bearer': ${USAGE}`);
  if (!TOKEN_PATTERN.test(credentials)) {
    return failure('malformed_authorization', 'the bearer token is not a tocsin token (expected tcn_ followed by 43 base64url characters, as printed by tocsin token create)');
  }
  return { ok: true, token: credentials };
}

/**
 * Finds the active token for the header. Comparison happens on the SHA-256 of the token, looked up
 * by index: an attacker controls no prefix of the stored value, so the lookup's timing reveals
 * nothing useful and no constant-time compare is needed. The token row is read on every request
 * (nothing is cached) so a revocation by another process, e.g. `tocsin token revoke` while the
 * server runs, takes effect at once.
 */
export function authenticate(store: AccessStore, header: string | undefined, now: EpochMs, options: AuthenticateOptions = {}): AuthenticationResult {
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return parsed;
  const token = store.findActiveToken(hashToken(parsed.token));
  if (token === null) return failure('invalid_token', 'the bearer token is unknown or revoked: ask an admin for a new one (tocsin token create)');
  // A role this version does not know (a newer tocsin wrote the row) grants nothing rather than guessing.
  if (!isRole(token.role)) return failure('invalid_token', `token '${token.name}' has the role '${token.role}', which this version of tocsin does not know`);
  // The row just read tells when it was last touched, so "at most once a minute" needs no memory of
  // its own, holds across restarts, and costs one write per token per minute instead of one per request.
  if (shouldTouch(token.lastUsedAt, now, options.touchIntervalMs ?? TOUCH_INTERVAL_MS)) store.touchToken(token.id, now);
  return { ok: true, principal: { tokenId: token.id, name: token.name, role: token.role } };
}

export function shouldTouch(lastUsedAt: EpochMs | null, now: EpochMs, intervalMs: number): boolean {
  // A clock that stepped back leaves the later stamp in place rather than moving it backwards.
  return lastUsedAt === null || now - lastUsedAt >= intervalMs;
}

export type AuthorizationResult = { ok: true } | { ok: false; status: 403; code: 'forbidden'; error: string };

/** Whether the principal's role grants `permission`; the refusal names the roles that would. */
export function authorize(principal: Principal, permission: Permission): AuthorizationResult {
  if (can(principal.role, permission)) return { ok: true };
  const roles = rolesWith(permission);
  return {
    ok: false,
    status: 403,
    code: 'forbidden',
    error: `token '${principal.name}' has the role '${principal.role}', which does not allow ${permission}; this needs a token with the role ${roles.join(' or ')}`,
  };
}
