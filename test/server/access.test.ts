import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
  TOKEN_PATTERN,
  authenticate,
  authorize,
  can,
  createToken,
  hashToken,
  parseAuthorization,
  revokeToken,
  rolesWith,
  viewToken,
  type Permission,
  type Role,
} from '../../src/server/access.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { memoryStore, tempDir } from '../store/helpers.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const MINUTE = 60_000;

/** Creates a token or fails the test; returns the plaintext and the stored record. */
function mustCreate(store: SqliteStore, name: string, role: string, now = T0) {
  const result = createToken(store, { name, role, actor: 'test', now });
  if (!result.ok) throw new Error(`createToken refused: ${result.error}`);
  return result;
}

describe('roles and permissions (SPEC §7)', () => {
  // The spec's sentence as a table: admin everything; operator ack, silence, test webhooks, read;
  // viewer read; ingest write samples only. Changing a role's rights means changing this table.
  const MATRIX: Record<Permission, Role[]> = {
    'samples:write': ['admin', 'ingest'],
    'entities:write': ['admin', 'ingest'],
    read: ['admin', 'operator', 'viewer'],
    'rules:check': ['admin', 'operator', 'viewer'],
    'alerts:ack': ['admin', 'operator'],
    'silences:write': ['admin', 'operator'],
    'webhooks:test': ['admin', 'operator'],
    'deliveries:retry': ['admin', 'operator'],
    'webhooks:write': ['admin'],
    'templates:write': ['admin'],
    'rules:reload': ['admin'],
    'audit:read': ['admin'],
    'tokens:manage': ['admin'],
  };

  it('the matrix above covers every permission there is', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...PERMISSIONS].sort());
  });

  it.each(PERMISSIONS.flatMap((permission) => ROLES.map((role) => [role, permission, MATRIX[permission].includes(role)] as const)))(
    'can(%s, %s) is %s',
    (role, permission, allowed) => {
      expect(can(role, permission)).toBe(allowed);
    },
  );

  it('admin holds every permission, and every other role is a subset of admin', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
    for (const role of ROLES) for (const permission of ROLE_PERMISSIONS[role]) expect(ROLE_PERMISSIONS.admin.has(permission)).toBe(true);
  });

  it('viewer ⊂ operator ⊂ admin, and ingest shares nothing with viewer', () => {
    for (const permission of ROLE_PERMISSIONS.viewer) expect(ROLE_PERMISSIONS.operator.has(permission)).toBe(true);
    expect(ROLE_PERMISSIONS.operator.size).toBeGreaterThan(ROLE_PERMISSIONS.viewer.size);
    expect([...ROLE_PERMISSIONS.ingest].filter((permission) => ROLE_PERMISSIONS.viewer.has(permission))).toEqual([]);
  });

  it('ingest may write samples and entities and nothing else, not even read', () => {
    expect([...ROLE_PERMISSIONS.ingest].sort()).toEqual(['entities:write', 'samples:write']);
  });

  it('an unknown role (a row from a newer version) grants nothing', () => {
    for (const permission of PERMISSIONS) expect(can('superuser', permission)).toBe(false);
  });

  it('rolesWith lists the roles granting a permission, most restricted first', () => {
    expect(rolesWith('read')).toEqual(['viewer', 'operator', 'admin']);
    expect(rolesWith('webhooks:write')).toEqual(['admin']);
  });

  it('authorize refuses with 403 naming the role held and the roles that would do', () => {
    expect(authorize({ tokenId: 'tok_1', name: 'grafana', role: 'viewer' }, 'read')).toEqual({ ok: true });
    expect(authorize({ tokenId: 'tok_1', name: 'grafana', role: 'viewer' }, 'alerts:ack')).toEqual({
      ok: false,
      status: 403,
      code: 'forbidden',
      error: "token 'grafana' has the role 'viewer', which does not allow alerts:ack; this needs a token with the role operator or admin",
    });
  });
});

describe('API tokens: created once, stored hashed, revocable (SPEC §7)', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = memoryStore();
  });
  afterEach(() => store.close());

  it('round trip: a new token authenticates as its name and role', () => {
    const { token, record } = mustCreate(store, 'ci', 'admin');
    expect(token).toMatch(TOKEN_PATTERN);
    expect(record).toMatchObject({ name: 'ci', role: 'admin', createdAt: T0, lastUsedAt: null, revokedAt: null });
    expect(record.id).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(authenticate(store, `Bearer ${token}`, T0 + 1000)).toEqual({ ok: true, principal: { tokenId: record.id, name: 'ci', role: 'admin' } });
  });

  it('stores the SHA-256 hex of the token, never the token', () => {
    const { token, record } = mustCreate(store, 'ci', 'viewer');
    expect(record.tokenHash).toBe(hashToken(token));
    expect(record.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(store.listTokens())).not.toContain(token);
  });

  it('two tokens are never equal, and each maps to its own principal', () => {
    const a = mustCreate(store, 'a', 'viewer');
    const b = mustCreate(store, 'b', 'ingest');
    expect(a.token).not.toBe(b.token);
    expect(a.record.id).not.toBe(b.record.id);
    expect(authenticate(store, `Bearer ${b.token}`, T0)).toMatchObject({ ok: true, principal: { name: 'b', role: 'ingest' } });
  });

  it('writes an audit row with the creation, in the same transaction', () => {
    const { record } = mustCreate(store, 'ci', 'operator');
    expect(store.listAudit({ kind: 'token' })).toEqual([
      { id: expect.any(Number), actor: 'test', action: 'create', kind: 'token', name: 'ci', at: T0, details: { id: record.id, role: 'operator' } },
    ]);
  });

  it.each([
    ['a bad role', { name: 'ci', role: 'root' }, 'invalid_role', "unknown role 'root'", 'roles: admin, operator, viewer, ingest'],
    ['a near-miss role', { name: 'ci', role: 'admn' }, 'invalid_role', "unknown role 'admn'", "did you mean 'admin'?"],
    ['an empty name', { name: '', role: 'admin' }, 'invalid_name', 'the token name is empty', 'letters, digits'],
    ['a name with spaces', { name: 'my token', role: 'admin' }, 'invalid_name', "invalid token name 'my token'", 'letters, digits'],
    ['a name shaped like an id', { name: 'tok_1234', role: 'admin' }, 'invalid_name', "'tok_' starts token ids", 'does not start with tok_'],
  ])('refuses %s with a 400 that says how to fix it, and writes nothing', (_what, request, code, error, hint) => {
    const result = createToken(store, { ...request, actor: 'test', now: T0 });
    expect(result).toMatchObject({ ok: false, code, status: 400 });
    if (result.ok) return;
    expect(result.error).toContain(error);
    expect(result.hint).toContain(hint);
    expect(store.listTokens()).toEqual([]);
    expect(store.listAudit({})).toEqual([]);
  });

  it('refuses a name an active token has (409), and allows it again once that one is revoked', () => {
    mustCreate(store, 'ci', 'admin');
    const again = createToken(store, { name: 'ci', role: 'viewer', actor: 'test', now: T0 });
    expect(again).toMatchObject({ ok: false, code: 'name_taken', status: 409, error: "an active token is already named 'ci'" });
    expect(store.listAudit({ kind: 'token' })).toHaveLength(1);
    expect(revokeToken(store, { idOrName: 'ci', actor: 'test', now: T0 + 1 }).ok).toBe(true);
    expect(createToken(store, { name: 'ci', role: 'viewer', actor: 'test', now: T0 + 2 }).ok).toBe(true);
  });

  it('a revoked token is rejected at once, by name or by id', () => {
    const byName = mustCreate(store, 'by-name', 'admin');
    const byId = mustCreate(store, 'by-id', 'admin');
    expect(revokeToken(store, { idOrName: 'by-name', actor: 'admin-1', now: T0 + MINUTE })).toMatchObject({ ok: true, record: { id: byName.record.id, revokedAt: T0 + MINUTE } });
    expect(revokeToken(store, { idOrName: byId.record.id, actor: 'admin-1', now: T0 + MINUTE })).toMatchObject({ ok: true, record: { name: 'by-id' } });
    for (const { token } of [byName, byId]) {
      expect(authenticate(store, `Bearer ${token}`, T0 + 2 * MINUTE)).toMatchObject({ ok: false, status: 401, code: 'invalid_token' });
    }
    expect(store.listAudit({ kind: 'token' }).filter((entry) => entry.action === 'revoke').map((entry) => [entry.actor, entry.name])).toEqual([
      ['admin-1', 'by-id'],
      ['admin-1', 'by-name'],
    ]);
  });

  it('revoking twice, or a token that does not exist, is refused with a clear message', () => {
    const { record } = mustCreate(store, 'ci', 'admin');
    revokeToken(store, { idOrName: 'ci', actor: 'test', now: T0 + 1 });
    expect(revokeToken(store, { idOrName: record.id, actor: 'test', now: T0 + 2 })).toMatchObject({
      ok: false,
      code: 'already_revoked',
      status: 409,
      error: `token ${record.id} ('ci') was already revoked at 2024-05-01T12:00:00.001Z`,
    });
    mustCreate(store, 'deploy', 'operator');
    expect(revokeToken(store, { idOrName: 'deplyo', actor: 'test', now: T0 })).toEqual({
      ok: false,
      code: 'not_found',
      status: 404,
      error: "no active token has the id or name 'deplyo'",
      hint: "did you mean 'deploy'?",
    });
    expect(store.listAudit({ kind: 'token' }).filter((entry) => entry.action === 'revoke')).toHaveLength(1);
  });

  it('the view shown by the API and the CLI has no hash and ISO times', () => {
    const { record } = mustCreate(store, 'ci', 'admin');
    const view = viewToken(record);
    expect(view).toEqual({ id: record.id, name: 'ci', role: 'admin', createdAt: '2024-05-01T12:00:00.000Z', lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(view)).not.toContain(record.tokenHash);
  });

  it('last_used_at is written at most once a minute per token', () => {
    const { token, record } = mustCreate(store, 'ci', 'admin');
    let writes = 0;
    const touch = store.touchToken.bind(store);
    store.touchToken = (id, at) => {
      writes++;
      touch(id, at);
    };
    const lastUsed = () => store.getToken(record.id)?.lastUsedAt;
    const header = `Bearer ${token}`;
    authenticate(store, header, T0);
    expect(lastUsed()).toBe(T0);
    for (let second = 1; second < 60; second++) authenticate(store, header, T0 + second * 1000);
    expect(lastUsed()).toBe(T0);
    expect(writes).toBe(1);
    authenticate(store, header, T0 + MINUTE);
    expect(lastUsed()).toBe(T0 + MINUTE);
    expect(writes).toBe(2);
  });

  it('a clock that stepped back does not move last_used_at backwards', () => {
    const { token, record } = mustCreate(store, 'ci', 'admin');
    authenticate(store, `Bearer ${token}`, T0 + 10 * MINUTE);
    authenticate(store, `Bearer ${token}`, T0);
    expect(store.getToken(record.id)?.lastUsedAt).toBe(T0 + 10 * MINUTE);
  });

  it('a token whose stored role this version does not know is refused', () => {
    const token = `tcn_${'A'.repeat(43)}`;
    store.createToken({ id: 'tok_future', name: 'future', role: 'auditor', tokenHash: hashToken(token), createdAt: T0 });
    expect(authenticate(store, `Bearer ${token}`, T0)).toMatchObject({ ok: false, status: 401, code: 'invalid_token', error: expect.stringContaining("the role 'auditor'") });
  });
});

describe('Authorization header parsing: every malformed header is a 401 that says what to send', () => {
  const valid = `tcn_${'x'.repeat(43)}`;
  it.each([
    ['no header', undefined, 'missing_token', 'authentication required: send Authorization: Bearer <token>'],
    ['an empty header', '', 'missing_token', 'authentication required'],
    ['another scheme', 'Basic dXNlcjpwYXNzd29yZA==', 'malformed_authorization', "unsupported authorization scheme 'Basic'"],
    ['a bare token without scheme', valid, 'malformed_authorization', 'unsupported authorization scheme in the Authorization header'],
    ['Bearer alone', 'Bearer', 'malformed_authorization', "no token after 'Bearer'"],
    ['Bearer and spaces', 'Bearer    ', 'malformed_authorization', "no token after 'Bearer'"],
    ['a foreign token', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'malformed_authorization', 'not a tocsin token (expected tcn_ followed by 43 base64url characters'],
    ['a truncated token', `Bearer ${valid.slice(0, 20)}`, 'malformed_authorization', 'not a tocsin token'],
    ['two tokens', `Bearer ${valid} ${valid}`, 'malformed_authorization', 'not a tocsin token'],
  ])('%s', (_what, header, code, message) => {
    const result = parseAuthorization(header);
    expect(result).toMatchObject({ ok: false, status: 401, code });
    if (result.ok) return;
    expect(result.error).toContain(message);
    // What the client sent never comes back in the message.
    if (header !== undefined && header.length > 10) expect(result.error).not.toContain(header.slice(7));
  });

  it.each([
    ['Bearer', `Bearer ${valid}`],
    ['lower-case scheme', `bearer ${valid}`],
    ['surrounding spaces', `  Bearer   ${valid}  `],
  ])('accepts %s', (_what, header) => {
    expect(parseAuthorization(header)).toEqual({ ok: true, token: valid });
  });

  it('answers RFC 6750 WWW-Authenticate values: no error code when nothing was sent', () => {
    expect(parseAuthorization(undefined)).toMatchObject({ wwwAuthenticate: 'Bearer realm="tocsin"' });
    expect(parseAuthorization('Bearer nope')).toMatchObject({ wwwAuthenticate: 'Bearer realm="tocsin", error="invalid_token"' });
  });

  it('a well-formed token that matches nothing is invalid_token, without echoing it', () => {
    const store = memoryStore();
    try {
      const result = authenticate(store, `Bearer ${valid}`, T0);
      expect(result).toMatchObject({ ok: false, status: 401, code: 'invalid_token', error: expect.stringContaining('unknown or revoked') });
      if (!result.ok) expect(result.error).not.toContain(valid);
    } finally {
      store.close();
    }
  });
});

describe('tokens at rest in a data file', () => {
  it('the plaintext token is in no byte of the database files; its hash is', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'tocsin.db');
      const store = new SqliteStore(path, { now: () => T0 });
      const { token } = mustCreate(store, 'ci', 'admin');
      expect(authenticate(store, `Bearer ${token}`, T0 + MINUTE).ok).toBe(true);
      // Read the main file and the WAL while the store is open (recent writes sit in the WAL), then after close.
      const bytes = () => Buffer.concat(readdirSync(dir).map((file) => readFileSync(join(dir, file))));
      for (const snapshot of [bytes(), (store.close(), bytes())]) {
        expect(snapshot.includes(hashToken(token))).toBe(true);
        expect(snapshot.includes(token)).toBe(false);
        expect(snapshot.includes(token.slice(4))).toBe(false);
      }
      const reopened = new SqliteStore(path, { now: () => T0 });
      try {
        expect(authenticate(reopened, `Bearer ${token}`, T0 + 2 * MINUTE)).toMatchObject({ ok: true, principal: { name: 'ci', role: 'admin' } });
      } finally {
        reopened.close();
      }
    } finally {
      cleanup();
    }
  });
});
