/**
 * `tocsin token create|list|revoke` (SPEC §7, §8): API tokens managed straight in the data file, so
 * the first admin token can be made before any server runs, and a leaked token can be revoked
 * while one does (the server reads token rows on every request).
 *
 * Exit codes: 0 done; 1 refused by what is stored (name taken, already revoked), declined at the
 * prompt, or the data file cannot be used; 2 usage (bad role or name, no such token, no data file,
 * no confirmation possible).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { createToken, findToken, nameProblem, revokeToken, roleProblem, viewToken, type AccessRefusal } from '../../server/access.js';
import { SqliteStore } from '../../store/sqlite.js';
import type { ApiToken, Store } from '../../store/store.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { renderTable } from '../table.js';

export const DEFAULT_DATA_PATH = './data/tocsin.db';

/** `--data`, else `TOCSIN_DATA`, else ./data/tocsin.db. */
export function dataPath(data: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return data ?? (env.TOCSIN_DATA !== undefined && env.TOCSIN_DATA !== '' ? env.TOCSIN_DATA : DEFAULT_DATA_PATH);
}

/** Asks a yes/no question; injectable so tests need no terminal. */
export interface Confirm {
  /** Whether someone can answer: false when stdin is a pipe or a file. */
  isTTY: boolean;
  ask(question: string): Promise<boolean>;
}

export const terminalConfirm: Confirm = {
  isTTY: Boolean(process.stdin.isTTY),
  async ask(question) {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^\s*y(es)?\s*$/i.test(await prompt.question(question));
    } finally {
      prompt.close();
    }
  },
};

export interface TokenCommandDeps {
  now?: () => number;
  /** The audit log's `actor`; default `cli:<OS user>`. */
  actor?: string;
  openStore?: (path: string) => Store;
  env?: Readonly<Record<string, string | undefined>>;
}

type Out = Pick<Output, 'stdout' | 'stderr'>;

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry (some containers): still say where the change came from.
    return 'cli';
  }
}

function printRefusal(out: Out, refusal: Pick<AccessRefusal, 'error' | 'hint'>): void {
  out.stderr(`error: ${refusal.error}\n  hint: ${refusal.hint}\n`);
}

/**
 * The store at `path`, or the exit code after saying why not. `mustExist`: listing or revoking in a
 * file that is not there would silently create an empty store and report "no tokens", hiding a
 * wrong path.
 */
function openStore(path: string, mustExist: boolean, deps: TokenCommandDeps, out: Out): Store | number {
  if (mustExist && path !== ':memory:' && !existsSync(path)) {
    printRefusal(out, { error: `no tocsin data file at ${path}`, hint: "pass the server's data file with --data FILE or set TOCSIN_DATA" });
    return EXIT_USAGE;
  }
  try {
    return (deps.openStore ?? ((file) => new SqliteStore(file)))(path);
  } catch (error) {
    printRefusal(out, { error: `cannot open the data file ${path}: ${(error as Error).message}`, hint: 'check the path given with --data (or TOCSIN_DATA) and its permissions' });
    return EXIT_FINDINGS;
  }
}

export interface TokenCreateOptions {
  role: string;
  name: string;
  data?: string;
}

/** Prints what was made on stderr and the token alone on stdout, so `$(tocsin token create …)` captures just it. */
export function runTokenCreate(options: TokenCreateOptions, out: Out, deps: TokenCommandDeps = {}): number {
  // Checked before the store is touched, so a typo creates no data file.
  const problem = roleProblem(options.role) ?? nameProblem(options.name);
  if (problem !== null) {
    printRefusal(out, problem);
    return EXIT_USAGE;
  }
  const path = dataPath(options.data, deps.env);
  const store = openStore(path, false, deps, out);
  if (typeof store === 'number') return store;
  try {
    const result = createToken(store, { name: options.name, role: options.role, actor: deps.actor ?? cliActor(), now: (deps.now ?? Date.now)() });
    if (!result.ok) {
      printRefusal(out, result);
      return result.code === 'name_taken' ? EXIT_FINDINGS : EXIT_USAGE;
    }
    out.stderr(
      `Created token ${result.record.id} '${result.record.name}' with role ${result.record.role} in ${path}.\n` +
        'Copy it now: it is shown only this once and cannot be recovered (revoke and create another if lost).\n' +
        'Send it as: Authorization: Bearer <token>\n',
    );
    out.stdout(`${result.token}\n`);
    return EXIT_OK;
  } finally {
    store.close();
  }
}

export interface TokenListOptions {
  data?: string;
  /** Print the tokens as a JSON array instead of a table. */
  json?: boolean;
}

function shortTime(iso: string | null, none: string): string {
  return iso === null ? none : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Every token, revoked ones included, oldest first; never the hash. */
export function runTokenList(options: TokenListOptions, out: Out, deps: TokenCommandDeps = {}): number {
  const store = openStore(dataPath(options.data, deps.env), true, deps, out);
  if (typeof store === 'number') return store;
  try {
    const tokens = store.listTokens().map(viewToken);
    if (options.json) {
      out.stdout(`${JSON.stringify(tokens, null, 2)}\n`);
    } else if (tokens.length === 0) {
      out.stderr('no tokens yet: create one with tocsin token create --role admin --name NAME\n');
    } else {
      const rows = tokens.map((t) => [t.id, t.name, t.role, shortTime(t.createdAt, '-'), shortTime(t.lastUsedAt, 'never'), shortTime(t.revokedAt, '-')]);
      out.stdout(`${renderTable(['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'], rows)}\n`);
    }
    return EXIT_OK;
  } finally {
    store.close();
  }
}

export interface TokenRevokeOptions {
  idOrName: string;
  data?: string;
  /** Revoke without asking. */
  yes?: boolean;
}

function describeToken(token: ApiToken): string {
  const view = viewToken(token);
  return `${view.id} '${view.name}' (role ${view.role}, created ${shortTime(view.createdAt, '-')}, last used ${shortTime(view.lastUsedAt, 'never')})`;
}

export async function runTokenRevoke(options: TokenRevokeOptions, out: Out, deps: TokenCommandDeps & { confirm?: Confirm } = {}): Promise<number> {
  const store = openStore(dataPath(options.data, deps.env), true, deps, out);
  if (typeof store === 'number') return store;
  try {
    const token = findToken(store.listTokens(), options.idOrName);
    if (token !== null && token.revokedAt === null && !options.yes) {
      const confirm = deps.confirm ?? terminalConfirm;
      if (!confirm.isTTY) {
        printRefusal(out, { error: `not revoking ${token.id} '${token.name}' without confirmation: standard input is not a terminal`, hint: `pass --yes to revoke without asking, e.g. tocsin token revoke ${token.name} --yes` });
        return EXIT_USAGE;
      }
      if (!(await confirm.ask(`Revoke token ${describeToken(token)}? Requests using it will be refused at once. [y/N] `))) {
        out.stderr('not revoked\n');
        return EXIT_FINDINGS;
      }
    }
    const result = revokeToken(store, { idOrName: options.idOrName, actor: deps.actor ?? cliActor(), now: (deps.now ?? Date.now)() });
    if (!result.ok) {
      printRefusal(out, result);
      return result.code === 'not_found' ? EXIT_USAGE : EXIT_FINDINGS;
    }
    out.stderr(`Revoked token ${result.record.id} '${result.record.name}'.\n`);
    return EXIT_OK;
  } finally {
    store.close();
  }
}
