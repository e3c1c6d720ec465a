/**
 * `tocsin run` with a data file it cannot use (issue 14 item 8): a missing or read-only data
 * directory gives a one-line error with the path and the fix, and exit code 2 (a usage error, as
 * for a missing config directory), never a stack trace. Through the real CLI process (bin/tocsin.js
 * on dist/: `npm test` builds first).
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-run-data-'));
const config = join(dir, 'rules');
mkdirSync(config);
writeFileSync(join(config, 'rules.yaml'), 'rules: []\n');
afterAll(() => {
  try {
    chmodSync(join(dir, 'read-only'), 0o755);
  } catch {
    // not made on this machine
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs `tocsin run`; a server that starts after all is stopped, and shows as exit null. */
function run(data: string, extra: string[] = []): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tocsin.js', 'run', '--config', config, '--data', data, '--port', '0', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TOCSIN_LOG_LEVEL: 'silent' },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

/** One line that names `path` and says what to do, no stack trace. */
function expectOneLineError(exit: Exit, path: string, fix: RegExp): void {
  expect(exit.code, exit.stderr).toBe(2);
  const lines = exit.stderr.trimEnd().split('\n');
  expect(lines, exit.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toMatch(fix);
  expect(exit.stderr).not.toMatch(/\n\s+at /);
}

/** A directory this process cannot write to: chmod works unless we are root, who needs a read-only file system. */
function readOnlyDirectory(): string | null {
  const candidate = join(dir, 'read-only');
  mkdirSync(candidate, { recursive: true });
  chmodSync(candidate, 0o555);
  const writable = (path: string) => {
    try {
      writeFileSync(join(path, `.probe-${process.pid}`), '');
      rmSync(join(path, `.probe-${process.pid}`));
      return true;
    } catch {
      return false;
    }
  };
  if (!writable(candidate)) return candidate;
  // Root writes through chmod; /sys refuses new files even to root.
  for (const path of ['/sys', '/proc/self']) {
    try {
      accessSync(path, constants.F_OK);
      if (!writable(path)) return path;
    } catch {
      // not on this machine
    }
  }
  return null;
}

describe('tocsin run --data FILE that cannot be used', () => {
  it('names a missing directory and how to create it', async () => {
    const missing = join(dir, 'no-such-volume', 'data');
    const exit = await run(join(missing, 'x.db'));
    expectOneLineError(exit, missing, /mkdir -p/);
    expect(existsSync(missing)).toBe(false);
  });

  it.runIf(!existsSync('/nonexistent'))('/nonexistent/dir/x.db', async () => {
    try {
      expectOneLineError(await run('/nonexistent/dir/x.db'), '/nonexistent/dir', /mkdir -p \/nonexistent\/dir/);
      expect(existsSync('/nonexistent')).toBe(false);
    } finally {
      // Made by a tocsin that creates whole paths (as root nothing stops it): not left behind.
      rmSync('/nonexistent', { recursive: true, force: true });
    }
  });

  it('names a directory it cannot write to and what to change', async () => {
    const readOnly = readOnlyDirectory();
    if (readOnly === null) return;
    expectOneLineError(await run(join(readOnly, 'tocsin.db')), readOnly, /--data|TOCSIN_DATA/);
  });

  it('names a path whose directory is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expectOneLineError(await run(join(file, 'tocsin.db')), file, /not a directory/);
  });

  it('names a data file that is a directory', async () => {
    expectOneLineError(await run(config), config, /is a directory/);
  });
});

describe('tocsin run --secrets-dir / --secrets-env-prefix that cannot be used', () => {
  it('names a secrets directory that does not exist', async () => {
    const missing = join(dir, 'no-secrets-here');
    expectOneLineError(await run(join(dir, 'ok', 'tocsin.db'), ['--secrets-dir', missing]), missing, /mkdir -p/);
  });

  it('names a prefix that cannot start a variable name', async () => {
    expectOneLineError(await run(join(dir, 'ok', 'tocsin.db'), ['--secrets-env-prefix', 'MY-SECRETS']), 'MY-SECRETS', /letters, digits and _/);
  });
});
