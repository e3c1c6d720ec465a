/** API tokens (stored as hashes) and the audit log (SPEC §7). */
import { StoreConflictError, type ApiToken, type ApiTokenInput, type AuditEntry, type AuditInput, type AuditQuery, type EpochMs } from '../store.js';
import type { Row, SqliteConnection } from './connection.js';
import { clampLimit, integer, integerOrNull, json, text, toJsonOrNull, where } from './rows.js';

function toToken(row: Row): ApiToken {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    role: text(row, 'role'),
    tokenHash: text(row, 'token_hash'),
    createdAt: integer(row, 'created_at'),
    lastUsedAt: integerOrNull(row, 'last_used_at'),
    revokedAt: integerOrNull(row, 'revoked_at'),
  };
}

/** Call inside a transaction: checks for conflicts, then inserts. */
export function createToken(c: SqliteConnection, token: ApiTokenInput): ApiToken {
  // Checked up front so the error names the conflict instead of quoting a UNIQUE constraint.
  if (c.get('SELECT 1 FROM api_tokens WHERE id = :id', { id: token.id }) !== undefined) {
    throw new StoreConflictError(`a token with id '${token.id}' already exists`);
  }
  if (c.get('SELECT 1 FROM api_tokens WHERE name = :name AND revoked_at IS NULL', { name: token.name }) !== undefined) {
    throw new StoreConflictError(`an active token named '${token.name}' already exists: revoke it first or choose another name`);
  }
  const row = c.get(
    `INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (:id, :name, :role, :tokenHash, :createdAt) RETURNING *`,
    { id: token.id, name: token.name, role: token.role, tokenHash: token.tokenHash, createdAt: token.createdAt },
  );
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  return toToken(row);
}

export function findActiveToken(c: SqliteConnection, tokenHash: string): ApiToken | null {
  const row = c.get('SELECT * FROM api_tokens WHERE token_hash = :tokenHash AND revoked_at IS NULL', { tokenHash });
  return row === undefined ? null : toToken(row);
}

export function getToken(c: SqliteConnection, id: string): ApiToken | null {
  const row = c.get('SELECT * FROM api_tokens WHERE id = :id', { id });
  return row === undefined ? null : toToken(row);
}

export function listTokens(c: SqliteConnection): ApiToken[] {
  return c.all('SELECT * FROM api_tokens ORDER BY created_at, name, id').map(toToken);
}

export function touchToken(c: SqliteConnection, id: string, at: EpochMs): void {
  c.run('UPDATE api_tokens SET last_used_at = :at WHERE id = :id', { id, at });
}

export function revokeToken(c: SqliteConnection, id: string, at: EpochMs): boolean {
  return c.run('UPDATE api_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL', { id, at }).changes === 1;
}

function toAudit(row: Row): AuditEntry {
  return {
    id: integer(row, 'id'),
    actor: text(row, 'actor'),
    action: text(row, 'action'),
    kind: text(row, 'kind'),
    name: text(row, 'name'),
    at: integer(row, 'at'),
    details: json(row, 'details'),
  };
}

export function insertAudit(c: SqliteConnection, entry: AuditInput): AuditEntry {
  const row = c.get(
    `INSERT INTO audit_log (actor, action, kind, name, at, details) VALUES (:actor, :action, :kind, :name, :at, :details) RETURNING *`,
    { actor: entry.actor, action: entry.action, kind: entry.kind, name: entry.name, at: entry.at, details: toJsonOrNull(entry.details) },
  );
  if (row === undefined) throw new Error('store: INSERT … RETURNING gave no row');
  return toAudit(row);
}

export function listAudit(c: SqliteConnection, query: AuditQuery): AuditEntry[] {
  const clause = where([
    ['actor = :actor', 'actor', query.actor],
    ['kind = :kind', 'kind', query.kind],
    ['name = :name', 'name', query.name],
    ['at >= :since', 'since', query.since],
    ['at < :until', 'until', query.until],
    ['id < :beforeId', 'beforeId', query.beforeId],
  ]);
  return c
    .all(`SELECT * FROM audit_log ${clause.sql} ORDER BY id DESC LIMIT :limit`, { ...clause.parameters, limit: clampLimit(query.limit) })
    .map(toAudit);
}
