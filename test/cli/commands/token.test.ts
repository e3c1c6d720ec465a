import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataPath, runTokenCreate, runTokenList, runTokenRevoke, type Confirm } from '../../../src/cli/commands/token.js';
import { authenticate, TOKEN_PATTERN } from '../../../src/server/access.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { tempDir } from '../../store/helpers.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

/** A confirmation prompt that answers `answer` and remembers the question; `isTTY: false` is a pipe. */
function prompt(isTTY: boolean, answer = false): Confirm & { asked: string[] } {
  const asked: string[] = [];
  return { isTTY, asked, ask: async (question) => (asked.push(question), answer) };
}

let dir: string;
let cleanup: () => void;
let data: string;
const deps = { now: () => T0, actor: 'cli:tester', env: {} };

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  data = join(dir, 'data', 'tocsin.db');
});
afterEach(() => cleanup());

function create(name: string, role = 'admin') {
  const { out, io } = capture();
  const code = runTokenCreate({ role, name, data }, io, deps);
  return { code, ...out };
}

/** Authenticates `token` against the data file as the server would. */
function authenticates(token: string): boolean {
  const store = new SqliteStore(data);
  try {
    return authenticate(store, `Bearer ${token}`, T0 + 1000).ok;
  } finally {
    store.close();
  }
}

describe('tocsin token create --role ROLE --name NAME [--data FILE]', () => {
  it('prints the new token alone on the last line of stdout, and the explanation on stderr', () => {
    const { code, stdout, stderr } = create('ci', 'operator');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(TOKEN_PATTERN);
    expect(stderr).toMatch(/^Created token tok_[0-9a-f]{16} 'ci' with role operator in .*tocsin\.db\.\n/);
    expect(stderr).toContain('shown only this once');
    expect(stderr).not.toContain(lines[0]);
  });

  it('creates the data file if needed, and the token works against it', () => {
    const { stdout } = create('ci');
    expect(existsSync(data)).toBe(true);
    expect(authenticates(stdout.trim())).toBe(true);
  });

  it('refuses an unknown role with exit 2 and the list of roles, creating no file', () => {
    const { out, io } = capture();
    expect(runTokenCreate({ role: 'root', name: 'ci', data }, io, deps)).toBe(2);
    expect(out.stderr).toBe("error: unknown role 'root'\n  hint: roles: admin, operator, viewer, ingest\n");
    expect(out.stdout).toBe('');
    expect(existsSync(data)).toBe(false);
  });

  it('refuses a bad name with exit 2, creating no file', () => {
    const { code, stdout, stderr } = create('no spaces please');
    expect(code).toBe(2);
    expect(existsSync(data)).toBe(false);
    expect(stdout).toBe('');
    expect(stderr).toContain("error: invalid token name 'no spaces please'");
  });

  it('refuses a name an active token has with exit 1 and says how to proceed', () => {
    create('ci');
    const { code, stdout, stderr } = create('ci', 'viewer');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: an active token is already named 'ci'\n  hint: revoke it first (tocsin token revoke ci) or choose another name\n");
  });

  it('audits the creation as the command-line user', () => {
    create('ci');
    const store = new SqliteStore(data);
    try {
      expect(store.listAudit({ kind: 'token' })).toMatchObject([{ actor: 'cli:tester', action: 'create', name: 'ci' }]);
    } finally {
      store.close();
    }
  });
});

describe('tocsin token list', () => {
  it('shows id, name, role and times as a table, never the token or its hash', () => {
    const ci = create('ci').stdout.trim();
    create('grafana', 'viewer');
    authenticates(ci);
    const store = new SqliteStore(data);
    const [first] = store.listTokens();
    store.close();
    const { out, io } = capture();
    expect(runTokenList({ data }, io, deps)).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED\s+LAST USED\s+REVOKED$/);
    expect(lines[2]).toMatch(/^tok_[0-9a-f]{16}\s+ci\s+admin\s+2024-05-01T12:00:00Z\s+2024-05-01T12:00:01Z\s+-$/);
    expect(lines[3]).toMatch(/^tok_[0-9a-f]{16}\s+grafana\s+viewer\s+2024-05-01T12:00:00Z\s+never\s+-$/);
    expect(lines).toHaveLength(4);
    expect(out.stdout).not.toContain(ci);
    expect(out.stdout).not.toContain(first?.tokenHash);
  });

  it('--json prints the same views, without hashes', () => {
    create('ci');
    const { out, io } = capture();
    expect(runTokenList({ data, json: true }, io, deps)).toBe(0);
    const views = JSON.parse(out.stdout) as Array<Record<string, unknown>>;
    expect(views).toEqual([{ id: expect.stringMatching(/^tok_/), name: 'ci', role: 'admin', createdAt: '2024-05-01T12:00:00.000Z', lastUsedAt: null, revokedAt: null }]);
  });

  it('exits 2 when the data file does not exist, rather than creating an empty one', () => {
    const { out, io } = capture();
    expect(runTokenList({ data }, io, deps)).toBe(2);
    expect(out.stderr).toBe(`error: no tocsin data file at ${data}\n  hint: pass the server's data file with --data FILE or set TOCSIN_DATA\n`);
    expect(existsSync(data)).toBe(false);
  });
});

describe('tocsin token revoke ID|NAME [--yes]', () => {
  it('with --yes revokes at once; the token stops working', async () => {
    const token = create('ci').stdout.trim();
    const { out, io } = capture();
    expect(await runTokenRevoke({ idOrName: 'ci', data, yes: true }, io, { ...deps, confirm: prompt(false) })).toBe(0);
    expect(out.stderr).toMatch(/^Revoked token tok_[0-9a-f]{16} 'ci'\.\n$/);
    expect(authenticates(token)).toBe(false);
  });

  it('without --yes and without a terminal, refuses with exit 2 and changes nothing', async () => {
    const token = create('ci').stdout.trim();
    const { out, io } = capture();
    const confirm = prompt(false, true);
    expect(await runTokenRevoke({ idOrName: 'ci', data }, io, { ...deps, confirm })).toBe(2);
    expect(out.stderr).toContain('without confirmation: standard input is not a terminal');
    expect(out.stderr).toContain('hint: pass --yes to revoke without asking, e.g. tocsin token revoke ci --yes');
    expect(confirm.asked).toEqual([]);
    expect(authenticates(token)).toBe(true);
  });

  it.each([
    [true, 0, true],
    [false, 1, false],
  ])('asks on a terminal; answering yes=%s exits %i', async (answer, code, revoked) => {
    const token = create('ci').stdout.trim();
    const { out, io } = capture();
    const confirm = prompt(true, answer);
    expect(await runTokenRevoke({ idOrName: 'ci', data }, io, { ...deps, confirm })).toBe(code);
    expect(confirm.asked).toEqual([expect.stringMatching(/^Revoke token tok_[0-9a-f]{16} 'ci' \(role admin, created 2024-05-01T12:00:00Z, last used never\)\? .* \[y\/N\] $/)]);
    expect(authenticates(token)).toBe(!revoked);
    if (!revoked) expect(out.stderr).toBe('not revoked\n');
  });

  it('an unknown name exits 2 with a suggestion', async () => {
    create('deploy');
    const { out, io } = capture();
    expect(await runTokenRevoke({ idOrName: 'deplyo', data, yes: true }, io, deps)).toBe(2);
    expect(out.stderr).toBe("error: no active token has the id or name 'deplyo'\n  hint: did you mean 'deploy'?\n");
  });

  it('revoking a revoked token by id exits 1 and says when it was revoked', async () => {
    create('ci');
    const store = new SqliteStore(data);
    const [token] = store.listTokens();
    store.close();
    const id = token?.id ?? 'missing';
    await runTokenRevoke({ idOrName: id, data, yes: true }, capture().io, deps);
    const { out, io } = capture();
    expect(await runTokenRevoke({ idOrName: id, data, yes: true }, io, deps)).toBe(1);
    expect(out.stderr).toBe(`error: token ${id} ('ci') was already revoked at 2024-05-01T12:00:00.000Z\n  hint: nothing to do\n`);
  });
});

describe('the data file', () => {
  it.each([
    ['--data wins', 'x.db', { TOCSIN_DATA: 'env.db' }, 'x.db'],
    ['then TOCSIN_DATA', undefined, { TOCSIN_DATA: 'env.db' }, 'env.db'],
    ['then ./data/tocsin.db', undefined, {}, './data/tocsin.db'],
    ['an empty TOCSIN_DATA counts as unset', undefined, { TOCSIN_DATA: '' }, './data/tocsin.db'],
  ])('%s', (_what, data, env, expected) => {
    expect(dataPath(data, env)).toBe(expected);
  });
});
