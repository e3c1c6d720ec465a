/** Issue 12 item 3: `tocsin replay` names the samples that series caps kept out of a rule. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/commands/replay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(ndjson: string): { rules: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-replay-'));
  dirs.push(dir);
  const rules = join(dir, 'rules');
  writeFileSync(join(dir, 'input.ndjson'), ndjson);
  mkdirSync(rules);
  writeFileSync(join(rules, 'r.yaml'), 'rules:\n  - name: capped\n    metric: cpu\n    condition: value > 1\n    max_series: 2\n');
  return { rules, input: join(dir, 'input.ndjson') };
}

describe('tocsin replay and series caps', () => {
  it('prints a series refused line when max_series kept samples out', async () => {
    const lines = ['a', 'b', 'c', 'd', 'c'].map((entity, i) => JSON.stringify({ metric: 'cpu', entity, time: i * 1000, value: 5 }));
    const { rules, input } = setup(`${lines.join('\n')}\n`);
    let stdout = '';
    let stderr = '';
    const code = await runReplay({ rules, input }, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    expect(code).toBe(0);
    expect(stderr).toContain('series refused: 3 samples of new series were not evaluated (capped 3)');
    expect(stdout.split('\n').filter((l) => l.includes('"rule.error"'))).toHaveLength(1);
  });

  it('prints no such line when nothing was refused', async () => {
    const { rules, input } = setup(`${JSON.stringify({ metric: 'cpu', entity: 'a', time: 0, value: 5 })}\n`);
    let stderr = '';
    await runReplay({ rules, input }, { stdout: () => {}, stderr: (t) => void (stderr += t) });
    expect(stderr).not.toContain('series refused');
  });
});
