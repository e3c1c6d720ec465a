/**
 * API tokens (SPEC §7): random, shown once, stored as a SHA-256 hash, revocable. Creation and
 * revocation write their audit row in the same transaction as the change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closest } from '../../parser/diagnostics.js';
import { StoreConflictError, type AccessStore, type ApiToken, type CommitBatch, type EpochMs } from '../../store/store.js';
import { isRole, ROLES, type Role } from './roles.js';

/**
 * A recognisable prefix lets secret scanners (and people) tell a tocsin token from other secrets;
 * 32 random bytes in base64url are 43 characters.
 */
export const TOKEN_PREFIX = 'tcn_';
export const TOKEN_ID_PREFIX = 'tok_';
const TOKEN_BYTES = 32;
export const TOKEN_PATTERN = /^tcn_[A-Za-z0-9_-]{43}$/;

export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Random bytes; injectable so tests can make tokens predictable. */
export type RandomBytes = (size: number) => Buffer;

export function generateToken(random: RandomBytes = randomBytes): string {
  return TOKEN_PREFIX + random(TOKEN_BYTES).toString('base64url');
}

/** What is stored and looked up: the hex SHA-256 of the token text. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function generateTokenId(random: RandomBytes): string {
  return TOKEN_ID_PREFIX + random(8).toString('hex');
}

/** What a token's holder is known as in the audit log and in `req.principal`. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** The audit `actor` of an API call made with this principal's token. */
export function actorOf(principal: Principal): string {
  return `token:${principal.name}`;
}

/** A token as the API and `token list` show it: never the hash, times as ISO 8601 UTC. */
export interface TokenView {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function viewToken(token: ApiToken): TokenView {
  const iso = (ms: EpochMs | null) => (ms === null ? null : new Date(ms).toISOString());
  return { id: token.id, name: token.name, role: token.role, createdAt: new Date(token.createdAt).toISOString(), lastUsedAt: iso(token.lastUsedAt), revokedAt: iso(token.revokedAt) };
}

/** A refusal the caller can show as it is: `error` says what, `hint` how to fix. `status` is the HTTP answer. */
export interface AccessRefusal {
  ok: false;
  code: 'invalid_role' | 'invalid_name' | 'name_taken' | 'not_found' | 'already_revoked';
  status: 400 | 404 | 409;
  error: string;
  hint: string;
}

export interface CreateTokenRequest {
  name: string;
  role: string;
  /** Who asks: `actorOf(principal)` through the API, `cli:<user>` from the command line. */
  actor: string;
  now: EpochMs;
  /** More to write in the same transaction (e.g. a `config.changed` event); the audit row is added to it. */
  also?: CommitBatch;
  random?: RandomBytes;
}

export type CreateTokenResult = { ok: true; token: string; record: ApiToken } | AccessRefusal;

export function roleProblem(role: string): AccessRefusal | null {
  if (isRole(role)) return null;
  const guess = closest(role, ROLES);
  return {
    ok: false,
    code: 'invalid_role',
    status: 400,
    error: `unknown role '${role}'`,
    hint: `${guess !== null ? `did you mean '${guess}'? ` : ''}roles: ${ROLES.join(', ')}`,
  };
}

export function nameProblem(name: string): AccessRefusal | null {
  if (!TOKEN_NAME_PATTERN.test(name)) {
    return {
      ok: false,
      code: 'invalid_name',
      status: 400,
      error: name === '' ? 'the token name is empty' : `invalid token name '${name}'`,
      hint: 'use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit, e.g. ci-deploy',
    };
  }
  // Revocation takes an id or a name; a name shaped like an id would make that ambiguous.
  if (name.startsWith(TOKEN_ID_PREFIX)) {
    return { ok: false, code: 'invalid_name', status: 400, error: `invalid token name '${name}': '${TOKEN_ID_PREFIX}' starts token ids`, hint: 'choose a name that does not start with tok_' };
  }
  return null;
}

/** Creates a token; the plaintext is in the result and nowhere else, ever. */
export function createToken(store: AccessStore, request: CreateTokenRequest): CreateTokenResult {
  const problem = roleProblem(request.role) ?? nameProblem(request.name);
  if (problem !== null) return problem;
  const random = request.random ?? randomBytes;
  const token = generateToken(random);
  const id = generateTokenId(random);
  const audit = { actor: request.actor, action: 'create', kind: 'token', name: request.name, at: request.now, details: { id, role: request.role } };
  const also: CommitBatch = { ...request.also, now: request.also?.now ?? request.now, audit: [...(request.also?.audit ?? []), audit] };
  try {
    const record = store.createToken({ id, name: request.name, role: request.role, tokenHash: hashToken(token), createdAt: request.now }, also);
    return { ok: true, token, record };
  } catch (error) {
    if (!(error instanceof StoreConflictError)) throw error;
    return { ok: false, code: 'name_taken', status: 409, error: `an active token is already named '${request.name}'`, hint: `revoke it first (tocsin token revoke ${request.name}) or choose another name` };
  }
}

/** The token an id or a name designates: an exact id first, else the active token with that name. */
export function findToken(tokens: readonly ApiToken[], idOrName: string): ApiToken | null {
  return tokens.find((token) => token.id === idOrName) ?? tokens.find((token) => token.name === idOrName && token.revokedAt === null) ?? null;
}

export interface RevokeTokenRequest {
  idOrName: string;
  actor: string;
  now: EpochMs;
  also?: CommitBatch;
}

export type RevokeTokenResult = { ok: true; record: ApiToken } | AccessRefusal;

export function revokeToken(store: AccessStore, request: RevokeTokenRequest): RevokeTokenResult {
  const tokens = store.listTokens();
  const token = findToken(tokens, request.idOrName);
  if (token === null) {
    const active = tokens.filter((candidate) => candidate.revokedAt === null);
    const guess = closest(request.idOrName, active.flatMap((candidate) => [candidate.name, candidate.id]));
    return {
      ok: false,
      code: 'not_found',
      status: 404,
      error: `no active token has the id or name '${request.idOrName}'`,
      hint: guess !== null ? `did you mean '${guess}'?` : active.length > 0 ? 'list the tokens with: tocsin token list' : 'there are no active tokens',
    };
  }
  if (token.revokedAt !== null) return alreadyRevoked(token);
  const audit = { actor: request.actor, action: 'revoke', kind: 'token', name: token.name, at: request.now, details: { id: token.id, role: token.role } };
  const also: CommitBatch = { ...request.also, now: request.also?.now ?? request.now, audit: [...(request.also?.audit ?? []), audit] };
  // Another process (the CLI while the server runs, or the reverse) may have revoked it meanwhile.
  if (!store.revokeToken(token.id, request.now, also)) return alreadyRevoked(store.getToken(token.id) ?? token);
  return { ok: true, record: store.getToken(token.id) ?? { ...token, revokedAt: request.now } };
}

function alreadyRevoked(token: ApiToken): AccessRefusal {
  const when = token.revokedAt === null ? '' : ` at ${new Date(token.revokedAt).toISOString()}`;
  return { ok: false, code: 'already_revoked', status: 409, error: `token ${token.id} ('${token.name}') was already revoked${when}`, hint: 'nothing to do' };
}
