import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck, summaryLine } from '../../../src/cli/commands/check.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

describe('tocsin check [dir]', () => {
  it('accepts the example rules shipped in rules/', async () => {
    const { out, io } = capture();
    expect(await runCheck('rules', io)).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^rules\/: \d+ rules in \d+ files, 0 errors\n$/);
  });

  it('prints every diagnostic compiler-style, a summary, and exits 1 on errors', async () => {
    const { out, io } = capture();
    const dir = join('test/fixtures/rules', 'duplicates');
    expect(await runCheck(dir, io)).toBe(1);
    expect(out.stderr).toContain("test/fixtures/rules/duplicates/b.yaml:5:11 error: rule 'cpu-high' is defined twice\n    - name: cpu-high\n            ^^^^^^^^\n");
    expect(out.stderr.match(/ error: /g)).toHaveLength(3);
    expect(out.stdout).toBe('test/fixtures/rules/duplicates/: 3 rules in 3 files, 3 errors\n');
  });

  it('exits 2 with a clear message when the directory does not exist', async () => {
    const { out, io } = capture();
    expect(await runCheck('test/fixtures/rules/nowhere', io)).toBe(2);
    expect(out.stderr).toBe(
      "error: config directory 'test/fixtures/rules/nowhere' does not exist\n  hint: pass the directory that holds your rule files (*.yaml), e.g. tocsin check rules\n",
    );
    expect(out.stdout).toBe('');
  });

  it.each([
    [{ files: 2, rules: 3, errors: 0, warnings: 0 }, 'rules/: 3 rules in 2 files, 0 errors'],
    [{ files: 1, rules: 1, errors: 2, warnings: 1 }, 'rules/: 1 rule in 1 file, 2 errors, 1 warning'],
    [{ files: 0, rules: 0, errors: 1, warnings: 2 }, 'rules/: 0 rules in 0 files, 1 error, 2 warnings'],
  ])('summarises %o as %s', (summary, line) => {
    expect(summaryLine('rules', summary)).toBe(line);
  });
});
