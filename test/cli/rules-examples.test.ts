/**
 * The example rules in rules/ are part of the product: they must load without a finding and their
 * tests must pass, and a wrong expectation must fail with a readable diff (issue: rule files).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { runTests } from '../../src/cli/commands/test.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

const scratch = mkdtempSync(join(tmpdir(), 'tocsin-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the example rules in rules/', () => {
  it('pass tocsin check with no diagnostics', async () => {
    const { out, io } = capture();
    expect(await runCheck('rules', io)).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^rules\/: \d+ rules in \d+ files, 0 errors\n$/);
  });

  it('pass their own tests', () => {
    const { out, io } = capture();
    expect(runTests('rules', io)).toBe(0);
    expect(out.stdout).toMatch(/\n\d+ tests: (\d+) passed, 0 failed\n$/);
    expect(out.stdout).not.toContain('FAIL');
  });

  it('fail with a readable diff when an expectation is wrong', () => {
    const dir = join(scratch, 'wrong');
    cpSync('rules', dir, { recursive: true });
    const file = join(dir, 'cpu.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{ at: 6m, event: alert.open, entity: app-1, severity: major }', '{ at: 5m, event: alert.open, entity: app-1, severity: major }'));
    const { out, io } = capture();
    expect(runTests(dir, io)).toBe(1);
    expect(out.stdout).toContain([
      '      - expected, not emitted    + emitted, not expected',
      '      - at 5m       alert.open     entity=app-1 severity=major',
      '      + at 6m       alert.open     entity=app-1 value=90',
    ].join('\n'));
    expect(out.stdout).toMatch(/: \d+ passed, 1 failed\n$/);
  });
});
